"""``tap billing usage``: contacts pitched per customer's artist per day, reported as Stripe meter events."""

from __future__ import annotations

from typing import Optional

import typer

from totalaudio.cli import output
from totalaudio.cli.billing.common import cfg, client, fmt, say
from totalaudio.cli.context import state

app = output.group("Usage billing: contacts pitched per artist per day, as Stripe meter events.")
SINCE = typer.Option(None, "--since", help="First day to count (YYYY-MM-DD; default: 34 days ago).",
                     show_default=False)


@app.command("report")
def report(since: Optional[str] = SINCE, dry_run: bool = output.DRY_RUN, json_: bool = output.JSON) -> None:
    """Send whole days' counts not yet sent as meter events (a re-run never bills twice)."""
    from totalaudio.services.billing import usage

    st = state()
    settings = cfg()
    with st.mutating("billing usage report", {"since": since}, dry_run=dry_run) as run_id:
        result = usage.report(None if dry_run else client(), st.db, settings, since=since, dry_run=dry_run,
                              run_id=run_id)
    output.emit(result, fmt(json_), lambda r: say(
        f"{'Would send' if r['dryRun'] else 'Sent'} {len(r['sent'])} meter events ({r['total']} contacts), "
        f"{len(r['alreadySent'])} already sent"))


@app.command("show")
def show(since: Optional[str] = SINCE, json_: bool = output.JSON) -> None:
    """Each day's local count per customer and artist, beside what Stripe was sent."""
    from totalaudio.services.billing import usage

    rows = usage.show(state().db, since)
    output.emit(rows, fmt(json_), lambda data: output.table(
        f"{len(data)} customer-artist days", ["Day", "Customer", "Artist", "Contacts", "Reported", "State"],
        [(r["day"], r["customerId"], r["artist"], r["value"], r["reportedValue"], r["state"]) for r in data]))
