"""Who to chase and when, from each campaign's events.

Rules, first match wins, for each chosen contact a campaign reached (bounced and unsubscribed contacts never):
- replied by a person, no outcome recorded yet: chase the next day;
- away (an auto-reply carrying a return date), no human reply: chase the day after the return date;
- opened or clicked (a person, not a proxy or scanner), no reply: chase N days (default 5) after the last send;
- never opened after two sends or more: do not chase; try another contact at that station.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from totalaudio.errors import InputError
from totalaudio.services.engagement import is_machine, parse_time
from totalaudio.services.reports.facts import find_campaign

DEFAULT_AFTER_DAYS = 5
ALTERNATIVES = 3


@dataclass
class Seen:
    """What one contact's events in one campaign say."""

    sends: int = 0
    last_send: datetime | None = None
    opened: datetime | None = None
    replied: datetime | None = None
    away_until: str | None = None
    outcome: bool = False
    ended: bool = False


def _return_date(data: str | None) -> str | None:
    try:
        value = json.loads(data or "{}").get("returnDate")
    except (ValueError, AttributeError):
        return None
    return value[:10] if isinstance(value, str) and len(value) >= 10 else None


def _see(seen: Seen, event: dict[str, Any]) -> None:
    kind, at = event["kind"], parse_time(event["at"])
    if kind == "sent":
        seen.sends, seen.last_send = seen.sends + 1, at
    elif kind in ("open", "click") and not is_machine(event, seen.last_send):
        seen.opened = seen.opened or at
    elif kind == "reply":
        seen.replied = seen.replied or at
    elif kind == "auto_reply":
        seen.away_until = _return_date(event.get("data")) or seen.away_until
    elif kind == "outcome":
        seen.outcome = True
    elif kind in ("bounce_hard", "unsubscribe"):
        seen.ended = True


def _rule(seen: Seen, after: int) -> tuple[str, str, str, date | None] | None:
    """(rule, action, reason, due) for a contact, or None when there is nobody to chase."""
    if seen.ended or not seen.sends:
        return None
    if seen.replied and not seen.outcome:
        return ("reply-no-outcome", "Follow up the reply", f"replied on {seen.replied.date()}; no outcome yet",
                seen.replied.date() + timedelta(days=1))
    if seen.away_until and not seen.replied:
        back = date.fromisoformat(seen.away_until)
        return "back-from-away", "Chase after their return", f"away until {back}", back + timedelta(days=1)
    if seen.opened and not seen.replied and seen.last_send:
        return ("opened-no-reply", "Chase", f"opened on {seen.opened.date()}, no reply",
                seen.last_send.date() + timedelta(days=after))
    if seen.sends >= 2 and not seen.opened and not seen.replied:
        return ("try-another-contact", "Try another contact", f"{seen.sends} sends, never opened: do not chase",
                None)
    return None


def _alternatives(db: Any, station: str | None, campaign_id: str, contact_id: str) -> list[dict[str, Any]]:
    if not station:
        return []
    rows = db.query("SELECT id, email, first_name, last_name FROM contacts WHERE station = ? COLLATE NOCASE AND "
                    "id != ? AND coalesce(lower(status), '') NOT IN ('unsubscribed', 'bounced', 'cleaned', "
                    "'do-not-contact') AND id NOT IN (SELECT contact_id FROM campaign_contacts WHERE campaign_id = ?)"
                    " LIMIT ?", [station, contact_id, campaign_id, ALTERNATIVES])
    return [{"contactId": r["id"], "email": r["email"],
             "name": " ".join(p for p in (r["first_name"], r["last_name"]) if p) or None} for r in rows]


def _campaign_items(db: Any, campaign: dict[str, Any], after: int, today: date) -> list[dict[str, Any]]:
    seen: dict[str, Seen] = defaultdict(Seen)
    for event in db.query("SELECT contact_id, kind, at, proxy, data FROM events WHERE campaign_id = ? AND "
                          "contact_id IS NOT NULL ORDER BY at, id", [campaign["id"]]):
        _see(seen[event["contact_id"]], event)
    contacts = {r["id"]: r for r in db.query("SELECT c.id, c.email, c.first_name, c.last_name, c.station FROM "
                                             "campaign_contacts cc JOIN contacts c ON c.id = cc.contact_id WHERE "
                                             "cc.campaign_id = ?", [campaign["id"]])}
    items = []
    for cid, contact in contacts.items():
        found = _rule(seen[cid], after) if cid in seen else None
        if found:
            items.append(_item(db, campaign, contact, found, today))
    return items


def _item(db: Any, campaign: dict[str, Any], c: dict[str, Any], found: tuple, today: date) -> dict[str, Any]:
    rule, action, reason, due = found
    due = due or today
    item = {"campaign": campaign["name"], "campaignId": campaign["id"], "contactId": c["id"], "email": c["email"],
            "name": " ".join(p for p in (c["first_name"], c["last_name"]) if p) or None, "station": c["station"],
            "rule": rule, "action": action, "reason": reason, "due": due.isoformat(), "overdue": due < today,
            "alternatives": []}
    if rule == "try-another-contact":
        item["alternatives"] = _alternatives(db, c["station"], campaign["id"], c["id"])
    return item


def followups(db: Any, campaign: str | None = None, after_days: int = DEFAULT_AFTER_DAYS,
              now: datetime | None = None) -> list[dict[str, Any]]:
    """Every follow-up (one campaign or all), soonest due first."""
    if after_days < 0:
        raise InputError("--after must be 0 or more days")
    today = (now or datetime.now(timezone.utc)).date()
    campaigns = [find_campaign(db, campaign)] if campaign else list(db.query("SELECT * FROM campaigns"))
    items = [i for c in campaigns for i in _campaign_items(db, c, after_days, today)]
    return sorted(items, key=lambda i: (i["due"], i["campaign"], i["email"]))
