"""The receiver's store writer: concurrent work committed together, each piece in its savepoint, answered only
after the COMMIT; a failing piece rolls back alone; a store that cannot open fails every request."""

import asyncio
import sqlite3

import pytest

from totalaudio.server.writer import Writer
from totalaudio.store.db import open_db


@pytest.fixture
def writer(tmp_path):
    path = tmp_path / "w.db"
    opened = []

    def open_store():
        db = open_db(path)
        db.execute("CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY)")
        opened.append(db)
        return db

    w = Writer(open_store, lambda db: db.conn.close())
    yield w, path
    w.close()


def rows(path):
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT k FROM t ORDER BY k")]
    finally:
        conn.close()


def insert(key, fail=False, check=None):
    """Work that writes a row, then (optionally) fails, or reports ``check(key)`` seen from inside the batch."""
    def work(db):
        db.execute("INSERT INTO t (k) VALUES (?)", [key])
        if fail:
            raise ValueError(f"{key} failed after writing")
        return check(key) if check else None
    return work


def test_concurrent_work_is_batched_and_committed_before_the_answer(writer):
    w, path = writer
    elsewhere = lambda key: key in rows(path)  # noqa: E731 - another connection sees only what is committed

    async def main():
        return await asyncio.gather(*(w.run(insert(f"k{i}", check=elsewhere)) for i in range(40)))

    assert asyncio.run(main()) == [False] * 40  # each piece ran inside the still open transaction
    assert len(rows(path)) == 40 and w.batches < 40  # committed before the answers, fewer commits than pieces


def test_a_failing_piece_rolls_back_alone(writer):
    w, path = writer

    async def main():
        return await asyncio.gather(w.run(insert("a")), w.run(insert("b", fail=True)), w.run(insert("c")),
                                    return_exceptions=True)

    results = asyncio.run(main())
    assert results[0] is None and isinstance(results[1], ValueError) and results[2] is None
    assert rows(path) == ["a", "c"]


def test_a_store_that_cannot_open_fails_every_request(tmp_path):
    def broken():
        raise sqlite3.OperationalError("unable to open database file")

    w = Writer(broken, lambda db: None)
    with pytest.raises(sqlite3.OperationalError):
        w.call(lambda db: None)

    async def main():
        return await asyncio.gather(w.run(lambda db: 1), return_exceptions=True)

    assert isinstance(asyncio.run(main())[0], sqlite3.OperationalError)
    w.close()
