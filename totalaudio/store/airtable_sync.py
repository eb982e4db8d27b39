"""The Airtable sync's own state: the last-synced field values per record (the three-way base) and the push outbox."""

from __future__ import annotations

import json
from typing import Any, Iterable

import sqlite_utils

from totalaudio.errors import utc_now

MIGRATIONS = [
    ("0100_airtable_shadow", """
    CREATE TABLE airtable_shadow (
        tbl TEXT NOT NULL,
        record_id TEXT NOT NULL,
        local_id TEXT NOT NULL,
        fields TEXT NOT NULL DEFAULT '{}',
        synced_at TEXT NOT NULL,
        PRIMARY KEY (tbl, record_id)
    );
    CREATE INDEX airtable_shadow_local ON airtable_shadow(tbl, local_id)
    """),
]

OUTBOX_PREFIX = "airtable."


class ShadowStore:
    """The values each record had, field by field, when it was last the same on both sides."""

    def __init__(self, db: sqlite_utils.Database, tbl: str) -> None:
        self.db = db
        self.tbl = tbl

    def by_local(self) -> dict[str, dict[str, Any]]:
        """``{local_id: {"recordId", "fields"}}`` for this table."""
        rows = self.db.execute("SELECT local_id, record_id, fields FROM airtable_shadow WHERE tbl = ?", [self.tbl])
        return {r[0]: {"recordId": r[1], "fields": json.loads(r[2])} for r in rows.fetchall()}

    def by_record(self) -> dict[str, dict[str, Any]]:
        """``{record_id: {"localId", "fields"}}`` for this table."""
        rows = self.db.execute("SELECT local_id, record_id, fields FROM airtable_shadow WHERE tbl = ?", [self.tbl])
        return {r[1]: {"localId": r[0], "fields": json.loads(r[2])} for r in rows.fetchall()}

    def put(self, record_id: str, local_id: str, fields: dict[str, Any]) -> None:
        """Store the synced values of one record (replacing what was there)."""
        self.db.execute("DELETE FROM airtable_shadow WHERE tbl = ? AND local_id = ? AND record_id != ?",
                        [self.tbl, local_id, record_id])
        self.db.execute("INSERT OR REPLACE INTO airtable_shadow (tbl, record_id, local_id, fields, synced_at) "
                        "VALUES (?, ?, ?, ?, ?)",
                        [self.tbl, record_id, local_id, json.dumps(fields, ensure_ascii=False), utc_now()])

    def merge(self, record_id: str, local_id: str, fields: dict[str, Any]) -> None:
        """Update some synced values of one record, keeping the others."""
        row = self.db.execute("SELECT fields FROM airtable_shadow WHERE tbl = ? AND record_id = ?",
                              [self.tbl, record_id]).fetchone()
        current = json.loads(row[0]) if row else {}
        self.put(record_id, local_id, {**current, **fields})

    def drop(self, record_ids: Iterable[str]) -> None:
        """Forget records (deleted on either side)."""
        self.db.conn.executemany("DELETE FROM airtable_shadow WHERE tbl = ? AND record_id = ?",
                                 [(self.tbl, rid) for rid in record_ids])


def pending_outbox(db: sqlite_utils.Database, entity: str) -> list[dict[str, Any]]:
    """Journal entries of upstream writes to an Airtable table that were sent (or about to be) but never confirmed."""
    rows = db.query("SELECT id, entity_id, op, after FROM journal WHERE target = 'airtable' AND state = 'pending' "
                    "AND entity = ? ORDER BY id", [OUTBOX_PREFIX + entity])
    return [{**r, "after": json.loads(r["after"]) if r["after"] else {}} for r in rows]


def set_outbox_state(db: sqlite_utils.Database, entry_ids: Iterable[int], state: str) -> None:
    """Mark outbox entries done, failed or stale."""
    db.conn.executemany("UPDATE journal SET state = ? WHERE id = ?", [(state, i) for i in entry_ids])
