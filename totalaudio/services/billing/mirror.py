"""Stripe subscriptions and invoices into the local mirror, newest state winning: a change is applied only when
it is at least as new as what is stored (by the event's time, or the time tap read the object), a canceled
subscription never comes back, and an invoice never moves back from paid or void."""

from __future__ import annotations

import json
import time
from typing import Any

from totalaudio.errors import InputError
from totalaudio.store.billing import BillingStore

SUB_TERMINAL = frozenset({"canceled", "incomplete_expired"})
INVOICE_RANK = {"draft": 0, "open": 1, "uncollectible": 2, "paid": 3, "void": 3}
MAX_INT = 2**53


def whole(value: Any) -> int | None:
    """An integer field of a Stripe object, None when absent or not a sane integer."""
    if isinstance(value, bool) or not isinstance(value, int) or not -MAX_INT < value < MAX_INT:
        return None
    return value


def text(value: Any) -> str | None:
    """A string field, None when absent or not a string."""
    return value if isinstance(value, str) and value else None


def _id_of(value: Any) -> str | None:
    """An id that may be expanded into an object."""
    return text(value.get("id")) if isinstance(value, dict) else text(value)


def _need(obj: Any, kind: str) -> dict[str, Any]:
    if not isinstance(obj, dict) or not text(obj.get("id")):
        raise InputError(f"the {kind} in the event has no id")
    return obj


def _first_item(sub: dict[str, Any]) -> dict[str, Any]:
    items = sub.get("items")
    data = items.get("data") if isinstance(items, dict) else None
    licensed = [i for i in data or [] if isinstance(i, dict)]
    return licensed[0] if licensed else {}


def subscription_row(store: BillingStore, sub: dict[str, Any], version: int) -> dict[str, Any]:
    """The mirror row of a Stripe subscription (the current price shape, or localstripe's older plan shape)."""
    sub = _need(sub, "subscription")
    item = _first_item(sub)
    price = item.get("price") if isinstance(item.get("price"), dict) else item.get("plan")
    price = price if isinstance(price, dict) else {}
    recurring = price.get("recurring") if isinstance(price.get("recurring"), dict) else {}
    known = store.price_by_id(text(price.get("id")) or "")
    meta = price.get("metadata") if isinstance(price.get("metadata"), dict) else {}
    status = text(sub.get("status"))
    customer = _id_of(sub.get("customer"))
    if not status or not customer:
        raise InputError(f"subscription {sub['id']} has no status or customer")
    return {"id": sub["id"], "customer_id": customer, "status": status,
            "plan": (known or {}).get("plan") or text(meta.get("tap_plan")), "price_id": text(price.get("id")),
            "interval": text(recurring.get("interval")) or text(price.get("interval")),
            "unit_amount": whole(price.get("unit_amount")) if "unit_amount" in price else whole(price.get("amount")),
            "currency": text(price.get("currency")) or text(sub.get("currency")),
            "cancel_at_period_end": int(sub.get("cancel_at_period_end") is True),
            "current_period_end": whole(sub.get("current_period_end")) or whole(item.get("current_period_end")),
            "version": version, "raw": sub}


def invoice_row(invoice: dict[str, Any], version: int) -> dict[str, Any]:
    """The mirror row of a Stripe invoice."""
    invoice = _need(invoice, "invoice")
    meta = invoice.get("metadata") if isinstance(invoice.get("metadata"), dict) else {}
    return {"id": invoice["id"], "customer_id": _id_of(invoice.get("customer")), "status": text(invoice.get("status")),
            "campaign_id": text(meta.get("tap_campaign")), "description": text(invoice.get("description")),
            "amount_due": whole(invoice.get("amount_due")), "amount_remaining": whole(invoice.get("amount_remaining")),
            "currency": text(invoice.get("currency")), "due_date": whole(invoice.get("due_date")),
            "created": whole(invoice.get("created")), "hosted_url": text(invoice.get("hosted_invoice_url")),
            "version": version, "raw": invoice}


def _version(old: dict[str, Any] | None, event_time: int | None) -> int:
    """An event's own time; an object tap just read from the API is the newest state known (clocks differ)."""
    if event_time is not None:
        return event_time
    return max(int(time.time()), old["version"] + 1 if old else 0)


def _newer(old: dict[str, Any] | None, new: dict[str, Any], rank: Any) -> bool:
    if old is None:
        return True
    return new["version"] >= old["version"] and rank(new) >= rank(old)


def _sub_rank(row: dict[str, Any]) -> int:
    return int(row["status"] in SUB_TERMINAL)


def _invoice_rank(row: dict[str, Any]) -> int:
    return INVOICE_RANK.get(row.get("status") or "", 0)


def apply_subscription(store: BillingStore, sub: dict[str, Any],
                       version: int | None = None) -> tuple[bool, dict[str, Any], dict[str, Any] | None]:
    """Store the subscription when it is not older than the mirror; (applied, row, previous row)."""
    row = subscription_row(store, sub, 0)
    old = store.get("billing_subscriptions", row["id"])
    row["version"] = _version(old, version)
    applied = _newer(old, row, _sub_rank)
    if applied:
        store.save_versioned("billing_subscriptions", row)
    return applied, row, old


def apply_invoice(store: BillingStore, invoice: dict[str, Any],
                  version: int | None = None) -> tuple[bool, dict[str, Any], dict[str, Any] | None]:
    """Store the invoice when it is not older than the mirror; (applied, row, previous row)."""
    row = invoice_row(invoice, 0)
    old = store.get("billing_invoices", row["id"])
    row["version"] = _version(old, version)
    if old and not row["campaign_id"]:
        row["campaign_id"] = old["campaign_id"]
    applied = _newer(old, row, _invoice_rank)
    if applied:
        store.save_versioned("billing_invoices", row)
    return applied, row, old


def pull_customer(client: Any, store: BillingStore, customer_id: str, what: str) -> None:
    """Bring one customer's subscriptions or invoices from Stripe into the mirror before deciding anything, so a
    fresh store (or another machine's work) never leads to a second subscription or invoice."""
    if what == "subscriptions":
        objects, apply = client.subscriptions(customer=customer_id, status="all"), apply_subscription
    else:
        objects, apply = client.invoices(customer=customer_id), apply_invoice
    with store.db.conn:
        for obj in objects:
            apply(store, obj)


def made_by(row: dict[str, Any] | None) -> str | None:
    """The tap intent that created a mirrored object (from its metadata), if any."""
    try:
        meta = json.loads((row or {}).get("raw") or "{}").get("metadata")
    except (TypeError, ValueError, AttributeError):
        return None
    return text(meta.get("tap_intent")) if isinstance(meta, dict) else None
