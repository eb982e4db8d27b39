"""One-off invoices for a campaign's fee (item, invoice, finalize, send: each step with its own key derived from
one intent, so a re-run resumes without a second charge), and the invoice list with what is overdue first."""

from __future__ import annotations

import time
from typing import Any

from totalaudio.errors import InputError
from totalaudio.services.billing.common import BillingConfig, create_once, iso, to_minor
from totalaudio.services.billing.mirror import apply_invoice, made_by, pull_customer
from totalaudio.store.billing import BillingStore, Intents
from totalaudio.store.campaigns import CampaignStore

STATUSES = ("draft", "open", "paid", "past_due", "uncollectible", "void")


def _campaign(db: Any, ref: str) -> dict[str, Any]:
    """A campaign by id or exact name."""
    try:
        return CampaignStore(db).get(ref)
    except InputError:
        rows = list(db.query("SELECT * FROM campaigns WHERE lower(name) = ?", [ref.strip().lower()]))
        if len(rows) == 1:
            return rows[0]
        raise InputError(f"{'no' if not rows else len(rows)} campaigns named {ref!r}",
                         hint="name the campaign by its id (cmp_...), see `tap campaign list`") from None


def invoice(client: Any, db: Any, customer_ref: str, campaign_ref: str, amount: str, *,
            description: str | None = None, due_days: int | None = None, send: bool = False,
            cfg: BillingConfig = BillingConfig(), dry_run: bool = False, run_id: str | None = None) -> dict[str, Any]:
    """Invoice a customer for a campaign's fee, payable within ``due_days``; Stripe emails it with ``send``."""
    minor = int(to_minor(amount, cfg.currency, what="--amount"))  # the command's own values first, then the store
    days = cfg.due_days if due_days is None else due_days
    if not 0 < days <= 365:
        raise InputError(f"--due-days must be from 1 to 365, not {days}")
    store = BillingStore(db)
    customer, campaign = store.find_customer(customer_ref), _campaign(db, campaign_ref)
    text = (description or f"Radio promotion: {campaign['name']}")[:500]
    if client is not None:
        pull_customer(client, store, customer["id"], "invoices")
    done = store.one("SELECT id, status, raw FROM billing_invoices WHERE customer_id = ? AND campaign_id = ? AND "
                     "status != 'void'", [customer["id"], campaign["id"]])
    intent = Intents(db).latest(f"invoice:{customer['id']}:{campaign['id']}")
    unfinished = bool(done and intent and intent["state"] != "complete" and made_by(done) == intent["id"])
    if done and not unfinished:
        raise InputError(f"campaign {campaign['name']} is already invoiced to {customer['name']} ({done['id']}, "
                         f"{done['status']})", hint="void it in Stripe first to invoice it again")
    result = {"customerId": customer["id"], "campaignId": campaign["id"], "amount": minor, "currency": cfg.currency,
              "description": text, "dueDays": days, "sent": False, "dryRun": dry_run, "runId": run_id}
    if dry_run:
        return {**result, "id": None, "status": None}
    final = _create(client, db, store, (customer["id"], campaign["id"]), minor, text, days, send, cfg, run_id,
                    resume=done["id"] if done else None)
    return {**result, "id": final["id"], "status": final.get("status"), "sent": send,
            "hostedInvoiceUrl": final.get("hosted_invoice_url"), "dueDate": iso(final.get("due_date"))}


def _create(client: Any, db: Any, store: BillingStore, who: tuple[str, str], minor: int, text: str, days: int,
            send: bool, cfg: BillingConfig, run_id: str | None, resume: str | None) -> dict[str, Any]:
    """Invoice first (excluding stray pending items), then its line, finalize and send: each step's key derives
    from the invoice's intent, so a run resumed after a crash repeats no step (``resume``: the draft made)."""
    customer_id, campaign_id = who
    meta = {"tap_campaign": campaign_id}
    subject = f"invoice:{customer_id}:{campaign_id}"

    def save(obj: dict[str, Any]) -> None:
        apply_invoice(store, {**obj, "metadata": {**(obj.get("metadata") or {}), **meta}})

    if resume is None:
        params = {"customer": customer_id, "collection_method": "send_invoice", "days_until_due": days,
                  "description": text, "pending_invoice_items_behavior": "exclude", "auto_advance": False,
                  "currency": cfg.currency, "metadata": meta}
        resume = create_once(db, subject, "invoice", params, client.create_invoice, save, run_id)["id"]
    intents = Intents(db)
    key = intents.latest(subject)["id"]
    client.create_invoice_item({"customer": customer_id, "invoice": resume, "amount": minor,
                                "currency": cfg.currency, "description": text, "metadata": meta}, key=f"{key}-item")
    final = client.finalize_invoice(resume, key=f"{key}-finalize")
    if send:
        final = client.send_invoice(resume, key=f"{key}-send")
    with db.conn:
        save(final)
        intents.settle(key, "complete")
    return final


def _overdue(row: dict[str, Any], now: int) -> bool:
    return row.get("status") == "open" and row.get("due_date") is not None and row["due_date"] < now


def view(row: dict[str, Any], now: int) -> dict[str, Any]:
    """An invoice row in the output shape."""
    return {"id": row["id"], "customerId": row["customer_id"], "status": row["status"],
            "overdue": _overdue(row, now), "campaignId": row["campaign_id"], "description": row["description"],
            "amountDue": row["amount_due"], "amountRemaining": row["amount_remaining"], "currency": row["currency"],
            "dueDate": iso(row["due_date"]), "created": iso(row["created"]), "hostedInvoiceUrl": row["hosted_url"]}


def list_invoices(db: Any, status: str | None = None, customer_ref: str | None = None,
                  now: int | None = None) -> list[dict[str, Any]]:
    """Mirrored invoices, overdue first (oldest due date first), then the rest newest first."""
    if status and status not in STATUSES:
        raise InputError(f"--status must be one of {', '.join(STATUSES)}, not {status!r}")
    store, now = BillingStore(db), int(time.time()) if now is None else now
    customer_id = store.find_customer(customer_ref)["id"] if customer_ref else None
    rows = [view(r, now) for r in store.invoices("open" if status == "past_due" else status, customer_id)]
    if status == "past_due":
        rows = [r for r in rows if r["overdue"]]
    overdue = sorted((r for r in rows if r["overdue"]), key=lambda r: r["dueDate"] or "")
    return overdue + [r for r in rows if not r["overdue"]]
