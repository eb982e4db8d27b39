"""Research results (Perplexity): the answer with the citations the API returned, dated, per contact where there is one."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlite_utils

from totalaudio.errors import utc_now

MIGRATIONS = [
    ("0700_research", """
    CREATE TABLE research (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        subject_key TEXT NOT NULL,
        contact_id TEXT,
        query TEXT NOT NULL,
        model TEXT,
        result TEXT NOT NULL,
        run_id TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX research_subject ON research(kind, subject_key, created_at);
    CREATE INDEX research_contact ON research(contact_id, created_at)
    """),
]


class ResearchStore:
    """Keeps each research answer with its date; finds a fresh one to reuse."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def add(self, kind: str, subject_key: str, query: str, result: dict[str, Any], *, contact_id: str | None,
            model: str | None, run_id: str | None) -> str:
        """Store one answer; returns its creation time."""
        at = utc_now()
        self.db.table("research").insert({"kind": kind, "subject_key": subject_key, "contact_id": contact_id,
                                          "query": query, "model": model, "result": json.dumps(result),
                                          "run_id": run_id, "created_at": at})
        return at

    def fresh(self, kind: str, subject_key: str, max_age_days: float) -> dict[str, Any] | None:
        """The newest answer for this subject younger than ``max_age_days``, or None."""
        since = (datetime.now(timezone.utc) - timedelta(days=max_age_days)).strftime("%Y-%m-%dT%H:%M:%SZ")
        row = next(iter(self.db.query(
            "SELECT * FROM research WHERE kind = ? AND subject_key = ? AND created_at >= ? ORDER BY id DESC LIMIT 1",
            [kind, subject_key, since])), None)
        return _decoded(row) if row else None

    def for_contact(self, contact_id: str) -> list[dict[str, Any]]:
        """Every answer kept for a contact, newest first."""
        return [_decoded(r) for r in self.db.query(
            "SELECT * FROM research WHERE contact_id = ? ORDER BY id DESC", [contact_id])]


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    return {**json.loads(row["result"]), "createdAt": row["created_at"], "researchId": row["id"]}
