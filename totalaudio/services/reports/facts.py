"""A campaign's facts: every figure a report may state, computed locally from the store's events.

Reports (the artist's report, Claude's narrative) take their numbers from here and nowhere else. Rates are
percentages with one decimal; open, click and reply rates are of the messages delivered (sent less bounced),
bounce and unsubscribe rates of the messages sent. A contact counts as having opened when a person did: an
open or click that a proxy or scanner made (services/engagement.py) does not count, and a click or a human
reply implies an open.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from totalaudio.services.engagement import Engagement, campaign_scores, parse_time
from totalaudio.store.campaign_counts import POSITIVE_OUTCOMES, CampaignCounts, MemberFold, event_data, fold
from totalaudio.store.campaigns import CampaignStore

OUTCOME_TYPES = ("add", "play", "interview", "review", "feature", "decline")
BEST_WORST = 5


@dataclass
class Folded(MemberFold):
    """One chosen contact's part in the campaign (the store's fold, with the contact)."""

    contact: dict[str, Any] = field(default_factory=dict)


def _fold(contact: dict[str, Any], events: list[dict[str, Any]]) -> Folded:
    return fold(events, Folded(contact=contact))


def _rate(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def _totals(rows: list[Folded]) -> dict[str, int]:
    outcomes = [o for r in rows for o in r.outcomes]
    return {
        "chosen": len(rows), "sent": sum(r.sent for r in rows), "delivered": sum(r.delivered for r in rows),
        "opened": sum(r.opened for r in rows), "machineOpensDiscounted": sum(r.machine_opens for r in rows),
        "clicked": sum(r.clicked for r in rows), "replied": sum(r.replied for r in rows),
        "autoReplies": sum(r.auto_replied for r in rows), "bounced": sum(r.bounce is not None for r in rows),
        "hardBounces": sum(r.bounce == "hard" for r in rows), "softBounces": sum(r.bounce == "soft" for r in rows),
        "unsubscribed": sum(r.unsubscribed for r in rows),
        "outcomes": sum(o.get("type") in POSITIVE_OUTCOMES for o in outcomes),
    }


def _rates(t: dict[str, int]) -> dict[str, float]:
    return {"deliveryRate": _rate(t["delivered"], t["sent"]), "openRate": _rate(t["opened"], t["delivered"]),
            "clickRate": _rate(t["clicked"], t["delivered"]), "replyRate": _rate(t["replied"], t["delivered"]),
            "bounceRate": _rate(t["bounced"], t["sent"]), "unsubscribeRate": _rate(t["unsubscribed"], t["sent"])}


def _breakdown(rows: list[Folded], keys: Callable[[dict[str, Any]], list[str]]) -> list[dict[str, Any]]:
    """Per-group counts (a contact in several genres counts in each), most replies then opens first."""
    groups: dict[str, list[Folded]] = defaultdict(list)
    for row in rows:
        for key in keys(row.contact) or ["(none)"]:
            groups[key].append(row)
    out = []
    for key, members in groups.items():
        t = _totals(members)
        out.append({"name": key, "contacts": t["chosen"], "sent": t["sent"], "opened": t["opened"],
                    "clicked": t["clicked"], "replied": t["replied"], "outcomes": t["outcomes"],
                    "openRate": _rate(t["opened"], t["delivered"]), "replyRate": _rate(t["replied"], t["delivered"])})
    return sorted(out, key=lambda g: (-g["replied"], -g["outcomes"], -g["opened"], g["name"].lower()))


def _genres(contact: dict[str, Any]) -> list[str]:
    try:
        return [g for g in json.loads(contact.get("genres") or "[]") if isinstance(g, str) and g.strip()]
    except ValueError:
        return []


def _scalar(name: str) -> Callable[[dict[str, Any]], list[str]]:
    return lambda contact: [contact[name].strip()] if (contact.get(name) or "").strip() else []


def _daily(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    days: dict[str, dict[str, int]] = defaultdict(lambda: {"sent": 0, "opened": 0, "clicked": 0, "replied": 0})
    names = {"sent": "sent", "open": "opened", "click": "clicked", "reply": "replied"}
    for event in events:
        at = parse_time(event.get("at"))
        if at and event["kind"] in names:
            days[at.date().isoformat()][names[event["kind"]]] += 1
    return [{"date": day, **counts} for day, counts in sorted(days.items())]


def _person(row: Folded, engagement: Engagement | None) -> dict[str, Any]:
    c = row.contact
    name = " ".join(p for p in (c.get("first_name"), c.get("last_name")) if p) or c.get("email")
    return {"contactId": c["id"], "name": name, "email": c.get("email"), "station": c.get("station"),
            "score": engagement.score if engagement else 0, "opened": row.opened, "clicked": row.clicked,
            "replied": row.replied, "outcomes": [o.get("type") for o in row.outcomes]}


def _ranked(rows: list[Folded], scores: dict[str, Engagement]) -> tuple[list[dict], list[dict]]:
    people = sorted((_person(r, scores.get(r.contact["id"])) for r in rows if r.sent),
                    key=lambda p: (-p["score"], p["name"] or ""))
    best = [p for p in people if p["score"] > 0][:BEST_WORST]
    worst = [p for p in reversed(people) if p["contactId"] not in {b["contactId"] for b in best}][:BEST_WORST]
    return best, worst


def _played(rows: list[Folded]) -> list[dict[str, Any]]:
    return sorted(({"station": r.contact.get("station"), "contactId": r.contact["id"], "type": o.get("type"),
                    "date": o.get("date") or (o.get("at") or "")[:10], "note": o.get("note")}
                   for r in rows for o in r.outcomes if o.get("type") in POSITIVE_OUTCOMES),
                  key=lambda p: (p["date"] or "", p["station"] or ""))


def _quotes(db: Any, campaign_id: str) -> list[dict[str, Any]]:
    rows = db.query("SELECT e.contact_id, e.at, e.data, c.station, c.first_name, c.last_name FROM events e "
                    "LEFT JOIN contacts c ON c.id = e.contact_id WHERE e.campaign_id = ? AND e.kind = 'quote' "
                    "ORDER BY e.at, e.id", [campaign_id])
    return [{"contactId": r["contact_id"], "station": r["station"], "date": (r["at"] or "")[:10],
             "name": " ".join(p for p in (r["first_name"], r["last_name"]) if p) or None,
             "text": event_data(r).get("text", "")} for r in rows]


def campaign_fields(row: dict[str, Any]) -> dict[str, Any]:
    """A campaign row as the JSON fields of facts and status."""
    return {"id": row["id"], "name": row["name"], "artist": row.get("artist"), "release": row.get("release"),
            "status": row.get("status"), "startDate": row.get("start_date"), "createdAt": row.get("created_at"),
            "mailchimpId": row.get("mailchimp_id"), "airtableId": row.get("airtable_id")}


def campaign_facts(db: Any, ref: str, now: datetime | None = None) -> dict[str, Any]:
    """Every figure of a campaign (by local, Airtable or Mailchimp id, or by name), as one JSON-ready dict."""
    campaign = find_campaign(db, ref)
    cid, now = campaign["id"], now or datetime.now(timezone.utc)
    contacts = {c["id"]: c for c in db.query("SELECT c.* FROM campaign_contacts cc JOIN contacts c ON "
                                             "c.id = cc.contact_id WHERE cc.campaign_id = ?", [cid])}
    events = list(db.query("SELECT * FROM events WHERE campaign_id = ? ORDER BY at, id", [cid]))
    per_contact: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in events:
        per_contact[event["contact_id"]].append(event)
    rows = [_fold(contact, per_contact.get(cid_, [])) for cid_, contact in contacts.items()]
    scores = campaign_scores(db, cid, now)
    totals = _totals(rows)
    best, worst = _ranked(rows, scores)
    outcome_counts = {t: sum(o.get("type") == t for r in rows for o in r.outcomes) for t in OUTCOME_TYPES}
    return {
        "campaign": campaign_fields(campaign), "generatedAt": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "totals": totals, "rates": _rates(totals),
        "repliesByKind": {"human": totals["replied"], "autoReply": totals["autoReplies"],
                          "bounce": totals["bounced"], "unsubscribe": totals["unsubscribed"]},
        "outcomes": outcome_counts,
        "funnel": [{"stage": s, "count": totals[s]} for s in ("chosen", "sent", "delivered", "opened", "clicked",
                                                               "replied", "outcomes")],
        "byStation": _breakdown(rows, _scalar("station")), "byGenre": _breakdown(rows, _genres),
        "byType": _breakdown(rows, _scalar("contact_type")), "byRegion": _breakdown(rows, _scalar("region")),
        "daily": _daily(events), "best": best, "worst": worst,
        "engagement": {"average": round(sum(s.score for s in scores.values()) / len(scores), 1) if scores else 0.0,
                       "engaged": sum(s.score > 0 for s in scores.values())},
        "playedBy": _played(rows), "quotes": _quotes(db, cid),
    }


def find_campaign(db: Any, ref: str) -> dict[str, Any]:
    """A campaign by id (local, Airtable, Mailchimp) or by its exact name (case-insensitive)."""
    rows = list(db.query("SELECT * FROM campaigns WHERE name = ? COLLATE NOCASE ORDER BY created_at DESC", [ref]))
    return rows[0] if rows else CampaignStore(db).get(ref)


def current_totals(db: Any, ref: str | dict[str, Any]) -> dict[str, Any]:
    """The campaign's (ref or row) totals, the same figures as ``campaign_facts``'s, read from the counts the
    store keeps as events are written (one indexed read, however many events)."""
    campaign = find_campaign(db, ref) if isinstance(ref, str) else ref
    return {"campaign": campaign_fields(campaign), "totals": CampaignCounts(db).totals(campaign["id"])}


def every_current_totals(db: Any) -> dict[str, dict[str, int]]:
    """Every campaign's totals (as ``current_totals``), by campaign id, in one read."""
    return CampaignCounts(db).all_totals()
