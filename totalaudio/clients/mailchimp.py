"""Mailchimp through mailchimp-marketing: explicit timeouts, at most 10 connections, readable errors."""

from __future__ import annotations

from typing import Any

from totalaudio import integrations
from totalaudio.clients import _requests
from totalaudio.clients._base import Caller, Failure
from totalaudio.config import Settings
from totalaudio.errors import ConfigError

INTEGRATION = integrations.get("mailchimp")
TIMEOUT = (5, 30)  # the SDK's default is 120 s with no retries


def classify(exc: BaseException) -> Failure | None:
    """ApiClientError has an empty str(): read its status_code and text."""
    from mailchimp_marketing.api_client import ApiClientError

    if isinstance(exc, ApiClientError):
        return _requests.from_response(exc.status_code or 0, exc.text, {}, "Mailchimp refused the request")
    return _requests.classify(exc)


def server_prefix(api_key: str, explicit: str | None) -> str:
    """The data-centre prefix (us21): MAILCHIMP_SERVER_PREFIX, else the key's suffix."""
    if explicit:
        return explicit
    if "-" in api_key:
        return api_key.rsplit("-", 1)[1]
    raise ConfigError("MAILCHIMP_SERVER_PREFIX is not set and the API key has no '-usNN' suffix",
                      hint="set MAILCHIMP_SERVER_PREFIX (the 'us21' in your Mailchimp admin URL)")


class MailchimpClient:
    """The Marketing API of one Mailchimp account."""

    def __init__(self, api_key: str, server: str, host: str | None = None, caller: Caller | None = None):
        import mailchimp_marketing

        self.sdk = mailchimp_marketing.Client()
        self.sdk.set_config({"api_key": api_key, "server": server, "timeout": TIMEOUT})
        if host:  # after set_config, which resets the host
            self.sdk.api_client.host = host.rstrip("/")
        self.caller = caller or Caller(INTEGRATION, classify)

    def ping(self) -> dict[str, Any]:
        """GET /ping: checks the key."""
        return self.caller.call("ping", self.sdk.ping.get)


def build(settings: Settings) -> MailchimpClient:
    """A client from MAILCHIMP_API_KEY, MAILCHIMP_SERVER_PREFIX and TAP_MAILCHIMP_BASE_URL."""
    env = settings.require("mailchimp")
    key = env["MAILCHIMP_API_KEY"]
    return MailchimpClient(key, server_prefix(key, env["MAILCHIMP_SERVER_PREFIX"]), settings.base_url("mailchimp"))


def health(settings: Settings) -> str:
    """Ping: cheap, authenticated, changes nothing."""
    return str(build(settings).ping().get("health_status", "ok"))
