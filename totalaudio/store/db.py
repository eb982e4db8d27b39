"""Open the SQLite store (WAL, busy timeout, foreign keys) and apply migrations on open."""

from __future__ import annotations

import importlib
import pkgutil
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import sqlite_utils

from totalaudio.errors import ConfigError, utc_now

BUSY_TIMEOUT_MS = 10_000


def _all_migrations() -> list[tuple[str, str]]:
    """Every (id, sql) declared as MIGRATIONS by a store module, ordered by id.

    Ids are ``NNNN_name``; each aggregate module owns a range so that modules never collide.
    """
    import totalaudio.store as pkg

    found: dict[str, str] = {}
    for info in pkgutil.iter_modules(pkg.__path__):
        module = importlib.import_module(f"totalaudio.store.{info.name}")
        for mig_id, sql in getattr(module, "MIGRATIONS", ()):
            if mig_id in found:
                raise RuntimeError(f"migration id {mig_id} declared twice")
            found[mig_id] = sql
    return sorted(found.items())


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply the migrations not yet applied, each in its own transaction; return their ids."""
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = {row[0] for row in db.execute("SELECT id FROM _migrations").fetchall()}
    applied = []
    for mig_id, sql in _all_migrations():
        if mig_id in done:
            continue
        with db.conn:
            db.conn.executescript("BEGIN;" + sql + ";")
            db.execute("INSERT INTO _migrations (id, applied_at) VALUES (?, ?)", [mig_id, utc_now()])
        applied.append(mig_id)
    return applied


def open_db(path: Path | str, *, create: bool = True) -> sqlite_utils.Database:
    """The store at ``path``, migrated; ``:memory:`` works for tests."""
    if str(path) != ":memory:":
        path = Path(path)
        if not create and not path.exists():
            raise ConfigError(f"{path}: no tap database here yet", hint="run `tap contacts import FILE` first")
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        raise ConfigError(f"{path}: not a usable SQLite database: {exc}") from None
    db = sqlite_utils.Database(conn)
    migrate(db)
    return db


def applied_migrations(db: sqlite_utils.Database) -> list[dict]:
    """The applied migrations with their times, oldest first."""
    return [dict(r) for r in db.query("SELECT id, applied_at AS appliedAt FROM _migrations ORDER BY id")]


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """One atomic unit of writes: BEGIN IMMEDIATE, then COMMIT (or ROLLBACK on error).

    Nested use joins the outer transaction, so a store method can be atomic on its own and still be part of a
    caller's larger unit (an import's inserts, updates and journal entries commit together).
    """
    conn = db.conn
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.rollback()
        raise
    conn.commit()
