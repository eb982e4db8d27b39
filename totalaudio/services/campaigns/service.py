"""Campaigns: create one with its chosen contacts, say where each stands, record outcomes and shareable quotes."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from totalaudio.config import Settings
from totalaudio.errors import InputError, utc_now
from totalaudio.services.campaigns.context import STEPS
from totalaudio.services.campaigns.selection import matching
from totalaudio.services.reports.facts import (OUTCOME_TYPES, campaign_fields, current_totals, every_current_totals,
                                               find_campaign)
from totalaudio.store.campaign_runs import DONE_STATES, StepLog
from totalaudio.store.campaigns import CampaignStore, new_id
from totalaudio.store.contacts import ContactStore

CHANNELS = ("mailchimp", "gmail")


def _unique(db: Any, name: str) -> None:
    if not name.strip():
        raise InputError("the campaign needs a name")
    if db.execute("SELECT 1 FROM campaigns WHERE name = ? COLLATE NOCASE", [name]).fetchone():
        raise InputError(f"a campaign named {name!r} exists already", hint="see `tap campaign list`")


def new_campaign(db: Any, settings: Settings, name: str, artist: str, release: str, channel: str,
                 filters: dict[str, Any], content: dict[str, Any], *, dry_run: bool = False,
                 run_id: str | None = None) -> dict[str, Any]:
    """A campaign with the contacts the filters choose, in the store and (when configured) in Airtable."""
    if channel not in CHANNELS:
        raise InputError(f"--channel {channel!r}: use {' or '.join(CHANNELS)}")
    _unique(db, name)
    contacts = matching(db, filters)
    if not contacts:
        raise InputError("no contact matches these filters", hint="try `tap contacts list` with the same filters")
    plan = {"filters": {k: v for k, v in filters.items() if v is not None}, **{k: v for k, v in content.items()
                                                                                if v is not None}}
    out = {"id": None, "name": name, "artist": artist, "release": release, "channel": channel,
           "chosen": len(contacts), "plan": plan, "airtable": None, "dryRun": dry_run}
    if dry_run:
        return out
    out["id"] = CampaignStore(db).create({"id": new_id(), "name": name, "artist": artist, "release": release,
                                          "channel": channel, "plan": json.dumps(plan), "status": "planned"},
                                         [c.id for c in contacts])
    out["airtable"] = _push(db, settings, run_id)
    return out


def _push(db: Any, settings: Settings, run_id: str | None) -> dict[str, Any] | str:
    """The new campaign (and its contacts) to Airtable's Campaigns through the sync's push."""
    if settings.missing("airtable"):
        return "not configured: the campaign is in the local store only"
    from totalaudio.services.airtable.sync import SyncOptions, sync_base

    result = sync_base(db, settings, SyncOptions(pull=False, push=True), run_id=run_id)
    return {"pushed": result.pushed, "created": result.created, "rejected": len(result.rejected)}


def _next(name: str, steps: dict[str, dict[str, Any]], totals: dict[str, int]) -> str:
    for step in STEPS:
        entry = steps.get(step)
        if entry and entry["state"] == "failed":
            return f"fix the {step} step ({entry['hint'] or entry['error']}), then `tap campaign run {name!r}`"
        if not entry or entry["state"] not in DONE_STATES:
            return f"`tap campaign run {name!r}` (resumes at {step})"
    if totals["opened"] > totals["replied"] or totals["replied"] > totals["outcomes"]:
        return f"chase follow-ups: `tap followups --campaign {name!r}`; refresh with `tap campaign run {name!r}`"
    return f"refresh replies and the report: `tap campaign run {name!r}`"


def status(db: Any, ref: str) -> dict[str, Any]:
    """One campaign: its steps, counts (chosen, sent, opened, replied by kind, bounced, outcomes), next action."""
    row = find_campaign(db, ref)
    return _status(row, current_totals(db, row)["totals"], StepLog(db).latest(row["id"]))


def statuses(db: Any) -> list[dict[str, Any]]:
    """The status of every campaign, newest first (one read of the counts and one of the steps for all)."""
    rows = CampaignStore(db).list()  # before the totals: a campaign created in between is in the totals too
    totals, steps = every_current_totals(db), StepLog(db).latest_all()
    return [_status(row, totals[row["id"]], steps.get(row["id"], {})) for row in rows]


def _status(row: dict[str, Any], t: dict[str, int], steps: dict[str, dict[str, Any]]) -> dict[str, Any]:
    c = campaign_fields(row)
    counts = {k: t[k] for k in ("chosen", "sent", "delivered", "opened", "clicked", "bounced", "unsubscribed",
                                "outcomes")}
    replied = {"human": t["replied"], "autoReply": t["autoReplies"], "bounce": t["bounced"],
               "unsubscribe": t["unsubscribed"]}
    return {**c, "channel": row.get("channel"),
            "steps": [{"step": s, "state": steps[s]["state"] if s in steps else "pending",
                       "at": steps[s]["finished_at"] if s in steps else None,
                       "error": steps[s]["error"] if s in steps else None} for s in STEPS],
            "stepsDone": sum(steps.get(s, {}).get("state") in DONE_STATES for s in STEPS),
            "counts": {**counts, "replied": replied},
            "next": _next(c["name"], steps, t)}


def list_campaigns(db: Any) -> list[dict[str, Any]]:
    """Every campaign, newest first, with its steps done and the next step."""
    rows = CampaignStore(db).list()
    out, totals, latest = [], every_current_totals(db), StepLog(db).latest_all()
    for row in rows:
        steps = latest.get(row["id"], {})
        pending = [s for s in STEPS if steps.get(s, {}).get("state") not in DONE_STATES]
        out.append({"id": row["id"], "name": row["name"], "artist": row["artist"], "release": row["release"],
                    "channel": row.get("channel"), "status": row["status"], "createdAt": row["created_at"],
                    "contacts": totals[row["id"]]["chosen"],
                    "stepsDone": len(STEPS) - len(pending), "nextStep": pending[0] if pending else None})
    return out


def _member(db: Any, campaign: dict[str, Any], ref: str) -> dict[str, Any]:
    contact = ContactStore(db).get_row(ref)
    if not db.execute("SELECT 1 FROM campaign_contacts WHERE campaign_id = ? AND contact_id = ?",
                      [campaign["id"], contact["id"]]).fetchone():
        raise InputError(f"{contact['email']} is not one of campaign {campaign['name']!r}'s contacts")
    return contact


def _day(text: str | None) -> str:
    if not text:
        return utc_now()[:10]
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise InputError(f"--date {text!r}: use YYYY-MM-DD") from None


def _event(db: Any, campaign: dict[str, Any], contact: dict[str, Any], kind: str, data: dict[str, Any]) -> dict:
    event = {"contact_id": contact["id"], "email": contact["email"], "campaign_id": campaign["id"],
             "source": "plugger", "kind": kind, "at": utc_now(), "data": data}
    CampaignStore(db).add_events([event])
    return {"campaign": campaign["name"], "campaignId": campaign["id"], "contactId": contact["id"],
            "email": contact["email"], "station": contact["station"], "kind": kind, **data}


def outcome(db: Any, ref: str, contact_ref: str, kind: str, note: str | None = None,
            day: str | None = None) -> dict[str, Any]:
    """Record what the plugger learned (add, play, interview, review, feature, decline) as an outcome event."""
    if kind not in OUTCOME_TYPES:
        raise InputError(f"--type {kind!r}: use one of {', '.join(OUTCOME_TYPES)}")
    campaign = find_campaign(db, ref)
    contact = _member(db, campaign, contact_ref)
    return _event(db, campaign, contact, "outcome", {"type": kind, "note": note, "date": _day(day)})


def _reply_text(db: Any, campaign: dict[str, Any], contact: dict[str, Any], event_id: int) -> str:
    row = db.execute("SELECT kind, data FROM events WHERE id = ? AND campaign_id = ? AND contact_id = ?",
                     [event_id, campaign["id"], contact["id"]]).fetchone()
    if not row or row[0] != "reply":
        raise InputError(f"--reply {event_id}: not a reply of {contact['email']} in this campaign",
                         hint=f"`tap contacts timeline {contact['email']}` lists its replies with their ids")
    data = json.loads(row[1] or "{}")
    text = data.get("text") or data.get("snippet") or data.get("body") or ""
    if not text.strip():
        raise InputError(f"reply {event_id} has no text to quote", hint="give the words with --text")
    return text.strip()


def quote(db: Any, ref: str, contact_ref: str, reply_id: int | None = None, text: str | None = None) -> dict:
    """Mark words from a contact's human reply as shareable in the artist's report."""
    if (reply_id is None) == (text is None):
        raise InputError("give exactly one of --reply EVENT_ID or --text TEXT")
    campaign = find_campaign(db, ref)
    contact = _member(db, campaign, contact_ref)
    words = _reply_text(db, campaign, contact, reply_id) if reply_id is not None else (text or "").strip()
    if not words:
        raise InputError("--text is empty")
    return _event(db, campaign, contact, "quote", {"text": words, "replyEventId": reply_id})
