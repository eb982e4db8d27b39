"""Airtable through pyairtable: paced at 5 requests/s per base, 30 s cool-down after a 429."""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Callable, Iterator, Sequence

from totalaudio import integrations
from totalaudio.clients import _requests
from totalaudio.clients._base import Caller, Failure, RateLimiter, limiter_for
from totalaudio.config import Settings
from totalaudio.errors import ConfigError, IntegrationError

INTEGRATION = integrations.get("airtable")
TIMEOUT = (5, 30)  # (connect, read) seconds
BATCH = 10  # Airtable writes at most 10 records per request
PAGE_SIZE = 100  # and lists at most 100 per page
MAX_LIST_RESTARTS = 3
ITERATOR_GONE = "LIST_RECORDS_ITERATOR_NOT_AVAILABLE"
READ_OPERATIONS = ("list", "schema", "whoami")  # a 404 here means a wrong base or table name, not a gone record
FIELD_IN_MESSAGE = re.compile(r'[Ff]ield\s+"?(?P<name>[^"]+?)"?\s+(?:cannot|can not|does not|is)')


def classify(exc: BaseException) -> Failure | None:
    """pyairtable raises requests' exceptions; its error bodies are ``{"error": {type, message}}``."""
    return _requests.classify(exc)


def escape_formula_string(value: Any) -> str:
    """``value`` as a single-quoted Airtable formula string literal, its backslashes and single quotes escaped."""
    # The same convention as pyairtable.formulas.quoted: inside '...' only \\ and \' need escaping; a double
    # quote, a brace or a newline is plain text there, so it cannot end the literal or alter the formula.
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def field_ref(name: str) -> str:
    """A field reference ``{Name}`` for a formula; a closing brace in the name is escaped."""
    return "{" + name.replace("}", "\\}") + "}"  # as pyairtable.formulas.field_name does


def chunks(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    """Consecutive slices of at most ``size`` items."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def rejection_of(exc: IntegrationError) -> dict[str, Any]:
    """``{type, field, reason}`` read from a 422 Airtable gave for a bad value."""
    text = exc.error.removeprefix("HTTP 422: ")
    kind, _, message = text.partition(": ")
    match = FIELD_IN_MESSAGE.search(message or text)
    return {"type": kind if message else None, "field": match.group("name") if match else None,
            "reason": message or text}


class AirtableClient:
    """One base of one Airtable account."""

    def __init__(self, api_key: str, base_id: str, endpoint_url: str | None = None, caller: Caller | None = None):
        from pyairtable import Api

        # pyairtable's own retry (5 quick tries on 429) is off: Caller paces and waits as Airtable asks.
        self.api = Api(api_key, timeout=TIMEOUT, retry_strategy=None,
                       endpoint_url=endpoint_url or INTEGRATION.default_base_url)
        self.base_id = base_id
        self.caller = caller or Caller(INTEGRATION, classify, scope=base_id)

    @property
    def calls(self) -> int:
        """HTTP requests made so far (retries included)."""
        return self.caller.calls

    def _call(self, operation: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return self.caller.call(operation, fn, *args, **kwargs)
        except IntegrationError as exc:
            raise _config_error(exc, self.base_id) or exc

    def whoami(self) -> dict[str, Any]:
        """The token's user id and scopes (GET /v0/meta/whoami)."""
        return self._call("whoami", self.api.whoami)

    def schema(self) -> dict[str, Any]:
        """The base's tables with their fields (GET /v0/meta/bases/{baseId}/tables), as plain JSON."""
        base = self.api.base(self.base_id)
        return self._call("schema", self.api.get, base.urls.tables)

    def list_page(self, table: str, *, formula: str | None = None, offset: str | None = None,
                  fields: Sequence[str] | None = None, page_size: int = PAGE_SIZE) -> dict[str, Any]:
        """One page of List records: ``{"records": [...], "offset": ...}`` (one request)."""
        tbl = self.api.table(self.base_id, table)
        options: dict[str, Any] = {"page_size": page_size}
        if formula:
            options["formula"] = formula
        if offset:
            options["offset"] = offset
        if fields is not None:
            options["fields"] = list(fields)
        return self._call(f"list {table}", self.api.request, "get", tbl.urls.records,
                          fallback=("post", tbl.urls.records_post), options=options)

    def iter_pages(self, table: str, **options: Any) -> Iterator[list[dict[str, Any]]]:
        """Every page of a listing; an expired page cursor restarts it, skipping records already given."""
        seen: set[str] = set()
        for _attempt in range(MAX_LIST_RESTARTS + 1):
            try:
                yield from self._pages_once(table, seen, options)
                return
            except IntegrationError as exc:
                if exc.status != 422 or ITERATOR_GONE not in exc.error:
                    raise
        raise IntegrationError("airtable", f"list {table}", f"{ITERATOR_GONE} after {MAX_LIST_RESTARTS} restarts",
                               retryable=True, status=422)

    def _pages_once(self, table: str, seen: set[str], options: dict[str, Any]) -> Iterator[list[dict]]:
        offset = None
        while True:
            page = self.list_page(table, offset=offset, **options)
            fresh = [r for r in page.get("records", []) if r["id"] not in seen]
            seen.update(r["id"] for r in fresh)
            yield fresh
            offset = page.get("offset")
            if not offset:
                return

    def list_all(self, table: str, **options: Any) -> list[dict[str, Any]]:
        """Every record of a listing (all pages)."""
        return [record for page in self.iter_pages(table, **options) for record in page]

    def update_batch(self, table: str, records: Sequence[dict[str, Any]], typecast: bool = True) -> list[dict]:
        """Update at most 10 records ``{id, fields}`` (PATCH, one request); returns the records."""
        _check_batch(records)
        tbl = self.api.table(self.base_id, table)
        return self._call(f"update {table}", tbl.batch_update, list(records), typecast=typecast)

    def upsert_batch(self, table: str, records: Sequence[dict[str, Any]], merge_on: Sequence[str],
                     typecast: bool = True) -> dict[str, Any]:
        """Upsert at most 10 records ``{fields}`` merged on ``merge_on`` (one request)."""
        _check_batch(records)
        tbl = self.api.table(self.base_id, table)
        return self._call(f"upsert {table}", tbl.batch_upsert, list(records), list(merge_on), typecast=typecast)

    def create_batch(self, table: str, records: Sequence[dict[str, Any]], typecast: bool = True) -> list[dict]:
        """Create at most 10 records from their fields (one request)."""
        _check_batch(records)
        tbl = self.api.table(self.base_id, table)
        return self._call(f"create {table}", tbl.batch_create, [r["fields"] for r in records], typecast=typecast)

    def delete_batch(self, table: str, record_ids: Sequence[str]) -> list[dict]:
        """Delete at most 10 records by id (one request)."""
        _check_batch(record_ids)
        tbl = self.api.table(self.base_id, table)
        return self._call(f"delete {table}", tbl.batch_delete, list(record_ids))


def _check_batch(records: Sequence[Any]) -> None:
    if len(records) > BATCH:
        raise ValueError(f"at most {BATCH} records per request, got {len(records)}")


def _config_error(exc: IntegrationError, base_id: str) -> ConfigError | None:
    # A refused token (401/403) is already a ConfigError from Caller; here only what is Airtable's own.
    if exc.status == 404 and (exc.operation.startswith(READ_OPERATIONS) or "TABLE_NOT_FOUND" in exc.error):
        return ConfigError(f"Airtable: {exc.operation}: not found ({exc.error})",
                           hint=f"check AIRTABLE_BASE_ID ({base_id}) and the table names under [airtable] in tap.toml")
    return None


def make_caller(cooldown: float | None = None, limiter: RateLimiter | None = None,
                sleep: Callable[[float], None] | None = None, scope: str = "") -> Caller:
    """A Caller for Airtable with another 429 cool-down, limiter or sleep (tests, tap.toml)."""
    integ = INTEGRATION if cooldown is None else dataclasses.replace(INTEGRATION, cooldown_after_429=cooldown)
    extra: dict[str, Any] = {"sleep": sleep} if sleep else {}
    return Caller(integ, classify, scope=scope, limiter=limiter or limiter_for(INTEGRATION, scope), **extra)


def build(settings: Settings) -> AirtableClient:
    """A client from AIRTABLE_API_KEY, AIRTABLE_BASE_ID and TAP_AIRTABLE_BASE_URL ([airtable] cooldown_after_429)."""
    env = settings.require("airtable")
    cooldown = settings.section("airtable").get("cooldown_after_429")
    caller = make_caller(float(cooldown), scope=env["AIRTABLE_BASE_ID"]) if cooldown is not None else None
    return AirtableClient(env["AIRTABLE_API_KEY"], env["AIRTABLE_BASE_ID"], settings.base_url("airtable"), caller)


def health(settings: Settings) -> str:
    """Whoami: cheap, authenticated, changes nothing."""
    info = build(settings).whoami()
    return f"token of {info.get('id', '?')}"
