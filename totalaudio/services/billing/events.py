"""Stripe events into the local mirror, each once by its id, applied by the object's own state and time (not
arrival order). The one entry point for the webhook receiver (via="webhook") and ``tap billing sync`` (via="poll")."""

from __future__ import annotations

import json
from typing import Any

from totalaudio.errors import InputError
from totalaudio.services.billing.customers import artists_from_metadata
from totalaudio.services.billing.common import iso as iso_or_none
from totalaudio.services.billing.mirror import apply_invoice, apply_subscription, text, whole
from totalaudio.store.billing import BillingStore, EventLog

VIA = ("webhook", "poll", "replay")  # replay: `tap webhooks replay` applies a stored event again
SUBSCRIPTION_CHANGES = ("customer.subscription.created", "customer.subscription.updated",
                        "customer.subscription.deleted")
CUSTOMER_EVENTS = ("customer.created", "customer.updated", "customer.deleted")


def _normalised(event: Any, raw: str | None = None) -> tuple[dict[str, Any], str]:
    """The event as plain JSON data with the fields every event has, and its JSON text (as stored); or
    InputError naming what is wrong. With ``raw`` (the strict JSON text ``event`` was parsed from, as the
    receiver has it) the event is taken as it is."""
    if raw is None:
        try:  # an SDK object, or data from anywhere: made plain JSON data, NaN refused
            raw = json.dumps(event, allow_nan=False, ensure_ascii=False, sort_keys=True)
            event = json.loads(raw)
        except (TypeError, ValueError, RecursionError) as exc:
            raise InputError(f"the Stripe event is not JSON data: {exc.__class__.__name__}") from None
    if not isinstance(event, dict):
        raise InputError("a Stripe event must be a JSON object")
    event_id, kind, created = text(event.get("id")), text(event.get("type")), whole(event.get("created"))
    if not event_id or len(event_id) > 255 or not kind or len(kind) > 255:
        raise InputError("the Stripe event has no usable id or type")
    if created is None or not 0 <= created < 2**37:
        raise InputError(f"Stripe event {event_id} has no usable created time")
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise InputError(f"Stripe event {event_id} has no data.object")
    return event, raw


def ingest_stripe_event(db: Any, event: dict, via: str, *, raw: str | None = None) -> dict[str, Any]:
    """Store a (signature-verified) Stripe event once and apply it; what changed and what to notify. ``raw``:
    the strict JSON text the event was just parsed from, when the caller has it (stored as it came)."""
    if via not in VIA:
        raise InputError(f"via must be one of {', '.join(VIA)}, not {via!r}")
    event, raw = _normalised(event, raw)
    obj = event["data"]["object"]
    out = {"eventId": event["id"], "type": event["type"], "duplicate": False, "effects": [], "notifications": []}
    log = EventLog(db)
    with db.conn:
        if not log.add(event, via, text(obj.get("id")), raw) and via != "replay":
            return {**out, "duplicate": True}
        effects, notes = _apply(BillingStore(db, (event, raw)), event, obj)
        log.set_effects(event["id"], effects)
    return {**out, "effects": effects, "notifications": notes}


def _apply(store: BillingStore, event: dict[str, Any], obj: dict[str, Any]) -> tuple[list[str], list[dict]]:
    kind = event["type"]
    if kind.startswith("customer.subscription."):
        return _subscription(store, event, obj)
    if kind.startswith("invoice."):
        return _invoice(store, event, obj)
    if kind in CUSTOMER_EVENTS:
        return _customer(store, event, obj), []
    return [f"{kind}: stored, nothing to apply"], []


def _who(store: BillingStore, customer_id: str | None) -> dict[str, Any]:
    row = store.one("SELECT name FROM billing_customers WHERE id = ?", [customer_id or ""])
    return {"customerId": customer_id, "customerName": (row or {}).get("name"),
            "artists": store.artists_of(customer_id) if customer_id else []}


def _subscription(store: BillingStore, event: dict[str, Any], obj: dict[str, Any]) -> tuple[list[str], list[dict]]:
    applied, row, old = apply_subscription(store, obj, event["created"])
    if not applied:
        return [f"subscription {row['id']}: {row['status']} is older than the stored {old['status']}, ignored"], []
    before = (old or {}).get("status")
    effect = f"subscription {row['id']}: {row['status']}" + (f" (was {before})" if before and before != row["status"]
                                                               else "")
    if event["type"] not in SUBSCRIPTION_CHANGES:
        return [effect], []
    data = {"subscriptionId": row["id"], **_who(store, row["customer_id"]), "plan": row["plan"],
            "interval": row["interval"], "status": row["status"], "previousStatus": before,
            "cancelAtPeriodEnd": bool(row["cancel_at_period_end"]),
            "currentPeriodEnd": iso_or_none(row["current_period_end"]), "eventType": event["type"],
            "eventId": event["id"]}
    return [effect], [{"type": "subscription.changed", "data": data}]


def _invoice(store: BillingStore, event: dict[str, Any], obj: dict[str, Any]) -> tuple[list[str], list[dict]]:
    applied, row, old = apply_invoice(store, obj, event["created"])
    if not applied:
        return [f"invoice {row['id']}: {row['status']} is older than the stored {old['status']}, ignored"], []
    effects = [f"invoice {row['id']}: {row['status']}"]
    if event["type"] != "invoice.payment_failed":
        return effects, []
    data = {"invoiceId": row["id"], **_who(store, row["customer_id"]), "amountDue": row["amount_due"],
            "currency": row["currency"], "attemptCount": whole(obj.get("attempt_count")),
            "nextPaymentAttempt": iso_or_none(whole(obj.get("next_payment_attempt"))),
            "hostedInvoiceUrl": row["hosted_url"], "campaignId": row["campaign_id"], "eventId": event["id"]}
    return effects + ["payment failed: notification"], [{"type": "payment.failed", "data": data}]


def _customer(store: BillingStore, event: dict[str, Any], obj: dict[str, Any]) -> list[str]:
    """Customers tap knows (or whose metadata names artists) follow their Stripe state."""
    customer_id = text(obj.get("id"))
    known = store.one("SELECT id FROM billing_customers WHERE id = ?", [customer_id or ""])
    artists = artists_from_metadata(obj)
    if not customer_id or (not known and artists is None):
        return [f"customer {customer_id}: not linked to any artist, not mirrored"]
    if event["type"] == "customer.deleted":
        store.db.execute("UPDATE billing_customers SET deleted = 1 WHERE id = ?", [customer_id])
        return [f"customer {customer_id}: deleted"]
    store.save_customer({**obj, "name": text(obj.get("name")), "email": text(obj.get("email"))}, artists)
    return [f"customer {customer_id}: updated"]
