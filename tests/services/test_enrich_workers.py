"""The parse workers: results and failures come back to the caller, entry pages go first, a dead worker is
replaced, and closing stops every worker."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest

from tests.waiting import eventually
from totalaudio.services.enrich.workers import DEPTH, ParsePool, WorkerLost, default_workers


def stamp(label: str, pause: float = 0.0) -> tuple[str, int, int]:
    """When a job ran (and in which process), after ``pause`` seconds of work."""
    time.sleep(pause)
    return label, time.monotonic_ns(), os.getpid()


def fail(kind: str):
    if kind == "value":
        raise ValueError("not a page")
    raise Unreadable("needs", "two arguments")


class Unreadable(Exception):
    """An exception that pickles but cannot be unpickled (its __init__ takes two arguments)."""

    def __init__(self, first: str, second: str) -> None:
        super().__init__(f"{first} {second}")


def run(coro):
    return asyncio.run(coro)


async def holding(pool: ParsePool, count: int) -> None:
    """Until the pool's one worker holds ``count`` jobs (sent to it, not yet answered)."""
    while len(pool._workers[0].held) < count:  # noqa: SLF001
        await asyncio.sleep(0.005)


def test_results_come_back_from_other_processes_and_from_every_worker():
    pool = ParsePool(2, stamp)
    try:
        async def go():
            return await asyncio.gather(*(pool.run(f"job{i}", 0.05) for i in range(8)))

        results = run(go())
    finally:
        pool.close()
    assert [label for label, _t, _pid in results] == [f"job{i}" for i in range(8)]
    pids = {pid for _l, _t, pid in results}
    assert os.getpid() not in pids and len(pids) == 2


def test_an_entry_page_goes_ahead_of_the_pages_waiting():
    pool = ParsePool(1, stamp)
    try:
        async def go():
            await pool.run("warm")  # the worker started and imported
            waiting = [asyncio.ensure_future(pool.run(f"page{i}", 0.05)) for i in range(DEPTH + 3)]
            await holding(pool, DEPTH)  # the first DEPTH are in the worker's hands
            entry = await pool.run("entry", first=True)
            return entry, await asyncio.gather(*waiting)

        entry, pages = run(go())
    finally:
        pool.close()
    ran = {label: when for label, when, _pid in pages}
    # after the pages the worker already held, before every other page that was waiting
    assert all(ran[f"page{i}"] < entry[1] for i in range(DEPTH))
    assert all(entry[1] < ran[f"page{i}"] for i in range(DEPTH, DEPTH + 3))


def test_a_failure_is_raised_to_its_caller_and_the_worker_goes_on():
    pool = ParsePool(1, fail)
    try:
        async def go():
            with pytest.raises(ValueError, match="not a page"):
                await pool.run("value")
            with pytest.raises(RuntimeError, match="could not be read"):
                await pool.run("unreadable")
            with pytest.raises(ValueError):
                await pool.run("value")

        pids = pool.pids()
        run(go())
        assert pool.pids() == pids  # a page that fails does not cost the worker
    finally:
        pool.close()


def test_closing_stops_every_worker_and_refuses_new_jobs():
    pool = ParsePool(2, stamp)
    processes = list(pool._workers)  # noqa: SLF001

    async def go():
        await asyncio.gather(*(pool.run("x") for _ in range(2)))
        pool.close()
        with pytest.raises(RuntimeError, match="closed"):
            await pool.run("y")

    run(go())
    assert eventually(lambda: not any(w.process.is_alive() for w in processes), timeout=5)


def test_workers_default_to_the_cpus_within_the_limit():
    assert default_workers(None, 4) == 1
    assert default_workers(2, 4) == 2
    assert default_workers(16, 4) == 4


def test_only_the_job_a_worker_died_under_fails_the_one_waiting_behind_it_runs_on_its_replacement():
    pool = ParsePool(1, stamp)
    before = pool.pids()
    try:
        async def go():
            await pool.run("warm")
            culprit = asyncio.ensure_future(pool.run("long", 5.0))
            behind = asyncio.ensure_future(pool.run("behind"))  # sent to the same worker, waiting in its socket
            await holding(pool, 2)
            os.kill(pool.pids()[0], signal.SIGKILL)
            with pytest.raises(WorkerLost):
                await culprit
            return await behind

        label, _when, pid = run(go())
    finally:
        pool.close()
    assert label == "behind" and pid not in before and pool.pids() == [pid]


def test_when_workers_cannot_start_the_jobs_run_in_this_process(tmp_path, monkeypatch):
    import importlib
    import sys

    (tmp_path / "vanishing_work.py").write_text("import os\n\ndef where(x):\n    return x, os.getpid()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    module = importlib.import_module("vanishing_work")
    monkeypatch.setitem(sys.modules, "vanishing_work", module)  # removed again after the test
    (tmp_path / "vanishing_work.py").unlink()  # the workers cannot import the work: each dies as it starts
    pool = ParsePool(1, module.where)
    try:
        async def go():
            return await asyncio.wait_for(asyncio.gather(*(pool.run(i) for i in range(3))), timeout=60)

        results = run(go())
    finally:
        pool.close()
    assert results == [(0, os.getpid()), (1, os.getpid()), (2, os.getpid())]
    assert pool.pids() == []


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads process states from /proc (Linux)")
def test_a_killed_crawl_leaves_no_worker_behind():
    import subprocess
    import sys

    script = ("import asyncio, os, signal\n"
              "from totalaudio.services.enrich.crawl import timed_parse\n"
              "from totalaudio.services.enrich.workers import ParsePool\n"
              "pool = ParsePool(2, timed_parse)\n"
              "asyncio.run(pool.run('<p>Mondays 8pm with Jo</p>', 'http://x.test/'))\n"
              "print(*pool.pids(), flush=True)\n"
              "os.kill(os.getpid(), signal.SIGKILL)\n")  # as cron's timeout or the OOM killer would
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    pids = [int(p) for p in done.stdout.split()]
    assert done.returncode == -signal.SIGKILL and len(pids) == 2

    def gone(pid: int) -> bool:
        try:
            with open(f"/proc/{pid}/status") as status:
                return "\nState:\tZ" in status.read()  # exited, waiting for its new parent to reap it
        except FileNotFoundError:
            return True

    assert eventually(lambda: all(gone(pid) for pid in pids), timeout=10)


@pytest.mark.parametrize("work_seconds, replaced", [(60.0, True), (3.0, False)], ids=["stuck", "slow"])
def test_a_worker_stuck_on_a_page_its_caller_gave_up_on_is_replaced(monkeypatch, work_seconds, replaced):
    """A caller that gives up (a site's deadline) after the worker ran its page for STUCK_SECONDS: the worker is
    killed and replaced. One that gives up sooner costs nothing: the worker finishes the page and goes on."""
    from totalaudio.services.enrich import workers

    monkeypatch.setattr(workers, "STUCK_SECONDS", 0.5 if replaced else 10.0)
    pool = ParsePool(1, stamp)
    before = pool.pids()
    try:
        async def go():
            await pool.run("warm")
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(pool.run("page", work_seconds), timeout=2.0)
            started = time.monotonic()
            after = await pool.run("after")
            return after, time.monotonic() - started

        (label, _when, pid), waited = run(go())
    finally:
        pool.close()
    assert label == "after" and waited < 30
    assert (pid not in before) if replaced else (pool.pids() == before == [pid])
