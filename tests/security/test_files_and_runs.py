"""Issue 13, class 9: private files from their creation, and runs killed with kill -9 marked interrupted."""

from __future__ import annotations

import os
import stat

import pytest

from tests.cli.helpers import tap
from tests.security import killtrial


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def usual_umask():
    """A usual umask (022; tap must not depend on the user's), and the process's own again after the test."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_store_lock_backup_and_tokens_are_private(tap_home, tmp_path, usual_umask):
    csv = killtrial.contacts_csv(tmp_path / "c.csv", 3)
    assert tap("contacts", "import", str(csv)).code == 0
    backup = tap("db", "backup", "--json").json()["path"]
    from totalaudio.clients.gmail import TokenStore

    TokenStore(tap_home / "secrets").save({"token": "x"})
    from pathlib import Path

    files = [tap_home / n for n in ("tap.db", "tap.db-wal", "tap.db-shm", "tap.lock")] + [Path(backup)]
    files += [tap_home / "secrets" / "gmail-token.enc", tap_home / "secrets" / "secret.key"]
    assert {str(p): oct(mode(p)) for p in files if p.exists() and mode(p) != 0o600} == {}
    folders = [tap_home, tap_home / "backups", tap_home / "secrets"]
    assert {str(p): oct(mode(p)) for p in folders if mode(p) != 0o700} == {}


def test_a_run_left_running_by_a_dead_process_is_marked_interrupted(tap_home):
    from totalaudio.store.db import open_db
    from totalaudio.store.runs import RunLog

    db = open_db(tap_home / "tap.db")
    dead = RunLog(db).start("contacts import")
    db.execute("UPDATE runs SET pid = 999999999 WHERE id = ?", [dead])  # no such process
    alive = RunLog(db).start("other")
    db.execute("UPDATE runs SET pid = 1 WHERE id = ?", [alive])  # init: alive, and not ours
    assert RunLog(db).reap(holding_lock=False) == [dead]
    assert RunLog(db).get(alive)["status"] == "running"  # alive and we do not hold the lock: leave it
    assert RunLog(db).reap(holding_lock=True) == []  # alive on this host: not ours to judge by the lock


def test_two_runs_that_draw_the_same_id_in_one_second_both_start(tap_home, monkeypatch):
    """Run ids are per second with 16 random bits (200 runs a second in a script drew one twice: a crash with
    'UNIQUE constraint failed: runs.id'); a drawn id already taken is drawn again."""
    from totalaudio.store import runs
    from totalaudio.store.db import open_db

    db = open_db(tap_home / "tap.db")
    draws = iter(["r20261202T120000-aaaa", "r20261202T120000-aaaa", "r20261202T120000-aaaa", "r20261202T120000-bbbb"])
    monkeypatch.setattr(runs, "new_run_id", lambda command: next(draws))
    first, second = runs.RunLog(db).start("one"), runs.RunLog(db).start("two")
    assert (first, second) == ("r20261202T120000-aaaa", "r20261202T120000-bbbb")
    assert [r["command"] for r in db.query("SELECT command FROM runs ORDER BY id")] == ["one", "two"]


@pytest.mark.parametrize("delay", [0.0, 0.05])
def test_kill_9_during_an_import_leaves_a_whole_store(tmp_path, delay):
    result = killtrial.import_trial(tmp_path, 3000, delay)
    assert result["problems"] == []
    assert result["killed"] or delay > 0  # killed inside the run at least when killed at once


def test_kill_9_during_a_push_to_airtable_never_creates_twice(tmp_path):
    result = killtrial.sync_push_trial(tmp_path, 120, 0.0)
    assert result["problems"] == []
