"""Waiting on a condition, never on a fixed sleep: a loaded machine is slower, not wrong, so a test waits until
what it needs has happened (with a deadline far beyond any real delay) and then checks it."""

from __future__ import annotations

import time
from typing import Callable

PATIENCE = 30.0  # seconds; only a broken test or product ever waits this long


def eventually(predicate: Callable[[], object], timeout: float = PATIENCE, interval: float = 0.02) -> bool:
    """True as soon as ``predicate()`` is true; False when it is still false after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)
    return True
