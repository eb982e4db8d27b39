"""Campaigns (a release pitched to a chosen set of contacts) and per-contact events (sent, open, click, reply ...)."""

from __future__ import annotations

import json
import secrets
from typing import Any, Iterable

import sqlite_utils

from totalaudio.errors import InputError, utc_now
from totalaudio.store.campaign_counts import CampaignCounts, proxy_flag
from totalaudio.store.db import insert_rows, transaction

MIGRATIONS = [
    ("0006_campaigns", """
    CREATE TABLE campaigns (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        artist TEXT, release TEXT,
        status TEXT NOT NULL DEFAULT 'draft',
        start_date TEXT,
        notes TEXT,
        sent INTEGER NOT NULL DEFAULT 0,
        opens INTEGER NOT NULL DEFAULT 0,
        clicks INTEGER NOT NULL DEFAULT 0,
        replies INTEGER NOT NULL DEFAULT 0,
        airtable_id TEXT UNIQUE,
        mailchimp_id TEXT UNIQUE,
        list_id TEXT,
        subject TEXT,
        raw TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE campaign_contacts (
        campaign_id TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
        contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        PRIMARY KEY (campaign_id, contact_id)
    );
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        contact_id TEXT REFERENCES contacts(id) ON DELETE SET NULL,
        email TEXT NOT NULL,
        campaign_id TEXT REFERENCES campaigns(id) ON DELETE SET NULL,
        source TEXT NOT NULL,
        kind TEXT NOT NULL,
        at TEXT NOT NULL,
        data TEXT NOT NULL DEFAULT '{}',
        dedupe_key TEXT UNIQUE
    );
    CREATE INDEX events_contact ON events(contact_id, kind);
    CREATE INDEX events_campaign ON events(campaign_id, kind)
    """),
]

COUNTERS = ("sent", "opens", "clicks", "replies")
EVENT_KINDS = ("sent", "open", "click", "bounce_hard", "bounce_soft", "unsubscribe", "reply", "auto_reply", "abuse")


def new_id() -> str:
    """A fresh local campaign id."""
    return "cmp_" + secrets.token_hex(6)


class CampaignStore:
    """Reads and writes campaigns, their contacts, and contact events."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def create(self, values: dict[str, Any], contact_ids: Iterable[str] = ()) -> str:
        """Insert a campaign with its chosen contacts; returns its id."""
        now = utc_now()
        row = {"id": values.get("id") or new_id(), "created_at": now, "updated_at": now, **values}
        if isinstance(row.get("raw"), (dict, list)):
            row["raw"] = json.dumps(row["raw"])
        self.db.table("campaigns").insert(row)
        self.set_contacts(row["id"], contact_ids)
        return row["id"]

    def set_contacts(self, campaign_id: str, contact_ids: Iterable[str]) -> None:
        """Replace the campaign's contact list."""
        self.db.execute("DELETE FROM campaign_contacts WHERE campaign_id = ?", [campaign_id])
        rows = [{"campaign_id": campaign_id, "contact_id": cid} for cid in dict.fromkeys(contact_ids)]
        if rows:
            self.db.table("campaign_contacts").insert_all(rows)

    def update(self, campaign_id: str, changes: dict[str, Any]) -> None:
        """Change some fields of a campaign."""
        if isinstance(changes.get("raw"), (dict, list)):
            changes = {**changes, "raw": json.dumps(changes["raw"])}
        self.db.table("campaigns").update(campaign_id, {**changes, "updated_at": utc_now()})

    def get(self, ref: str) -> dict[str, Any]:
        """A campaign by local, Airtable or Mailchimp id; InputError when unknown."""
        rows = list(self.db.query("SELECT * FROM campaigns WHERE id = ? OR airtable_id = ? OR mailchimp_id = ?",
                                  [ref, ref, ref]))
        if not rows:
            raise InputError(f"no campaign with id {ref!r}", hint="see `tap campaign list`")
        return rows[0]

    def list(self) -> list[dict[str, Any]]:
        """Every campaign, newest first."""
        return list(self.db.query("SELECT * FROM campaigns ORDER BY created_at DESC, id"))

    def contact_ids(self, campaign_id: str) -> list[str]:
        """The contacts chosen for a campaign."""
        rows = self.db.execute("SELECT contact_id FROM campaign_contacts WHERE campaign_id = ? ORDER BY rowid",
                               [campaign_id]).fetchall()
        return [r[0] for r in rows]

    def add_events(self, events: Iterable[dict[str, Any]]) -> int:
        """Store events ``{email, kind, source, at[, contact_id, campaign_id, data, dedupe_key]}``; duplicates
        (same dedupe_key) are ignored so a re-run adds nothing twice. Returns how many were new."""
        rows = [{**e, "data": json.dumps(e.get("data") or {}), "proxy": proxy_flag(e.get("data"))} for e in events]
        if not rows:
            return 0
        with transaction(self.db):  # the campaigns' counts change with the events, in the same transaction
            new = insert_rows(self.db, "events", rows, ignore=True)
            CampaignCounts(self.db).settle()
        return new

    def events_for(self, contact_id: str) -> list[dict[str, Any]]:
        """A contact's events, oldest first."""
        return list(self.db.query("SELECT * FROM events WHERE contact_id = ? ORDER BY at, id", [contact_id]))
