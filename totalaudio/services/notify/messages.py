"""Notification messages to Make.com: the six types, which are chosen, and the signed body and headers."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from totalaudio.config import Settings
from totalaudio.errors import ConfigError, InputError, utc_now
from totalaudio.services.webhooks.signatures import standard_headers, standard_key

TYPES = ("campaign.sent", "reply.received", "contact.enriched", "audit.failed", "payment.failed",
         "subscription.changed")


def check_type(event: str) -> str:
    """The type itself when it is one of the six; InputError naming them otherwise."""
    if event not in TYPES:
        raise InputError(f"unknown notification type {event!r}", hint=f"use one of: {', '.join(TYPES)}")
    return event


def chosen_types(settings: Settings) -> tuple[str, ...]:
    """The types chosen under ``[make] events`` in tap.toml (default: all six); unknown names are a ConfigError."""
    chosen = settings.section("make").get("events", list(TYPES))
    if not isinstance(chosen, list) or not all(isinstance(t, str) for t in chosen):
        raise ConfigError("[make] events must be a list of notification types", hint=f"choose among {', '.join(TYPES)}")
    unknown = sorted(set(chosen) - set(TYPES))
    if unknown:
        raise ConfigError(f"[make] events names unknown types: {', '.join(unknown)}",
                          hint=f"choose among {', '.join(TYPES)}")
    return tuple(chosen)


def new_message(event: str, data: dict[str, Any]) -> dict[str, Any]:
    """A message with its own webhook-id, kept whole so a retry sends the same id and body."""
    return {"webhookId": "msg_" + uuid.uuid4().hex, "type": event, "timestamp": utc_now(), "data": data}


def from_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """The message of a dead letter (letters from before webhook ids get one now)."""
    if "webhookId" in payload:
        return payload
    return new_message(str(payload.get("type") or payload.get("event") or ""), payload.get("data") or {})


def body(message: dict[str, Any]) -> bytes:
    """The JSON body ``{type, timestamp, data}`` exactly as it is signed and sent."""
    doc = {"type": message["type"], "timestamp": message["timestamp"], "data": message["data"]}
    return json.dumps(doc, ensure_ascii=False, default=str, separators=(",", ":")).encode()


def signing_key(settings: Settings) -> bytes | None:
    """The HMAC key of MAKE_SIGNING_SECRET, or None when messages go unsigned."""
    secret = settings.get("MAKE_SIGNING_SECRET")
    return standard_key(secret) if secret else None


def headers(message: dict[str, Any], raw: bytes, key: bytes | None, now: float | None = None) -> dict[str, str]:
    """Standard Webhooks headers: the message's own id, the time of this attempt, the signature when keyed."""
    return standard_headers(key, message["webhookId"], int(time.time() if now is None else now), raw)
