"""``tap billing invoice``, ``invoices`` and ``status``."""

from __future__ import annotations

from typing import Optional

import typer

from totalaudio.cli import output
from totalaudio.cli.billing.common import CUSTOMER, cfg, client, fmt, money, say
from totalaudio.cli.context import state

REFRESH = typer.Option(False, "--refresh", help="Read subscriptions and invoices from Stripe first.")


def invoice(customer: str = CUSTOMER,
            campaign: str = typer.Option(..., "--campaign", help="The campaign (id or name) the fee is for.",
                                         show_default=False),
            amount: str = typer.Option(..., "--amount", help="The fee in the configured currency, e.g. 250.00.",
                                       show_default=False),
            description: Optional[str] = typer.Option(None, "--description", help="The invoice line."),
            due_days: Optional[int] = typer.Option(None, "--due-days", help="Days to pay (default [billing] "
                                                   "due_days, 14).", show_default=False),
            send: bool = typer.Option(False, "--send", help="Have Stripe email the invoice now."),
            dry_run: bool = output.DRY_RUN, json_: bool = output.JSON) -> None:
    """Invoice a customer once for a campaign's fee."""
    from totalaudio.services.billing import invoices

    st = state()
    with st.mutating("billing invoice", {"customer": customer, "campaign": campaign}, dry_run=dry_run) as run_id:
        result = invoices.invoice(None if dry_run else client(), st.db, customer, campaign, amount,
                                  description=description, due_days=due_days, send=send, cfg=cfg(),
                                  dry_run=dry_run, run_id=run_id)
    output.emit(result, fmt(json_), lambda r: say(
        f"{'Would invoice' if r['dryRun'] else 'Invoiced'} {r['customerId']} {money(r['amount'], r['currency'])} "
        f"for {r['campaignId']}: {r['id'] or ''} {r['status'] or ''}{' (sent)' if r['sent'] else ''}".rstrip()))


def _refresh() -> None:
    from totalaudio.services.billing.status import refresh

    st = state()
    with st.mutating("billing refresh", {}):
        counts = refresh(client(), st.db)
    output.note(f"read {counts['subscriptions']} subscriptions and {counts['invoices']} invoices from Stripe")


def invoices_list(status: Optional[str] = typer.Option(None, "--status", help="open, paid, past_due (open and "
                                                       "overdue), uncollectible, draft or void."),
                  customer: Optional[str] = typer.Option(None, "--customer", help="Only this customer's."),
                  refresh: bool = REFRESH, json_: bool = output.JSON) -> None:
    """List invoices, overdue first."""
    from totalaudio.services.billing import invoices

    if refresh:
        _refresh()
    rows = invoices.list_invoices(state().db, status, customer)
    output.emit(rows, fmt(json_), lambda data: output.table(
        f"{len(data)} invoices", ["Id", "Customer", "Status", "Due", "Remaining", "Campaign"],
        [(i["id"], i["customerId"], "OVERDUE" if i["overdue"] else i["status"], (i["dueDate"] or "")[:10],
          money(i["amountRemaining"], i["currency"]), i["campaignId"]) for i in data]))


def status(refresh: bool = REFRESH, json_: bool = output.JSON) -> None:
    """Active subscriptions per plan, monthly recurring revenue, past-due subscriptions, open and overdue invoices."""
    from totalaudio.services.billing import status as svc

    if refresh:
        _refresh()
    result = svc.status(state().db)
    output.emit(result, fmt(json_), _render_status)


def _render_status(r) -> None:
    currency = r["currencies"][0] if len(r["currencies"]) == 1 else ""
    for p in r["plans"]:
        say(f"{p['plan']}: {p['active']} active, {p['trialing']} trialing, MRR {money(p['mrr'], currency)}")
    say(f"MRR {money(r['mrr'], currency)}; {len(r['pastDue'])} past due; {r['openInvoices']} open invoices, "
        f"{len(r['overdueInvoices'])} overdue")
