"""Engagement patterns across contacts and what to do next in a campaign: computed locally from the stored events;
Claude only reads them (its reading passes the same number check as a report)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone
from typing import Any, Callable

from totalaudio.services.claude import numbers
from totalaudio.services.claude.prompts import DATA_NOTE, data_block, system_blocks
from totalaudio.services.claude.structured import InvalidAnswer, ask, content_only, tool
from totalaudio.services.engagement import is_machine, parse_time

PURPOSE = "claude.analyse"
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
CHASE_AFTER_DAYS = 3
MIN_SENDS_FOR_TIMING = 5
READING_TOOL = tool("write_reading", "Your reading of the figures.", {
    "type": "object", "required": ["paragraphs"],
    "properties": {"paragraphs": {"type": "array", "minItems": 1, "maxItems": 6,
                                  "items": {"type": "string", "maxLength": 2000}}}})


def _sends(db: Any, contact_ids: list[str]) -> list[dict[str, Any]]:
    """One row per message sent to a contact in a campaign: when, and whether a person opened or replied."""
    marks = ",".join("?" * len(contact_ids))
    events: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for e in db.query(f"SELECT contact_id, campaign_id, kind, at, proxy, data FROM events WHERE contact_id IN ({marks}) "
                      "ORDER BY at, id", contact_ids):
        events[(e["contact_id"], e["campaign_id"] or "")].append(e)
    rows = []
    for (contact_id, campaign_id), evs in events.items():
        sent = next((parse_time(e["at"]) for e in evs if e["kind"] == "sent"), None)
        if sent is None:
            continue
        human = [e for e in evs if e["kind"] in ("open", "click") and not is_machine(e, sent)]
        replied = any(e["kind"] == "reply" for e in evs)
        rows.append({"contactId": contact_id, "campaignId": campaign_id, "sent": sent,
                     "opened": bool(human) or replied, "replied": replied})
    return rows


def _group(rows: list[dict[str, Any]], key: Callable[[dict[str, Any]], list[str]]) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        for name in key(row) or ["(none)"]:
            groups[name].append(row)
    out = [{"name": name, "contacts": len({r["contactId"] for r in members}), **_counts(members)}
           for name, members in groups.items()]
    return sorted(out, key=lambda g: (-g["replyRate"], -g["openRate"], g["name"]))


def _counts(rows: list[dict[str, Any]]) -> dict[str, Any]:
    sent, opened, replied = len(rows), sum(r["opened"] for r in rows), sum(r["replied"] for r in rows)
    rate = lambda part: round(100.0 * part / sent, 1) if sent else 0.0  # noqa: E731
    return {"sent": sent, "opened": opened, "replied": replied, "openRate": rate(opened), "replyRate": rate(replied)}


def patterns(db: Any, contacts: list[Any]) -> dict[str, Any]:
    """Who opens and replies, by station, genre, region, type, weekday and hour of sending (UTC); rates are of
    the messages sent, opens by people only."""
    by_id = {c.id: c for c in contacts}
    rows = _sends(db, list(by_id)) if by_id else []
    field = lambda name: lambda r: [getattr(by_id[r["contactId"]], name)] if getattr(by_id[r["contactId"]], name) else []  # noqa: E731
    responders = sorted(({"name": by_id[cid].name or by_id[cid].email, "station": by_id[cid].station,
                          **_counts([r for r in rows if r["contactId"] == cid])}
                         for cid in {r["contactId"] for r in rows}), key=lambda p: (-p["replied"], -p["opened"]))
    return {"totals": {"contacts": len(by_id), **_counts(rows)},
            "byStation": _group(rows, field("station")), "byGenre": _group(rows, lambda r: list(by_id[r["contactId"]].genres)),
            "byRegion": _group(rows, field("region")), "byType": _group(rows, field("contact_type")),
            "byWeekday": _group(rows, lambda r: [DAYS[r["sent"].weekday()]]),
            "byHour": _group(rows, lambda r: [f"{r['sent'].hour:02d}:00"]),
            "responders": [p for p in responders if p["replied"] or p["opened"]][:10]}


def reading(session: Any, facts: dict[str, Any], task: str) -> dict[str, Any]:
    """Claude's reading of computed figures, every number checked (asked again once, then left out)."""
    if session is None:
        return {"text": None, "source": None, "problems": []}
    check = lambda v: [p for text in v["paragraphs"] for p in numbers.check(text, facts)]  # noqa: E731
    try:
        value, _n = ask(session, PURPOSE, system=system_blocks(task + " " + DATA_NOTE), max_tokens=1200,
                        prompt=data_block("facts", facts), spec=READING_TOOL, check=check)
    except InvalidAnswer as exc:
        return {"text": None, "source": None, "problems": content_only(exc).problems}
    return {"text": "\n\n".join(value["paragraphs"]), "source": "claude", "problems": []}


def _folded(db: Any, campaign_id: str) -> list[dict[str, Any]]:
    out = []
    for c in db.query("SELECT c.id, c.email, c.first_name, c.last_name, c.station FROM campaign_contacts cc "
                      "JOIN contacts c ON c.id = cc.contact_id WHERE cc.campaign_id = ?", [campaign_id]):
        evs = list(db.query("SELECT kind, at, proxy, data FROM events WHERE contact_id = ? AND campaign_id = ? "
                            "ORDER BY at, id", [c["id"], campaign_id]))
        sent = next((parse_time(e["at"]) for e in evs if e["kind"] == "sent"), None)
        kinds = {e["kind"] for e in evs if e["kind"] not in ("open", "click") or not is_machine(e, sent)}
        name = " ".join(p for p in (c["first_name"], c["last_name"]) if p) or c["email"]
        out.append({"contact": {"contactId": c["id"], "name": name, "email": c["email"], "station": c["station"]},
                    "sent": sent, "kinds": kinds})
    return out


def recommend(db: Any, campaign_id: str, now: datetime | None = None) -> list[dict[str, Any]]:
    """What to do next: chase, drop, resend, thank, and when to send; each naming its contacts and the facts."""
    now = now or datetime.now(timezone.utc)
    rows = _folded(db, campaign_id)
    days = lambda r: int((now - r["sent"]).total_seconds() // 86400) if r["sent"] else 0  # noqa: E731
    rules = [
        ("drop", lambda r: bool(r["kinds"] & {"bounce_hard", "unsubscribe"}),
         "Leave out of future campaigns: hard-bounced or unsubscribed.",
         lambda r: sorted(r["kinds"] & {"bounce_hard", "unsubscribe"})),
        ("thank", lambda r: "outcome" in r["kinds"], "Thank them and send the follow-up: they played or added it.",
         lambda r: ["outcome recorded", "replied" if "reply" in r["kinds"] else "no reply"]),
        ("chase", lambda r: bool(r["kinds"] & {"open", "click"}) and "reply" not in r["kinds"]
         and days(r) >= CHASE_AFTER_DAYS and not r["kinds"] & {"bounce_hard", "unsubscribe"},
         "Chase: opened but has not replied.", lambda r: sorted(r["kinds"] & {"open", "click"}) +
         [f"sent {days(r)} days ago", "no reply"]),
        ("resend", lambda r: r["sent"] is not None and not r["kinds"] & {"open", "click", "reply", "bounce_hard",
                                                                          "bounce_soft", "unsubscribe"}
         and days(r) >= CHASE_AFTER_DAYS, "Resend with a new subject line: no person has opened it.",
         lambda r: [f"sent {days(r)} days ago", "no open by a person"]),
    ]
    recs = []
    for action, test, text, why in rules:
        hits = [r for r in rows if test(r)]
        if hits:
            recs.append({"action": action, "text": text, "contacts": [r["contact"] for r in hits],
                         "facts": {r["contact"]["contactId"]: why(r) for r in hits}})
    return recs + timing(db)


def timing(db: Any) -> list[dict[str, Any]]:
    """When to send: the weekday and hour (UTC) with the best reply rate over all sends, given enough sends."""
    ids = [r["id"] for r in db.query("SELECT id FROM contacts")]
    rows = _sends(db, ids) if ids else []
    out = []
    for label, key in (("weekday", lambda r: [DAYS[r["sent"].weekday()]]), ("hour", lambda r: [f"{r['sent'].hour:02d}:00"])):
        groups = [g for g in _group(rows, key) if g["sent"] >= MIN_SENDS_FOR_TIMING]
        if len(groups) >= 2 and groups[0]["replyRate"] > groups[-1]["replyRate"]:
            best = groups[0]
            out.append({"action": "timing", "text": f"Send on {best['name']}" if label == "weekday" else
                        f"Send at {best['name']} UTC", "contacts": [],
                        "facts": {label: best["name"], "sent": best["sent"], "replyRate": best["replyRate"],
                                  "comparedWith": [{"name": g["name"], "replyRate": g["replyRate"]} for g in groups[1:4]]}})
    return out
