"""Gmail mirrors: the messages tap has processed (each once, ever) and the send ledger (intent before the call)."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from totalaudio.errors import utc_now

MIGRATIONS = [
    ("0600_gmail", """
    CREATE TABLE gmail_messages (
        gmail_id TEXT PRIMARY KEY,
        thread_id TEXT,
        rfc822_id TEXT,
        kind TEXT NOT NULL,
        contact_id TEXT REFERENCES contacts(id) ON DELETE SET NULL,
        campaign_id TEXT REFERENCES campaigns(id) ON DELETE SET NULL,
        sender TEXT,
        received_at TEXT,
        processed_at TEXT NOT NULL,
        run_id TEXT,
        data TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX gmail_messages_contact ON gmail_messages(contact_id);
    CREATE TABLE gmail_sends (
        id INTEGER PRIMARY KEY,
        campaign_id TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
        contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        step TEXT NOT NULL DEFAULT 'pitch',
        email TEXT NOT NULL,
        rfc822_id TEXT NOT NULL UNIQUE,
        subject TEXT,
        state TEXT NOT NULL,
        gmail_id TEXT,
        thread_id TEXT,
        run_id TEXT,
        intent_at TEXT NOT NULL,
        sent_at TEXT,
        detail TEXT,
        UNIQUE (campaign_id, contact_id, step)
    );
    CREATE INDEX gmail_sends_thread ON gmail_sends(thread_id);
    CREATE INDEX gmail_sends_sent ON gmail_sends(state, sent_at)
    """),
]

SEND_STATES = ("pending", "sent", "failed")


class ProcessedMessages:
    """Gmail messages already sorted and acted on; a message id is never processed twice."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def seen(self, gmail_ids: list[str]) -> set[str]:
        """Those of the ids already processed."""
        found: set[str] = set()
        for start in range(0, len(gmail_ids), 500):
            chunk = gmail_ids[start:start + 500]
            sql = f"SELECT gmail_id FROM gmail_messages WHERE gmail_id IN ({','.join('?' * len(chunk))})"
            found |= {r[0] for r in self.db.execute(sql, chunk).fetchall()}
        return found

    def add(self, row: dict[str, Any]) -> bool:
        """Record one processed message; False when it was already there (another run got it first)."""
        values = {**row, "processed_at": utc_now(), "data": json.dumps(row.get("data") or {})}
        before = self.db.execute("SELECT count(*) FROM gmail_messages").fetchone()[0]
        self.db.table("gmail_messages").insert(values, ignore=True)
        return self.db.execute("SELECT count(*) FROM gmail_messages").fetchone()[0] > before


class SendLedger:
    """One row per (campaign, contact, step): written as 'pending' and committed before the send call."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def get(self, campaign_id: str, contact_id: str, step: str = "pitch") -> dict[str, Any] | None:
        """The ledger row of one contact's message in a campaign, or None."""
        rows = list(self.db.query("SELECT * FROM gmail_sends WHERE campaign_id = ? AND contact_id = ? AND step = ?",
                                  [campaign_id, contact_id, step]))
        return rows[0] if rows else None

    def intend(self, row: dict[str, Any]) -> None:
        """Record (and commit) that a message with this Message-ID is about to be sent."""
        with self.db.conn:
            self.db.table("gmail_sends").insert({**row, "state": "pending", "intent_at": utc_now()})

    def settle(self, rfc822_id: str, state: str, gmail_id: str | None = None, thread_id: str | None = None,
               detail: str | None = None) -> None:
        """Record how the send ended."""
        if state not in SEND_STATES:
            raise ValueError(f"unknown send state {state!r}")
        with self.db.conn:
            self.db.execute("UPDATE gmail_sends SET state = ?, gmail_id = coalesce(?, gmail_id), thread_id = "
                            "coalesce(?, thread_id), sent_at = ?, detail = ? WHERE rfc822_id = ?",
                            [state, gmail_id, thread_id, utc_now() if state == "sent" else None, detail, rfc822_id])

    def retry_failed(self, rfc822_id: str) -> None:
        """A failed send is tried again under the same Message-ID."""
        with self.db.conn:
            self.db.execute("UPDATE gmail_sends SET state = 'pending', intent_at = ? WHERE rfc822_id = ?",
                            [utc_now(), rfc822_id])

    def sent_since(self, since: str) -> int:
        """How many messages went out (or may have: pending) since an ISO time; the daily cap counts these."""
        return self.db.execute("SELECT count(*) FROM gmail_sends WHERE (state = 'sent' AND sent_at >= ?) OR "
                               "(state = 'pending' AND intent_at >= ?)", [since, since]).fetchone()[0]

    def match_thread(self, thread_id: str) -> dict[str, Any] | None:
        """The latest send in a Gmail thread."""
        rows = list(self.db.query("SELECT * FROM gmail_sends WHERE thread_id = ? ORDER BY id DESC LIMIT 1",
                                  [thread_id]))
        return rows[0] if rows else None

    def match_ids(self, rfc822_ids: list[str]) -> dict[str, Any] | None:
        """The send whose tap-generated Message-ID is among these."""
        if not rfc822_ids:
            return None
        marks = ",".join("?" * len(rfc822_ids))
        rows = list(self.db.query(f"SELECT * FROM gmail_sends WHERE rfc822_id IN ({marks}) ORDER BY id DESC "
                                  "LIMIT 1", rfc822_ids))
        return rows[0] if rows else None

    def latest_for_contact(self, contact_id: str) -> dict[str, Any] | None:
        """The contact's latest Gmail send (for mail matched by the sender's address)."""
        rows = list(self.db.query("SELECT * FROM gmail_sends WHERE contact_id = ? AND state = 'sent' ORDER BY id "
                                  "DESC LIMIT 1", [contact_id]))
        return rows[0] if rows else None

    def for_campaign(self, campaign_id: str, step: str = "pitch") -> list[dict[str, Any]]:
        """The sent messages of one step of a campaign."""
        return list(self.db.query("SELECT * FROM gmail_sends WHERE campaign_id = ? AND step = ? AND state = 'sent' "
                                  "ORDER BY id", [campaign_id, step]))
