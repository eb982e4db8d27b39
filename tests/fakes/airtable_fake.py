"""A stateful loopback fake of the Airtable Web API: records, pagination, formulas, batches, limits and faults.

No published API description of Airtable exists, so this fake follows the documented behaviour and answers
in the shapes recorded in ../shared/specs/airtable (checked by tests/clients/test_airtable_fake_shapes.py):
list pages ``{"records": [{id, createdTime, fields}], "offset"}`` with page cursors that expire
(422 LIST_RECORDS_ITERATOR_NOT_AVAILABLE), filterByFormula (tests/fakes/airtable_formula.py), batch writes of
at most 10 records (422 beyond), upserts on fieldsToMergeOn, deletes, the metadata endpoints, 401 for a bad
token, 404 for an unknown base or table, and 429 above 5 requests/s per base, then 30 s of 429s.
The clock is injectable so tests and benchmarks never wait.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, unquote, urlparse

from tests.fakes.airtable_formula import FormulaError, compile_formula
from tests.fakes.airtable_values import FakeTable, ValueRejected, iso
from tests.fakes.http import write_json

MAX_BATCH = 10
MAX_PAGE = 100


class Reply(Exception):
    """An HTTP answer raised from deep inside a handler."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(status)
        self.status, self.body = status, body


def error(status: int, kind: str, message: str) -> Reply:
    """Airtable's error shape: ``{"error": {"type", "message"}}``."""
    return Reply(status, {"error": {"type": kind, "message": message}})


class AirtableFake:
    """The state of one fake Airtable account with one base, and the loopback server that serves it."""

    def __init__(self, token: str = "patFAKE.token", base_id: str = "appFAKEbase000001", *,
                 clock: Callable[[], float] = time.time, rate_limit: float | None = 5.0,
                 penalty_seconds: float = 30.0, offset_ttl: float = 300.0) -> None:
        self.token, self.base_id, self.clock = token, base_id, clock
        self.rate_limit, self.penalty_seconds, self.offset_ttl = rate_limit, penalty_seconds, offset_ttl
        self.tables: dict[str, FakeTable] = {}
        self.offsets: dict[str, dict[str, Any]] = {}
        self.log: list[dict[str, Any]] = []
        self.blocked_until = 0.0
        self.lock = threading.RLock()
        self.after_write: Callable[[dict], None] | None = None  # fault hook: runs after a write was applied
        self.server: ThreadingHTTPServer | None = None

    # --- test helpers -------------------------------------------------------------------------------------
    def add_table(self, name: str, fields: list[tuple[str, str]] | list[tuple[str, str, dict]]) -> FakeTable:
        """A table with (name, type[, options]) fields; select choices grow with typecast."""
        table = FakeTable(name, fields, self)
        self.tables[table.id] = table
        return table

    def table(self, ref: str) -> FakeTable:
        """A table by name or id; 404 TABLE_NOT_FOUND otherwise."""
        ref = unquote(ref)
        for table in self.tables.values():
            if ref in (table.id, table.name):
                return table
        raise error(404, "TABLE_NOT_FOUND", f"Could not find table {ref} in application {self.base_id}")

    def expire_offsets(self) -> None:
        """Every page cursor handed out so far stops working (as after Airtable's timeout)."""
        with self.lock:
            self.offsets.clear()

    def requests_in_busiest_second(self, base_only: bool = True) -> int:
        """The most requests the fake received in any one-second window."""
        times = sorted(e["t"] for e in self.log if e["base"] or not base_only)
        best, start = 0, 0
        for end, moment in enumerate(times):
            while moment - times[start] >= 1.0:
                start += 1
            best = max(best, end - start + 1)
        return best

    def count(self, method: str | None = None, status: int | None = None) -> int:
        """How many requests matched."""
        return sum(1 for e in self.log if (method is None or e["method"] == method)
                   and (status is None or e["status"] == status))

    # --- server -------------------------------------------------------------------------------------------
    def start(self) -> "AirtableFake":
        """Serve on a free loopback port in a daemon thread."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                fake.serve(self)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        """The endpoint URL (what TAP_AIRTABLE_BASE_URL points at)."""
        assert self.server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        """Stop serving."""
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    def serve(self, handler: BaseHTTPRequestHandler) -> None:
        """Answer one request."""
        url = urlparse(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        entry = {"t": self.clock(), "method": handler.command, "path": url.path, "base": False, "status": 0}
        try:
            body = json.loads(raw) if raw else {}
            entry["body"], entry["query"] = body, parse_qs(url.query)
            status, payload = 200, self.route(handler, url, body, entry)
        except Reply as reply:
            status, payload = reply.status, reply.body
        except ValueError:
            status, payload = 422, {"error": {"type": "INVALID_REQUEST_BODY", "message": "Could not parse body"}}
        entry["status"] = status
        with self.lock:
            self.log.append(entry)
        if status == 200 and handler.command in ("POST", "PATCH", "PUT", "DELETE") and self.after_write:
            self.after_write(entry)  # the write is applied; the client has not heard back yet
        write_json(handler, status, payload, {})

    def _auth(self, handler: BaseHTTPRequestHandler) -> None:
        if handler.headers.get("Authorization") != f"Bearer {self.token}":
            raise error(401, "AUTHENTICATION_REQUIRED", "Authentication required")

    def _pace(self, entry: dict[str, Any]) -> None:
        """Airtable: 5 requests per second per base; past that, 429 for the next 30 seconds."""
        entry["base"] = True
        if not self.rate_limit:
            return
        with self.lock:
            now = self.clock()
            recent = [e for e in self.log if e["base"] and now - e["t"] < 1.0]
            if now < self.blocked_until or len(recent) >= self.rate_limit:
                self.blocked_until = max(self.blocked_until, now + self.penalty_seconds)
                raise Reply(429, {"errors": [{"error": "RATE_LIMIT_REACHED",
                                              "message": "Rate limit exceeded. Please try again later"}]})

    def route(self, handler: BaseHTTPRequestHandler, url: Any, body: dict, entry: dict) -> Any:
        """Dispatch by method and path."""
        self._auth(handler)
        parts = [p for p in url.path.split("/") if p]
        if parts[:3] == ["v0", "meta", "whoami"]:
            return {"id": "usrFAKEuser00001", "scopes": ["data.records:read", "data.records:write",
                                                         "schema.bases:read"]}
        if parts[:3] == ["v0", "meta", "bases"] and len(parts) == 5 and parts[4] == "tables":
            self._base(parts[3])
            self._pace(entry)
            return {"tables": [t.schema() for t in self.tables.values()]}
        if len(parts) < 3 or parts[0] != "v0":
            raise error(404, "NOT_FOUND", "Could not find what you are looking for")
        self._base(parts[1])
        self._pace(entry)
        return self.records_route(handler.command, parts[2:], parse_qs(url.query), body)

    def _base(self, base_id: str) -> None:
        if base_id != self.base_id:
            raise error(404, "NOT_FOUND", "Could not find what you are looking for")

    def records_route(self, method: str, rest: list[str], query: dict[str, list[str]], body: dict) -> Any:
        """The record endpoints of one table."""
        table = self.table(rest[0])
        with self.lock:
            if method == "GET" and len(rest) == 1:
                return self.list_records(table, _list_options(query))
            if method == "POST" and rest[1:] == ["listRecords"]:
                return self.list_records(table, body)
            if method == "GET" and len(rest) == 2:
                return table.public(table.get(rest[1]))
            if method == "POST" and len(rest) == 1:
                return self.write(table, body, create=True)
            if method in ("PATCH", "PUT") and len(rest) == 1:
                return self.write(table, body, create=False, replace=method == "PUT")
            if method == "DELETE" and len(rest) == 1:
                return self.delete(table, query.get("records[]", []))
        raise error(404, "NOT_FOUND", "Could not find what you are looking for")

    # --- records ------------------------------------------------------------------------------------------
    def list_records(self, table: FakeTable, options: dict[str, Any]) -> dict[str, Any]:
        """One page of a listing, filtered, with an offset for the next page."""
        size = int(options.get("pageSize") or MAX_PAGE)
        if not 1 <= size <= MAX_PAGE:
            raise error(422, "INVALID_PAGE_SIZE", f"pageSize must be between 1 and {MAX_PAGE}")
        offset = options.get("offset")
        if offset:
            cursor = self.offsets.get(offset)
            if cursor is None or self.clock() - cursor["at"] > self.offset_ttl:
                raise error(422, "LIST_RECORDS_ITERATOR_NOT_AVAILABLE", "The iterator is no longer available")
            ids, start = cursor["ids"], cursor["next"]
        else:
            ids, start = self._matching(table, options.get("filterByFormula")), 0
        page = [table.records[i] for i in ids[start:start + size] if i in table.records]
        out: dict[str, Any] = {"records": [table.public(r, options.get("fields")) for r in page]}
        if start + size < len(ids):
            token = f"itr{secrets.token_hex(7)}/{ids[start + size - 1]}"
            self.offsets[token] = {"ids": ids, "next": start + size, "at": self.clock()}
            out["offset"] = token
        return out

    def _matching(self, table: FakeTable, formula: str | None) -> list[str]:
        if not formula:
            return list(table.records)
        try:
            predicate = compile_formula(formula)
            return [rid for rid, r in table.records.items() if predicate(table.context(r))]
        except (FormulaError, TypeError, ZeroDivisionError) as exc:
            raise error(422, "INVALID_FILTER_BY_FORMULA", f"The formula for filtering records is invalid: {exc}")

    def write(self, table: FakeTable, body: dict, create: bool, replace: bool = False) -> dict[str, Any]:
        """Create, update or upsert up to 10 records, all or none."""
        records = body.get("records")
        if records is None and create and "fields" in body:
            return self.write(table, {**body, "records": [{"fields": body["fields"]}]}, True)["records"][0]
        if not isinstance(records, list) or not records:
            raise error(422, "INVALID_REQUEST_MISSING_FIELDS", "Could not find field \"records\" in the request body")
        if len(records) > MAX_BATCH:
            raise error(422, "INVALID_RECORDS", f"You can write at most {MAX_BATCH} records per request")
        try:
            return table.apply(records, typecast=bool(body.get("typecast")), create=create, replace=replace,
                               merge_on=(body.get("performUpsert") or {}).get("fieldsToMergeOn"))
        except ValueRejected as exc:
            raise error(422, exc.kind, exc.message)

    def delete(self, table: FakeTable, ids: list[str]) -> dict[str, Any]:
        """Delete up to 10 records by id."""
        if len(ids) > MAX_BATCH:
            raise error(422, "INVALID_RECORDS", f"You can delete at most {MAX_BATCH} records per request")
        missing = [i for i in ids if i not in table.records]
        if missing:
            raise error(404, "NOT_FOUND", f"Record {missing[0]} not found")
        for rid in ids:
            table.records.pop(rid)
        return {"records": [{"id": rid, "deleted": True} for rid in ids]}


def _list_options(query: dict[str, list[str]]) -> dict[str, Any]:
    options: dict[str, Any] = {k: v[0] for k, v in query.items() if not k.endswith("[]")}
    if "fields[]" in query:
        options["fields"] = query["fields[]"]
    return options


CONTACT_FIELDS = [
    ("Email", "email"), ("First Name", "singleLineText"), ("Last Name", "singleLineText"),
    ("Station", "singleLineText"), ("Show", "singleLineText"), ("Contact Type", "singleSelect"),
    ("Region / Country", "singleLineText"), ("Genres", "multipleSelects"), ("Status", "singleSelect"),
    ("Website", "url"), ("Notes", "multilineText"), ("Tags", "multipleSelects"), ("Last Email Date", "date"),
    ("Last Engagement", "date"), ("Reply Status", "singleLineText"), ("Enrichment Quality", "singleLineText"),
    ("Enrichment Notes", "multilineText"), ("Last Enriched", "date"), ("Contact Intelligence", "multilineText"),
]


def tap_base(fake: AirtableFake) -> tuple[FakeTable, FakeTable]:
    """The Contacts and Campaigns tables of a plugger's base, as tap's default mapping expects them."""
    contacts = fake.add_table("Contacts", CONTACT_FIELDS)
    campaigns = fake.add_table("Campaigns", [
        ("Name", "singleLineText"), ("Artist", "singleLineText"), ("Release", "singleLineText"),
        ("Status", "singleSelect"), ("Start Date", "date"),
        ("Contacts", "multipleRecordLinks", {"linkedTableId": contacts.id}),
        ("Sent", "number"), ("Opens", "number"), ("Clicks", "number"), ("Replies", "number"),
        ("Notes", "multilineText")])
    return contacts, campaigns


__all__ = ["AirtableFake", "FakeTable", "iso", "tap_base"]
