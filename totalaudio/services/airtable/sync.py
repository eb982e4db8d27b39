"""Two-way Airtable sync: pull what changed upstream, push what changed here, field by field, against a shadow.

The shadow (store/airtable_sync.py) holds each record's values as they were when both sides last agreed;
a field changed on one side only goes to the other, a field changed on both is a conflict that ``prefer``
settles. Every upstream write is journaled as pending before it is sent, so a killed run is reconciled
on the next one instead of being sent again (services/airtable/push.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

import sqlite_utils

from totalaudio.clients.airtable import AirtableClient
from totalaudio.config import Settings
from totalaudio.errors import ConfigError, InputError
from totalaudio.services.airtable import optional
from totalaudio.services.airtable.local import RID
from totalaudio.services.airtable.mapping import TableMap, check_schema, load_mapping
from totalaudio.services.airtable.push import Pusher
from totalaudio.services.airtable.run import (DEFAULT_FULL_EVERY, DEFAULT_OVERLAP, PREFERENCES, SyncOptions,
                                              SyncResult, TableRun, _utc_now, changed_since, iso_millis,
                                              parse_millis)
from totalaudio.store.syncstate import SyncState

class Puller:
    """Pulls one table: incremental since its cursor, or full with deletion detection."""

    def __init__(self, run: TableRun, now: Callable[[], datetime] = _utc_now) -> None:
        self.run = run
        self.now = now
        self.cursor_key = f"airtable.{run.tmap.key}.cursor"
        self.full_key = f"airtable.{run.tmap.key}.full_at"

    def pull(self) -> None:
        """Fetch changed (or all) records and apply them locally; advance the cursor when done."""
        run, state = self.run, SyncState(self.run.db)
        started = iso_millis(self.now())
        cursor = self._cursor(state)
        self.local = run.side.snapshot()
        self.by_rid = {v[RID]: lid for lid, v in self.local.items() if v[RID]}
        self.unlinked = {run.side.merge_key(v): lid for lid, v in self.local.items() if not v[RID]}
        self.shadows = run.shadow.by_record()
        seen: set[str] = set()
        pages = changed_since(run, cursor) if cursor else run.client.iter_pages(run.tmap.name)
        for page in pages:
            with run.db.conn:
                for record in page:
                    seen.add(record["id"])
                    self._record(record)
            run.progress(f"{run.tmap.name}: {len(seen)} records read")
        if cursor is None:
            self._deletions(seen)
        if run.live:
            state.set(self.cursor_key, started)
            if cursor is None:
                state.set(self.full_key, started)

    def _cursor(self, state: SyncState) -> str | None:
        """The incremental cursor, or None when this run must list everything (first, --full, or due)."""
        options, cursor, full_at = self.run.options, state.get(self.cursor_key), state.get(self.full_key)
        due = bool(options.full_every_hours) and (full_at is None or (
            self.now() - parse_millis(full_at)).total_seconds() > 3600 * options.full_every_hours)
        if options.full or cursor is None or due:
            self.run.result.full = True
            return None
        return cursor

    def _record(self, record: dict[str, Any]) -> None:
        run, rid = self.run, record["id"]
        run.result.fetched += 1
        remote = run.tmap.from_record(record)
        shadow = self.shadows.get(rid)
        lid = self.by_rid.get(rid) or self._link(rid, remote)
        if lid is None:
            self._new(rid, remote, shadow)
            return
        base = shadow["fields"] if shadow else None
        changes = self._resolve(rid, lid, self.local[lid], remote, base)
        if changes:
            self._apply(lid, changes)
        if run.live:
            run.shadow.put(rid, lid, remote)

    def _link(self, rid: str, remote: dict[str, Any]) -> str | None:
        lid = self.unlinked.pop(self.run.side.merge_key(remote), None) if remote.get(self.run.tmap.merge_on) else None
        if lid and self.run.live:
            self.run.side.link(lid, rid)
        return lid

    def _new(self, rid: str, remote: dict[str, Any], shadow: dict[str, Any] | None) -> None:
        run = self.run
        if shadow and shadow["fields"] == remote:
            return  # deleted here, untouched there: the push deletes it upstream
        if shadow:
            run.conflict(rid, shadow["localId"], remote.get(run.tmap.merge_on), "*", "deleted", "changed", None)
            if run.options.prefer == "local":
                return
        run.result.pulled += 1
        if run.live:
            lid = run.side.insert({k: v for k, v in remote.items()}, rid)
            run.shadow.put(rid, lid, remote)
            run.journal.record(run.run_id, run.tmap.key, lid, "insert", None, remote)

    def _resolve(self, rid: str, lid: str, local: dict[str, Any], remote: dict[str, Any],
                 base: dict[str, Any] | None) -> dict[str, Any]:
        """The remote values to write locally: one-sided remote changes, and conflicts Airtable wins."""
        changes = {}
        for fmap in self.run.tmap.fields:
            mine, theirs = local.get(fmap.local), remote.get(fmap.local)
            if mine == theirs:
                continue
            was = base.get(fmap.local) if base is not None else None
            if base is not None and theirs == was:
                continue  # changed here only: the push sends it
            if mine == was:
                changes[fmap.local] = theirs  # changed there only (or new there)
                continue
            if base is None and theirs is None:
                continue  # a value Airtable lacks: the push sends it
            self.run.conflict(rid, lid, local.get(self.run.tmap.merge_on), fmap.airtable, mine, theirs, was)
            if self.run.options.prefer == "airtable":
                changes[fmap.local] = theirs
        return changes

    def _apply(self, lid: str, changes: dict[str, Any]) -> None:
        run = self.run
        run.result.pulled += 1
        if run.live:
            before = {k: self.local[lid].get(k) for k in changes}
            run.side.update(lid, changes)
            run.journal.record(run.run_id, run.tmap.key, lid, "update", before, changes)
        self.local[lid].update(changes)

    def _deletions(self, seen: set[str]) -> None:
        """Records gone from Airtable (a full listing did not return them) go locally too."""
        run = self.run
        gone = {rid: lid for rid, lid in self.by_rid.items() if rid not in seen}
        if gone and not seen:  # an empty listing is more likely a wrong base or view than an emptied table
            run.reject(None, None, None, None, f"Airtable listed no {run.tmap.name} records; "
                                               f"{len(gone)} local records kept, not deleted")
            return
        with run.db.conn:
            for rid, lid in gone.items():
                self._gone(rid, lid)

    def _gone(self, rid: str, lid: str) -> None:
        run, local = self.run, self.local[lid]
        shadow = self.shadows.get(rid)
        changed_here = shadow is not None and any(local.get(k) != v for k, v in shadow["fields"].items())
        if changed_here:
            run.conflict(rid, lid, local.get(run.tmap.merge_on), "*", "changed", "deleted", None)
        if changed_here and run.options.prefer == "local":
            if run.live:
                run.side.link(lid, None)  # the push creates it again
                run.shadow.drop([rid])
            return
        run.result.deleted += 1
        if run.live:
            run.side.delete(lid)
            run.shadow.drop([rid])
            run.journal.record(run.run_id, run.tmap.key, lid, "delete", local, None)


def run_sync(db: sqlite_utils.Database, client: AirtableClient, tables: list[TableMap], options: SyncOptions,
             run_id: str | None = None, now: Callable[[], datetime] = _utc_now,
             progress: Callable[[str], None] | None = None) -> SyncResult:
    """Pull then push every mapped table (contacts first, so campaign links find their records)."""
    if options.prefer not in PREFERENCES:
        raise InputError(f"--prefer must be one of {', '.join(PREFERENCES)}, not {options.prefer!r}")
    mode = "both" if options.pull and options.push else ("pull" if options.pull else "push")
    result = SyncResult(mode=mode, full=options.full, dry_run=options.dry_run, run_id=run_id,
                        tables=[t.name for t in tables], campaigns=optional.initial(tables))
    calls_before = client.calls
    runs = [TableRun(db, client, tmap, options, result, run_id) for tmap in tables]
    for run in runs:
        run.progress = progress or run.progress
    try:
        if options.pull:
            runs = [run for run in runs if optional.guarded(run.tmap, Puller(run, now).pull, result)]
        if options.push:
            runs = [run for run in runs if optional.guarded(run.tmap, Pusher(run).push, result)]
    finally:
        result.api_calls = client.calls - calls_before
        result.tables = [run.tmap.name for run in runs]
    return result


def options_from(settings: Settings, **flags: Any) -> SyncOptions:
    """SyncOptions from command flags plus tap.toml's [airtable] overlap_seconds."""
    section = settings.section("airtable")
    numbers = {}
    for key, default in (("overlap_seconds", DEFAULT_OVERLAP), ("full_every_hours", DEFAULT_FULL_EVERY)):
        try:
            numbers[key] = float(section.get(key, default))
        except (TypeError, ValueError):
            raise ConfigError(f"tap.toml [airtable] {key} must be a number, not {section[key]!r}") from None
    return SyncOptions(**flags, **numbers)


def sync_base(db: sqlite_utils.Database, settings: Settings, options: SyncOptions, run_id: str | None = None,
              progress: Callable[[str], None] | None = None) -> SyncResult:
    """Sync the configured base (AIRTABLE_API_KEY, AIRTABLE_BASE_ID) with the store, as tap.toml maps it."""
    from totalaudio.clients import airtable

    tables = load_mapping(settings)
    return run_sync(db, airtable.build(settings), tables, options, run_id=run_id, progress=progress)


def schema_report(settings: Settings) -> dict[str, Any]:
    """The base's schema (metadata API) against the mapping: every mapped field ok, missing or mistyped."""
    from totalaudio.clients import airtable

    tables = load_mapping(settings)
    client = airtable.build(settings)
    checked = check_schema(client.schema(), tables)
    campaigns = optional.from_schema(tables, checked)
    # A missing optional table is reported under "campaigns", not as a problem: contacts sync without it.
    problems = sum(t["problems"] for t in checked if t["found"] or t["key"] != optional.OPTIONAL)
    return {"baseId": client.base_id, "tables": checked, "problems": problems, "campaigns": campaigns}
