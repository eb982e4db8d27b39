"""The demo's campaign: every workflow step on the demo store, offline.

Airtable is not configured in the demo, so ``import`` and the Airtable half of ``update`` skip; enrichment
crawls the example station sites on loopback; the Gmail doors are simulated: the pitches are recorded as sent,
and a week of opens, replies, an out-of-office and a bounce is made up deterministically (source "demo"), so the
report, the follow-ups and the timelines have something to show.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from typing import Any

from totalaudio.errors import utc_now
from totalaudio.services.campaigns import service, workflow
from totalaudio.services.campaigns.context import StepContext
from totalaudio.services.campaigns.ports import Ports
from totalaudio.store.campaigns import CampaignStore
from totalaudio.store.runs import RunLog

NAME = "Nova Lights - Lights (demo)"
REPLIES = ("Lovely track - it's going on Friday's show.", "Thanks, we'll give it a spin next week.",
           "Great energy. Can you send the radio edit?", "Not quite for us, but keep us posted.")


def _roll(email: str, salt: str) -> float:
    return int(hashlib.sha256(f"{salt}:{email}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


def _at(now: datetime, days: float) -> str:
    return (now - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _event(ctx: StepContext, contact: dict[str, Any], kind: str, at: str, data: dict | None = None) -> dict:
    return {"contact_id": contact["id"], "email": contact["email"], "campaign_id": ctx.campaign["id"],
            "source": "demo", "kind": kind, "at": at, "data": data or {},
            "dedupe_key": f"demo:{ctx.campaign['id']}:{contact['id']}:{kind}"}


def _members(ctx: StepContext, ids: list[str] | None = None) -> list[dict[str, Any]]:
    rows = ctx.db.query("SELECT c.id, c.email FROM campaign_contacts cc JOIN contacts c ON c.id = cc.contact_id "
                        "WHERE cc.campaign_id = ? ORDER BY cc.rowid", [ctx.campaign["id"]])
    return [r for r in rows if ids is None or r["id"] in ids]


def pitch(ctx: StepContext, ids: list[str]) -> dict[str, Any]:
    """Simulated Gmail drafts: one pitch per contact."""
    return {"pitches": len(ids), "simulated": True}


def send(ctx: StepContext, ids: list[str]) -> dict[str, Any]:
    """Simulated Gmail sends, a week ago: one ``sent`` event per contact."""
    now = ctx.now()
    new = CampaignStore(ctx.db).add_events(_event(ctx, c, "sent", _at(now, 7)) for c in _members(ctx, ids))
    return {"sent": new, "simulated": True}


def _activity(ctx: StepContext, contact: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
    email, roll = contact["email"], _roll(contact["email"], "open")
    if roll > 0.97:
        return [_event(ctx, contact, "bounce_hard", _at(now, 6.99))]
    if roll > 0.92:
        back = (now + timedelta(days=3)).date().isoformat()
        return [_event(ctx, contact, "auto_reply", _at(now, 6.9), {"snippet": "Out of office", "returnDate": back})]
    if roll > 0.55:
        return []
    out = [_event(ctx, contact, "open", _at(now, 6 - 4 * roll))]
    if _roll(email, "reply") < 0.45:
        out.append(_event(ctx, contact, "reply", _at(now, 5 - 4 * roll),
                          {"snippet": REPLIES[int(_roll(email, "text") * len(REPLIES))]}))
    return out


def watch(ctx: StepContext) -> dict[str, Any]:
    """A simulated week of replies: opens, human replies, an out-of-office, a bounce."""
    now = ctx.now()
    events = [e for c in _members(ctx) for e in _activity(ctx, c, now)]
    return {"new": CampaignStore(ctx.db).add_events(events), "simulated": True}


def _enrich(ctx: StepContext, chosen: list[tuple[Any, Any]]) -> dict[str, Any]:
    """Only contacts of the example stations are reachable offline (their sites on loopback)."""
    from totalaudio.services.enrich.demo import DOMAINS

    local = [(c, t) for c, t in chosen if any(c.email.lower().endswith("@" + d) for d in DOMAINS.values())]
    return {"offline": f"{len(chosen) - len(local)} sites not reachable offline",
            "reachable": len(local)}


def _outcomes(db: Any, campaign_id: str) -> int:
    """What the plugger heard back by phone: two plays and a quote from a reply."""
    replies = list(db.query("SELECT e.id, c.email FROM events e JOIN contacts c ON c.id = e.contact_id WHERE "
                            "e.campaign_id = ? AND e.kind = 'reply' ORDER BY e.at", [campaign_id]))
    for reply, kind in zip(replies, ("play", "add")):
        service.outcome(db, campaign_id, reply["email"], kind, "heard on the phone")
    if replies:
        service.quote(db, campaign_id, replies[0]["email"], reply_id=replies[0]["id"])
    return min(len(replies), 2)


def run_campaign(db: Any, settings: Any, write_report: Any = None) -> str:
    """Create the demo campaign, run all its steps, record outcomes, refresh the report; a one-line summary."""
    made = service.new_campaign(db, settings, NAME, "Nova Lights", "Lights", "gmail",
                                {"genre": "indie", "status": "opted-in"}, {})
    run_id = RunLog(db).start("demo campaign run")
    ctx = StepContext(db, settings, dict(service.find_campaign(db, made["id"])), run_id=run_id, yes=True,
                      ports=Ports(gmail_pitch=pitch, gmail_send=send, gmail_watch=watch), enrich=_enrich,
                      write_report=write_report, now=lambda: datetime.now(timezone.utc))
    workflow.run(ctx)
    outcomes = _outcomes(db, made["id"])
    result = workflow.run(ctx, start="report")
    status = service.status(db, made["id"])
    report = next((s["detail"].get("html") for s in result.steps if s["step"] == "report"), None)
    c = status["counts"]
    return (f"{made['chosen']} contacts: {c['sent']} sent, {c['opened']} opened, {c['replied']['human']} replied, "
            f"{outcomes} plays/adds recorded (at {utc_now()[:10]}); report: {report or 'not written'}")
