"""Every delivery stored once (source + event id), handled in one transaction with its record, replayable."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable

from totalaudio.errors import InputError, TapError
from totalaudio.models import to_json
from totalaudio.store.webhooks import WebhookEvent, WebhookEventStore, savepoint

SOURCES = ("stripe", "mailchimp", "make")
MAX_DEPTH = 64  # no sender nests deeper; a deeper body would only exhaust the recursion of the JSON encoder
# (db, payload, via) -> result; a result may carry "notifications": [{"type", "data"}] for Make.com.
Handler = Callable[[Any, Any, str], dict[str, Any]]


@dataclass(frozen=True)
class Delivery:
    """One verified delivery: where it came from, its id there, its type and its parsed body."""

    source: str
    event_id: str
    type: str
    payload: Any
    text: str | None = None  # the payload as JSON text when the body already is that (stored as received)


@dataclass(frozen=True)
class Outcome:
    """What became of a delivery: its stored id, whether it was a repeat, the handler's result or error."""

    id: int
    source: str
    event_id: str
    type: str
    duplicate: bool
    status: str
    result: dict[str, Any] | None = None
    error: str | None = None

    @property
    def notifications(self) -> list[dict[str, Any]]:
        """The notifications the handler asked for."""
        return list((self.result or {}).get("notifications") or [])


def load_json(raw: bytes) -> Any:
    """A body parsed as strict JSON (plain dicts and lists, no NaN); InputError when it is not JSON or nested
    deeper than MAX_DEPTH."""
    try:
        value = json.loads(raw, parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise InputError("the body is not JSON (or is nested too deeply)") from None
    level, depth = [value], 1
    while level:  # breadth first over the containers only: this runs for every body the receiver takes
        if depth > MAX_DEPTH:
            raise InputError(f"the body is nested deeper than {MAX_DEPTH} levels")
        deeper: list[Any] = []
        for node in level:
            children = node.values() if type(node) is dict else node if type(node) is list else ()
            deeper += [c for c in children if type(c) is dict or type(c) is list]
        level, depth = deeper, depth + 1
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity: Python's parser takes them, JSON has no such value


def accept(db: Any, delivery: Delivery, handler: Handler, via: str = "webhook") -> Outcome:
    """Store a delivery once and run its handler, in one transaction (or a savepoint of the caller's); a repeat
    of a processed one is acknowledged and ignored. A project error rolls the handler's effects back, is recorded
    as the event's failure (a later repeat or replay runs it again) and is re-raised."""
    store = WebhookEventStore(db)
    try:
        with db.conn, savepoint(db, "tap_accept"):
            event, new = store.receive(delivery.source, delivery.event_id, delivery.type, delivery.payload,
                                       text=delivery.text)
            if not new and event.status == "processed":
                return Outcome(event.id, event.source, event.event_id, event.type, True, event.status, event.result)
            return _handle(store, event, handler, via)
    except TapError as exc:
        with db.conn:
            event, _new = store.receive(delivery.source, delivery.event_id, delivery.type, delivery.payload,
                                        text=delivery.text)
            store.finish(event.id, error=exc.message)
        raise


def _handle(store: WebhookEventStore, event: WebhookEvent, handler: Handler, via: str) -> Outcome:
    # a handler marked takes_raw is also given the body's JSON text, so it need not encode the payload again
    extra = {"raw": event.text} if event.text is not None and getattr(handler, "takes_raw", False) else {}
    result = to_json(handler(store.db, event.payload, via, **extra)) or {}
    store.finish(event.id, result=result)
    return Outcome(event.id, event.source, event.event_id, event.type, False, "processed", result)


def run(db: Any, event: WebhookEvent, handler: Handler, via: str) -> Outcome:
    """Run the handler of a stored event: its effects and the processed mark land together, or neither does."""
    store = WebhookEventStore(db)
    try:
        with db.conn:
            return _handle(store, event, handler, via)
    except TapError as exc:
        store.finish(event.id, error=exc.message)
        raise


def find(db: Any, ref: str) -> WebhookEvent:
    """The one stored event named by a local id or a source's event id; InputError when none or several."""
    found = WebhookEventStore(db).get(ref.strip())
    if not found:
        raise InputError(f"no stored webhook event {ref!r}", hint="see `tap webhooks events`")
    if len(found) > 1:
        ids = ", ".join(str(e.id) for e in found)
        raise InputError(f"{ref!r} names several stored events (ids {ids})", hint="replay one by its local id")
    return found[0]


def replay(db: Any, ref: str, handlers: dict[str, Handler]) -> Outcome:
    """Run a stored event's handler again (whatever its status)."""
    event = find(db, ref)
    return run(db, event, handlers[event.source], "replay")


def events(db: Any, source: str | None = None, limit: int | None = None) -> list[WebhookEvent]:
    """Stored deliveries, newest first; an unknown source is an InputError."""
    if source and source not in SOURCES:
        raise InputError(f"unknown source {source!r}", hint=f"use one of: {', '.join(SOURCES)}")
    return WebhookEventStore(db).list(source, limit)
