"""The run log and the write journal: every change is recorded so a run can resume or be undone."""

from __future__ import annotations

import json
import os
import secrets
import socket
import sqlite3
from datetime import datetime, timezone
from typing import Any, Iterable

import sqlite_utils

from totalaudio.errors import utc_now
from totalaudio.redact import current, redact
from totalaudio.store.db import transaction

MIGRATIONS = [
    ("0002_runs", """
    CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        command TEXT NOT NULL,
        args TEXT NOT NULL DEFAULT '{}',
        status TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        result TEXT,
        error TEXT
    );
    CREATE INDEX runs_command ON runs(command, started_at)
    """),
    ("0003_journal", """
    CREATE TABLE journal (
        id INTEGER PRIMARY KEY,
        run_id TEXT REFERENCES runs(id),
        entity TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        op TEXT NOT NULL,
        before TEXT,
        after TEXT,
        target TEXT NOT NULL DEFAULT 'local',
        state TEXT NOT NULL DEFAULT 'done',
        created_at TEXT NOT NULL
    );
    CREATE INDEX journal_run ON journal(run_id);
    CREATE INDEX journal_entity ON journal(entity, entity_id);
    CREATE INDEX journal_pending ON journal(target, state)
    """),
    ("1100_runs_pid", """
    ALTER TABLE runs ADD COLUMN pid INTEGER;
    ALTER TABLE runs ADD COLUMN host TEXT
    """),
]
HOST = socket.gethostname()
ID_ATTEMPTS = 8


def new_run_id(command: str) -> str:
    """A sortable, readable run id: r20261125T203000-ab12."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    return f"r{stamp}-{secrets.token_hex(2)}"


def _dump(value: Any, redactor: Any = None) -> str | None:
    """JSON text for the run log and journal, redacted: no secret is ever stored (quoted credential keys are
    masked too). ``redactor``: one fetched for a batch of rows."""
    if value is None:
        return None
    return (redactor or current())(json.dumps(value, ensure_ascii=False, default=str))


def _image(value: Any, redactor: Any = None) -> str | None:
    """JSON text of a record's before/after image for the journal. The images are the user's own records
    (contacts, campaigns, members), held as they are in their tables, and an undo or a resumed push writes them
    back: only the configured secrets are masked, not token shapes, or a random-looking note would come back as
    <redacted>. Run arguments, results and errors (``_dump``) keep the full redaction."""
    if value is None:
        return None
    return (redactor or current()).known(json.dumps(value, ensure_ascii=False, default=str))


class RunLog:
    """Starts, finishes and lists runs of mutating commands."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def start(self, command: str, args: dict[str, Any] | None = None) -> str:
        """Record the start of a run and return its id."""
        row = {"command": command, "args": _dump(args or {}), "status": "running", "started_at": utc_now(),
               "pid": os.getpid(), "host": HOST}
        # Ids are per second with 16 random bits: runs started in one second (a script, a busy webhook server)
        # can draw the same one; the next draw is taken then.
        for _ in range(ID_ATTEMPTS - 1):
            try:
                return self._insert(new_run_id(command), row)
            except sqlite3.IntegrityError:
                continue
        return self._insert(new_run_id(command), row)

    def _insert(self, run_id: str, row: dict[str, Any]) -> str:
        self.db.table("runs").insert({"id": run_id, **row})
        return run_id

    def reap(self, *, holding_lock: bool) -> list[str]:
        """Mark `running` runs whose process is gone as `interrupted` (killed with kill -9, a power cut);
        returns their ids. A run's process is gone when its pid is dead on this host, or, while the caller
        holds the write lock that every mutating run holds, when it ran elsewhere or recorded no pid."""
        rows = self.db.query("SELECT id, pid, host FROM runs WHERE status = 'running'")
        gone = [r["id"] for r in rows if r["pid"] != os.getpid() and _gone(r["pid"], r["host"], holding_lock)]
        for run_id in gone:
            self.db.table("runs").update(run_id, {"status": "interrupted", "finished_at": utc_now(),
                                                  "error": "the process ended without finishing the run"})
        return gone

    def finish(self, run_id: str, status: str, result: Any = None, error: str | None = None) -> None:
        """Record how a run ended: ok, failed or interrupted (a result already recorded is kept)."""
        changes = {"status": status, "finished_at": utc_now(), "error": redact(error) if error else error}
        if result is not None:
            changes["result"] = _dump(result)
        self.db.table("runs").update(run_id, changes)

    def set_result(self, run_id: str, result: Any) -> None:
        """Keep what a run reported (its JSON result) beside it in the run log."""
        self.db.table("runs").update(run_id, {"result": _dump(result)})

    def get(self, run_id: str) -> dict[str, Any] | None:
        """One run row, or None."""
        rows = list(self.db.query("SELECT * FROM runs WHERE id = ?", [run_id]))
        return rows[0] if rows else None

    def recent(self, limit: int = 20) -> list[dict[str, Any]]:
        """The latest runs, newest first."""
        return list(self.db.query("SELECT * FROM runs ORDER BY started_at DESC, id DESC LIMIT ?", [limit]))


def _gone(pid: int | None, host: str | None, holding_lock: bool) -> bool:
    if pid is None or host != HOST:
        return holding_lock
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


class Journal:
    """Appends before/after images of every write, local or upstream."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def record_many(self, run_id: str | None, entries: Iterable[dict[str, Any]]) -> None:
        """Append entries ``{entity, entity_id, op, before, after[, target, state]}``."""
        now, red = utc_now(), current()
        rows = [{"run_id": run_id, "entity": e["entity"], "entity_id": e["entity_id"], "op": e["op"],
                 "before": _image(e.get("before"), red), "after": _image(e.get("after"), red),
                 "target": e.get("target", "local"), "state": e.get("state", "done"), "created_at": now}
                for e in entries]
        columns = ("run_id", "entity", "entity_id", "op", "before", "after", "target", "state", "created_at")
        with transaction(self.db):
            self.db.conn.executemany(f"INSERT INTO journal ({', '.join(columns)}) VALUES ({', '.join('?' * 9)})",
                                     [[row[c] for c in columns] for row in rows])

    def record(self, run_id: str | None, entity: str, entity_id: str, op: str, before: Any = None,
               after: Any = None, **extra: Any) -> int:
        """Append one entry and return its id."""
        table = self.db.table("journal")
        table.insert({"run_id": run_id, "entity": entity, "entity_id": entity_id, "op": op,
                      "before": _image(before), "after": _image(after), "target": extra.get("target", "local"),
                      "state": extra.get("state", "done"), "created_at": utc_now()})
        return table.last_pk

    def set_state(self, entry_id: int, state: str) -> None:
        """Mark an entry done, failed or undone."""
        self.db.table("journal").update(entry_id, {"state": state})

    def entries(self, run_id: str) -> list[dict[str, Any]]:
        """A run's entries in the order they were written."""
        rows = self.db.query("SELECT * FROM journal WHERE run_id = ? ORDER BY id", [run_id])
        return [{**r, "before": json.loads(r["before"]) if r["before"] else None,
                 "after": json.loads(r["after"]) if r["after"] else None} for r in rows]
