"""A write lock for mutating commands, so that cron and a person never interleave."""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path
from typing import IO

from totalaudio.errors import LockBusyError, utc_now
from totalaudio.store.db import private_files


class WriteLock:
    """An exclusive advisory lock on a file under TAP_HOME; waits up to ``timeout`` seconds."""

    def __init__(self, path: Path, command: str, timeout: float = 30.0, poll: float = 0.2) -> None:
        self.path = path
        self.command = command
        self.timeout = timeout
        self.poll = poll
        self._fh: IO[str] | None = None

    def _holder(self) -> str:
        try:
            info = json.loads(self.path.read_text() or "{}")
        except (OSError, ValueError):
            return "another tap run"
        return f"`tap {info.get('command', '?')}` (pid {info.get('pid', '?')}, since {info.get('since', '?')})"

    def acquire(self) -> None:
        """Take the lock or raise LockBusyError naming who holds it."""
        with private_files():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fh = open(self.path, "a+")
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    fh.close()
                    raise LockBusyError(f"the store is busy: {self._holder()} is changing data",
                                        hint="wait for it to finish, or raise TAP_LOCK_TIMEOUT") from None
                time.sleep(self.poll)
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps({"pid": os.getpid(), "command": self.command, "since": utc_now()}))
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        """Let the next run in."""
        if self._fh:
            self._fh.seek(0)
            self._fh.truncate()
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None

    def __enter__(self) -> "WriteLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
