"""Subscriptions: subscribe a customer to a plan, a Checkout link to pay through (tap never touches card data),
a customer-portal link, and cancelling."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from totalaudio.errors import ConfigError, InputError
from totalaudio.services.billing.common import PLANS, USAGE_LOOKUP_KEY, BillingConfig, create_once, iso, lookup_key
from totalaudio.services.billing.mirror import apply_subscription, made_by, pull_customer
from totalaudio.store.billing import BillingStore, Intents

LIVE = ("active", "trialing", "past_due", "unpaid", "incomplete", "paused")


def plan_prices(db: Any, plan: str, yearly: bool, usage: bool) -> list[dict[str, Any]]:
    """The mirrored prices a plan subscription is made of (the metered usage price too when usage is on)."""
    if plan not in PLANS:
        raise InputError(f"--plan must be one of {', '.join(PLANS)}, not {plan!r}")
    store = BillingStore(db)
    price = store.price(lookup_key(plan, "yearly" if yearly else "monthly"))
    if price is None:
        raise ConfigError(f"the {plan} plan has no price in the local store yet", hint="run `tap billing setup`")
    metered = store.price(USAGE_LOOKUP_KEY) if usage else None
    return [price] + ([metered] if metered else [])


def _view(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "customerId": row["customer_id"], "status": row["status"], "plan": row["plan"],
            "interval": row["interval"], "unitAmount": row["unit_amount"], "currency": row["currency"],
            "cancelAtPeriodEnd": bool(row["cancel_at_period_end"]),
            "currentPeriodEnd": iso(row["current_period_end"])}


def _live(store: BillingStore, customer_id: str) -> list[dict[str, Any]]:
    return [s for s in store.subscriptions(customer_id) if s["status"] in LIVE]


def subscribe(client: Any, db: Any, customer_ref: str, plan: str, *, yearly: bool = False,
              trial_days: int | None = None, invoice: bool = False, cfg: BillingConfig = BillingConfig(),
              dry_run: bool = False, run_id: str | None = None) -> dict[str, Any]:
    """Subscribe a customer; charged automatically (a declined card is an error in words) or by invoice."""
    store = BillingStore(db)
    customer = store.find_customer(customer_ref)
    prices = plan_prices(db, plan, yearly, cfg.usage)
    if trial_days is not None and not 0 < trial_days <= 730:
        raise InputError(f"--trial-days must be from 1 to 730, not {trial_days}")
    if client is not None:
        pull_customer(client, store, customer["id"], "subscriptions")
    subject = f"subscription:{customer['id']}:{plan}"
    live = [s for s in _live(store, customer["id"]) if s["plan"] == plan]
    intent = Intents(db).latest(subject)
    if live and intent and intent["state"] == "pending" and made_by(live[0]) == intent["id"]:
        Intents(db).done(intent["id"], live[0]["id"])  # a killed run of ours made it: that is this subscription
        return {"customerId": customer["id"], "plan": plan, "interval": "year" if yearly else "month",
                "priceId": prices[0]["price_id"], "trialDays": trial_days, "dryRun": dry_run, "runId": run_id,
                "id": live[0]["id"], "status": live[0]["status"]}
    if live:
        raise InputError(f"{customer['name']} already has the {plan} plan ({live[0]['id']}, {live[0]['status']})",
                         hint="cancel it first, or use `tap billing portal` to let them switch")
    params = _params(customer["id"], plan, prices, trial_days, invoice, cfg)
    result = {"customerId": customer["id"], "plan": plan, "interval": "year" if yearly else "month",
              "priceId": prices[0]["price_id"], "trialDays": trial_days, "dryRun": dry_run, "runId": run_id}
    if dry_run:
        return {**result, "id": None, "status": None}
    sub = create_once(db, subject, "subscription", params,
                      client.create_subscription, lambda obj: apply_subscription(store, obj), run_id)
    return {**result, "id": sub["id"], "status": sub.get("status")}


def _params(customer_id: str, plan: str, prices: list[dict[str, Any]], trial_days: int | None, invoice: bool,
            cfg: BillingConfig) -> dict[str, Any]:
    params: dict[str, Any] = {"customer": customer_id, "items": [{"price": p["price_id"]} for p in prices],
                              "metadata": {"tap_plan": plan}}
    if trial_days:
        params["trial_period_days"] = trial_days
    if invoice:
        params.update(collection_method="send_invoice", days_until_due=cfg.due_days)
    else:  # a declined card fails the call (402, in words) instead of leaving an incomplete subscription
        params["payment_behavior"] = "error_if_incomplete"
    return params


def checkout(client: Any, db: Any, customer_ref: str, plan: str, *, yearly: bool = False,
             trial_days: int | None = None, cfg: BillingConfig = BillingConfig(), dry_run: bool = False,
             run_id: str | None = None) -> dict[str, Any]:
    """A Checkout Session link the customer pays through; the subscription arrives as an event."""
    if not cfg.success_url:
        raise ConfigError("[billing] success_url is not set (where Stripe sends the customer after paying)",
                          hint="add success_url (and cancel_url) under [billing] in tap.toml")
    customer = BillingStore(db).find_customer(customer_ref)
    prices = plan_prices(db, plan, yearly, cfg.usage)
    params: dict[str, Any] = {"mode": "subscription", "customer": customer["id"], "success_url": cfg.success_url,
                              "line_items": [{"price": p["price_id"], **({"quantity": 1} if p["plan"] != "usage"
                                                                         else {})} for p in prices],
                              "metadata": {"tap_plan": plan}}
    if cfg.cancel_url:
        params["cancel_url"] = cfg.cancel_url
    if trial_days:
        params["subscription_data"] = {"trial_period_days": trial_days}
    if dry_run:
        return {"customerId": customer["id"], "plan": plan, "id": None, "url": None, "expiresAt": None,
                "dryRun": True}
    day = datetime.now(timezone.utc).strftime("%Y%m%d")
    session = create_once(db, f"checkout:{customer['id']}:{plan}:{yearly}:{day}", "checkout", params,
                          client.create_checkout_session, lambda obj: None, run_id, reuse_done=True)
    return {"customerId": customer["id"], "plan": plan, "id": session["id"], "url": session.get("url"),
            "expiresAt": iso(session.get("expires_at")), "dryRun": False}


def portal(client: Any, db: Any, customer_ref: str, *, cfg: BillingConfig = BillingConfig(),
           dry_run: bool = False, run_id: str | None = None) -> dict[str, Any]:
    """A customer-portal link (cards, invoices, plan changes and cancelling, all on Stripe's page)."""
    customer = BillingStore(db).find_customer(customer_ref)
    if dry_run:
        return {"customerId": customer["id"], "id": None, "url": None, "dryRun": True}
    params = {"customer": customer["id"], **({"return_url": cfg.portal_return_url} if cfg.portal_return_url else {})}
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    session = create_once(db, f"portal:{customer['id']}:{stamp}", "portal", params, client.create_portal_session,
                          lambda obj: None, run_id, tag=False)
    return {"customerId": customer["id"], "id": session["id"], "url": session.get("url"), "dryRun": False}


def cancel(client: Any, db: Any, customer_ref: str, *, at_period_end: bool = False,
           subscription_id: str | None = None, dry_run: bool = False, run_id: str | None = None) -> dict[str, Any]:
    """Cancel the customer's live subscription now, or at the end of the paid period."""
    store = BillingStore(db)
    customer = store.find_customer(customer_ref)
    live = [s for s in _live(store, customer["id"]) if not subscription_id or s["id"] == subscription_id]
    if len(live) != 1:
        found = ", ".join(s["id"] for s in live) or "none"
        raise InputError(f"{customer['name']} has {len(live)} live subscriptions ({found})",
                         hint="name one with --subscription" if live else "see `tap billing status`")
    sub = live[0]
    if dry_run:
        return {**_view(sub), "atPeriodEnd": at_period_end, "dryRun": True, "runId": None}
    answer = client.update_subscription(sub["id"], {"cancel_at_period_end": True}) if at_period_end \
        else client.cancel_subscription(sub["id"])
    with db.conn:
        _, row, _ = apply_subscription(store, answer)
    return {**_view(row), "atPeriodEnd": at_period_end, "dryRun": False, "runId": run_id}

