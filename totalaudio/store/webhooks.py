"""Received webhook deliveries (Stripe, Mailchimp, Make.com), each stored once per source and event id."""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

import sqlite_utils

from totalaudio.errors import utc_now

MIGRATIONS = [
    ("0900_webhook_events", """
    CREATE TABLE webhook_events (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        event_id TEXT NOT NULL,
        type TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'received',
        payload TEXT NOT NULL,
        result TEXT,
        error TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        repeats INTEGER NOT NULL DEFAULT 0,
        received_at TEXT NOT NULL,
        processed_at TEXT,
        UNIQUE (source, event_id)
    );
    CREATE INDEX webhook_events_received ON webhook_events(source, received_at)
    """),
]

STATUSES = ("received", "processed", "failed")


@contextmanager
def savepoint(db: sqlite_utils.Database, name: str) -> Iterator[None]:
    """A savepoint inside the caller's transaction: what the block wrote is undone if it raises."""
    db.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        db.execute(f"ROLLBACK TO {name}")
        db.execute(f"RELEASE {name}")
        raise
    db.execute(f"RELEASE {name}")


@dataclass(frozen=True)
class WebhookEvent:
    """One stored delivery and what its handler made of it."""

    id: int
    source: str
    event_id: str
    type: str
    status: str
    payload: Any
    result: Any
    error: str | None
    attempts: int
    repeats: int
    received_at: str
    processed_at: str | None
    text: str | None = None  # the payload's JSON text as just received (only on the delivery that stored it)


def _event(row: dict[str, Any]) -> WebhookEvent:
    return WebhookEvent(row["id"], row["source"], row["event_id"], row["type"], row["status"],
                        json.loads(row["payload"]), json.loads(row["result"]) if row["result"] else None,
                        row["error"], row["attempts"], row["repeats"], row["received_at"], row["processed_at"])


class WebhookEventStore:
    """Records deliveries once, marks them processed or failed, lists and finds them."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def receive(self, source: str, event_id: str, type_: str, payload: Any,
                text: str | None = None) -> tuple[WebhookEvent, bool]:
        """Store a delivery unless (source, event_id) is known; returns (the stored event, whether it is new).
        ``text`` is the payload's JSON text when the caller has it (the body as received)."""
        now = utc_now()
        with self.db.conn:
            cur = self.db.execute(
                "INSERT OR IGNORE INTO webhook_events (source, event_id, type, payload, received_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [source, event_id, type_, text if text is not None else json.dumps(payload, ensure_ascii=False), now])
            if cur.rowcount == 1:
                return WebhookEvent(cur.lastrowid, source, event_id, type_, "received", payload, None, None, 0, 0,
                                    now, None, text), True
            self.db.execute("UPDATE webhook_events SET repeats = repeats + 1 WHERE source = ? AND event_id = ?",
                            [source, event_id])
        return self.find(source, event_id), False  # type: ignore[return-value]

    def finish(self, row_id: int, *, result: Any = None, error: str | None = None) -> None:
        """Record one run of the event's handler: processed with its result, or failed with its error."""
        status = "failed" if error else "processed"
        with self.db.conn:
            self.db.execute(
                "UPDATE webhook_events SET status = ?, result = ?, error = ?, attempts = attempts + 1, "
                "processed_at = ? WHERE id = ?",
                [status, None if result is None else json.dumps(result, ensure_ascii=False, default=str), error,
                 utc_now(), row_id])

    def find(self, source: str, event_id: str) -> WebhookEvent | None:
        """The delivery of a source with this event id, or None."""
        rows = list(self.db.query("SELECT * FROM webhook_events WHERE source = ? AND event_id = ?",
                                  [source, event_id]))
        return _event(rows[0]) if rows else None

    def get(self, ref: str) -> list[WebhookEvent]:
        """Deliveries named by a local id or a source's event id (several sources may share one)."""
        local = int(ref) if ref.isdigit() else -1
        rows = self.db.query("SELECT * FROM webhook_events WHERE id = ? OR event_id = ? ORDER BY id", [local, ref])
        return [_event(r) for r in rows]

    def list(self, source: str | None = None, limit: int | None = None) -> list[WebhookEvent]:
        """Deliveries, newest first, optionally of one source."""
        sql, params = "SELECT * FROM webhook_events", []
        if source:
            sql += " WHERE source = ?"
            params.append(source)
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [_event(r) for r in self.db.query(sql, params)]
