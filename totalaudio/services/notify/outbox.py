"""Notifications held in the store's outbox: written in the transaction of the event that caused them (so a crash
after the answer loses none), then delivered oldest first with the usual retries, 410 rule and dead letters. A
message keeps its webhook-id through every attempt, a restart and `tap queue retry`."""

from __future__ import annotations

import threading
from functools import partial
from typing import Any, Callable

from totalaudio.config import Settings
from totalaudio.errors import IntegrationError, TapError
from totalaudio.services.notify import deliver, refuse_if_gone
from totalaudio.services.notify.messages import check_type, chosen_types, new_message
from totalaudio.store.deadletters import DeadLetterStore
from totalaudio.store.outbox import Outbox

Write = Callable[[Callable[[Any], Any]], Any]  # write(work) -> work(db)'s result, committed


def hold(settings: Settings, db: Any, notes: list[dict[str, Any]], origin: str | None = None) -> list[dict[str, Any]]:
    """Put each ``{type, data}`` in the outbox, joining the caller's transaction; per note its outcome:
    'queued' (with its webhookId), 'off' (Make.com not configured) or 'not chosen' ([make] events)."""
    if not notes:
        return []
    off = settings.missing("make")
    chosen = () if off else chosen_types(settings)
    store, out = Outbox(db), []
    for note in notes:
        kind = check_type(str(note.get("type")))
        if off or kind not in chosen:
            out.append({"type": kind, "outcome": "off" if off else "not chosen"})
            continue
        message = new_message(kind, note.get("data") or {})
        store.add(message, origin)
        out.append({"type": kind, "outcome": "queued", "webhookId": message["webhookId"]})
    return out


def make_client(settings: Settings) -> Any:
    """One Make.com client for a sender that drains the outbox many times (its connections are kept)."""
    from totalaudio.clients import make

    return make.build(settings)


def drain(settings: Settings, db: Any, *, client: Any = None, stop: threading.Event | None = None,
          write: Write | None = None) -> list[dict]:
    """Deliver the held messages, oldest first, until none is left (or ``stop`` is set); one result each.
    Messages a killed process was sending are taken over; nothing is sent while Make.com is not configured.
    ``write(work)`` runs ``work(db)`` in a committed transaction (the receiver passes its store writer's)."""
    if settings.missing("make"):
        return []
    write = write or partial(_transaction, db)
    write(lambda wdb: Outbox(wdb).recover())
    own, results = client is None, []
    client = client or make_client(settings)
    try:
        while not (stop is not None and stop.is_set()):
            claimed = write(lambda wdb: Outbox(wdb).claim())
            if claimed is None:
                break
            results.append(_deliver_one(settings, db, write, claimed, client))
    finally:
        if own:
            client.close()
    return results


def _transaction(db: Any, work: Callable[[Any], Any]) -> Any:
    with db.conn:
        return work(db)


def _deliver_one(settings: Settings, db: Any, write: Write, claimed: dict[str, Any], client: Any) -> dict:
    message, row_id = claimed["message"], claimed["id"]
    base = {"type": message["type"], "webhookId": message["webhookId"]}
    try:
        refuse_if_gone(settings, db, message)
        deliver(settings, message, db=db, client=client)
    except TapError as exc:
        return {**base, **write(partial(_dead_letter, row_id=row_id, message=message, exc=exc))}
    write(lambda wdb: Outbox(wdb).settle(row_id, "sent"))
    return {**base, "outcome": "sent"}


def _dead_letter(db: Any, *, row_id: int, message: dict[str, Any], exc: TapError) -> dict[str, Any]:
    """Still failing after retries (or refused): the whole message becomes a dead letter for `tap queue retry`."""
    service, operation = (exc.service, exc.operation) if isinstance(exc, IntegrationError) else ("make", "trigger")
    letter = DeadLetterStore(db).add(service, operation, exc.to_dict(), message)
    Outbox(db).settle(row_id, "dead letter", error=exc.message, dead_letter_id=letter)
    return {"outcome": "dead letter", "deadLetter": letter, "error": exc.message}


def pending(db: Any) -> int:
    """How many messages wait in the outbox."""
    return Outbox(db).counts().get("pending", 0)


def preview(db: Any) -> list[dict[str, Any]]:
    """The messages a drain would send, in the shape of its results (outcome 'would send')."""
    return [{"type": r["type"], "webhookId": r["webhook_id"], "outcome": "would send"}
            for r in Outbox(db).rows("pending")]
