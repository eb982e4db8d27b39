"""A real uvicorn server on a free loopback port, in a thread, for tests and benchmarks."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """uvicorn serving an ASGI app on 127.0.0.1 until stop()."""

    def __init__(self, app: Any, port: int | None = None) -> None:
        import uvicorn

        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # proxy_headers off as in `tap webhooks serve`: the app's Guard alone reads X-Forwarded-For
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, access_log=False, lifespan="on",
                                proxy_headers=False, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
