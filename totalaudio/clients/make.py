"""Make.com: notifications posted to a scenario's custom webhook over httpx."""

from __future__ import annotations

from typing import Any, Callable

from totalaudio import integrations
from totalaudio.clients._base import Caller, Failure
from totalaudio.clients._httpx import classify_httpx
from totalaudio.config import Settings

INTEGRATION = integrations.get("make")


def classify(exc: BaseException) -> Failure | None:
    """httpx status, connection and timeout errors."""
    return classify_httpx(exc)


class MakeClient:
    """Posts signed JSON bodies to one Make.com webhook (the URL is a secret: it is never printed)."""

    def __init__(self, webhook_url: str, api_key: str | None = None, caller: Caller | None = None):
        import httpx

        self.webhook_url = webhook_url
        self.api_key = api_key
        self.http = httpx.Client(timeout=httpx.Timeout(INTEGRATION.timeout_seconds, connect=5))
        self.caller = caller or Caller(INTEGRATION, classify)

    def _post(self, body: bytes, headers: dict[str, str] | Callable[[], dict[str, str]]) -> str:
        sent = {"content-type": "application/json", **(headers() if callable(headers) else headers)}
        if self.api_key:
            sent["x-make-apikey"] = self.api_key
        resp = self.http.post(self.webhook_url, content=body, headers=sent)
        resp.raise_for_status()
        return resp.text

    def post(self, body: bytes, headers: dict[str, str] | Callable[[], dict[str, str]], payload: dict[str, Any]) -> str:
        """Send one body with its headers (retried on 429, 5xx and connection errors); Make answers ``Accepted``.

        ``headers`` may be a function, called for each attempt (a signature carries the attempt's time);
        ``payload`` is what a dead-letter retry needs to send the same message again."""
        return self.caller.call("trigger", self._post, body, headers, payload=payload)

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()


def build(settings: Settings, caller: Caller | None = None) -> MakeClient:
    """A client from MAKE_WEBHOOK_URL (and MAKE_API_KEY, sent as x-make-apikey, when set)."""
    values = settings.require("make")
    return MakeClient(values["MAKE_WEBHOOK_URL"], values.get("MAKE_API_KEY"), caller)
