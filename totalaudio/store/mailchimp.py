"""Mailchimp mirrors: the members tap last synced per audience, and the send ledger that stops double sends."""

from __future__ import annotations

import json
from typing import Any, Iterable

import sqlite_utils

from totalaudio.errors import utc_now

MIGRATIONS = [
    ("0400_mailchimp_members", """
    CREATE TABLE mailchimp_members (
        list_id TEXT NOT NULL,
        email_norm TEXT NOT NULL,
        subscriber_hash TEXT NOT NULL,
        contact_id TEXT REFERENCES contacts(id) ON DELETE SET NULL,
        status TEXT,
        payload_hash TEXT,
        synced_at TEXT NOT NULL,
        raw TEXT,
        PRIMARY KEY (list_id, email_norm)
    );
    CREATE INDEX mailchimp_members_contact ON mailchimp_members(contact_id)
    """),
    ("0401_mailchimp_sends", """
    CREATE TABLE mailchimp_sends (
        mailchimp_id TEXT PRIMARY KEY,
        campaign_id TEXT REFERENCES campaigns(id) ON DELETE SET NULL,
        state TEXT NOT NULL,
        run_id TEXT,
        intent_at TEXT NOT NULL,
        done_at TEXT,
        detail TEXT
    )
    """),
]

SEND_STATES = ("pending", "scheduled", "sent", "failed")


class MemberMirror:
    """What tap last sent to (and heard from) each audience, per address."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def for_list(self, list_id: str) -> dict[str, dict[str, Any]]:
        """Every mirrored member of an audience keyed by normalised email."""
        rows = self.db.query("SELECT * FROM mailchimp_members WHERE list_id = ?", [list_id])
        return {r["email_norm"]: r for r in rows}

    def upsert(self, rows: Iterable[dict[str, Any]]) -> None:
        """Insert or replace rows ``{list_id, email_norm, subscriber_hash, contact_id, status, payload_hash, raw}``."""
        now = utc_now()
        prepared = [{**r, "synced_at": now, "raw": json.dumps(r.get("raw")) if r.get("raw") is not None else None}
                    for r in rows]
        if prepared:
            self.db.table("mailchimp_members").upsert_all(prepared, pk=("list_id", "email_norm"), batch_size=500)

    def set_status(self, list_id: str, email_norm: str, status: str) -> None:
        """Record a status Mailchimp reported for a mirrored member (forgets its payload so it is resent)."""
        self.db.execute("UPDATE mailchimp_members SET status = ?, payload_hash = NULL WHERE list_id = ? AND "
                        "email_norm = ?", [status, list_id, email_norm])


class SendLedger:
    """Intent and outcome of every campaign send, written before the send call goes out."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def get(self, mailchimp_id: str) -> dict[str, Any] | None:
        """The ledger row of a Mailchimp campaign, or None."""
        rows = list(self.db.query("SELECT * FROM mailchimp_sends WHERE mailchimp_id = ?", [mailchimp_id]))
        return rows[0] if rows else None

    def intend(self, mailchimp_id: str, campaign_id: str | None, run_id: str | None) -> None:
        """Record that a send is about to be attempted (committed before the call)."""
        with self.db.conn:
            self.db.table("mailchimp_sends").upsert(
                {"mailchimp_id": mailchimp_id, "campaign_id": campaign_id, "state": "pending", "run_id": run_id,
                 "intent_at": utc_now(), "done_at": None, "detail": None}, pk="mailchimp_id")

    def settle(self, mailchimp_id: str, state: str, detail: str | None = None) -> None:
        """Record how the send ended: sent (Mailchimp accepted or had already sent it), scheduled or failed."""
        if state not in SEND_STATES:
            raise ValueError(f"unknown send state {state!r}")
        self.db.table("mailchimp_sends").update(mailchimp_id, {"state": state, "done_at": utc_now(),
                                                               "detail": detail})
