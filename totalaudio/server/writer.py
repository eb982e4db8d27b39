"""The receiver's one store writer: a thread that takes the work of concurrent requests from a queue and runs it
in one transaction (group commit), each piece in a savepoint of its own, and answers every request only after
the COMMIT. So a delivery is stored before it is acknowledged, one failing delivery rolls back only itself, and
the cost of a commit is shared by the requests that arrived while the previous one was written."""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from typing import Any, Callable

from totalaudio.store.webhooks import savepoint

LOG = logging.getLogger("tap.webhooks")
MAX_BATCH = 64
CHECKPOINT_SECONDS = 1.0
STOP = object()
Work = Callable[[Any], Any]  # work(db) -> result, run inside the batch's transaction


class Checkpointer:
    """Copies the write-ahead log into the database from a thread of its own, every ``interval`` seconds while
    the writer commits. The writer's connection does not checkpoint itself (wal_autocheckpoint = 0): a
    checkpoint inside a COMMIT (every 1,000 pages by default) held up every request of that batch."""

    def __init__(self, path: Any, interval: float = CHECKPOINT_SECONDS) -> None:
        self.path = path
        self.interval = interval
        self.dirty = threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="tap-checkpoint", daemon=True)

    def _loop(self) -> None:
        import sqlite3

        conn = sqlite3.connect(str(self.path), timeout=10)
        try:
            while not self.stop.wait(self.interval):
                if self.dirty.is_set():
                    self.dirty.clear()
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as exc:  # the next connection to close checkpoints instead; nothing is lost
            LOG.warning("checkpoints stopped: %s", exc)
        finally:
            conn.close()

    def close(self) -> None:
        """Stop checkpointing (the last connection to close checkpoints what is left)."""
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join(10)


class Writer:
    """Runs ``work(db)`` for the event loop on one thread with one connection, batching commits."""

    def __init__(self, open_store: Callable[[], Any], close_store: Callable[[Any], None],
                 after_commit: Callable[[], None] | None = None, max_batch: int = MAX_BATCH) -> None:
        self.open_store = open_store
        self.close_store = close_store
        self.after_commit = after_commit
        self.max_batch = max_batch
        self.queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()
        self.batches = 0

    async def run(self, work: Work) -> Any:
        """The result of ``work(db)`` once its transaction is committed (its exception, if it raised)."""
        self._start()
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self.queue.put((work, future, loop))
        return await future

    def call(self, work: Work) -> Any:
        """The same from a plain thread (start-up and shut-down work), waiting for the commit."""
        self._start()
        done: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.queue.put((work, done, None))
        ok, value = done.get()
        if not ok:
            raise value
        return value

    def _start(self) -> None:
        with self.lock:
            if self.thread is None:
                self.thread = threading.Thread(target=self._loop, name="tap-store", daemon=True)
                self.thread.start()

    def _loop(self) -> None:
        try:
            db = self.open_store()
        except Exception as exc:  # noqa: BLE001 - every request is told, none waits for a store that never opens
            LOG.error("the store could not be opened: %s", exc)
            while (batch := self._next_batch()) is not None:
                self._answer(batch, [(False, exc)] * len(batch))
            return
        try:
            while (batch := self._next_batch()) is not None:
                self._answer(batch, self._commit(db, [work for work, _f, _l in batch]))
        finally:
            self.close_store(db)

    def _next_batch(self) -> list[tuple[Work, Any, Any]] | None:
        """The first waiting piece of work (blocking) and whatever else is already queued, up to max_batch."""
        first = self.queue.get()
        if first is STOP:
            return None
        batch = [first]
        while len(batch) < self.max_batch:
            try:
                item = self.queue.get_nowait()
            except queue.Empty:
                break
            if item is STOP:
                self.queue.put(STOP)  # finish this batch, then stop
                break
            batch.append(item)
        return batch

    def _commit(self, db: Any, works: list[Work]) -> list[tuple[bool, Any]]:
        """Run each piece in its savepoint inside one transaction; if the COMMIT fails, every piece failed."""
        try:
            with db.conn:
                results = [_in_savepoint(db, work) for work in works]
        except Exception as exc:  # noqa: BLE001 - the commit (disk full, I/O): nothing was stored, nobody is told ok
            LOG.error("the store could not commit %d deliveries: %s", len(works), exc)
            return [(False, exc)] * len(works)
        self.batches += 1
        if self.after_commit is not None and any(ok for ok, _value in results):
            self.after_commit()
        return results

    def _answer(self, batch: list[tuple[Work, Any, Any]], results: list[tuple[bool, Any]]) -> None:
        by_loop: dict[Any, list[tuple[Any, bool, Any]]] = {}
        for (_work, future, loop), (ok, value) in zip(batch, results):
            if loop is None:
                future.put((ok, value))
            else:
                by_loop.setdefault(loop, []).append((future, ok, value))
        for loop, answers in by_loop.items():  # one wake-up of the event loop per batch
            loop.call_soon_threadsafe(_settle, answers)

    def close(self, timeout: float = 30.0) -> None:
        """Finish what is queued, then stop the thread and close the store."""
        with self.lock:
            thread = self.thread
        if thread is None:
            return
        self.queue.put(STOP)
        thread.join(timeout)


def _in_savepoint(db: Any, work: Work) -> tuple[bool, Any]:
    try:
        with savepoint(db, "tap_delivery"):
            return True, work(db)
    except Exception as exc:  # noqa: BLE001 - rolled back, and handed to the request that sent the work
        return False, exc


def _settle(answers: list[tuple[asyncio.Future, bool, Any]]) -> None:
    for future, ok, value in answers:
        if future.cancelled():
            continue
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)
