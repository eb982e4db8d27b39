"""Make.com notifications sent from a thread of their own, after the sender has had its answer."""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any

from totalaudio.config import Settings

LOG = logging.getLogger("tap.webhooks")
STOP = None


class Notifier:
    """Queues ``{type, data}`` notifications and sends them in order; one that fails becomes a dead letter."""

    def __init__(self, settings: Settings, timeout: float = 60.0) -> None:
        self.settings = settings
        self.timeout = timeout
        self.queue: queue.Queue[Any] = queue.Queue()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()

    def __call__(self, notes: list[dict[str, Any]]) -> None:
        """Queue notifications (the sending thread starts with the first)."""
        with self.lock:
            if self.thread is None:
                self.thread = threading.Thread(target=self._work, name="tap-notify", daemon=True)
                self.thread.start()
        for note in notes:
            self.queue.put(note)

    def _work(self) -> None:
        from totalaudio.services.notify import send_many
        from totalaudio.store.db import open_db

        db = open_db(self.settings.db_path)
        try:
            while (note := self.queue.get()) is not STOP:
                for result in send_many(self.settings, [note], db=db):
                    level = logging.WARNING if result.get("error") else logging.INFO
                    LOG.log(level, "notification %s: %s%s", result["type"], result["outcome"],
                            f" ({result['error']})" if result.get("error") else "")
        finally:
            db.conn.close()

    def close(self) -> None:
        """Send what is queued (waiting up to ``timeout`` seconds), then stop the thread."""
        with self.lock:
            thread = self.thread
        if thread is None:
            return
        self.queue.put(STOP)
        thread.join(self.timeout)
        if thread.is_alive():
            LOG.warning("notifications still queued after %.0f s; they were not sent", self.timeout)
