"""Webhook signatures: Stripe's ``Stripe-Signature`` scheme and Standard Webhooks (Make.com both ways).

Both are HMAC-SHA256 over the timestamp and the raw body, checked in constant time with a 5-minute tolerance:
- Stripe: ``t=<unix>,v1=<hex>`` (several v1 while a secret is rolled), HMAC(secret, f"{t}.{body}");
  the secret is used as given (``whsec_...`` included), as stripe-python's WebhookSignature does.
- Standard Webhooks (standardwebhooks.com): headers ``webhook-id``, ``webhook-timestamp``,
  ``webhook-signature: v1,<base64> ...``, HMAC(base64-decoded secret after ``whsec_``, f"{id}.{ts}.{body}").
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from functools import lru_cache
from typing import Mapping

from totalaudio.errors import ConfigError

TOLERANCE_SECONDS = 300


class SignatureError(Exception):
    """The request is not signed by who it claims (bad, missing or stale signature)."""


def _fresh(timestamp: int, now: float, tolerance: int) -> None:
    if abs(now - timestamp) > tolerance:
        raise SignatureError(f"timestamp outside the {tolerance} s tolerance")


def _same(expected: str, given: str) -> bool:
    """Constant-time comparison (as bytes: a header may hold any character)."""
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise SignatureError("timestamp is not a whole number") from None


@lru_cache(maxsize=8)
def _keyed(key: bytes) -> "hmac.HMAC":
    """An HMAC-SHA256 with the key already absorbed; copied per message (the receiver signs-checks each request)."""
    return hmac.new(key, digestmod=hashlib.sha256)


def _mac(key: bytes, message: bytes) -> "hmac.HMAC":
    mac = _keyed(key).copy()
    mac.update(message)
    return mac


def stripe_signature(secret: str, timestamp: int, body: bytes) -> str:
    """The v1 signature Stripe sends for ``body`` at ``timestamp`` (hex HMAC-SHA256)."""
    return _mac(secret.encode(), str(timestamp).encode() + b"." + body).hexdigest()


def verify_stripe(body: bytes, header: str | None, secret: str, *, tolerance: int = TOLERANCE_SECONDS,
                  now: float | None = None) -> int:
    """Check a ``Stripe-Signature`` header; returns its timestamp, or raises SignatureError."""
    if not header:
        raise SignatureError("no Stripe-Signature header")
    pairs = [part.split("=", 1) for part in header.split(",") if "=" in part]
    stamps = [v.strip() for k, v in pairs if k.strip() == "t"]
    signatures = [v.strip() for k, v in pairs if k.strip() == "v1"]
    if len(stamps) != 1 or not signatures:
        raise SignatureError("Stripe-Signature has no timestamp or no v1 signature")
    timestamp = _int(stamps[0])
    expected = stripe_signature(secret, timestamp, body)
    if not any(_same(expected, s) for s in signatures):
        raise SignatureError("no v1 signature matches the body")
    _fresh(timestamp, time.time() if now is None else now, tolerance)
    return timestamp


def standard_key(secret: str) -> bytes:
    """The HMAC key of a Standard Webhooks secret (``whsec_`` + base64); ConfigError when it is not one."""
    raw = secret[len("whsec_"):] if secret.startswith("whsec_") else secret
    try:
        key = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) < 16:
        raise ConfigError("a Standard Webhooks secret must be whsec_ followed by base64 of 16 to 64 random bytes",
                          hint="make one with: python -c \"import os,base64;print('whsec_'+"
                               "base64.b64encode(os.urandom(32)).decode())\"")
    return key


def standard_signature(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``v1,<base64>`` signature of a Standard Webhooks message."""
    return "v1," + base64.b64encode(_mac(key, f"{msg_id}.{timestamp}.".encode() + body).digest()).decode()


def standard_headers(key: bytes | None, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The Standard Webhooks headers of a message (no signature without a key)."""
    headers = {"webhook-id": msg_id, "webhook-timestamp": str(timestamp)}
    if key:
        headers["webhook-signature"] = standard_signature(key, msg_id, timestamp, body)
    return headers


def verify_standard(body: bytes, headers: Mapping[str, str], key: bytes, *, tolerance: int = TOLERANCE_SECONDS,
                    now: float | None = None) -> str:
    """Check Standard Webhooks headers; returns the message id (``webhook-id``), or raises SignatureError."""
    msg_id, stamp, sigs = (headers.get(h) for h in ("webhook-id", "webhook-timestamp", "webhook-signature"))
    if not msg_id or not stamp or not sigs:
        raise SignatureError("webhook-id, webhook-timestamp and webhook-signature are required")
    timestamp = _int(stamp)
    _fresh(timestamp, time.time() if now is None else now, tolerance)
    expected = standard_signature(key, msg_id, timestamp, body)
    if not any(_same(expected, s) for s in sigs.split(" ") if s.startswith("v1,")):
        raise SignatureError("no v1 signature matches the body")
    return msg_id
