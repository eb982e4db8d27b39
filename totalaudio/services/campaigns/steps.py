"""The seven workflow steps. Each calls the service that already does the work (Airtable sync, enrichment,
Mailchimp campaigns and reports, the Gmail and Claude doors in ports.py) and returns what it did as a dict;
``{"skipped": True, "reason": ...}`` when there was nothing to do.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from totalaudio.errors import InputError
from totalaudio.models import Contact
from totalaudio.services.campaigns.context import StepContext
from totalaudio.services.campaigns.selection import chosen_contacts, reselect
from totalaudio.services.engagement import parse_time
from totalaudio.store.campaign_runs import plan_of

ENRICH_DAYS = 30.0  # [campaign] enrich_days: a contact enriched longer ago than this is enriched again


def _skip(reason: str) -> dict[str, Any]:
    return {"skipped": True, "reason": reason}


def _sync(ctx: StepContext, pull: bool) -> Any:
    from totalaudio.services.airtable.sync import SyncOptions, sync_base

    return sync_base(ctx.db, ctx.settings, SyncOptions(pull=pull, push=not pull), run_id=ctx.run_id)


def step_import(ctx: StepContext) -> dict[str, Any]:
    """Pull the contacts (and this campaign's Airtable record) from Airtable, then add new matching contacts."""
    if not ctx.configured("airtable"):
        return _skip("Airtable is not configured (AIRTABLE_API_KEY, AIRTABLE_BASE_ID): the local contacts are used")
    result = _sync(ctx, pull=True)
    added = reselect(ctx.db, ctx.campaign)
    return {"fetched": result.fetched, "pulled": result.pulled, "added": added,
            "chosen": len(chosen_contacts(ctx.db, ctx.campaign["id"]))}


def _stale(contact: Contact, ctx: StepContext) -> bool:
    days = float(ctx.settings.section("campaign").get("enrich_days", ENRICH_DAYS))
    last = parse_time(contact.last_enriched)
    return last is None or ctx.now() - last > timedelta(days=days)


def enrich_targets(ctx: StepContext) -> tuple[list[tuple[Contact, Any]], int]:
    """The chosen contacts never or not recently enriched, with their websites; and how many have none."""
    from totalaudio.services.enrich.runner import Target
    from totalaudio.services.enrich.website import website_for

    chosen, without = [], 0
    for contact in chosen_contacts(ctx.db, ctx.campaign["id"]):
        if not _stale(contact, ctx):
            continue
        url, _source = website_for(contact)
        if url is None:
            without += 1
        else:
            chosen.append((contact, Target(url, contact.id, contact.email, contact.station)))
    return chosen, without


def step_enrich(ctx: StepContext) -> dict[str, Any]:
    """Enrich the chosen contacts never or not recently enriched (the enrichment service's runner)."""
    chosen, without = enrich_targets(ctx)
    if not chosen:
        return _skip(f"every chosen contact was enriched recently or has no website ({without} without one)")
    return {"selected": len(chosen), "withoutWebsite": without, **ctx.enrich(ctx, chosen)}


def step_create(ctx: StepContext) -> dict[str, Any]:
    """Create the Mailchimp campaign to exactly the chosen contacts, or prepare the Gmail pitches."""
    ids = [c.id for c in chosen_contacts(ctx.db, ctx.campaign["id"])]
    if not ids:
        raise InputError(f"campaign {ctx.campaign['name']!r} has no contacts",
                         hint="choose some with `tap campaign new ... --genre/--station/--type/--search`")
    if ctx.campaign["channel"] == "gmail":
        return ctx.ports.gmail_pitch(ctx, ids)
    from totalaudio.services.campaigns.mailchimp import create

    return create(ctx)


def step_send(ctx: StepContext) -> dict[str, Any]:
    """Send the campaign (after a yes from the person, or --yes); Mailchimp never sends one twice."""
    name = ctx.campaign["name"]
    ids = [c.id for c in chosen_contacts(ctx.db, ctx.campaign["id"])]
    if not ctx.yes and not ctx.confirm(f"Send campaign {name!r} to {len(ids)} contacts now?"):
        raise InputError(f"not sent: sending campaign {name!r} was not confirmed",
                         hint="answer yes at the prompt, or give --yes (from cron)")
    if ctx.campaign["channel"] == "gmail":
        return ctx.ports.gmail_send(ctx, ids)
    from totalaudio.services.campaigns.mailchimp import send

    return send(ctx)


def _last_reply_id(ctx: StepContext) -> int:
    row = ctx.db.execute("SELECT max(id) FROM events WHERE campaign_id = ? AND kind = 'reply'",
                         [ctx.campaign["id"]]).fetchone()
    return int(row[0] or 0)


def step_replies(ctx: StepContext) -> dict[str, Any]:
    """Read the results: Mailchimp's activity (sends, opens, clicks, bounces) and the Gmail replies."""
    before, detail = _last_reply_id(ctx), {}
    if ctx.campaign["channel"] == "mailchimp":
        from totalaudio.services.campaigns.mailchimp import activity

        detail["mailchimp"] = activity(ctx)
    detail["gmail"] = ctx.ports.gmail_watch(ctx)
    new = list(ctx.db.query("SELECT e.id, e.email, e.at, e.data, c.station FROM events e LEFT JOIN contacts c ON "
                            "c.id = e.contact_id WHERE e.campaign_id = ? AND e.kind = 'reply' AND e.id > ? ORDER BY "
                            "e.id", [ctx.campaign["id"], before]))
    for reply in new:
        ctx.tell("campaign.reply", {"email": reply["email"], "station": reply["station"], "at": reply["at"],
                                    "eventId": reply["id"]})
    detail["newReplies"] = len(new)
    return detail


def step_report(ctx: StepContext) -> dict[str, Any]:
    """The campaign's facts and narrative (Claude, or the template), written as the artist's report."""
    from totalaudio.services.reports.facts import campaign_facts

    facts = campaign_facts(ctx.db, ctx.campaign["id"], now=ctx.now())
    story = ctx.ports.narrative(ctx.db, ctx.settings, facts, use_ai=True, run_id=ctx.run_id)
    written = ctx.write_report(facts, story) if ctx.write_report else {}
    return {"narrativeSource": story.get("source"), **written,
            "figures": {k: facts["totals"][k] for k in ("chosen", "sent", "opened", "replied", "outcomes")}}


def step_update(ctx: StepContext) -> dict[str, Any]:
    """Write statuses, engagement and the campaign's results to the store, then push them to Airtable."""
    from totalaudio.services.campaigns.results import store_results

    detail = store_results(ctx)
    if not ctx.configured("airtable"):
        return {**detail, "airtable": "not configured: the results stay in the local store"}
    pushed = _sync(ctx, pull=False)
    return {**detail, "airtable": {"pushed": pushed.pushed, "created": pushed.created,
                                   "rejected": len(pushed.rejected)}}


RUNNERS = {"import": step_import, "enrich": step_enrich, "create": step_create, "send": step_send,
           "replies": step_replies, "report": step_report, "update": step_update}


def plan(ctx: StepContext, step: str) -> dict[str, Any]:
    """What a step would do (for --dry-run): it reads the store only, never a service."""
    cid, channel = ctx.campaign["id"], ctx.campaign["channel"]
    count = len(chosen_contacts(ctx.db, cid))
    would = {"import": "pull contacts from Airtable" if ctx.configured("airtable") else "skip: Airtable not configured",
             "enrich": f"enrich {len(enrich_targets(ctx)[0])} contacts never or not recently enriched",
             "create": f"create the {channel} campaign to {count} contacts "
                       f"({plan_of(ctx.campaign).get('listId') or 'default audience'})",
             "send": f"send to {count} contacts" + ("" if ctx.yes else " after confirmation"),
             "replies": "read Mailchimp activity and Gmail replies" if channel == "mailchimp" else "read Gmail replies",
             "report": "write the artist's report", "update": "store results and push them to Airtable"}
    return {"wouldDo": would[step]}
