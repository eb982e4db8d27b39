"""Cursors and other sync state (Gmail history id, last Airtable pull time ...), as key/value rows."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from totalaudio.errors import utc_now

MIGRATIONS = [
    ("0005_sync_state", """
    CREATE TABLE sync_state (
        key TEXT PRIMARY KEY,
        value TEXT,
        updated_at TEXT NOT NULL
    )
    """),
]


class SyncState:
    """Get and set JSON values under string keys such as ``airtable.contacts.cursor``."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def get(self, key: str, default: Any = None) -> Any:
        """The value stored under key, or default."""
        row = self.db.execute("SELECT value FROM sync_state WHERE key = ?", [key]).fetchone()
        return json.loads(row[0]) if row and row[0] is not None else default

    def set(self, key: str, value: Any) -> None:
        """Store a JSON-serialisable value under key."""
        self.db.table("sync_state").upsert({"key": key, "value": json.dumps(value), "updated_at": utc_now()},
                                           pk="key")

    def all(self) -> dict[str, Any]:
        """Every key with its value."""
        return {r["key"]: json.loads(r["value"]) for r in self.db.query("SELECT key, value FROM sync_state")}
