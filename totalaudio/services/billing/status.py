"""``tap billing status``: active subscriptions per plan, monthly recurring revenue, what is past due, and open
and overdue invoices, from the local mirror (kept current by webhooks, ``tap billing sync`` or ``--refresh``)."""

from __future__ import annotations

import time
from typing import Any

from totalaudio.services.billing.invoices import list_invoices
from totalaudio.services.billing.mirror import apply_invoice, apply_subscription
from totalaudio.store.billing import BillingStore, Intents

PER_MONTH = {"month": 1.0, "year": 1 / 12, "week": 52 / 12, "day": 365 / 12}
EARNING = ("active", "past_due")  # MRR counts what is billed, trials not yet


def monthly(row: dict[str, Any]) -> int:
    """A subscription's recurring amount per month, in minor units."""
    return round((row["unit_amount"] or 0) * PER_MONTH.get(row["interval"] or "", 0.0))


def status(db: Any, now: int | None = None) -> dict[str, Any]:
    """Subscriptions per plan with MRR, past-due subscriptions, open and overdue invoices, and creates a killed
    run left unconfirmed (running the same command again completes them)."""
    now = int(time.time()) if now is None else now
    subs = BillingStore(db).subscriptions()
    plans: dict[str, dict[str, Any]] = {}
    for row in subs:
        if row["status"] in EARNING + ("trialing",):
            plan = plans.setdefault(row["plan"] or "other", {"plan": row["plan"] or "other", "active": 0,
                                                             "trialing": 0, "mrr": 0})
            plan["trialing" if row["status"] == "trialing" else "active"] += 1
            plan["mrr"] += monthly(row) if row["status"] in EARNING else 0
    currencies = sorted({r["currency"] for r in subs if r["currency"] and r["status"] in EARNING})
    invoices = list_invoices(db, "open", now=now)
    return {"plans": sorted(plans.values(), key=lambda p: p["plan"]), "mrr": sum(p["mrr"] for p in plans.values()),
            "currencies": currencies,
            "pastDue": [{"id": r["id"], "customerId": r["customer_id"], "plan": r["plan"], "status": r["status"]}
                        for r in subs if r["status"] in ("past_due", "unpaid")],
            "openInvoices": len(invoices), "overdueInvoices": [i for i in invoices if i["overdue"]],
            "openAmount": sum(i["amountRemaining"] or 0 for i in invoices),
            "unconfirmedCreates": [{"intent": i["id"], "subject": i["subject"], "since": i["created_at"]}
                                   for i in Intents(db).pending()]}


def refresh(client: Any, db: Any) -> dict[str, int]:
    """Read every subscription and the open and recent invoices from Stripe into the mirror."""
    store = BillingStore(db)
    subs = client.subscriptions(status="all")
    invoices = client.invoices()
    with db.conn:
        changed = sum(apply_subscription(store, s)[0] for s in subs)
        changed += sum(apply_invoice(store, i)[0] for i in invoices)
    return {"subscriptions": len(subs), "invoices": len(invoices), "changed": changed}
