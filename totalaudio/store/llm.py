"""Every model call tap makes (Claude, Perplexity): prompt, reply, model, tokens and time, kept for review."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from totalaudio.errors import utc_now
from totalaudio.redact import redact_obj

MIGRATIONS = [
    ("0500_llm_calls", """
    CREATE TABLE llm_calls (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        service TEXT NOT NULL,
        model TEXT,
        purpose TEXT NOT NULL,
        system TEXT,
        prompt TEXT NOT NULL,
        response TEXT,
        input_tokens INTEGER,
        output_tokens INTEGER,
        duration_ms REAL,
        error TEXT,
        run_id TEXT
    );
    CREATE INDEX llm_calls_at ON llm_calls(at)
    """),
]


class LLMLog:
    """Appends one row per model call (secrets never appear: only prompts, replies and counts)."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def record(self, **call: Any) -> int:
        """Keep one call: service, model, purpose, system, prompt, response, tokens, duration, error, run_id."""
        table = self.db.table("llm_calls")
        table.insert({"at": utc_now(), **redact_obj(call)})
        return table.last_pk
