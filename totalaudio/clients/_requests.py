"""Classification of failures from SDKs built on ``requests`` (pyairtable, mailchimp-marketing)."""

from __future__ import annotations

import json
from typing import Any

from totalaudio.clients._base import Failure, parse_retry_after, status_is_retryable
from totalaudio.redact import redact

REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-airtable-request-id")


def body_message(text: str | None) -> str | None:
    """The human message inside a JSON error body (Airtable, Mailchimp, Stripe shapes), else None."""
    text = redact(text or "")  # before any cut: a secret cut in half would no longer be recognised
    try:
        data: Any = json.loads(text or "")
    except ValueError:
        return (text or "").strip()[:200] or None
    if not isinstance(data, dict):
        return None
    err = data.get("error", data)
    if isinstance(err, str):
        return err
    if isinstance(err, dict):
        parts = [err.get("type"), err.get("title"), err.get("message") or err.get("detail")]
        return ": ".join(str(p) for p in parts if p) or None
    return None


def from_response(status: int, text: str | None, headers: Any, fallback: str) -> Failure:
    """A Failure from an HTTP error response."""
    headers = {k.lower(): v for k, v in dict(headers or {}).items()}
    message = body_message(text) or fallback or f"HTTP {status}"
    request_id = next((headers[h] for h in REQUEST_ID_HEADERS if headers.get(h)), None)
    return Failure(f"HTTP {status}: {message}", status=status, retryable=status_is_retryable(status),
                   retry_after=parse_retry_after(headers.get("retry-after")), request_id=request_id)


def classify(exc: BaseException) -> Failure | None:
    """HTTP errors, connection errors and timeouts from requests; None for anything else."""
    import requests

    if isinstance(exc, requests.exceptions.RetryError):
        return Failure("still rate-limited after the SDK's own retries", status=429, retryable=True)
    if isinstance(exc, requests.exceptions.HTTPError) and exc.response is not None:
        resp = exc.response
        return from_response(resp.status_code, resp.text, resp.headers, resp.reason or "")
    if isinstance(exc, requests.exceptions.Timeout):
        return Failure(f"timed out: {exc}", retryable=True)
    if isinstance(exc, requests.exceptions.ConnectionError):
        return Failure(f"cannot connect: {exc.__class__.__name__}", retryable=True)
    return None
