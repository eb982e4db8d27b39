"""Engagement: a documented 0-100 score per contact and per campaign, computed from the stored events.

The formula (README, "Engagement score"):
- each event weighs what it says about a person paying attention: a human reply 40, an outcome the plugger
  recorded (add, play, interview, review, feature) 50, a decline 10, a click 15, an open 5;
- opens that were not a person are discounted to nothing: Apple Mail Privacy Protection and security scanners
  open (and scanners click) within seconds of delivery, so an open or click within ``MACHINE_SECONDS`` of the
  message reaching that contact, or marked ``proxy`` by the source, weighs 0;
- each weight halves every ``HALF_LIFE_DAYS`` days since the event;
- the decayed sum ``s`` becomes ``100 * (1 - exp(-s / SCALE))``: one fresh human reply is 63, a reply and a
  click 75, five fresh opens 46, nothing 0;
- a hard bounce or an unsubscribe ends it: when one is the contact's latest event (or the contact's status is
  unsubscribed, bounced or cleaned), the score is 0.
A campaign's score is the mean of its contacts' scores counted over that campaign's events only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable

# The machine-open rule is the store's (it folds each campaign's counts as events are written); one definition.
from totalaudio.store.campaign_counts import MACHINE_SECONDS, event_data, is_machine, parse_time  # noqa: F401

HALF_LIFE_DAYS = 30.0
SCALE = 40.0
WEIGHTS = {"reply": 40.0, "click": 15.0, "open": 5.0}
OUTCOME_WEIGHTS = {"add": 50.0, "play": 50.0, "interview": 50.0, "review": 50.0, "feature": 50.0,
                   "decline": 10.0}
ENDING = frozenset({"bounce_hard", "unsubscribe"})
ENDING_STATUSES = frozenset({"unsubscribed", "bounced", "cleaned"})
SENDS = frozenset({"sent"})


@dataclass(frozen=True)
class Engagement:
    """A contact's (or a campaign's) score with what it was made of."""

    score: int
    last_engagement: str | None
    reply_status: str | None
    replies: int = 0
    human_opens: int = 0
    machine_opens: int = 0
    clicks: int = 0
    ended_by: str | None = None


def weight(event: dict[str, Any]) -> float:
    """The undecayed weight of one event (0 for those that say nothing about attention)."""
    if event["kind"] == "outcome":
        return OUTCOME_WEIGHTS.get(str(event_data(event).get("type")), 0.0)
    return WEIGHTS.get(event["kind"], 0.0)


def decayed(event: dict[str, Any], now: datetime) -> float:
    """The event's weight halved for every HALF_LIFE_DAYS since it happened."""
    at = parse_time(event.get("at"))
    age_days = max(0.0, (now - at).total_seconds() / 86400) if at else 0.0
    return weight(event) * 0.5 ** (age_days / HALF_LIFE_DAYS)


def _sorted(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(events, key=lambda e: (parse_time(e.get("at")) or datetime.min.replace(tzinfo=timezone.utc),
                                         e.get("id") or 0))


def score_events(events: Iterable[dict[str, Any]], now: datetime | None = None,
                 status: str | None = None) -> Engagement:
    """Score one contact's events (any campaigns), as the module docstring states."""
    now = now or datetime.now(timezone.utc)
    ordered, total, delivered = _sorted(events), 0.0, None
    counts = {"replies": 0, "human_opens": 0, "machine_opens": 0, "clicks": 0}
    last_human, ended_by = None, None
    for event in ordered:
        kind = event["kind"]
        if kind in SENDS:
            delivered = parse_time(event.get("at"))
        if kind in ENDING:
            ended_by = kind
        elif weight(event) > 0:
            ended_by = None if kind in ("reply", "outcome") else ended_by
            if is_machine(event, delivered):
                counts["machine_opens"] += kind == "open"
                continue
            total += decayed(event, now)
            counts["replies"] += kind == "reply"
            counts["human_opens"] += kind == "open"
            counts["clicks"] += kind == "click"
            last_human = event.get("at") or last_human
    if status in ENDING_STATUSES:
        ended_by = ended_by or status
    value = 0 if ended_by else round(100 * (1 - math.exp(-total / SCALE)))
    return Engagement(value, last_human, reply_status(ordered), ended_by=ended_by, **counts)


def reply_status(events: list[dict[str, Any]]) -> str | None:
    """The Airtable "Reply Status" the events imply: Replied, Auto-reply, Bounced, Unsubscribed, or None."""
    labels = {"reply": "Replied", "auto_reply": "Auto-reply", "bounce_hard": "Bounced",
              "unsubscribe": "Unsubscribed"}
    status = None
    for event in events:
        label = labels.get(event["kind"])
        if label and not (status == "Replied" and label == "Auto-reply"):
            status = label
    return status


def contact_engagement(db: Any, contact_id: str, now: datetime | None = None) -> Engagement:
    """A contact's engagement over all its stored events."""
    row = next(iter(db.query("SELECT status FROM contacts WHERE id = ?", [contact_id])), None)
    events = list(db.query("SELECT id, kind, at, proxy, data FROM events WHERE contact_id = ?", [contact_id]))
    return score_events(events, now, row["status"] if row else None)


def campaign_scores(db: Any, campaign_id: str, now: datetime | None = None) -> dict[str, Engagement]:
    """Each chosen contact's engagement over this campaign's events only, by contact id."""
    events: dict[str, list[dict[str, Any]]] = {}
    for e in db.query("SELECT id, contact_id, kind, at, proxy, data FROM events WHERE campaign_id = ? "
                      "AND contact_id IS NOT NULL", [campaign_id]):
        events.setdefault(e["contact_id"], []).append(e)
    chosen = db.query("SELECT cc.contact_id, c.status FROM campaign_contacts cc JOIN contacts c "
                      "ON c.id = cc.contact_id WHERE cc.campaign_id = ?", [campaign_id])
    return {r["contact_id"]: score_events(events.get(r["contact_id"], []), now, r["status"]) for r in chosen}


def campaign_engagement(db: Any, campaign_id: str, now: datetime | None = None) -> float:
    """The mean of the campaign's contacts' scores (0 for a campaign with no contacts)."""
    scores = campaign_scores(db, campaign_id, now)
    return round(sum(s.score for s in scores.values()) / len(scores), 1) if scores else 0.0
