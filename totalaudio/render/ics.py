"""Follow-ups as iCalendar reminders (RFC 5545 through the icalendar package: CRLF line ends, folding, escaping).

Each follow-up keeps one UID (campaign, contact, rule), so importing a newer file updates the reminder instead
of adding a second one.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

PRODID = "-//tap//followups//EN"


def uid(item: dict[str, Any]) -> str:
    """The stable UID of a follow-up."""
    return f"{item['campaignId']}-{item['contactId']}-{item['rule']}@tap.followups"


def _event(item: dict[str, Any], stamp: datetime) -> Any:
    from icalendar import Event

    day = date.fromisoformat(item["due"])
    event = Event()
    event.add("uid", uid(item))
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    who = item["name"] or item["email"]
    event.add("summary", f"{item['action']}: {who}" + (f" ({item['station']})" if item.get("station") else ""))
    event.add("description", f"{item['reason']}\nCampaign: {item['campaign']}\nEmail: {item['email']}")
    event.add("categories", ["tap", item["campaign"]])
    event.add("transp", "TRANSPARENT")
    return event


def calendar(items: list[dict[str, Any]], stamp: datetime | None = None) -> bytes:
    """The follow-ups as one VCALENDAR (all-day reminders on their due dates)."""
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "tap follow-ups")
    stamp = stamp or datetime.now(timezone.utc).replace(microsecond=0)
    for item in items:
        if item.get("due"):
            cal.add_component(_event(item, stamp))
    return cal.to_ical()
