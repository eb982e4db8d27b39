"""Dead-letter queue (record, retry, drop) and store facts (status, backup)."""

import sqlite3

import pytest

from totalaudio.config import Settings
from totalaudio.errors import InputError, IntegrationError
from totalaudio.services import dbinfo, queue
from totalaudio.store.db import open_db
from totalaudio.store.deadletters import DeadLetterStore


@pytest.fixture
def db(tmp_path):
    return open_db(tmp_path / "t.db")


def test_record_retry_and_drop(db, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setitem(queue.HANDLERS, "demo.write", lambda settings, payload: calls.append(payload))
    first = queue.record(db, IntegrationError("demo", "write", "HTTP 503", retryable=True, payload={"n": 1}))
    second = queue.record(db, IntegrationError("demo", "write", "HTTP 503", payload={"n": 2}))
    assert queue.record(db, IntegrationError("demo", "read", "x")) is None  # nothing to replay
    results = queue.retry(db, Settings(environ={}, cwd=tmp_path), [first])
    assert results == [{"id": first, "operation": "demo.write", "ok": True}] and calls == [{"n": 1}]
    queue.drop(db, [second])
    store = DeadLetterStore(db)
    assert store.counts() == {"resolved": 1, "dropped": 1} and store.list("open") == []
    with pytest.raises(InputError):
        queue.drop(db, [second])


def test_failed_retry_counts_attempts(db, tmp_path, monkeypatch):
    def fail(settings, payload):
        raise IntegrationError("demo", "write", "still down", retryable=True)
    monkeypatch.setitem(queue.HANDLERS, "demo.write", fail)
    letter = queue.record(db, IntegrationError("demo", "write", "down", payload={}))
    [result] = queue.retry(db, Settings(environ={}, cwd=tmp_path), None)
    assert result["ok"] is False and DeadLetterStore(db).get(letter).attempts == 2


def test_status_and_backup(db, tmp_path):
    info = dbinfo.status(db, tmp_path / "t.db")
    assert info["tables"]["contacts"] == 0 and any(m["id"] == "0001_contacts" for m in info["migrations"])
    result = dbinfo.backup(db, tmp_path)
    copy = sqlite3.connect(result["path"])
    assert copy.execute("SELECT count(*) FROM _migrations").fetchone()[0] == len(info["migrations"])
    with pytest.raises(InputError, match="already exists"):
        dbinfo.backup(db, tmp_path, to=__import__("pathlib").Path(result["path"]))


def test_migrations_apply_once(tmp_path):
    open_db(tmp_path / "m.db").close()
    again = open_db(tmp_path / "m.db")
    ids = [r[0] for r in again.execute("SELECT id FROM _migrations").fetchall()]
    assert len(ids) == len(set(ids))
    assert again.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert again.execute("PRAGMA foreign_keys").fetchone()[0] == 1
