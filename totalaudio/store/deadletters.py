"""The dead-letter table: calls that still failed after retries, kept for ``tap queue``."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from totalaudio.errors import utc_now
from totalaudio.models import DeadLetter
from totalaudio.redact import redact_obj

MIGRATIONS = [
    ("0004_dead_letters", """
    CREATE TABLE dead_letters (
        id INTEGER PRIMARY KEY,
        service TEXT NOT NULL,
        operation TEXT NOT NULL,
        error TEXT NOT NULL,
        payload TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open',
        attempts INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        last_tried_at TEXT,
        run_id TEXT
    );
    CREATE INDEX dead_letters_status ON dead_letters(status)
    """),
]

STATUSES = ("open", "resolved", "dropped")


def _letter(row: dict[str, Any]) -> DeadLetter:
    return DeadLetter(id=row["id"], service=row["service"], operation=row["operation"],
                      error=json.loads(row["error"]), payload=json.loads(row["payload"]), status=row["status"],
                      attempts=row["attempts"], created_at=row["created_at"], last_tried_at=row["last_tried_at"])


class DeadLetterStore:
    """Adds, lists and settles dead letters."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.table = db.table("dead_letters")

    def add(self, service: str, operation: str, error: dict[str, Any], payload: dict[str, Any],
            run_id: str | None = None) -> int:
        """Keep a failed call; returns its id."""
        error, payload = redact_obj(error), redact_obj(payload)
        self.table.insert({"service": service, "operation": operation, "error": json.dumps(error),
                           "payload": json.dumps(payload, ensure_ascii=False, default=str), "status": "open",
                           "attempts": 1, "created_at": utc_now(), "run_id": run_id})
        return self.table.last_pk

    def list(self, status: str | None = "open", service: str | None = None) -> list[DeadLetter]:
        """Dead letters, oldest first, filtered by status (None: all) and service."""
        clauses, params = ["1=1"], []
        if status:
            clauses.append("status = ?")
            params.append(status)
        if service:
            clauses.append("service = ?")
            params.append(service)
        sql = f"SELECT * FROM dead_letters WHERE {' AND '.join(clauses)} ORDER BY id"
        return [_letter(r) for r in self.db.query(sql, params)]

    def get(self, letter_id: int) -> DeadLetter | None:
        """One dead letter, or None."""
        rows = list(self.db.query("SELECT * FROM dead_letters WHERE id = ?", [letter_id]))
        return _letter(rows[0]) if rows else None

    def tried(self, letter_id: int, *, ok: bool, error: dict[str, Any] | None = None) -> None:
        """Record a retry: resolved when it worked, else the new error and one more attempt."""
        changes: dict[str, Any] = {"last_tried_at": utc_now()}
        if ok:
            changes["status"] = "resolved"
        else:
            changes["error"] = json.dumps(redact_obj(error or {}))
        self.table.update(letter_id, changes)
        if not ok:
            self.db.execute("UPDATE dead_letters SET attempts = attempts + 1 WHERE id = ?", [letter_id])

    def drop(self, letter_id: int) -> None:
        """Give up on a dead letter (it stays in the table, marked dropped)."""
        self.table.update(letter_id, {"status": "dropped", "last_tried_at": utc_now()})

    def counts(self) -> dict[str, int]:
        """How many dead letters there are per status."""
        rows = self.db.execute("SELECT status, count(*) FROM dead_letters GROUP BY status").fetchall()
        return {status: n for status, n in rows}
