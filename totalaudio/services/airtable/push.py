"""The push half of the Airtable sync: local changes go up in batches of 10, journaled before they are sent.

Crash safety: each batch is written to the journal as pending, sent, then confirmed (record ids, shadow,
journal) in one local transaction. A run killed in between leaves pending entries; the next run looks the
records up (by record id, or by the merge field for creates), confirms what already landed and lets the
ordinary diff send the rest, so nothing is created twice and nothing is sent twice needlessly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from totalaudio.clients.airtable import BATCH, chunks, escape_formula_string, field_ref, rejection_of
from totalaudio.errors import ConfigError, IntegrationError
from totalaudio.services.airtable.local import RID
from totalaudio.services.airtable.run import TableRun, changed_since
from totalaudio.store.syncstate import SyncState
from totalaudio.store.airtable_sync import OUTBOX_PREFIX, pending_outbox, set_outbox_state

# 422s that are about the table, not a record: splitting the batch would only repeat them record by record.
SYSTEMIC = frozenset({"UNKNOWN_FIELD_NAME", "INVALID_PERMISSIONS", "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND"})


@dataclass
class Outgoing:
    """One record to send: local id, record id (None for a create), canonical values of the changed columns."""

    local_id: str
    record_id: str | None
    values: dict[str, Any]
    entry_id: int | None = None

    @property
    def op(self) -> str:
        """'update' or 'create'."""
        return "update" if self.record_id else "create"


class Pusher:
    """Pushes one table's local changes."""

    def __init__(self, run: TableRun) -> None:
        self.run = run
        self.tmap = run.tmap
        self.remote: dict[str, dict[str, Any]] = {}
        self.state = SyncState(run.db)
        self.rejected_key = f"airtable.{run.tmap.key}.rejected"
        self.rejections: dict[str, dict[str, Any]] = self.state.get(self.rejected_key, {})

    def push(self) -> None:
        """Reconcile an interrupted push, then send updates, creates and deletions."""
        if self.run.live:
            Reconciler(self.run).reconcile()
        self.remote = {} if self.run.options.pull else self._peek()
        updates, creates, deletes = self.plan()
        try:
            for kind, items in (("update", updates), ("create", creates)):
                for batch in chunks([o for o in items if not self._rejected_before(o)], BATCH):
                    self._send_safely(kind, list(batch))
                    self.run.progress(f"{self.tmap.name}: {self.run.result.pushed + self.run.result.created} sent")
        finally:
            if self.run.live:
                self.state.set(self.rejected_key, self.rejections)
        self._delete(deletes)

    def _rejected_before(self, outgoing: Outgoing) -> bool:
        """The same values Airtable refused last time are not sent again until a full run (or a change)."""
        known = self.rejections.get(outgoing.local_id)
        if self.run.result.full or not known or known["values"] != outgoing.values:
            return False
        self.run.reject(outgoing.local_id, outgoing.record_id, known["key"], known["field"],
                        known["reason"] + " (refused before; not sent again until a full run)")
        return True

    def plan(self) -> tuple[list[Outgoing], list[Outgoing], list[tuple[str, str, dict]]]:
        """Updates (changed columns only), creates (every non-empty column) and upstream deletions."""
        local, shadows = self.run.side.snapshot(), self.run.shadow.by_local()
        updates, creates = [], []
        taken = {self.run.side.merge_key(v): lid for lid, v in local.items() if v[RID]}
        for lid, values in local.items():
            shadow = shadows.get(lid)
            if values[RID] and shadow and shadow["recordId"] == values[RID]:
                diff = {f.local: values[f.local] for f in self.tmap.fields
                        if values[f.local] != shadow["fields"].get(f.local)}
                if values[RID] in self.remote:
                    diff = self._against_remote(lid, values, shadow["fields"], diff)
                if diff:
                    updates.append(Outgoing(lid, values[RID], diff))
                continue
            filled = {f.local: values[f.local] for f in self.tmap.fields if values[f.local] is not None}
            if values[RID]:
                updates.append(Outgoing(lid, values[RID], filled))
            elif self._creatable(lid, filled, taken):
                creates.append(Outgoing(lid, None, filled))
        deletes = [(lid, s["recordId"], s["fields"]) for lid, s in shadows.items() if lid not in local]
        return updates, creates, deletes

    def _peek(self) -> dict[str, dict[str, Any]]:
        """Without a pull, the records Airtable changed since the last one, to catch conflicts (usually 1 call)."""
        cursor = SyncState(self.run.db).get(f"airtable.{self.tmap.key}.cursor")
        if not cursor:
            return {}
        return {r["id"]: self.tmap.from_record(r) for page in changed_since(self.run, cursor) for r in page}

    def _against_remote(self, lid: str, values: dict[str, Any], base: dict[str, Any],
                        diff: dict[str, Any]) -> dict[str, Any]:
        """Drop fields Airtable changed too: listed as conflicts, sent only when ``prefer`` is local."""
        theirs, kept = self.remote[values[RID]], {}
        for column, mine in diff.items():
            their = theirs.get(column)
            if their == mine:
                continue  # the same change on both sides
            if their == base.get(column):
                kept[column] = mine
                continue
            self.run.conflict(values[RID], lid, values.get(self.tmap.merge_on), self.tmap.field(column).airtable,
                              mine, their, base.get(column))
            if self.run.options.prefer == "local":
                kept[column] = mine
        return kept

    def _creatable(self, lid: str, values: dict[str, Any], taken: dict[str, str]) -> bool:
        """A new record needs a merge value no other local record has (the upsert would merge them upstream)."""
        name, key = self.tmap.merge_field.airtable, self.run.side.merge_key(values)
        if not key:
            self.run.reject(lid, None, None, name, f"no {name} to match the record on; not created")
            return False
        if key in taken:
            self.run.reject(lid, None, values.get(self.tmap.merge_on), name,
                            f"same {name} as local record {taken[key]}; merge the two first")
            return False
        taken[key] = lid
        return True

    def _send_safely(self, kind: str, batch: list[Outgoing]) -> None:
        """Send a batch; a 422 is narrowed down by halves so only the bad records are rejected."""
        if not self.run.live:
            self._count(kind, len(batch))
            return
        try:
            self._send(kind, batch)
        except IntegrationError as exc:
            if exc.status != 422:
                raise
            if rejection_of(exc)["type"] in SYSTEMIC:
                raise ConfigError(f"Airtable refused every write to {self.tmap.name}: {exc.error}",
                                  hint="run `tap airtable schema` and fix the base or [airtable] in tap.toml") from exc
            set_outbox_state(self.run.db, [o.entry_id for o in batch if o.entry_id], "failed")
            if len(batch) == 1:
                self._reject(batch[0], exc)
                return
            half = len(batch) // 2
            self._send_safely(kind, batch[:half])
            self._send_safely(kind, batch[half:])

    def _send(self, kind: str, batch: list[Outgoing]) -> None:
        self._journal(batch)
        client, name = self.run.client, self.tmap.name
        payload = [{**({"id": o.record_id} if o.record_id else {}), "fields": self.tmap.to_fields(o.values)}
                   for o in batch]
        if kind == "update":
            records = client.update_batch(name, payload)
        else:
            records = client.upsert_batch(name, payload, [self.tmap.merge_field.airtable])["records"]
        with self.run.db.conn:
            for outgoing, record in self._pair(batch, records):
                confirm(self.run, outgoing, record)
                self.rejections.pop(outgoing.local_id, None)
        self._count(kind, len(batch))

    def _pair(self, batch: list[Outgoing], records: list[dict[str, Any]]) -> list[tuple[Outgoing, dict]]:
        """Each sent record with its answer: by record id, else by merge value, else by position."""
        by_key = {r["id"]: r for r in records}
        by_key.update({self.run.side.merge_key(self.tmap.from_record(r)): r for r in records})
        pairs = []
        for index, outgoing in enumerate(batch):
            key = outgoing.record_id or self.run.side.merge_key(outgoing.values)
            record = by_key.get(key) or (records[index] if index < len(records) else None)
            if record is not None:
                pairs.append((outgoing, record))
        return pairs

    def _count(self, kind: str, n: int) -> None:
        if kind == "update":
            self.run.result.pushed += n
        else:
            self.run.result.created += n

    def _journal(self, batch: list[Outgoing]) -> None:
        run = self.run
        with run.db.conn:
            for o in batch:
                o.entry_id = run.journal.record(run.run_id, OUTBOX_PREFIX + self.tmap.key, o.local_id, o.op,
                                                None, {"recordId": o.record_id, "values": o.values},
                                                target="airtable", state="pending")

    def _reject(self, outgoing: Outgoing, exc: IntegrationError) -> None:
        why = rejection_of(exc)
        sent = self.tmap.to_fields(outgoing.values)
        field = why["field"] or next((name for name in sent if name in why["reason"]), None)
        key = outgoing.values.get(self.tmap.merge_on) or self._key_of(outgoing.local_id)
        self.run.reject(outgoing.local_id, outgoing.record_id, key, field, why["reason"])
        self.rejections[outgoing.local_id] = {"values": outgoing.values, "key": key, "field": field,
                                              "reason": why["reason"]}

    def _key_of(self, local_id: str) -> Any:
        return self.run.side.snapshot().get(local_id, {}).get(self.tmap.merge_on)

    def _delete(self, deletes: list[tuple[str, str, dict]]) -> None:
        """Records deleted here are deleted upstream, 10 per request, journaled first (with their last values)."""
        run = self.run
        for batch in chunks(deletes, BATCH):
            if run.live:
                entry_ids = [run.journal.record(run.run_id, OUTBOX_PREFIX + self.tmap.key, lid, "delete", fields,
                                                {"recordId": rid}, target="airtable", state="pending")
                             for lid, rid, fields in batch]
                self._delete_batch([rid for _, rid, _ in batch])
                with run.db.conn:
                    run.shadow.drop(rid for _, rid, _ in batch)
                    set_outbox_state(run.db, entry_ids, "done")
            run.result.deleted_upstream += len(batch)

    def _delete_batch(self, record_ids: list[str]) -> None:
        try:
            self.run.client.delete_batch(self.tmap.name, record_ids)
        except IntegrationError as exc:
            if exc.status not in (404, 422):
                raise
            if len(record_ids) > 1:  # one of them is already gone: delete the others one by one
                for rid in record_ids:
                    self._delete_batch([rid])


def confirm(run: TableRun, outgoing: Outgoing, record: dict[str, Any]) -> None:
    """A record landed: keep its id, take Airtable's normalised values as synced, close the journal entry."""
    remote = run.tmap.from_record(record)
    sent = {k: remote.get(k) for k in outgoing.values}
    normalised = {k: v for k, v in sent.items() if v != outgoing.values[k]}
    if outgoing.record_id != record["id"]:
        run.side.link(outgoing.local_id, record["id"])
    if normalised:
        run.side.update(outgoing.local_id, normalised)  # e.g. a date-time cell that keeps only the date
    run.shadow.merge(record["id"], outgoing.local_id, sent)
    if outgoing.entry_id:
        set_outbox_state(run.db, [outgoing.entry_id], "done")


class Reconciler:
    """Settles the pending journal entries of a push that was killed before it could confirm them."""

    def __init__(self, run: TableRun) -> None:
        self.run = run
        self.tmap = run.tmap

    def reconcile(self) -> None:
        """Look the pending records up and confirm those that landed; the rest are sent again by the diff."""
        pending = pending_outbox(self.run.db, self.tmap.key)
        for group in chunks(pending, BATCH):
            found = self._lookup(group)
            with self.run.db.conn:
                for entry in group:
                    self._settle(entry, found)

    def _lookup(self, group: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        terms = []
        for entry in group:
            after = entry["after"]
            if after.get("recordId"):
                terms.append(f"RECORD_ID()={escape_formula_string(after['recordId'])}")
            elif after.get("values", {}).get(self.tmap.merge_on):
                value = self.tmap.merge_field.to_airtable(after["values"][self.tmap.merge_on])
                terms.append(f"{field_ref(self.tmap.merge_field.airtable)}={escape_formula_string(value)}")
        if not terms:
            return {}
        try:
            records = self.run.client.list_all(self.tmap.name, formula=f"OR({','.join(terms)})")
        except IntegrationError as exc:
            if exc.status != 422:
                raise
            return {}  # lookup refused: everything is marked stale and the (idempotent) diff sends it again
        found = {r["id"]: r for r in records}
        for record in records:
            key = self.run.side.merge_key(self.tmap.from_record(record))
            found.setdefault("key:" + key, record)
        return found

    def _settle(self, entry: dict[str, Any], found: dict[str, dict[str, Any]]) -> None:
        after, run = entry["after"], self.run
        rid = after.get("recordId")
        record = found.get(rid) if rid else found.get("key:" + run.side.merge_key(after.get("values", {})))
        if entry["op"] == "delete":
            if record is None:
                run.shadow.drop([rid])
            set_outbox_state(run.db, [entry["id"]], "done" if record is None else "stale")
            return
        outgoing = Outgoing(entry["entity_id"], rid, after.get("values", {}), entry["id"])
        if record is not None and self._landed(outgoing, record):
            confirm(run, outgoing, record)
            run.result.reconciled += 1
        else:
            set_outbox_state(run.db, [entry["id"]], "stale")

    def _landed(self, outgoing: Outgoing, record: dict[str, Any]) -> bool:
        remote = self.tmap.from_record(record)
        return all(remote.get(k) == v for k, v in outgoing.values.items())
