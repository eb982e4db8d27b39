"""The store's own facts: where it is, how big, what it holds, and backups."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from totalaudio.errors import InputError
from totalaudio.store.db import applied_migrations, private_files
from totalaudio.store.runs import RunLog


def tables(db: Any) -> dict[str, int]:
    """Row count of every table (migrations bookkeeping excluded)."""
    names = [t for t in db.table_names() if not t.startswith(("_", "sqlite_"))]
    return {name: db.execute(f"SELECT count(*) FROM [{name}]").fetchone()[0] for name in sorted(names)}


def status(db: Any, path: Path) -> dict[str, Any]:
    """Path, size on disk (with WAL), row counts and applied migrations."""
    size = sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    return {"path": str(path), "sizeBytes": size, "tables": tables(db), "migrations": applied_migrations(db)}


def backup(db: Any, home: Path, to: Path | None = None) -> dict[str, Any]:
    """A consistent copy through SQLite's backup API (safe while other runs read or write)."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    target = to or home / "backups" / f"tap-{stamp}.db"
    if target.exists():
        raise InputError(f"{target}: already exists; choose another path")
    with private_files():  # a backup is the whole store: the user's only
        target.parent.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(str(target))
        try:
            db.conn.backup(dest)
        finally:
            dest.close()
    return {"path": str(target), "sizeBytes": target.stat().st_size}


def recent_runs(db: Any, limit: int = 20) -> list[dict[str, Any]]:
    """The latest runs, newest first: id, command, status, times, args and result (JSON decoded)."""
    import json

    def decoded(text: str | None) -> Any:
        return json.loads(text) if text else None

    return [{"id": r["id"], "command": r["command"], "status": r["status"], "startedAt": r["started_at"],
             "finishedAt": r["finished_at"], "args": decoded(r["args"]), "result": decoded(r["result"]),
             "error": r["error"]} for r in RunLog(db).recent(limit)]
