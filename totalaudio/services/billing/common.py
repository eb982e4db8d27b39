"""What every billing use case shares: tap.toml's [billing] settings, money in minor units, the client, and
``create_once``, which commits an intent before each creating call and reuses its key after a crash."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from totalaudio.config import Settings
from totalaudio.errors import ConfigError, InputError, IntegrationError
from totalaudio.store.billing import Intents

PLANS = ("artist", "agency")
INTERVALS = {"monthly": "month", "yearly": "year"}
DEFAULT_AMOUNTS = {"artist_monthly": "25", "artist_yearly": "250", "agency_monthly": "99", "agency_yearly": "990"}
PLAN_NAMES = {"artist": "Artist plan", "agency": "Agency plan", "usage": "Contacts pitched (usage)"}
ZERO_DECIMAL = frozenset({"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
                          "xaf", "xof", "xpf"})
USAGE_LOOKUP_KEY = "tap_usage_contact"


@dataclass(frozen=True)
class BillingConfig:
    """[billing] of tap.toml, with defaults."""

    currency: str = "gbp"
    amounts: tuple[tuple[str, str], ...] = tuple(DEFAULT_AMOUNTS.items())
    usage: bool = False
    meter_event_name: str = "contacts_pitched"
    usage_unit_amount: str = "0.05"
    success_url: str | None = None
    cancel_url: str | None = None
    portal_return_url: str | None = None
    due_days: int = 14

    def amount(self, plan: str, cadence: str) -> str:
        """The configured price of a plan per month or year, in major units."""
        return dict(self.amounts)[f"{plan}_{cadence}"]


def config(settings: Settings) -> BillingConfig:
    """The [billing] table read and checked (a bad value is a ConfigError naming the key)."""
    section = settings.section("billing")
    amounts = {k: str(section.get(k, v)) for k, v in DEFAULT_AMOUNTS.items()}
    currency = str(section.get("currency", "gbp")).lower()
    if len(currency) != 3 or not currency.isalpha():
        raise ConfigError(f"[billing] currency = {currency!r} is not a three-letter ISO code")
    for key, value in amounts.items():
        to_minor(value, currency, what=f"[billing] {key}", error=ConfigError)
    due = section.get("due_days", 14)
    if not isinstance(due, int) or isinstance(due, bool) or not 0 < due <= 365:
        raise ConfigError(f"[billing] due_days = {due!r} must be a whole number of days from 1 to 365")
    usage = section.get("usage", False)
    if not isinstance(usage, bool):
        raise ConfigError(f"[billing] usage = {usage!r} must be true or false")
    return BillingConfig(currency, tuple(amounts.items()), usage,
                         str(section.get("meter_event_name", "contacts_pitched")),
                         str(section.get("usage_unit_amount", "0.05")), section.get("success_url"),
                         section.get("cancel_url"), section.get("portal_return_url"), due)


MAX_MINOR = 99_999_999  # Stripe's largest amount: eight digits in the currency's smallest unit (999,999.99 GBP)


def to_minor(amount: Any, currency: str, *, what: str = "amount", error: type = InputError,
             fractional: bool = False) -> Decimal:
    """Major units (12.50) as Stripe's minor units (1250); fractions of a minor unit only when allowed."""
    try:
        value = Decimal(str(amount).strip())
    except InvalidOperation:
        raise error(f"{what}: {amount!r} is not a number") from None
    minor = value * (1 if currency.lower() in ZERO_DECIMAL else 100)
    if not value.is_finite() or value <= 0 or (not fractional and minor != minor.to_integral_value()):
        raise error(f"{what}: {amount!r} must be a positive amount of {currency.upper()} "
                    f"(at most {0 if currency.lower() in ZERO_DECIMAL else 2} decimals)")
    if minor > MAX_MINOR:
        raise error(f"{what}: {amount!r} is more than Stripe takes in one amount "
                    f"({MAX_MINOR} in the smallest unit of {currency.upper()})")
    return minor


def lookup_key(plan: str, cadence: str) -> str:
    """The lookup key of a plan's price: tap_artist_monthly."""
    return f"tap_{plan}_{cadence}"


def client(settings: Settings) -> Any:
    """The Stripe client from the environment."""
    from totalaudio.clients import stripe

    return stripe.build(settings)


def iso(ts: Any) -> str | None:
    """A Unix time as ISO-8601 UTC, None when absent."""
    if not isinstance(ts, int) or isinstance(ts, bool) or not 0 <= ts < 2**37:
        return None
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _refused(exc: IntegrationError | ConfigError) -> bool:
    """A definite refusal (4xx other than a conflict or a rate limit), not an unknown outcome."""
    status = exc.status if isinstance(exc, IntegrationError) else exc.details.get("status")
    return isinstance(status, int) and 400 <= status < 500 and status not in (409, 429)


def create_once(db: Any, subject: str, kind: str, params: dict[str, Any], call: Callable[..., dict],
                save: Callable[[dict], None], run_id: str | None = None, tag: bool = True,
                reuse_done: bool = False) -> dict[str, Any]:
    """Create an upstream object exactly once: the intent (its id is the idempotency key) is committed before
    the call, so a re-run after a crash sends the same key and Stripe answers with the object it made. ``tag``
    adds the intent id to the object's metadata (for objects that have metadata)."""
    intents = Intents(db)
    intent = intents.begin(subject, kind, params, run_id, reuse_done)
    sent = {**params, "metadata": {**(params.get("metadata") or {}), "tap_intent": intent["id"]}} if tag else params
    try:
        obj = call(sent, key=intent["id"])
    except (IntegrationError, ConfigError) as exc:
        if _refused(exc):  # Stripe answered no: nothing was made, and the key would replay the refusal
            intents.settle(intent["id"], "failed")
        raise
    with db.conn:
        save(obj)
        intents.done(intent["id"], obj.get("id"))
    return obj
