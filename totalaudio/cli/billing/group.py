"""The billing group: setup, customers, subscriptions, checkout and portal links, invoices, status, sync."""

from __future__ import annotations

from typing import List, Optional

import typer

from totalaudio.cli import output
from totalaudio.cli.billing import invoices, usage
from totalaudio.cli.billing.common import CUSTOMER, PLAN, TRIAL, YEARLY, cfg, client, fmt, money, say
from totalaudio.cli.context import state

app = output.group("Bill artists through Stripe: plans, customers, subscriptions, invoices, usage and status.")
customers_app = output.group("Stripe customers linked to the store's artists.")
app.add_typer(customers_app, name="customers")
app.add_typer(usage.app, name="usage")


@app.command("setup")
def setup(dry_run: bool = output.DRY_RUN, json_: bool = output.JSON) -> None:
    """Create (or find) the Artist and Agency plans and their prices by lookup key; the usage meter if on."""
    from totalaudio.services.billing import plans

    st = state()
    with st.mutating("billing setup", {}, dry_run=dry_run) as run_id:
        result = plans.setup(client(), st.db, cfg(), dry_run=dry_run, run_id=run_id)
    output.emit(result, fmt(json_), _render_setup)


def _render_setup(r) -> None:
    for p in r["prices"]:
        say(f"{p['action']:8} {p['lookupKey']}: {money(p['unitAmount'], p['currency'])} per {p['interval']} "
            f"({p['id'] or 'new'})")
    if r["meter"]:
        say(f"{r['meter']['action']:8} meter {r['meter']['eventName']} ({r['meter']['id'] or 'new'})")
    say(f"{'Would create' if r['dryRun'] else 'Created'} {r['created']} objects")


@customers_app.command("add")
def customers_add(name: str = typer.Argument(..., help="The customer's name (artist, label or manager)."),
                  email: str = typer.Option(..., "--email", help="Billing email address.", show_default=False),
                  artist: Optional[List[str]] = typer.Option(None, "--artist", help="An artist this customer pays "
                                                             "for (repeat for several)."),
                  dry_run: bool = output.DRY_RUN, json_: bool = output.JSON) -> None:
    """Create a Stripe customer (or find it by email) linked to artists."""
    from totalaudio.services.billing import customers

    st = state()
    with st.mutating("billing customers add", {"email": email}, dry_run=dry_run) as run_id:
        result = customers.add(None if dry_run else client(), st.db, name, email, artist or [], dry_run=dry_run,
                               run_id=run_id)
    if result["unknownArtists"]:
        output.note(f"no campaign names these artists yet: {', '.join(result['unknownArtists'])}")
    output.emit(result, fmt(json_), lambda r: say(f"{r['action']} {r['id'] or '(new)'} {r['name']} <{r['email']}> "
                                                  f"artists: {', '.join(r['artists']) or 'none'}"))


@customers_app.command("list")
def customers_list(json_: bool = output.JSON) -> None:
    """List billing customers with their artists."""
    from totalaudio.services.billing import customers

    rows = customers.list_customers(state().db)
    output.emit(rows, fmt(json_), lambda data: output.table(
        f"{len(data)} customers", ["Id", "Name", "Email", "Artists"],
        [(c["id"], c["name"], c["email"], ", ".join(c["artists"])) for c in data]))


@app.command("subscribe")
def subscribe(customer: str = CUSTOMER, plan: str = PLAN, yearly: bool = YEARLY, trial_days: Optional[int] = TRIAL,
              invoice: bool = typer.Option(False, "--invoice", help="Email an invoice each period instead of "
                                           "charging the card on file."),
              dry_run: bool = output.DRY_RUN, json_: bool = output.JSON) -> None:
    """Subscribe a customer to a plan (a declined card is reported with its reason, exit 4)."""
    from totalaudio.services.billing import subscriptions

    st = state()
    with st.mutating("billing subscribe", {"customer": customer, "plan": plan}, dry_run=dry_run) as run_id:
        result = subscriptions.subscribe(None if dry_run else client(), st.db, customer, plan, yearly=yearly,
                                         trial_days=trial_days, invoice=invoice, cfg=cfg(), dry_run=dry_run,
                                         run_id=run_id)
    output.emit(result, fmt(json_), lambda r: say(f"{'Would subscribe' if r['dryRun'] else 'Subscribed'} "
                                                  f"{r['customerId']} to {r['plan']} per {r['interval']}: "
                                                  f"{r['id'] or ''} {r['status'] or ''}".rstrip()))


@app.command("checkout")
def checkout(customer: str = CUSTOMER, plan: str = PLAN, yearly: bool = YEARLY, trial_days: Optional[int] = TRIAL,
             dry_run: bool = output.DRY_RUN, json_: bool = output.JSON) -> None:
    """A Checkout link the customer subscribes and pays through (tap never sees card data)."""
    from totalaudio.services.billing import subscriptions

    st = state()
    with st.mutating("billing checkout", {"customer": customer, "plan": plan}, dry_run=dry_run) as run_id:
        result = subscriptions.checkout(None if dry_run else client(), st.db, customer, plan, yearly=yearly,
                                        trial_days=trial_days, cfg=cfg(), dry_run=dry_run, run_id=run_id)
    output.emit(result, fmt(json_), lambda r: say(r["url"] or "(dry run: no link made)"))


@app.command("portal")
def portal(customer: str = CUSTOMER, dry_run: bool = output.DRY_RUN, json_: bool = output.JSON) -> None:
    """A customer-portal link: cards, invoices, plan changes and cancelling on Stripe's page."""
    from totalaudio.services.billing import subscriptions

    st = state()
    with st.mutating("billing portal", {"customer": customer}, dry_run=dry_run) as run_id:
        result = subscriptions.portal(None if dry_run else client(), st.db, customer, cfg=cfg(), dry_run=dry_run,
                                      run_id=run_id)
    output.emit(result, fmt(json_), lambda r: say(r["url"] or "(dry run: no link made)"))


@app.command("cancel")
def cancel(customer: str = CUSTOMER,
           at_period_end: bool = typer.Option(False, "--at-period-end", help="End when the paid period ends."),
           subscription: Optional[str] = typer.Option(None, "--subscription", help="Which one, when several."),
           dry_run: bool = output.DRY_RUN, json_: bool = output.JSON) -> None:
    """Cancel a customer's subscription now or at the end of the period."""
    from totalaudio.services.billing import subscriptions

    st = state()
    with st.mutating("billing cancel", {"customer": customer}, dry_run=dry_run) as run_id:
        result = subscriptions.cancel(None if dry_run else client(), st.db, customer, at_period_end=at_period_end,
                                      subscription_id=subscription, dry_run=dry_run, run_id=run_id)
    output.emit(result, fmt(json_), lambda r: say(f"{r['id']}: {r['status']}" + (
        " (cancels at period end)" if r["cancelAtPeriodEnd"] else "")))


@app.command("sync")
def sync(dry_run: bool = output.DRY_RUN, json_: bool = output.JSON) -> None:
    """Poll Stripe's events since the last one seen and apply them (for when no webhook can reach tap)."""
    from totalaudio.services.billing import sync as svc

    st = state()
    with st.mutating("billing sync", {}, dry_run=dry_run) as run_id:
        result = svc.sync(client(), st.db, svc.notifier(st.settings), dry_run=dry_run, run_id=run_id)
    for failed in result["notifyFailed"]:
        output.note(f"notification {failed['type']} not sent: {failed['error']}")
    output.emit(result, fmt(json_), lambda r: say(f"{r['new']} new of {r['seen']} events"
                                                  f"{' (dry run)' if r['dryRun'] else ''}, {r['notified']} "
                                                  f"notifications sent"))


app.command("invoice")(invoices.invoice)
app.command("invoices")(invoices.invoices_list)
app.command("status")(invoices.status)
