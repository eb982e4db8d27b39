"""The notification outbox: Make.com messages written in the transaction of what caused them, then delivered by
a sender that claims one at a time (a lease, so two processes never send the same row at once)."""

from __future__ import annotations

import json
import os
import time
from typing import Any

import sqlite_utils

from totalaudio.errors import utc_now
from totalaudio.redact import redact_obj

MIGRATIONS = [
    ("1350_notify_outbox", """
    CREATE TABLE notify_outbox (
        id INTEGER PRIMARY KEY,
        webhook_id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        message TEXT NOT NULL,
        origin TEXT,
        state TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        lease_until REAL NOT NULL DEFAULT 0,
        lease_owner INTEGER,
        error TEXT,
        dead_letter_id INTEGER,
        created_at TEXT NOT NULL,
        done_at TEXT
    );
    CREATE INDEX notify_outbox_pending ON notify_outbox(state, id)
    """),
]

STATES = ("pending", "sent", "dead letter")
LEASE_SECONDS = 300.0  # longer than one delivery with all its retries


class Outbox:
    """Adds messages, claims the oldest pending one, settles it."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def add(self, message: dict[str, Any], origin: str | None = None) -> int:
        """Hold a message (``webhookId``, ``type``, ``timestamp``, ``data``) for delivery; joins the caller's
        transaction. The same webhook-id twice is kept once."""
        message = redact_obj(message)
        cur = self.db.execute(
            "INSERT OR IGNORE INTO notify_outbox (webhook_id, type, message, origin, created_at) VALUES (?, ?, ?, ?, ?)",
            [message["webhookId"], message["type"], json.dumps(message, ensure_ascii=False, default=str), origin,
             utc_now()])
        return cur.lastrowid

    def claim(self, lease: float = LEASE_SECONDS, now: float | None = None) -> dict[str, Any] | None:
        """The oldest pending message nobody holds, now held by this process for ``lease`` seconds; or None."""
        now = time.time() if now is None else now
        with self.db.conn:
            row = self.db.execute("SELECT id, message FROM notify_outbox WHERE state = 'pending' AND lease_until < ? "
                                  "ORDER BY id LIMIT 1", [now]).fetchone()
            if row is None:
                return None
            self.db.execute("UPDATE notify_outbox SET lease_until = ?, lease_owner = ?, attempts = attempts + 1 "
                            "WHERE id = ?", [now + lease, os.getpid(), row[0]])
        return {"id": row[0], "message": json.loads(row[1])}

    def recover(self) -> int:
        """Free the messages held by processes that no longer run (a killed server's); how many."""
        owners = [r[0] for r in self.db.execute("SELECT DISTINCT lease_owner FROM notify_outbox WHERE state = "
                                                "'pending' AND lease_until > 0 AND lease_owner IS NOT NULL")]
        dead = [pid for pid in owners if pid != os.getpid() and not _alive(pid)]
        with self.db.conn:
            for pid in dead:
                self.db.execute("UPDATE notify_outbox SET lease_until = 0 WHERE state = 'pending' AND lease_owner = ?",
                                [pid])
        return len(dead)

    def settle(self, row_id: int, state: str, *, error: str | None = None, dead_letter_id: int | None = None) -> None:
        """Mark a claimed message sent or dead-lettered (joins the caller's transaction)."""
        if state not in STATES[1:]:
            raise ValueError(state)
        self.db.execute("UPDATE notify_outbox SET state = ?, error = ?, dead_letter_id = ?, lease_until = 0, "
                        "done_at = ? WHERE id = ?", [state, error, dead_letter_id, utc_now(), row_id])

    def release(self, row_id: int) -> None:
        """Give a claimed message back without settling it (it is tried again later)."""
        with self.db.conn:
            self.db.execute("UPDATE notify_outbox SET lease_until = 0 WHERE id = ?", [row_id])

    def counts(self) -> dict[str, int]:
        """How many messages there are per state."""
        rows = self.db.execute("SELECT state, count(*) FROM notify_outbox GROUP BY state").fetchall()
        return {state: n for state, n in rows}

    def rows(self, state: str | None = None) -> list[dict[str, Any]]:
        """Messages (optionally of one state), oldest first."""
        where, args = ("WHERE state = ?", [state]) if state else ("", [])
        return list(self.db.query(f"SELECT * FROM notify_outbox {where} ORDER BY id", args))


def _alive(pid: int) -> bool:
    """Whether a process of this machine runs with that id."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
