"""Stripe webhook deliveries: the signed body as an event, applied by the billing service's handler."""

from __future__ import annotations

from typing import Any

from totalaudio.errors import InputError
from totalaudio.services.webhooks.inbox import Delivery, load_json


def delivery(raw: bytes) -> Delivery:
    """A verified Stripe body as a delivery keyed by the event's id; InputError when it is not an event."""
    event = load_json(raw)
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
        raise InputError("not a Stripe event: it needs a string id and type")
    return Delivery("stripe", event["id"], event["type"], event, _utf8(raw))


def _utf8(raw: bytes) -> str | None:
    """The body as text to store verbatim, or None when it is JSON in another encoding (then it is re-encoded)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def billing_handler(db: Any, event: dict[str, Any], via: str, raw: str | None = None) -> dict[str, Any]:
    """Apply an event to the billing mirror (deduped by event id there too); its notifications come back.
    ``raw`` is the verified body the event was parsed from (strict JSON), stored as it came."""
    from totalaudio.services.billing.events import ingest_stripe_event

    return ingest_stripe_event(db, event, via, raw=raw)


billing_handler.takes_raw = True  # type: ignore[attr-defined]
