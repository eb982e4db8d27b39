"""Open the SQLite store (WAL, busy timeout, foreign keys) and apply migrations on open."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import sqlite_utils

from totalaudio.errors import ConfigError, utc_now

BUSY_TIMEOUT_MS = 10_000
PRIVATE_UMASK = 0o077  # files 0600, folders 0700: the store holds contacts, tokens and the run log


@contextmanager
def private_files() -> Iterator[None]:
    """Create files readable by the user only, from the first byte (umask, not chmod afterwards)."""
    old = os.umask(PRIVATE_UMASK)
    try:
        yield
    finally:
        os.umask(old)


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


class NestingConnection(sqlite3.Connection):
    """A connection whose ``with conn:`` blocks are real transactions and nest.

    The outermost block opens ``BEGIN IMMEDIATE`` (take the write lock now, not halfway through) and alone
    commits or rolls back; inner blocks, and sqlite-utils' ``atomic()`` (a savepoint once a transaction is
    open), join it. So a service's block is atomic even when the store methods it calls open blocks of their own.
    """

    _depth = 0

    def __enter__(self) -> "NestingConnection":
        if self._depth == 0 and not self.in_transaction:
            self.execute("BEGIN IMMEDIATE")
        self._depth += 1
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        self._depth -= 1
        if self._depth == 0:
            return super().__exit__(exc_type, exc, tb)
        return False


def open_db(path: Path | str, *, create: bool = True) -> sqlite_utils.Database:
    """The store at ``path``, migrated; ``:memory:`` works for tests."""
    if str(path) != ":memory:":
        path = Path(path)
        if not create and not path.exists():
            raise ConfigError(f"{path}: no tap database here yet", hint="run `tap contacts import FILE` first")
    # The database, its -wal and -shm files are all created inside this block (WAL on, migrations written).
    with private_files():
        if isinstance(path, Path):
            path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite_utils.Database(_connect(path))
        migrate(db)
    return db


def _connect(path: Path | str) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False,
                               factory=NestingConnection)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        raise ConfigError(f"{path}: not a usable SQLite database: {exc}") from None
    return conn


def applied_migrations(db: sqlite_utils.Database) -> list[dict]:
    """The applied migrations with their times, oldest first."""
    return [dict(r) for r in db.query("SELECT id, applied_at AS appliedAt FROM _migrations ORDER BY id")]


def insert_rows(db: sqlite_utils.Database, table: str, rows: list[dict[str, Any]], *, ignore: bool = False) -> int:
    """Insert rows (column -> value) with one executemany per column set; returns how many were inserted (rows
    ``ignore`` skips as duplicates are not). Much faster than a statement per chunk at tens of thousands of rows."""
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        by_columns.setdefault(tuple(sorted(row)), []).append(row)
    inserted = 0
    with transaction(db):
        for columns, group in by_columns.items():
            sql = (f"INSERT {'OR IGNORE ' if ignore else ''}INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
                   f"VALUES ({', '.join('?' * len(columns))})")
            inserted += db.conn.executemany(sql, [[row[c] for c in columns] for row in group]).rowcount
    return inserted


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """One atomic unit of writes; nested use joins the outer one (see NestingConnection)."""
    with db.conn:
        yield
