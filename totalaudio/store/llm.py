"""Every model call tap makes (Claude, Perplexity): prompt, reply, model, tokens and time, kept for review."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from totalaudio.errors import utc_now

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
    ("0510_llm_calls_costs", """
    ALTER TABLE llm_calls ADD COLUMN cache_read_tokens INTEGER;
    ALTER TABLE llm_calls ADD COLUMN cache_write_tokens INTEGER;
    ALTER TABLE llm_calls ADD COLUMN cost_usd REAL;
    ALTER TABLE llm_calls ADD COLUMN batch_id TEXT;
    CREATE INDEX llm_calls_run ON llm_calls(run_id)
    """),
    ("0511_llm_batches", """
    CREATE TABLE llm_batches (
        id TEXT PRIMARY KEY,
        purpose TEXT NOT NULL,
        model TEXT NOT NULL,
        status TEXT NOT NULL,
        requests TEXT NOT NULL,
        options TEXT NOT NULL DEFAULT '{}',
        run_id TEXT,
        created_at TEXT NOT NULL,
        finished_at TEXT
    )
    """),
]
COLUMNS = ("id", "at", "service", "model", "purpose", "input_tokens", "output_tokens", "cache_read_tokens",
           "cache_write_tokens", "cost_usd", "duration_ms", "error", "run_id", "batch_id")
GROUPS = {"purpose": "purpose", "model": "model", "day": "substr(at, 1, 10)", "service": "service",
          "run": "run_id"}


class LLMLog:
    """Appends one row per model call (secrets never appear: only prompts, replies and counts)."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def record(self, **call: Any) -> int:
        """Keep one call: service, model, purpose, system, prompt, response, tokens, duration, error, run_id."""
        table = self.db.table("llm_calls")
        table.insert({"at": utc_now(), **call})
        return table.last_pk

    def spent(self, *, run_id: str | None = None, since: str | None = None) -> float:
        """USD spent by one run, or since a time (calls without a known cost count as 0)."""
        where, args = ("run_id = ?", [run_id]) if run_id else ("at >= ?", [since or ""])
        row = self.db.execute(f"SELECT COALESCE(SUM(cost_usd), 0) FROM llm_calls WHERE {where}", args).fetchone()
        return float(row[0])

    def calls(self, *, purpose: str | None = None, since: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """The newest calls first (counts and costs; prompts and replies stay in the table)."""
        where, args = ["1 = 1"], []
        if purpose:
            where.append("purpose LIKE ?")
            args.append(purpose.replace("*", "%") + ("" if "*" in purpose else "%"))
        if since:
            where.append("at >= ?")
            args.append(since)
        sql = (f"SELECT {', '.join(COLUMNS)} FROM llm_calls WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT ?")
        return list(self.db.query(sql, [*args, limit]))

    def costs(self, by: str, since: str | None = None) -> list[dict[str, Any]]:
        """Calls, tokens and USD grouped by purpose, model, day, service or run."""
        key = GROUPS[by]
        sql = (f"SELECT {key} AS name, COUNT(*) AS calls, SUM(error IS NOT NULL) AS failed, "
               "COALESCE(SUM(input_tokens), 0) AS input_tokens, COALESCE(SUM(output_tokens), 0) AS output_tokens, "
               "COALESCE(SUM(cache_read_tokens), 0) AS cache_read_tokens, "
               "COALESCE(SUM(cache_write_tokens), 0) AS cache_write_tokens, ROUND(COALESCE(SUM(cost_usd), 0), 6) "
               f"AS cost_usd FROM llm_calls WHERE at >= ? GROUP BY {key} ORDER BY cost_usd DESC, name")
        return list(self.db.query(sql, [since or ""]))


class BatchStore:
    """Message Batches tap started: what each request was for, so a later run can collect the results."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def add(self, batch_id: str, purpose: str, model: str, requests: dict[str, Any], options: dict[str, Any],
            run_id: str | None) -> None:
        """Remember a started batch (its requests by custom id, and how to write the results)."""
        self.db.table("llm_batches").insert({
            "id": batch_id, "purpose": purpose, "model": model, "status": "in_progress", "run_id": run_id,
            "requests": json.dumps(requests), "options": json.dumps(options), "created_at": utc_now()})

    def get(self, batch_id: str) -> dict[str, Any] | None:
        """A batch by id, with its requests and options decoded."""
        row = next(iter(self.db.query("SELECT * FROM llm_batches WHERE id = ?", [batch_id])), None)
        if row is None:
            return None
        return {**row, "requests": json.loads(row["requests"]), "options": json.loads(row["options"])}

    def finish(self, batch_id: str, status: str) -> None:
        """Mark a batch collected (or failed)."""
        self.db.table("llm_batches").update(batch_id, {"status": status, "finished_at": utc_now()})