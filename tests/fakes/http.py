"""What every loopback fake's request handler shares: one method to serve every verb, and writing one JSON response."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from typing import Any


def write_json(handler: BaseHTTPRequestHandler, status: int, payload: Any, headers: dict[str, str]) -> None:
    """One response: the headers given, a JSON body (none for None) and its Content-Length."""
    data = b"" if payload is None else json.dumps(payload).encode()
    handler.send_response(status)
    for key, value in headers.items():
        handler.send_header(key, value)
    if payload is not None:
        handler.send_header("Content-Type", "application/json; charset=utf-8")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


class Routed(BaseHTTPRequestHandler):
    """A quiet handler whose every verb goes to ``_serve(method)``: a fake routes in one place."""

    def log_message(self, *args: Any) -> None:
        pass

    def _serve(self, method: str) -> None:
        raise NotImplementedError

    def do_GET(self) -> None:  # noqa: N802 - http.server's names
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._serve("PUT")

    def do_PATCH(self) -> None:  # noqa: N802
        self._serve("PATCH")

    def do_DELETE(self) -> None:  # noqa: N802
        self._serve("DELETE")
