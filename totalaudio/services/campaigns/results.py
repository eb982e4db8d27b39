"""The ``update`` step's local half: each chosen contact's reply status and last engagement, the campaign's
counters and status, written to the store (journaled) so that the Airtable push carries them."""

from __future__ import annotations

from typing import Any

from totalaudio.services.campaigns.context import StepContext
from totalaudio.services.engagement import contact_engagement
from totalaudio.services.reports.facts import campaign_facts
from totalaudio.store.campaigns import CampaignStore
from totalaudio.store.contacts import ContactStore
from totalaudio.store.runs import Journal


def _contact_changes(ctx: StepContext, row: dict[str, Any]) -> dict[str, Any]:
    engagement = contact_engagement(ctx.db, row["id"], ctx.now())
    changes = {"reply_status": engagement.reply_status or row["reply_status"],
               "last_engagement": (engagement.last_engagement or "")[:10] or row["last_engagement"]}
    return {k: v for k, v in changes.items() if v != row[k]}


def _campaign_changes(ctx: StepContext, totals: dict[str, int]) -> dict[str, Any]:
    status = ctx.campaign.get("status")
    if totals["sent"] and status in ("draft", "creating", "sending", "scheduled", "planned"):
        status = "sent"
    return {"sent": totals["sent"], "opens": totals["opened"], "clicks": totals["clicked"],
            "replies": totals["replied"], "status": status}


def store_results(ctx: StepContext) -> dict[str, Any]:
    """Update contacts and the campaign from the stored events; how many contacts changed and the counters."""
    cid, journal = ctx.campaign["id"], Journal(ctx.db)
    rows = ctx.db.query("SELECT c.id, c.reply_status, c.last_engagement FROM campaign_contacts cc JOIN contacts c "
                        "ON c.id = cc.contact_id WHERE cc.campaign_id = ?", [cid])
    changed = 0
    with ctx.db.conn:
        for row in list(rows):
            changes = _contact_changes(ctx, row)
            if changes:
                ContactStore(ctx.db).update(row["id"], changes)
                journal.record(ctx.run_id, "contact", row["id"], "campaign-results",
                               {k: row[k] for k in changes}, changes)
                changed += 1
        counters = _campaign_changes(ctx, campaign_facts(ctx.db, cid, now=ctx.now())["totals"])
        CampaignStore(ctx.db).update(cid, counters)
    ctx.campaign.update(counters)
    return {"contactsUpdated": changed, "campaign": counters}
