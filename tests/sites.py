"""Station websites served on loopback for enrichment tests and benchmarks: a directory, or hostile routes."""

from __future__ import annotations

import functools
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves a directory (``*.php`` as text/html), with the original host's links mapped to this server."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".php": "text/html", ".html": "text/html"}
    rewrite: tuple[str, ...] = ()
    routes: dict = {}

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        route = self.routes.get(self.path.split("?")[0])
        if route is not None:
            route(self)
            return
        if self.rewrite and not self.path.endswith(("robots.txt",)):
            self._rewritten()
            return
        super().do_GET()

    def _rewritten(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.endswith("/"):
                self.send_response(301)
                self.send_header("Location", self.path + "/")
                self.end_headers()
                return
            path = path / "index.html"
        if not path.is_file():
            self.send_error(404)
            return
        body = path.read_bytes()
        local = f"http://{self.headers.get('Host')}/".encode()
        for base in self.rewrite:
            body = body.replace(base.encode(), local)
        ctype = "text/html" if path.suffix in (".html", ".php", ".htm") else self.guess_type(str(path))
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Site:
    """A started loopback server: its URL, its port, stop()."""

    def __init__(self, directory: Path | None, rewrite: tuple[str, ...] = (), routes: dict | None = None) -> None:
        handler = type("Handler", (SiteHandler,), {"rewrite": rewrite, "routes": routes or {}})
        factory = functools.partial(handler, directory=str(directory or Path.cwd()))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), factory)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Shut the server down."""
        self.server.shutdown()
        self.server.server_close()


def rewrites_for(base: str | None) -> tuple[str, ...]:
    """Spellings of a station's original base URL that its pages link with (scheme and www variants)."""
    if not base:
        return ()
    host = base.split("://", 1)[1].strip("/")
    bare = host[4:] if host.startswith("www.") else host
    return tuple(f"{scheme}://{h}/" for scheme in ("http", "https") for h in (host, bare, "www." + bare))


def held(release: threading.Event, body: bytes, ctype: str = "text/html"):
    """A route that answers only once ``release`` is set (its fixture sets it at teardown): a page slower than any
    time limit a test sets, however loaded the machine is, where a fixed delay races the limit."""
    return lambda handler: (release.wait(120), send(handler, 200, body, ctype))


def send(handler, status: int, body: bytes = b"", ctype: str = "text/html", headers: dict | None = None,
         delay: float = 0.0) -> None:
    """Answer a request from a route."""
    if delay:
        time.sleep(delay)
    handler.send_response(status)
    handler.send_header("Content-Type", ctype)
    handler.send_header("Content-Length", str(len(body)))
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.end_headers()
    handler.wfile.write(body)
