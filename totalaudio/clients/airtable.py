"""Airtable through pyairtable: paced at 5 requests/s per base, 30 s cool-down after a 429."""

from __future__ import annotations

from typing import Any

from totalaudio import integrations
from totalaudio.clients import _requests
from totalaudio.clients._base import Caller, Failure
from totalaudio.config import Settings

INTEGRATION = integrations.get("airtable")
TIMEOUT = (5, 30)  # (connect, read) seconds


def classify(exc: BaseException) -> Failure | None:
    """pyairtable raises requests' exceptions; its error bodies are ``{"error": {type, message}}``."""
    return _requests.classify(exc)


class AirtableClient:
    """One base of one Airtable account."""

    def __init__(self, api_key: str, base_id: str, endpoint_url: str | None = None, caller: Caller | None = None):
        from pyairtable import Api

        # pyairtable's own retry (5 quick tries on 429) is off: Caller paces and waits as Airtable asks.
        self.api = Api(api_key, timeout=TIMEOUT, retry_strategy=None,
                       endpoint_url=endpoint_url or INTEGRATION.default_base_url)
        self.base_id = base_id
        self.caller = caller or Caller(INTEGRATION, classify, scope=base_id)

    def whoami(self) -> dict[str, Any]:
        """The token's user id and scopes (GET /v0/meta/whoami)."""
        return self.caller.call("whoami", self.api.whoami)


def build(settings: Settings) -> AirtableClient:
    """A client from AIRTABLE_API_KEY, AIRTABLE_BASE_ID and TAP_AIRTABLE_BASE_URL."""
    env = settings.require("airtable")
    return AirtableClient(env["AIRTABLE_API_KEY"], env["AIRTABLE_BASE_ID"], settings.base_url("airtable"))


def health(settings: Settings) -> str:
    """Whoami: cheap, authenticated, changes nothing."""
    info = build(settings).whoami()
    return f"token of {info.get('id', '?')}"
