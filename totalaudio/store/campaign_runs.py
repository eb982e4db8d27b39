"""The campaign workflow's memory: each campaign's plan (channel, filters, content) and every step outcome.

Also the indexes that keep ``campaign status`` and ``contacts timeline`` answering from an index on a store of
millions of events (per-contact and per-campaign events in time order, a contact's campaigns). The campaigns'
counts themselves are kept by store/campaign_counts.py (its migration drops the 1002 totals cache and its index).
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from totalaudio.errors import utc_now

MIGRATIONS = [
    ("1000_campaign_steps", """
    ALTER TABLE campaigns ADD COLUMN channel TEXT NOT NULL DEFAULT 'mailchimp';
    ALTER TABLE campaigns ADD COLUMN plan TEXT NOT NULL DEFAULT '{}';
    CREATE TABLE campaign_steps (
        id INTEGER PRIMARY KEY,
        campaign_id TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
        step TEXT NOT NULL,
        state TEXT NOT NULL,
        run_id TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        exit_code INTEGER,
        detail TEXT NOT NULL DEFAULT '{}',
        error TEXT,
        hint TEXT
    );
    CREATE INDEX campaign_steps_latest ON campaign_steps(campaign_id, step, id)
    """),
    ("1001_timeline_indexes", """
    CREATE INDEX events_contact_at ON events(contact_id, at);
    CREATE INDEX events_campaign_at ON events(campaign_id, at);
    CREATE INDEX campaign_contacts_contact ON campaign_contacts(contact_id)
    """),
    ("1002_campaign_totals", """
    CREATE TABLE campaign_totals (
        campaign_id TEXT PRIMARY KEY REFERENCES campaigns(id) ON DELETE CASCADE,
        stamp TEXT NOT NULL,
        totals TEXT NOT NULL,
        computed_at TEXT NOT NULL
    );
    CREATE INDEX events_campaign_id ON events(campaign_id, id)
    """),
    ("1003_campaign_totals_triggers", """
    CREATE TRIGGER campaign_totals_contact_added AFTER INSERT ON campaign_contacts BEGIN
        DELETE FROM campaign_totals WHERE campaign_id = NEW.campaign_id;
    END;
    CREATE TRIGGER campaign_totals_contact_removed AFTER DELETE ON campaign_contacts BEGIN
        DELETE FROM campaign_totals WHERE campaign_id = OLD.campaign_id;
    END
    """),
]

DONE_STATES = ("done", "skipped")


def _load(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "detail": json.loads(row.get("detail") or "{}")}


class StepLog:
    """Records when each workflow step of a campaign started, how it ended, and what it did."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def start(self, campaign_id: str, step: str, run_id: str | None) -> int:
        """A step begins (state 'running'); returns the entry id."""
        cursor = self.db.execute(
            "INSERT INTO campaign_steps (campaign_id, step, state, run_id, started_at) VALUES (?, ?, 'running', ?, ?)",
            [campaign_id, step, run_id, utc_now()])
        return int(cursor.lastrowid)

    def finish(self, entry: int, state: str, detail: dict[str, Any] | None = None, *, exit_code: int = 0,
               error: str | None = None, hint: str | None = None) -> None:
        """A step ended: 'done', 'skipped' (nothing to do) or 'failed' with the error and what to do."""
        self.db.execute("UPDATE campaign_steps SET state = ?, finished_at = ?, exit_code = ?, detail = ?, error = ?, "
                        "hint = ? WHERE id = ?", [state, utc_now(), exit_code, json.dumps(detail or {}, default=str),
                                                  error, hint, entry])

    def latest(self, campaign_id: str) -> dict[str, dict[str, Any]]:
        """The latest entry of each step of a campaign, by step name."""
        rows = self.db.query("SELECT s.* FROM campaign_steps s JOIN (SELECT step, max(id) AS id FROM campaign_steps "
                             "WHERE campaign_id = ? GROUP BY step) m ON m.id = s.id", [campaign_id])
        return {r["step"]: _load(r) for r in rows}

    def latest_all(self) -> dict[str, dict[str, dict[str, Any]]]:
        """The latest entry of each step of every campaign, by campaign id then step name (one query)."""
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for row in self.db.query("SELECT s.* FROM campaign_steps s JOIN (SELECT max(id) AS id FROM campaign_steps "
                                 "GROUP BY campaign_id, step) m ON m.id = s.id"):
            out.setdefault(row["campaign_id"], {})[row["step"]] = _load(row)
        return out

    def history(self, campaign_id: str) -> list[dict[str, Any]]:
        """Every step entry of a campaign, oldest first."""
        return [_load(r) for r in self.db.query("SELECT * FROM campaign_steps WHERE campaign_id = ? ORDER BY id",
                                                [campaign_id])]


def plan_of(campaign: dict[str, Any]) -> dict[str, Any]:
    """A campaign row's plan (filters, audience, subject, content) as a dict."""
    try:
        plan = json.loads(campaign.get("plan") or "{}")
    except ValueError:
        return {}
    return plan if isinstance(plan, dict) else {}
