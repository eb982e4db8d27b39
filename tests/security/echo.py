"""A loopback server that answers every request with an error that repeats the request: headers and body.

It plays the proxy, gateway or misconfigured TAP_*_BASE_URL of issue 13 that copied a request, credentials and
all, into its error body. ``mode`` picks the answer: a JSON error (Airtable, Mailchimp and Anthropic shapes at
once), a plain-text 500, a 429 without Retry-After, or a 401.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODES = {"json400": 400, "text500": 500, "json429": 429, "json401": 401}


class EchoServer:
    """Start with ``start()``; ``url``, ``requests`` (how many arrived) and ``mode`` are for the tests."""

    def __init__(self, mode: str = "json400", extra: str = "") -> None:
        self.mode = mode
        self.extra = extra  # text added to every answer (markup, control characters ...)
        self.requests = 0
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "EchoServer":
        echo = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _answer(self) -> None:
                echo.requests += 1
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
                text = f"{echo.extra}{self.command} {self.path}\n{self.headers}\n{body}"
                self._send(MODES[echo.mode], text)

            def _send(self, status: int, text: str) -> None:
                if echo.mode == "text500":
                    data, kind = text.encode(), "text/plain"
                else:
                    doc = {"error": {"type": "ECHO_ERROR", "message": text}, "type": "error", "title": "Echo",
                           "status": status, "detail": text, "message": text}
                    data, kind = json.dumps(doc).encode(), "application/json"
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("X-Echo-Authorization", self.headers.get("Authorization", ""))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
