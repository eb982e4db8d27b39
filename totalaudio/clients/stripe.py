"""Stripe through stripe-python's StripeClient: a pinned API version, our retries instead of its own, and an
explicit idempotency key on every creating call so that a retried create reuses its key."""

from __future__ import annotations

from typing import Any, Callable, Iterator

from totalaudio import integrations
from totalaudio.clients._base import Caller, Failure, status_is_retryable
from totalaudio.config import Settings
from totalaudio.errors import IntegrationError

INTEGRATION = integrations.get("stripe")
# Pinned so that an SDK upgrade never changes the shapes tap reads (stripe-python 16.1's own version; basil and
# later report usage as Billing Meter events, not usage records).
API_VERSION = "2026-10-28.endive"
PAGE_SIZE = 100  # Stripe's largest `limit`


def _card_failure(exc: Any) -> Failure:
    """A declined card in words: Stripe's message, then its decline code."""
    reason = exc.user_message or str(exc) or "the card was declined"
    detail = getattr(exc, "error", None)
    code = getattr(detail, "decline_code", None) or getattr(exc, "code", None)
    text = f"card declined: {reason}" + (f" ({str(code).replace('_', ' ')})" if code else "")
    return Failure(text, status=exc.http_status or 402, request_id=exc.request_id)


def classify(exc: BaseException) -> Failure | None:
    """StripeError carries the user message, HTTP status and request id; card errors say why."""
    import stripe

    if isinstance(exc, stripe.APIConnectionError):
        return Failure(f"cannot reach Stripe: {exc.user_message or exc.__class__.__name__}", retryable=True)
    if isinstance(exc, stripe.CardError):
        return _card_failure(exc)
    if isinstance(exc, stripe.StripeError):
        status = exc.http_status
        message = exc.user_message or str(exc) or exc.__class__.__name__
        # 409: another request with the same idempotency key is still running; a retry gets its answer.
        return Failure(f"HTTP {status}: {message}" if status else message, status=status,
                       retryable=status_is_retryable(status) or status == 409, request_id=exc.request_id)
    return None


def _plain(obj: Any) -> dict[str, Any]:
    return obj.to_dict(for_json=True) if hasattr(obj, "to_dict") else dict(obj)


class StripeClient:
    """One Stripe account. Creating methods take ``key``, the idempotency key of the local intent."""

    def __init__(self, secret_key: str, base_url: str | None = None, caller: Caller | None = None,
                 timeout: float | None = None):
        import stripe

        addresses = {"api": base_url} if base_url else {}
        http = stripe.RequestsClient(timeout=timeout or INTEGRATION.timeout_seconds)
        self.sdk = stripe.StripeClient(secret_key, base_addresses=addresses, max_network_retries=0,
                                       stripe_version=API_VERSION, http_client=http)
        self.caller = caller or Caller(INTEGRATION, classify)

    def _get(self, operation: str, fn: Callable[..., Any], *args: Any, **params: Any) -> dict[str, Any]:
        return _plain(self.caller.call(operation, fn, *args, params=params or None))

    def _create(self, operation: str, fn: Callable[..., Any], key: str, *args: Any,
                params: dict[str, Any] | None = None) -> dict[str, Any]:
        """A creating POST: the same key on every attempt (the SDK would draw a new one per call)."""
        if not key:
            raise ValueError("a creating call needs an idempotency key")
        options = {"idempotency_key": key}
        return _plain(self.caller.call(operation, fn, *args, params=params, options=options))

    def _pages(self, operation: str, fn: Callable[..., Any], **params: Any) -> Iterator[dict[str, Any]]:
        """Every item of a list endpoint, following ``starting_after``."""
        after = None
        while True:
            page = self._get(operation, fn, limit=PAGE_SIZE, **params, **({"starting_after": after} if after else {}))
            items = page.get("data") or []
            yield from items
            if not page.get("has_more") or not items:
                return
            after = items[-1]["id"]

    def balance(self) -> dict[str, Any]:
        """GET /v1/balance: authenticated, read-only, free."""
        return _plain(self.caller.call("balance", self.sdk.v1.balance.retrieve))

    def create_customer(self, params: dict[str, Any], key: str) -> dict[str, Any]:
        """POST /v1/customers."""
        return self._create("customers.create", self.sdk.v1.customers.create, key, params=params)

    def update_customer(self, customer_id: str, params: dict[str, Any]) -> dict[str, Any]:
        """POST /v1/customers/{id} (an update is idempotent by nature)."""
        return self._get("customers.update", self.sdk.v1.customers.update, customer_id, **params)

    def customers(self, email: str) -> list[dict[str, Any]]:
        """The customers with this email address (Stripe matches it case-sensitively)."""
        return list(self._pages("customers.list", self.sdk.v1.customers.list, email=email))

    def customer(self, customer_id: str) -> dict[str, Any]:
        """GET /v1/customers/{id}."""
        return self._get("customers.get", self.sdk.v1.customers.retrieve, customer_id)

    def product(self, product_id: str) -> dict[str, Any] | None:
        """GET /v1/products/{id}, None when there is none."""
        try:
            return self._get("products.get", self.sdk.v1.products.retrieve, product_id)
        except IntegrationError as exc:
            if exc.status == 404:
                return None
            raise

    def create_product(self, params: dict[str, Any], key: str) -> dict[str, Any]:
        """POST /v1/products."""
        return self._create("products.create", self.sdk.v1.products.create, key, params=params)

    def prices(self, lookup_keys: list[str]) -> list[dict[str, Any]]:
        """The active prices holding these lookup keys."""
        return list(self._pages("prices.list", self.sdk.v1.prices.list, lookup_keys=lookup_keys, active=True))

    def create_price(self, params: dict[str, Any], key: str) -> dict[str, Any]:
        """POST /v1/prices (with transfer_lookup_key to move a lookup key off an older price)."""
        return self._create("prices.create", self.sdk.v1.prices.create, key, params=params)

    def meters(self) -> list[dict[str, Any]]:
        """Every active billing meter."""
        return list(self._pages("meters.list", self.sdk.v1.billing.meters.list, status="active"))

    def create_meter(self, params: dict[str, Any], key: str) -> dict[str, Any]:
        """POST /v1/billing/meters."""
        return self._create("meters.create", self.sdk.v1.billing.meters.create, key, params=params)

    def create_meter_event(self, params: dict[str, Any], key: str) -> dict[str, Any]:
        """POST /v1/billing/meter_events (Stripe also drops a repeated ``identifier``)."""
        return self._create("meter_events.create", self.sdk.v1.billing.meter_events.create, key, params=params)

    def create_subscription(self, params: dict[str, Any], key: str) -> dict[str, Any]:
        """POST /v1/subscriptions."""
        return self._create("subscriptions.create", self.sdk.v1.subscriptions.create, key, params=params)

    def update_subscription(self, sub_id: str, params: dict[str, Any]) -> dict[str, Any]:
        """POST /v1/subscriptions/{id}."""
        return self._get("subscriptions.update", self.sdk.v1.subscriptions.update, sub_id, **params)

    def cancel_subscription(self, sub_id: str) -> dict[str, Any]:
        """DELETE /v1/subscriptions/{id}: ends it now."""
        return self._get("subscriptions.cancel", self.sdk.v1.subscriptions.cancel, sub_id)

    def subscriptions(self, **params: Any) -> list[dict[str, Any]]:
        """Subscriptions (status=all for the ended ones too)."""
        return list(self._pages("subscriptions.list", self.sdk.v1.subscriptions.list, **params))

    def create_invoice_item(self, params: dict[str, Any], key: str) -> dict[str, Any]:
        """POST /v1/invoiceitems."""
        return self._create("invoiceitems.create", self.sdk.v1.invoice_items.create, key, params=params)

    def create_invoice(self, params: dict[str, Any], key: str) -> dict[str, Any]:
        """POST /v1/invoices."""
        return self._create("invoices.create", self.sdk.v1.invoices.create, key, params=params)

    def finalize_invoice(self, invoice_id: str, key: str) -> dict[str, Any]:
        """POST /v1/invoices/{id}/finalize."""
        return self._create("invoices.finalize", self.sdk.v1.invoices.finalize_invoice, key, invoice_id)

    def send_invoice(self, invoice_id: str, key: str) -> dict[str, Any]:
        """POST /v1/invoices/{id}/send: Stripe emails the invoice."""
        return self._create("invoices.send", self.sdk.v1.invoices.send_invoice, key, invoice_id)

    def invoices(self, **params: Any) -> list[dict[str, Any]]:
        """Invoices, newest first."""
        return list(self._pages("invoices.list", self.sdk.v1.invoices.list, **params))

    def create_checkout_session(self, params: dict[str, Any], key: str) -> dict[str, Any]:
        """POST /v1/checkout/sessions: a hosted payment page (tap never sees card data)."""
        return self._create("checkout.create", self.sdk.v1.checkout.sessions.create, key, params=params)

    def create_portal_session(self, params: dict[str, Any], key: str) -> dict[str, Any]:
        """POST /v1/billing_portal/sessions: the customer's self-service page."""
        return self._create("portal.create", self.sdk.v1.billing_portal.sessions.create, key, params=params)

    def events(self, created_gte: int | None = None) -> list[dict[str, Any]]:
        """Events (Stripe keeps 30 days), oldest first, from ``created_gte`` on."""
        params: dict[str, Any] = {"created": {"gte": created_gte}} if created_gte else {}
        items = list(self._pages("events.list", self.sdk.v1.events.list, **params))
        return sorted(items, key=lambda e: (int(e.get("created") or 0), str(e.get("id"))))


def build(settings: Settings) -> StripeClient:
    """A client from STRIPE_SECRET_KEY and TAP_STRIPE_BASE_URL."""
    env = settings.require("stripe")
    return StripeClient(env["STRIPE_SECRET_KEY"], settings.base_url("stripe"))


def health(settings: Settings) -> str:
    """Balance: cheap, authenticated, changes nothing."""
    info = build(settings).balance()
    mode = "live" if info.get("livemode") else "test"
    return f"{mode} mode"
