"""A real uvicorn server on a free loopback port, in a thread, for tests and benchmarks."""

from __future__ import annotations

import subprocess
import threading
from typing import Any

import httpx

from tests.standins import bound_socket, free_port  # noqa: F401 - free_port is imported from here by tests
from tests.waiting import PATIENCE, eventually


class LiveServer:
    """uvicorn serving an ASGI app on 127.0.0.1 until stop()."""

    def __init__(self, app: Any, port: int | None = None) -> None:
        import uvicorn

        self.sock = bound_socket(port or 0)  # held from now on: no other process can take the port before uvicorn
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        # proxy_headers off as in `tap webhooks serve`: the app's Guard alone reads X-Forwarded-For
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, access_log=False, lifespan="on",
                                proxy_headers=False, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def start(self) -> "LiveServer":
        self.thread.start()
        eventually(lambda: self.server.started or not self.thread.is_alive())
        if not self.server.started:
            raise RuntimeError("uvicorn did not start")
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(PATIENCE)
        self.sock.close()


def wait_until_serving(proc: subprocess.Popen, url: str, **client: Any) -> httpx.Response:
    """The first answer of ``url`` + /healthz from a server started as ``proc``; RuntimeError (with what the
    process wrote to stderr, when it kept it) if the process ends or never answers."""
    answer: list[httpx.Response] = []

    def up() -> bool:
        if proc.poll() is not None:
            return True
        try:
            answer.append(httpx.get(url + "/healthz", timeout=PATIENCE, **client))
        except httpx.TransportError:
            return False
        return True

    eventually(up, interval=0.1)
    if not answer:
        if proc.poll() is None:
            proc.kill()
        err = proc.communicate(timeout=PATIENCE)[1]
        raise RuntimeError(f"the receiver did not start (exit {proc.returncode}): {err or ''}")
    return answer[0]
