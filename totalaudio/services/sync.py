"""Two-way Airtable sync: pull what changed upstream, push what changed here, field by field, against a shadow.

The shadow (store/airtable_sync.py) holds each record's values as they were when both sides last agreed;
a field changed on one side only goes to the other, a field changed on both is a conflict that ``prefer``
settles. Every upstream write is journaled as pending before it is sent, so a killed run is reconciled
on the next one instead of being sent again (services/airtable_push.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterator

import sqlite_utils

from totalaudio.clients.airtable import AirtableClient, escape_formula_string
from totalaudio.config import Settings
from totalaudio.errors import ConfigError, InputError, IntegrationError
from totalaudio.services.airtable_local import RID, LocalTable, local_table
from totalaudio.services.airtable_mapping import TableMap, check_schema, load_mapping
from totalaudio.store.airtable_sync import ShadowStore
from totalaudio.store.runs import Journal
from totalaudio.store.syncstate import SyncState

DEFAULT_OVERLAP = 300.0  # seconds re-read before the cursor: clock skew and Airtable's write latency
DEFAULT_FULL_EVERY = 24.0  # hours between full listings, which alone can see records deleted in Airtable
PREFERENCES = ("airtable", "local")
# How "modified since" is asked, in order of preference; the first the base accepts is remembered.
SINCE_FORMULAS = ("IS_AFTER(LAST_MODIFIED_TIME(), {since})", "LAST_MODIFIED_TIME() > {since}",
                  "IS_AFTER(LAST_MODIFIED_TIME(), DATETIME_PARSE({since}))")
FORMULA_KEY = "airtable.since_formula"


@dataclass(frozen=True)
class SyncOptions:
    """What one run does: directions, full or incremental, who wins a conflict, dry run."""

    pull: bool = True
    push: bool = True
    full: bool = False
    prefer: str = "airtable"
    dry_run: bool = False
    overlap_seconds: float = DEFAULT_OVERLAP
    full_every_hours: float | None = DEFAULT_FULL_EVERY


@dataclass
class SyncResult:
    """What a sync did (or, with dry_run, would do)."""

    mode: str
    full: bool
    dry_run: bool
    fetched: int = 0
    pulled: int = 0
    pushed: int = 0
    created: int = 0
    deleted: int = 0
    deleted_upstream: int = 0
    reconciled: int = 0
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    api_calls: int = 0
    tables: list[str] = field(default_factory=list)
    run_id: str | None = None


def parse_millis(text: str) -> datetime:
    """The inverse of iso_millis."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


def since_formula(cursor: str, overlap_seconds: float, template: str = SINCE_FORMULAS[0]) -> str:
    """The filterByFormula of an incremental pull: records modified after the cursor minus the overlap."""
    start = parse_millis(cursor) - timedelta(seconds=overlap_seconds)
    return template.format(since=escape_formula_string(iso_millis(start)))


def changed_since(run: "TableRun", cursor: str) -> Iterator[list[dict[str, Any]]]:
    """Pages of the records modified since the cursor, asked in the first formula form the base accepts."""
    # A refused form (422 INVALID_FILTER_BY_FORMULA) falls back to the next, remembered for the next runs,
    # and in the end to a full listing, which is dearer but never wrong.
    state = SyncState(run.db)
    known = state.get(FORMULA_KEY)
    forms = [known] + [f for f in SINCE_FORMULAS if f != known] if known in SINCE_FORMULAS else list(SINCE_FORMULAS)
    for template in forms + [None]:
        formula = since_formula(cursor, run.options.overlap_seconds, template) if template else None
        pages = run.client.iter_pages(run.tmap.name, formula=formula)
        try:
            first = next(pages, [])
        except IntegrationError as exc:
            if exc.status != 422 or "INVALID_FILTER_BY_FORMULA" not in exc.error:
                raise
            continue
        if template and template != known and run.live:
            state.set(FORMULA_KEY, template)
        yield first
        yield from pages
        return


def iso_millis(moment: datetime) -> str:
    """An aware datetime as Airtable writes times: 2026-11-25T20:30:00.000Z."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class TableRun:
    """One table's part of a run: its mapping, local side, shadow, and the shared result."""

    def __init__(self, db: sqlite_utils.Database, client: AirtableClient, tmap: TableMap, options: SyncOptions,
                 result: SyncResult, run_id: str | None) -> None:
        self.db, self.client, self.tmap, self.options = db, client, tmap, options
        self.result, self.run_id = result, run_id
        self.side: LocalTable = local_table(db, tmap)
        self.shadow = ShadowStore(db, tmap.key)
        self.journal = Journal(db)
        self.progress: Callable[[str], None] = lambda message: None

    @property
    def live(self) -> bool:
        """False in a dry run: nothing may be written anywhere."""
        return not self.options.dry_run

    def conflict(self, record_id: str | None, local_id: str | None, key: Any, fmap_name: str, local: Any,
                 remote: Any, base: Any) -> None:
        """List a field changed on both sides, and how ``prefer`` settled it."""
        self.result.conflicts.append({"table": self.tmap.key, "recordId": record_id, "localId": local_id,
                                      "key": key, "field": fmap_name, "local": local, "airtable": remote,
                                      "base": base, "resolution": self.options.prefer})

    def reject(self, local_id: str | None, record_id: str | None, key: Any, fmap_name: str | None,
               reason: str) -> None:
        """List a record Airtable (or the sync) refused, with the field and the reason."""
        entry = {"table": self.tmap.key, "localId": local_id, "recordId": record_id, "key": key,
                 "field": fmap_name, "reason": reason}
        if self.tmap.key == "contacts":
            entry["email"] = key
        self.result.rejected.append(entry)


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
    from totalaudio.services.airtable_push import Pusher

    if options.prefer not in PREFERENCES:
        raise InputError(f"--prefer must be one of {', '.join(PREFERENCES)}, not {options.prefer!r}")
    mode = "both" if options.pull and options.push else ("pull" if options.pull else "push")
    result = SyncResult(mode=mode, full=options.full, dry_run=options.dry_run, run_id=run_id,
                        tables=[t.name for t in tables])
    calls_before = client.calls
    runs = [TableRun(db, client, tmap, options, result, run_id) for tmap in tables]
    for run in runs:
        run.progress = progress or run.progress
    try:
        if options.pull:
            for run in runs:
                Puller(run, now).pull()
        if options.push:
            for run in runs:
                Pusher(run).push()
    finally:
        result.api_calls = client.calls - calls_before
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
    report: dict[str, Any] = {"baseId": client.base_id, "tables": check_schema(client.schema(), tables)}
    report["problems"] = sum(t["problems"] for t in report["tables"])
    return report
