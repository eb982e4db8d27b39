"""Classification of failures from httpx-based clients (Perplexity, Make.com, the crawler)."""

from __future__ import annotations

from totalaudio.clients._base import Failure
from totalaudio.clients._requests import from_response


def classify_httpx(exc: BaseException) -> Failure | None:
    """HTTP status errors, timeouts and transport errors from httpx; None for anything else."""
    import httpx

    if isinstance(exc, httpx.HTTPStatusError):
        resp = exc.response
        return from_response(resp.status_code, resp.text, resp.headers, resp.reason_phrase)
    if isinstance(exc, httpx.TimeoutException):
        return Failure(f"timed out: {exc.__class__.__name__}", retryable=True)
    if isinstance(exc, httpx.TransportError):
        return Failure(f"cannot connect: {exc.__class__.__name__}", retryable=True)
    return None
