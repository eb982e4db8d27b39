"""Parsing off the event loop: worker processes fed straight from the event loop, entry pages first.

The event loop fetches; its timing is what the crawl's throughput rests on (a response read late holds its request
slot longer). The workers parse; their work can wait a few milliseconds. So:

- The workers run at a lower scheduling priority than the process that fetches, and may be as many as the CPUs:
  they take what the event loop leaves (it needs well under one CPU).
- Each worker is one process on one socket pair, read and written by the event loop itself. A
  ``ProcessPoolExecutor`` would hand every page through two helper threads in this process (one pickles, one waits
  for results), and those threads took about a third of the fetching process's CPU, competing with the event loop
  for the interpreter lock.
- Pages wait for a worker in one queue, entry pages first: an entry page's links are what the site's next requests
  are made of, while the other pages only add facts. In arrival order a site's entry page would wait behind
  hundreds of other sites' pages, and the request slots would idle meanwhile.
- Each worker holds at most ``DEPTH`` pages (one being parsed, one waiting in its socket), so that it never waits
  for the event loop between two pages and a later entry page is never far from the front.

A worker that dies (out of memory, a crash in the parser) fails the page it was parsing with ``WorkerLost`` (it is
not tried again: it may be what killed the worker); the page waiting behind it goes back to the queue, and the
worker is replaced for the pages after. A worker says when it is ready (its imports done); when three in a row die
before that (they cannot start: a broken install), no more are made and the pages are parsed in the event loop's
process. A worker still parsing a page STUCK_SECONDS after the page's site gave up on it is killed and replaced.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import pickle
import signal
import socket
import struct
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable

WORKER_NICENESS = 5  # how much lower than the fetching process the workers run (0-19; ignored where unsupported)
DEPTH = 2  # pages handed to one worker at a time
STUCK_SECONDS = 10.0  # a page parsed this long whose caller gave up (its site's time ran out): its worker is replaced
MAX_STILLBORN = 3  # workers in a row dead before they were ready: none can run here, the pool parses inline
_HEAD = struct.Struct("!Q")  # each message: its length, then a pickle


class WorkerLost(Exception):
    """The worker process died while it held the page."""


def default_workers(cpus: int | None, limit: int) -> int:
    """As many workers as CPUs, up to ``limit``: they run below the event loop, which needs well under one CPU."""
    return max(1, min(cpus or 1, limit))


@dataclass
class _Job:
    args: tuple
    future: asyncio.Future
    rank: tuple = ()  # its place in the queue: (0 first or 1, arrival number)


@dataclass
class _Worker:
    process: Any
    sock: socket.socket
    held: deque = field(default_factory=deque)  # jobs sent, in the order their results come back
    tasks: list = field(default_factory=list)
    writer: Any = None  # the event loop's side of the socket, once connected
    started: bool = False  # it said it was ready (its imports done): a death after that is a job's
    head_since: float = 0.0  # when the first job it holds became the one it runs (loop time)


class ParsePool:
    """``size`` worker processes that run ``work(*args)`` (a module-level function) for the event loop."""

    def __init__(self, size: int, work: Callable) -> None:
        import multiprocessing

        self.size = max(1, size)
        self.work = work
        self._context = multiprocessing.get_context("spawn")  # the parent may run threads whose locks fork would copy
        self._workers = [self._spawn() for _ in range(self.size)]  # started now: their imports overlap the first fetches
        self._queue: asyncio.PriorityQueue | None = None
        self._order = itertools.count()
        self._closed = False
        self._stillborn = 0  # workers in a row that died before they were ready
        self._inline = False  # no worker can run here: jobs run in the calling process

    async def run(self, *args, first: bool = False):
        """``work(*args)`` in a worker: its result, or the exception it raised, or ``WorkerLost``. ``first`` jobs go
        ahead of every other job waiting."""
        if self._closed:
            raise RuntimeError("the parse pool is closed")
        if self._inline:
            return self.work(*args)
        if self._queue is None:
            self._queue = asyncio.PriorityQueue()
            for worker in self._workers:
                self._serve(worker)
        job = _Job(args, asyncio.get_running_loop().create_future(), (0 if first else 1, next(self._order)))
        self._queue.put_nowait((*job.rank, job))
        try:
            return await job.future
        except asyncio.CancelledError:
            self._give_up(job)
            raise

    def _give_up(self, job: _Job) -> None:
        """The caller of ``job`` stopped waiting. A worker that has run it for STUCK_SECONDS is stuck on that page
        (a parse takes milliseconds): it is killed, and replaced as a worker that died is."""
        now = asyncio.get_running_loop().time()
        for worker in self._workers:
            if worker.held and worker.held[0] is job and now - worker.head_since > STUCK_SECONDS:
                worker.process.kill()

    def close(self) -> None:
        """Stop every worker now; jobs waiting or held fail (their callers are going away)."""
        self._closed = True
        for worker in self._workers:
            self._stop(worker, RuntimeError("the parse pool is closed"))
        self._drain(lambda job: job.future.set_exception(RuntimeError("the parse pool is closed")))

    def _drain(self, settle: Callable[[_Job], None]) -> None:
        """Take every job still waiting and settle those whose callers still wait."""
        while self._queue is not None and not self._queue.empty():
            job = self._queue.get_nowait()[-1]
            if not job.future.done():
                settle(job)

    def pids(self) -> list[int]:
        """The workers' process ids (for tests and diagnostics)."""
        return [worker.process.pid for worker in self._workers]

    def _spawn(self) -> _Worker:
        ours, theirs = socket.socketpair()
        process = self._context.Process(target=_serve_jobs, args=(theirs, self.work), daemon=True,
                                        name="tap-parse-worker")
        process.start()
        theirs.close()
        return _Worker(process, ours)

    def _serve(self, worker: _Worker) -> None:
        room = asyncio.Semaphore(DEPTH)
        # A Unix socket pair where there are Unix sockets; Windows' socketpair() gives a loopback TCP pair.
        unix = worker.sock.family == getattr(socket, "AF_UNIX", None)
        opener = asyncio.open_unix_connection if unix else asyncio.open_connection
        connected = asyncio.ensure_future(opener(sock=worker.sock))
        worker.tasks = [asyncio.ensure_future(self._send(worker, connected, room)),
                        asyncio.ensure_future(self._receive(worker, connected, room))]

    async def _send(self, worker: _Worker, connected: asyncio.Future, room: asyncio.Semaphore) -> None:
        _reader, writer = await connected
        worker.writer = writer
        try:
            while True:
                await room.acquire()
                job = (await self._queue.get())[2]
                if job.future.done():  # its caller gave up while it waited
                    room.release()
                    continue
                worker.held.append(job)
                if len(worker.held) == 1:
                    worker.head_since = asyncio.get_running_loop().time()
                data = pickle.dumps(job.args, pickle.HIGHEST_PROTOCOL)
                writer.write(_HEAD.pack(len(data)) + data)
                await writer.drain()
        except (ConnectionError, OSError):
            return  # the worker is gone: _receive sees the end of its socket and replaces it

    async def _receive(self, worker: _Worker, connected: asyncio.Future, room: asyncio.Semaphore) -> None:
        reader, _writer = await connected
        try:
            while True:
                size = _HEAD.unpack(await reader.readexactly(_HEAD.size))[0]
                ok, value = _loads(await reader.readexactly(size))
                if not worker.started:  # its first message says it is ready, before any job
                    worker.started = True
                    continue
                job = worker.held.popleft()
                worker.head_since = asyncio.get_running_loop().time()
                room.release()
                if not job.future.done():
                    job.future.set_result(value) if ok else job.future.set_exception(value)
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            pass
        if self._closed:
            return
        worker.process.join(timeout=1)  # its socket ends as it exits: this is quick, and gives the exit code
        # Results come back in order: the first job held is the one a started worker was running when it died. The
        # others only waited in its socket (as all did, if it never started); they go back to the queue, in place.
        if worker.started and worker.held and not (culprit := worker.held.popleft()).future.done():
            culprit.future.set_exception(WorkerLost(f"the parse worker died (exit code {worker.process.exitcode})"))
        while worker.held:
            job = worker.held.popleft()
            self._queue.put_nowait((*job.rank, job))
        self._stop(worker, WorkerLost("the parse worker died"))
        self._stillborn = 0 if worker.started else self._stillborn + 1
        if self._stillborn < MAX_STILLBORN:
            replacement = self._spawn()
            self._workers[self._workers.index(worker)] = replacement
            self._serve(replacement)
            return
        self._workers.remove(worker)  # workers cannot start here (a broken install): no more are made
        if not self._workers:
            self._inline = True
            self._drain(lambda job: _settle(job.future, self.work, job.args))

    def _stop(self, worker: _Worker, error: Exception) -> None:
        running = _loop_running()
        current = asyncio.current_task() if running else None
        for task in worker.tasks:
            if task is not current:
                task.cancel()
        if running and worker.writer is not None:
            worker.writer.close()  # (once its loop has ended, a transport cannot be closed: the socket is)
        worker.sock.close()
        while worker.held:
            job = worker.held.popleft()
            if not job.future.done():
                job.future.set_exception(error)
        if worker.process.is_alive():
            worker.process.terminate()
        worker.process.join(timeout=1)


def _settle(future: asyncio.Future, work: Callable, args: tuple) -> None:
    """Run a job here and give its outcome to its caller."""
    try:
        future.set_result(work(*args))
    except Exception as exc:  # noqa: BLE001 - the caller's to judge, as from a worker
        future.set_exception(exc)


def _loads(data: bytes) -> tuple[bool, Any]:
    """A worker's reply; one that cannot be read back here (an exception class with its own arguments) is a
    failure named after it."""
    try:
        return pickle.loads(data)
    except Exception as exc:  # noqa: BLE001
        return False, RuntimeError(f"the parse worker's reply could not be read ({exc.__class__.__name__})")


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _serve_jobs(sock: socket.socket, work: Callable) -> None:
    """A worker's life: read a job, run it, write back (True, result) or (False, exception), until the socket ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the fetching process's to handle; it stops us
    try:
        os.nice(WORKER_NICENESS)
    except (AttributeError, OSError):  # no nice() here, or not allowed: the same priority then
        pass
    with sock, sock.makefile("rb") as incoming:
        ready = pickle.dumps((True, None))
        sock.sendall(_HEAD.pack(len(ready)) + ready)
        while len(head := incoming.read(_HEAD.size)) == _HEAD.size:
            args = pickle.loads(incoming.read(_HEAD.unpack(head)[0]))
            try:
                reply = (True, work(*args))
            except Exception as exc:  # noqa: BLE001 - the caller decides what a failure costs
                reply = (False, exc)
            try:
                data = pickle.dumps(reply, pickle.HIGHEST_PROTOCOL)
            except Exception as exc:  # noqa: BLE001 - an exception (or result) that cannot be pickled
                data = pickle.dumps((False, RuntimeError(f"{exc.__class__.__name__}: {exc}"[:300])))
            sock.sendall(_HEAD.pack(len(data)) + data)
