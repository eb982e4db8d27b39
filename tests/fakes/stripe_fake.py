"""A stateful loopback fake of the parts of Stripe localstripe lacks: prices with lookup keys (and
transfer_lookup_key), products with chosen ids, billing meters and meter events (deduplicated by identifier),
Checkout and portal sessions, invoices that finalize and send, the events list, and Idempotency-Key semantics
(same key + same parameters: the same answer again; same key + other parameters: 400 idempotency_error).

Objects carry the fields tap reads, in the shapes of ../shared/specs/stripe/fixtures3.json (a test checks them).
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
import threading
import time
from http.server import ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qsl, urlparse

from tests.fakes.http import Routed, write_json
from tests.fakes.stripe_routes import Routes, StripeFail


def decode_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's bracket notation (``items[0][price]=p``) into nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _lists(root)


def _lists(node: Any) -> Any:
    """Dicts whose keys are 0..n-1 become lists."""
    if not isinstance(node, dict):
        return node
    node = {k: _lists(v) for k, v in node.items()}
    if node and all(k.isdigit() for k in node):
        return [node[k] for k in sorted(node, key=int)]
    return node


class Fault:
    """A canned failure: ``after_effect`` does the work first and loses the answer (a crash mid-call)."""

    def __init__(self, method: str, path: str, status: int, times: int, after_effect: bool) -> None:
        self.method, self.path, self.status, self.times, self.after_effect = \
            method, re.compile(path), status, times, after_effect


class StripeState:
    """Everything the fake remembers."""

    def __init__(self) -> None:
        self.objects: dict[str, dict[str, dict]] = {}
        self.events: list[dict] = []
        self.meter_events: dict[str, dict] = {}
        self.idempotency: dict[str, tuple[str, str, str, int, Any]] = {}
        self.declines: dict[str, str] = {}  # customer id -> decline code for automatic charges
        self.cards: set[str] = set()  # customers with a card on file
        self.counter = itertools.count(1)
        self.wall: Callable[[], float] = time.time  # what the fake takes for the time now (see stripe_rig.on_day)
        self.clock = int(self.wall())
        self.lock = threading.RLock()

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self.counter):04d}{secrets.token_hex(4)}"

    def table(self, name: str) -> dict[str, dict]:
        return self.objects.setdefault(name, {})

    def now(self) -> int:
        """A clock that moves one second per change, so events have distinct, ordered times."""
        self.clock = max(self.clock + 1, int(self.wall()))
        return self.clock

    def emit(self, kind: str, obj: dict, created: int | None = None) -> dict:
        """Record an event about an object (also usable by tests)."""
        event = {"id": self.new_id("evt"), "object": "event", "api_version": "2026-10-28.endive",
                 "created": created or self.now(), "data": {"object": json.loads(json.dumps(obj))},
                 "livemode": False, "pending_webhooks": 0, "request": {"id": None, "idempotency_key": None},
                 "type": kind}
        self.events.append(event)
        return event


class StripeFake:
    """Start with ``with StripeFake() as fake:``; point the client at ``fake.url``."""

    def __init__(self) -> None:
        self.state = StripeState()
        self.routes = Routes(self.state)
        self.requests: list[dict[str, Any]] = []
        self.faults: list[Fault] = []
        self.holds: dict[str, threading.Event] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "StripeFake":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail(self, method: str, path: str, status: int = 500, times: int = 1, after_effect: bool = False) -> None:
        """Answer the next ``times`` matching requests with ``status``."""
        self.faults.append(Fault(method, path, status, times, after_effect))

    def hold(self, path: str) -> threading.Event:
        """Keep POSTs to ``path`` waiting (after they arrived, before they are done) until the event is set."""
        self.holds[path] = threading.Event()
        return self.holds[path]

    def creates(self, path: str) -> list[dict[str, Any]]:
        """The POST requests that reached a path."""
        return [r for r in self.requests if r["method"] == "POST" and r["path"] == path]

    def _handler(self):
        fake = self

        class Handler(Routed):
            def _serve(self, method: str) -> None:
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                params = decode_form(parse_qsl(url.query if method != "POST" else raw, keep_blank_values=True))
                status, body, headers = fake.dispatch(method, url.path, params, dict(self.headers))
                write_json(self, status, body, {"Request-Id": "req_" + secrets.token_hex(6), **headers})




        return Handler

    def _fault(self, method: str, path: str) -> Fault | None:
        for fault in self.faults:
            if fault.times > 0 and fault.method == method and fault.path.fullmatch(path):
                fault.times -= 1
                return fault
        return None

    def dispatch(self, method: str, path: str, params: dict, headers: dict) -> tuple[int, Any, dict]:
        """Authenticate, apply idempotency and faults, then route."""
        lower = {k.lower(): v for k, v in headers.items()}
        self.requests.append({"method": method, "path": path, "params": params,
                              "idempotencyKey": lower.get("idempotency-key"), "version": lower.get("stripe-version")})
        if method == "POST" and path in self.holds:
            self.holds[path].wait(30)
        if not lower.get("authorization", "").startswith("Bearer sk_test_"):
            return 401, _error("invalid_request_error", "Invalid API Key provided"), {}
        with self.state.lock:
            fault = self._fault(method, path)
            if fault and not fault.after_effect:
                return fault.status, _error("api_error", "injected fault"), {}
            status, body, extra = self._idempotent(method, path, params, lower.get("idempotency-key"))
            if fault:
                return fault.status, _error("api_error", "injected fault after the work was done"), {}
            return status, body, extra

    def _idempotent(self, method: str, path: str, params: dict, key: str | None) -> tuple[int, Any, dict]:
        if method != "POST" or not key:
            return (*self._route(method, path, params), {})
        canonical = json.dumps(params, sort_keys=True)
        seen = self.state.idempotency.get(key)
        if seen:
            if (seen[0], seen[1], seen[2]) != (method, path, canonical):
                return 400, _error("idempotency_error", "Keys for idempotent requests can only be used with the "
                                   "same parameters they were first used with. Try using a key other than "
                                   f"'{key}' if you meant to execute a different request."), {}
            return seen[3], seen[4], {"Idempotent-Replayed": "true"}
        status, body = self._route(method, path, params)
        if status < 500:
            self.state.idempotency[key] = (method, path, canonical, status, body)
        return status, body, {}

    def _route(self, method: str, path: str, params: dict) -> tuple[int, Any]:
        try:
            return 200, self.routes.handle(method, path, params)
        except StripeFail as exc:
            return exc.status, exc.body


def _error(kind: str, message: str, **extra: Any) -> dict:
    return {"error": {"type": kind, "message": message, **extra}}
