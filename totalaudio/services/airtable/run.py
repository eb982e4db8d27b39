"""One sync run's shared state: its options and result, the incremental-listing cursor, and each table's part.

Both halves of a sync use it: the pull (sync.py) and the crash-safe push (push.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterator

import sqlite_utils

from totalaudio.clients.airtable import AirtableClient, escape_formula_string
from totalaudio.errors import IntegrationError
from totalaudio.services.airtable.local import LocalTable, local_table
from totalaudio.services.airtable.mapping import TableMap
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
    campaigns: dict[str, Any] = field(default_factory=dict)  # services/airtable/optional.py: synced or why not


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
