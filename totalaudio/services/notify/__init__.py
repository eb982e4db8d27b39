"""Notifications to Make.com scenarios: the chosen types, signed, retried, a 410 remembered, failures dead-lettered.

``send(settings, event, data)`` is what other services call. A message keeps its ``webhook-id`` for life: the
dead letter of a failed one holds the whole message, so ``tap queue retry`` sends the same id and body.
"""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from typing import Any, Iterator

from totalaudio.config import Settings
from totalaudio.errors import IntegrationError, TapError
from totalaudio.services.notify import messages
from totalaudio.services.notify.messages import TYPES, check_type, chosen_types, new_message
from totalaudio.services.queue import handler, record
from totalaudio.store.syncstate import SyncState

__all__ = ["TYPES", "check_type", "chosen_types", "deliver", "gone_since", "refuse_if_gone", "send", "send_many",
           "send_test"]

GONE_KEY = "make.gone"
GONE_HINT = ("the Make.com scenario's webhook no longer exists (410 Gone): nothing more is sent to it; put the "
             "scenario's new webhook URL in MAKE_WEBHOOK_URL, then `tap queue retry --all` sends what was held back")


@contextmanager
def _store(settings: Settings, db: Any) -> Iterator[Any]:
    """The given store, or the one under TAP_HOME opened for this call."""
    if db is not None:
        yield db
        return
    from totalaudio.store.db import open_db

    opened = open_db(settings.db_path)
    try:
        yield opened
    finally:
        opened.conn.close()


def _fingerprint(settings: Settings) -> str:
    """Which webhook URL a 410 was about, without keeping the URL (a secret) in the store."""
    return hashlib.sha256((settings.get("MAKE_WEBHOOK_URL") or "").encode()).hexdigest()[:16]


def gone_since(settings: Settings, db: Any) -> str | None:
    """When the configured webhook answered 410 Gone, or None (a new URL starts afresh)."""
    record = SyncState(db).get(GONE_KEY)
    return record["at"] if record and record.get("url") == _fingerprint(settings) else None


def deliver(settings: Settings, message: dict[str, Any], *, db: Any = None, client: Any = None) -> str:
    """Post one message with its own webhook-id; a 410 is remembered; IntegrationError when it still fails."""
    from totalaudio.clients import make

    raw, key = messages.body(message), messages.signing_key(settings)
    with _store(settings, db) as store:
        try:  # headers per attempt: webhook-timestamp is the time of each try, the id and body stay the same
            (client or make.build(settings)).post(raw, lambda: messages.headers(message, raw, key), payload=message)
        except IntegrationError as exc:
            if exc.status == 410:
                SyncState(store).set(GONE_KEY, {"url": _fingerprint(settings), "at": exc.timestamp})
                exc.hint = GONE_HINT
            raise
        if gone_since(settings, store):
            SyncState(store).set(GONE_KEY, None)
    return "sent"


def send(settings: Settings, event: str, data: dict[str, Any], *, db: Any = None, client: Any = None) -> str:
    """Notify the Make.com scenario of one event: 'sent', 'off' (Make not configured) or 'not chosen'
    ([make] events); IntegrationError (with the message as its dead-letter payload) when it could not go."""
    check_type(event)
    if settings.missing("make"):
        return "off"
    if event not in chosen_types(settings):
        return "not chosen"
    message = new_message(event, data)
    with _store(settings, db) as store:
        refuse_if_gone(settings, store, message)
        return deliver(settings, message, db=store, client=client)


def refuse_if_gone(settings: Settings, db: Any, message: dict[str, Any]) -> None:
    """IntegrationError (410, the message as its dead-letter payload) when the webhook answered 410 Gone."""
    since = gone_since(settings, db)
    if since:
        raise IntegrationError("make", "trigger", f"not sent: the scenario's webhook answered 410 Gone at {since}",
                               status=410, payload=message, hint=GONE_HINT)


def send_many(settings: Settings, notes: list[dict[str, Any]], *, db: Any = None) -> list[dict[str, Any]]:
    """Send each ``{type, data}``; one that fails becomes a dead letter (its outcome says which); none raises."""
    with _store(settings, db) as store:
        return [_send_one(settings, note, store) for note in notes]


def _send_one(settings: Settings, note: dict[str, Any], store: Any) -> dict[str, Any]:
    kind = str(note.get("type"))
    try:
        return {"type": kind, "outcome": send(settings, kind, note.get("data") or {}, db=store)}
    except IntegrationError as exc:
        return {"type": kind, "outcome": "dead letter", "deadLetter": record(store, exc), "error": exc.message}
    except TapError as exc:
        return {"type": kind, "outcome": "not sent", "error": exc.message}


def send_test(settings: Settings, event: str, *, db: Any = None, client: Any = None) -> dict[str, Any]:
    """Send one test notification of a type even when it is not chosen or the webhook was gone; says both."""
    check_type(event)
    settings.require("make")
    message = new_message(event, {"test": True, "note": "a test notification from tap notify test"})
    with _store(settings, db) as store:
        since = gone_since(settings, store)
        report = {"type": event, "webhookId": message["webhookId"], "chosen": event in chosen_types(settings),
                  "signed": messages.signing_key(settings) is not None, "goneSince": since}
        deliver(settings, message, db=store, client=client)
    return {**report, "sent": True}


@handler("make.trigger")
def replay_trigger(settings: Settings, payload: dict[str, Any]) -> str:
    """Send a dead-lettered notification again, with the same webhook-id and body."""
    return deliver(settings, messages.from_payload(payload))
