"""Make.com: outbound triggers to a scenario's custom webhook over httpx."""

from __future__ import annotations

from typing import Any

from totalaudio import integrations
from totalaudio.clients._base import Caller, Failure
from totalaudio.clients._httpx import classify_httpx
from totalaudio.config import Settings
from totalaudio.redact import redact_obj

INTEGRATION = integrations.get("make")


def classify(exc: BaseException) -> Failure | None:
    """httpx status, connection and timeout errors."""
    return classify_httpx(exc)


class MakeClient:
    """Posts events to one Make.com webhook (the URL is a secret: it is never printed)."""

    def __init__(self, webhook_url: str, caller: Caller | None = None):
        import httpx

        self.webhook_url = webhook_url
        self.http = httpx.Client(timeout=httpx.Timeout(INTEGRATION.timeout_seconds, connect=5))
        self.caller = caller or Caller(INTEGRATION, classify)

    def _post(self, body: dict[str, Any]) -> str:
        resp = self.http.post(self.webhook_url, json=body)
        resp.raise_for_status()
        return resp.text

    def trigger(self, event: str, data: dict[str, Any]) -> str:
        """Send ``{"event", "data"}`` to the scenario; Make answers ``Accepted``."""
        body = redact_obj({"event": event, "data": data})  # a notification leaves tap: never with a secret
        return self.caller.call("trigger", self._post, body, payload=body)


def build(settings: Settings) -> MakeClient:
    """A client from MAKE_WEBHOOK_URL."""
    return MakeClient(settings.require("make")["MAKE_WEBHOOK_URL"])
