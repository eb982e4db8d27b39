"""The receiver's Make.com sender: a thread that delivers what the outbox holds, woken after each commit that
queued a notification, and every few seconds for what another process (or a killed one) left there."""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from totalaudio.config import Settings

LOG = logging.getLogger("tap.webhooks")
POLL_SECONDS = 5.0


class Sender:
    """Drains the outbox on a thread of its own with its own store connection and one Make.com client."""

    def __init__(self, settings: Settings, client: Any = None, poll: float = POLL_SECONDS,
                 write: Callable[[Callable[[Any], Any]], Any] | None = None) -> None:
        self.settings = settings
        self.client = client
        self.write = write  # the store writer's call: the outbox's writes join its batches (no lock contention)
        self.poll = poll
        self.wake = threading.Event()
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        """Start sending (at once: what a previous process left is delivered first)."""
        if self.thread is None and not self.settings.missing("make"):
            self.thread = threading.Thread(target=self._work, name="tap-notify", daemon=True)
            self.thread.start()

    def notify(self) -> None:
        """Something was queued: look now rather than at the next poll."""
        self.wake.set()

    def _work(self) -> None:
        from totalaudio.services.notify.outbox import make_client
        from totalaudio.store.db import open_db

        db, client = open_db(self.settings.db_path), self.client or make_client(self.settings)
        try:
            while not self.stop.is_set():
                self.wake.clear()
                self._drain(db, client)
                self.wake.wait(self.poll)
        finally:
            if self.client is None:
                client.close()
            db.conn.close()

    def _drain(self, db: Any, client: Any) -> None:
        import sqlite3

        from totalaudio.errors import TapError
        from totalaudio.services.notify import outbox

        try:
            results = outbox.drain(self.settings, db, client=client, stop=self.stop, write=self.write)
        except (TapError, sqlite3.Error) as exc:  # the store busy past its timeout, a bad [make] setting: later
            LOG.warning("notifications not sent now: %s", getattr(exc, "message", exc))
            return
        for result in results:
            level = logging.WARNING if result.get("error") else logging.INFO
            LOG.log(level, "notification %s %s: %s%s", result["type"], result["webhookId"], result["outcome"],
                    f" ({result['error']})" if result.get("error") else "")

    def close(self, timeout: float = 10.0) -> None:
        """Stop after the message in hand (what is still held stays in the outbox for the next start)."""
        if self.thread is None:
            return
        self.stop.set()
        self.wake.set()
        self.thread.join(timeout)
        if self.thread.is_alive():
            LOG.warning("a notification was still being sent after %.0f s; it stays in the outbox", timeout)
