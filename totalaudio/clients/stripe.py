"""Stripe through stripe-python's StripeClient, with our retries instead of its own."""

from __future__ import annotations

from typing import Any

from totalaudio import integrations
from totalaudio.clients._base import Caller, Failure, status_is_retryable
from totalaudio.config import Settings

INTEGRATION = integrations.get("stripe")


def classify(exc: BaseException) -> Failure | None:
    """StripeError carries the user message, HTTP status and request id."""
    import stripe

    if isinstance(exc, (stripe.APIConnectionError,)):
        return Failure(f"cannot reach Stripe: {exc.user_message or exc.__class__.__name__}", retryable=True)
    if isinstance(exc, stripe.StripeError):
        status = exc.http_status
        message = exc.user_message or str(exc) or exc.__class__.__name__
        return Failure(f"HTTP {status}: {message}" if status else message, status=status,
                       retryable=status_is_retryable(status), request_id=exc.request_id)
    return None


class StripeClient:
    """One Stripe account."""

    def __init__(self, secret_key: str, base_url: str | None = None, caller: Caller | None = None):
        import stripe

        addresses = {"api": base_url} if base_url else {}
        self.sdk = stripe.StripeClient(secret_key, base_addresses=addresses, max_network_retries=0)
        self.caller = caller or Caller(INTEGRATION, classify)

    def balance(self) -> dict[str, Any]:
        """GET /v1/balance: authenticated, read-only, free."""
        return self.caller.call("balance", self.sdk.v1.balance.retrieve).to_dict()


def build(settings: Settings) -> StripeClient:
    """A client from STRIPE_SECRET_KEY and TAP_STRIPE_BASE_URL."""
    env = settings.require("stripe")
    return StripeClient(env["STRIPE_SECRET_KEY"], settings.base_url("stripe"))


def health(settings: Settings) -> str:
    """Balance: cheap, authenticated, changes nothing."""
    info = build(settings).balance()
    mode = "live" if info.get("livemode") else "test"
    return f"{mode} mode"
