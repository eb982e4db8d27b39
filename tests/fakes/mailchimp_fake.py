"""A stateful loopback fake of the Mailchimp Marketing API: the parts tap uses, in the spec's shapes.

Prism (the contract stand-in) is stateless; this fake keeps members, segments, campaigns and report data,
behaves like Mailchimp where it matters (unsubscribed and cleaned members are never re-subscribed, a sent
campaign cannot be sent again, batch errors are listed per member), counts calls and concurrent connections,
and can inject faults. Paths are served at the root, as Prism does (no /3.0).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import threading
import time
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.fakes.http import Routed, write_json

COMPLIANCE = "{email} is already a list member in compliance state due to unsubscribe, bounce, or compliance review " \
             "and cannot be subscribed."


def md5(email: str) -> str:
    return hashlib.md5(email.strip().lower().encode()).hexdigest()


def problem(status: int, title: str, detail: str) -> tuple[int, dict]:
    return status, {"type": "https://mailchimp.com/developer/marketing/docs/errors/", "title": title,
                    "status": status, "detail": detail, "instance": "00000000-0000-0000-0000-000000000000"}


class MailchimpState:
    """Everything the fake remembers."""

    def __init__(self) -> None:
        self.lists: dict[str, dict] = {}
        self.members: dict[str, dict[str, dict]] = {}
        self.segments: dict[str, dict[int, dict]] = {}
        self.campaigns: dict[str, dict] = {}
        self.activity: dict[str, list[dict]] = {}
        self.unsubscribes: dict[str, list[dict]] = {}
        self.send_calls: dict[str, int] = {}
        self.blocked: set[str] = set()  # addresses in compliance state (e.g. permanently deleted and unsubscribed)
        self.ids = itertools.count(1)
        self.lock = threading.RLock()

    def add_list(self, list_id: str = "list1", name: str = "Radio contacts") -> dict:
        self.lists[list_id] = {"id": list_id, "web_id": 1, "name": name, "date_created": "2026-01-01T00:00:00+00:00",
                               "campaign_defaults": {"from_name": "Total Audio", "from_email": "promo@example.com",
                                                     "subject": "", "language": "en"}}
        self.members[list_id] = {}
        self.segments[list_id] = {}
        return self.lists[list_id]

    def add_member(self, list_id: str, email: str, status: str = "subscribed", **extra: Any) -> dict:
        member = {"id": md5(email), "email_address": email, "unique_email_id": md5(email)[:10], "status": status,
                  "merge_fields": {}, "tags": [], "tags_count": 0, "list_id": list_id,
                  "last_changed": extra.pop("last_changed", "2026-01-01T00:00:00+00:00"), **extra}
        self.members[list_id][md5(email)] = member
        return member


class Fault:
    """A canned failure for requests whose method and path match."""

    def __init__(self, method: str, path: str, status: int, times: int, headers: dict | None, body: Any,
                 after_effect: bool, when: Any = None) -> None:
        self.method, self.path, self.status, self.times = method, re.compile(path), status, times
        self.when = when
        self.headers, self.body, self.after_effect = headers or {}, body, after_effect


class MailchimpFake:
    """Start with ``with MailchimpFake() as fake:``; point the client at ``fake.url``."""

    def __init__(self) -> None:
        self.state = MailchimpState()
        self.requests: list[tuple[str, str, Any]] = []
        self.faults: list[Fault] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.delay = 0.0
        self._count_lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> "MailchimpFake":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def calls(self) -> int:
        return len(self.requests)

    def fail(self, method: str, path: str, status: int = 500, times: int = 1, headers: dict | None = None,
             body: Any = None, after_effect: bool = False, when: Any = None) -> None:
        """Answer the next ``times`` matching requests with ``status`` (after doing the work, if after_effect);
        ``when(request_body)`` narrows the match."""
        self.faults.append(Fault(method, path, status, times, headers, body, after_effect, when))

    def _fault(self, method: str, path: str, body: Any) -> Fault | None:
        for fault in self.faults:
            if fault.times > 0 and fault.method == method and fault.path.search(path) and (
                    fault.when is None or fault.when(body)):
                fault.times -= 1
                return fault
        return None

    def _handler(self):
        fake = self

        class Handler(Routed):
            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                fake._enter(method, url.path, body)
                try:
                    status, payload, headers = fake.dispatch(method, url.path, query, body)
                finally:
                    fake._leave()
                write_json(self, status, payload, headers)





        return Handler

    def _enter(self, method: str, path: str, body: Any) -> None:
        with self._count_lock:
            self.requests.append((method, path, body))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        if self.delay:
            time.sleep(self.delay)

    def _leave(self) -> None:
        with self._count_lock:
            self.in_flight -= 1

    def dispatch(self, method: str, path: str, query: dict, body: Any) -> tuple[int, Any, dict]:
        fault = self._fault(method, path, body)
        if fault and not fault.after_effect:
            return fault.status, fault.body, fault.headers
        with self.state.lock:
            status, payload = self.route(method, path, query, body)
        if fault:
            return fault.status, fault.body, fault.headers
        return status, payload, {}

    def route(self, method: str, path: str, query: dict, body: Any) -> tuple[int, Any]:
        from tests.fakes import mailchimp_routes as routes

        for pattern_method, pattern, fn in routes.ROUTES:
            match = re.fullmatch(pattern, path)
            if match and pattern_method == method:
                return fn(self.state, query, body, *match.groups())
        return problem(404, "Resource Not Found", f"The requested resource {path} could not be found.")
