"""A stateful loopback fake of the Gmail API (and of Google's token/revoke endpoints) for the real client.

Every request is checked against the discovery document bundled in google-api-python-client: the route and
method must exist, every query parameter must be one the method (or the API globally) declares, and a JSON body
may only carry properties of the method's request schema. A request that fails is refused with 400 and kept in
``refused``; tests assert that list is empty. The mailbox keeps messages with labels, thread ids and a history
log; history older than ``history_floor`` answers 404 as Gmail does when a start id has expired.
"""

from __future__ import annotations

import base64
import email
import itertools
import json
import os
import re
import threading
import time
from email.policy import compat32
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.fakes.http import Routed, write_json


def discovery() -> dict[str, Any]:
    import googleapiclient

    path = os.path.join(os.path.dirname(googleapiclient.__file__), "discovery_cache", "documents", "gmail.v1.json")
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _methods(resource: dict[str, Any]):
    for spec in resource.get("methods", {}).values():
        yield spec
    for sub in resource.get("resources", {}).values():
        yield from _methods(sub)


class Routes:
    """The discovery document's routes as regular expressions, with their parameters and request schemas."""

    def __init__(self) -> None:
        doc = discovery()
        self.globals = set(doc["parameters"])
        self.schemas = doc["schemas"]
        self.routes = []
        for spec in _methods(doc):
            pattern = re.sub(r"\{[^}]+\}", r"[^/]+", spec["flatPath"])
            self.routes.append((spec["httpMethod"], re.compile("^/" + pattern + "$"), spec))

    def check(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[str | None, str]:
        """(the method id, '') when the request fits the document, else (None, the reason)."""
        for http_method, pattern, spec in self.routes:
            if http_method == method and pattern.match(path):
                unknown = sorted(set(query) - set(spec.get("parameters", {})) - self.globals)
                if unknown:
                    return None, f"{spec['id']}: unknown query parameters {unknown}"
                ref = (spec.get("request") or {}).get("$ref")
                if isinstance(body, dict) and ref:
                    extra = sorted(set(body) - set(self.schemas[ref]["properties"]))
                    if extra:
                        return None, f"{spec['id']}: body properties not in {ref}: {extra}"
                return spec["id"], ""
        return None, f"no route {method} {path} in the discovery document"


def header(raw: bytes, name: str) -> str:
    return str(email.message_from_bytes(raw, policy=compat32).get(name, ""))


class Mailbox:
    """What the fake Gmail account holds."""

    def __init__(self, address: str = "jo@totalaudio.example") -> None:
        self.address = address
        self.messages: dict[str, dict[str, Any]] = {}
        self.history: list[tuple[int, str]] = []
        self.history_id = 1000
        self.history_floor = 0
        self.ids = itertools.count(1)
        self.calls: list[str] = []
        self.refused: list[str] = []
        self.sends = 0
        self.codes: list[str] = []
        self.fail_next_send_after_accept = False
        self.lock = threading.RLock()

    def add(self, raw: bytes, labels: tuple[str, ...] = ("INBOX", "UNREAD"), thread_id: str | None = None,
            internal_ms: int | None = None) -> dict[str, Any]:
        with self.lock:
            msg_id = f"m{next(self.ids):06x}"
            self.history_id += 1
            record = {"id": msg_id, "threadId": thread_id or msg_id, "labelIds": list(labels), "raw": raw,
                      "historyId": str(self.history_id), "internalDate": str(internal_ms or int(time.time() * 1000))}
            self.messages[msg_id] = record
            self.history.append((self.history_id, msg_id))
            return record

    def expire_history(self) -> None:
        """Every history id issued so far becomes too old (Gmail answers 404 for them)."""
        self.history_floor = self.history_id + 1

    def search(self, query: str) -> list[dict[str, Any]]:
        found = list(self.messages.values())
        for term in query.split():
            neg, term = term.startswith("-"), term.lstrip("-")
            key, _, value = term.partition(":")
            test = {"in": lambda m: value.upper() in m["labelIds"],
                    "after": lambda m: int(m["internalDate"]) // 1000 > int(value),
                    "rfc822msgid": lambda m: header(m["raw"], "Message-ID").strip("<> ") == value.strip("<>")
                    }.get(key)
            if test:
                found = [m for m in found if bool(test(m)) != neg]
        return sorted(found, key=lambda m: -int(m["historyId"]))


class Handler(Routed):
    mailbox: Mailbox
    routes: Routes

    def _reply(self, status: int, data: Any) -> None:
        write_json(self, status, data, {})

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.headers.get("Content-Type", "").startswith("application/json") and raw:
            return json.loads(raw)
        return parse_qs(raw.decode()) if raw else None



    def _serve(self, method: str) -> None:
        url = urlparse(self.path)
        query = parse_qs(url.query)
        body = self._body()
        if url.path in ("/token", "/revoke"):
            return self._oauth(url.path, body or {})
        method_id, reason = self.routes.check(method, url.path, query, body)
        box = self.mailbox
        with box.lock:
            if method_id is None:
                box.refused.append(reason)
                return self._reply(400, {"error": {"code": 400, "message": reason}})
            box.calls.append(method_id)
            status, data = self._dispatch(method_id, url.path, {k: v[-1] for k, v in query.items()}, body)
        self._reply(status, data)

    def _oauth(self, path: str, form: dict) -> None:
        box = self.mailbox
        box.calls.append(path)
        if path == "/revoke":
            return self._reply(200, {})
        if (form.get("grant_type") or [""])[0] == "authorization_code":
            box.codes.append((form.get("code") or [""])[0])
            return self._reply(200, {"access_token": "first-access", "refresh_token": "first-refresh",
                                     "expires_in": 3599, "token_type": "Bearer",
                                     "scope": "https://www.googleapis.com/auth/gmail.readonly "
                                              "https://www.googleapis.com/auth/gmail.send"})
        if (form.get("refresh_token") or [""])[0] == "revoked":
            return self._reply(400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
        return self._reply(200, {"access_token": "fresh-access", "expires_in": 3599, "token_type": "Bearer",
                                 "scope": " ".join(["https://www.googleapis.com/auth/gmail.readonly"])})

    def _dispatch(self, method_id: str, path: str, q: dict[str, str], body: Any) -> tuple[int, Any]:
        box = self.mailbox
        if method_id == "gmail.users.getProfile":
            return 200, {"emailAddress": box.address, "messagesTotal": len(box.messages),
                         "threadsTotal": len(box.messages), "historyId": str(box.history_id)}
        if method_id == "gmail.users.history.list":
            return self._history(q)
        if method_id == "gmail.users.messages.list":
            return self._list(q)
        if method_id == "gmail.users.messages.get":
            msg = box.messages.get(path.rsplit("/", 1)[1])
            if msg is None:
                return 404, {"error": {"code": 404, "message": "Requested entity was not found."}}
            out = {k: v for k, v in msg.items() if k != "raw"}
            out["raw"] = base64.urlsafe_b64encode(msg["raw"]).decode()
            out["snippet"] = ""
            return 200, out
        if method_id == "gmail.users.messages.send":
            return self._send(body or {})
        return 400, {"error": {"code": 400, "message": f"{method_id} is not faked"}}

    def _history(self, q: dict[str, str]) -> tuple[int, Any]:
        box = self.mailbox
        start = int(q["startHistoryId"])
        if start < box.history_floor:
            return 404, {"error": {"code": 404, "message": "Requested entity was not found."}}
        added = [{"id": str(h), "messagesAdded": [{"message": {k: box.messages[m][k] for k in
                                                               ("id", "threadId", "labelIds")}}]}
                 for h, m in box.history if h > start]
        data: dict[str, Any] = {"historyId": str(box.history_id)}
        if added:
            data["history"] = added
        return 200, data

    def _list(self, q: dict[str, str]) -> tuple[int, Any]:
        found = self.mailbox.search(q.get("q", ""))
        size, offset = int(q.get("maxResults", 100)), int(q.get("pageToken") or 0)
        page = found[offset:offset + size]
        data: dict[str, Any] = {"resultSizeEstimate": len(found)}
        if page:
            data["messages"] = [{"id": m["id"], "threadId": m["threadId"]} for m in page]
        if offset + size < len(found):
            data["nextPageToken"] = str(offset + size)
        return 200, data

    def _send(self, body: dict[str, Any]) -> tuple[int, Any]:
        box = self.mailbox
        raw = base64.urlsafe_b64decode(body["raw"] + "=" * (-len(body["raw"]) % 4))
        box.sends += 1
        record = box.add(raw, labels=("SENT",), thread_id=body.get("threadId"))
        if box.fail_next_send_after_accept:
            box.fail_next_send_after_accept = False
            return 503, {"error": {"code": 503, "message": "The service is currently unavailable."}}
        return 200, {"id": record["id"], "threadId": record["threadId"], "labelIds": record["labelIds"]}


class GmailFake:
    """Start with ``GmailFake()``; ``url`` is the API root for TAP_GMAIL_BASE_URL; ``stop()`` at the end."""

    def __init__(self, address: str = "jo@totalaudio.example") -> None:
        self.mailbox = Mailbox(address)
        handler = type("BoundHandler", (Handler,), {"mailbox": self.mailbox, "routes": Routes()})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def token_uri(self) -> str:
        return self.url + "token"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
