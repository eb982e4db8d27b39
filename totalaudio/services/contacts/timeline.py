"""One contact's timeline: everything that happened with them, oldest first, across every source in the store.

Journal entries (import, merges, Airtable sync, audit fixes, enrichment, campaign results), enrichment results,
the campaigns they were chosen for, and their events (sends, opens, clicks, replies with kind and snippet,
bounces, unsubscribes, outcomes, quotes, notes). Each read is one indexed query on the contact's id.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from totalaudio.store.campaign_counts import MACHINE_SECONDS, is_machine, parse_time
from totalaudio.store.contacts import ContactStore

SNIPPET = 200
EVENT_WORDS = {"sent": "sent", "open": "opened", "click": "clicked", "reply": "replied", "auto_reply": "auto-reply",
               "bounce_hard": "bounced (hard)", "bounce_soft": "bounced (soft)", "unsubscribe": "unsubscribed",
               "abuse": "marked as spam", "outcome": "outcome", "quote": "quote kept", "note": "note"}


def _json(text: str | None) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _snippet(data: dict[str, Any]) -> str | None:
    text = data.get("snippet") or data.get("text") or data.get("note") or data.get("subject")
    return " ".join(str(text).split())[:SNIPPET] if text else None


def _event_entry(row: dict[str, Any], sent: datetime | None = None) -> dict[str, Any]:
    data = _json(row["data"]) or {}
    words = EVENT_WORDS.get(row["kind"], row["kind"])
    if row["kind"] == "outcome":
        words = f"outcome: {data.get('type')}"
    if row["kind"] in ("open", "click") and data.get("proxy"):
        words += " (privacy proxy)"
    elif is_machine(row, sent):  # the same rule as the campaign counts: not counted as a person's
        words += f" (by a machine: within {MACHINE_SECONDS:g} s of delivery)"
    summary = f"{words}" + (f" in {row['campaign']}" if row["campaign"] else "")
    return {"at": row["at"], "source": row["source"], "kind": row["kind"], "summary": summary,
            "snippet": _snippet(data), "campaign": row["campaign"], "eventId": row["id"],
            "replyKind": data.get("replyKind") or (row["kind"] if row["kind"] in ("reply", "auto_reply") else None)}


def _events(db: Any, contact_id: str) -> list[dict[str, Any]]:
    rows = db.query("SELECT e.id, e.source, e.kind, e.at, e.proxy, e.data, e.campaign_id, c.name AS campaign FROM "
                    "events e LEFT JOIN campaigns c ON c.id = e.campaign_id WHERE e.contact_id = ? "
                    "ORDER BY e.at, e.id", [contact_id])
    sent: dict[Any, datetime | None] = {}  # each campaign's latest send to the contact, as the counts take it
    out = []
    for row in rows:
        if row["kind"] == "sent":
            sent[row["campaign_id"]] = parse_time(row["at"])
        out.append(_event_entry(row, sent.get(row["campaign_id"])))
    return out


def _journal(db: Any, contact_id: str) -> list[dict[str, Any]]:
    out = []
    for row in db.query("SELECT j.id, j.op, j.after, j.target, j.state, j.created_at, r.command FROM journal j "
                        "LEFT JOIN runs r ON r.id = j.run_id WHERE j.entity = 'contact' AND j.entity_id = ? "
                        "ORDER BY j.id", [contact_id]):
        after = _json(row["after"])
        fields = sorted(after) if isinstance(after, dict) else []
        summary = f"{row['op']}" + (f": {', '.join(fields[:8])}" if fields else "")
        out.append({"at": row["created_at"], "source": row["command"] or "journal", "kind": row["op"],
                    "summary": summary + ("" if row["target"] == "local" else f" ({row['target']}, {row['state']})"),
                    "snippet": None, "campaign": None, "eventId": None, "replyKind": None})
    return out


def _enrichment(db: Any, contact_id: str) -> list[dict[str, Any]]:
    return [{"at": r["created_at"], "source": "enrich", "kind": "enrichment",
             "summary": f"enriched from {r['website']}: confidence {r['confidence']} ({r['quality']})",
             "snippet": None, "campaign": None, "eventId": None, "replyKind": None}
            for r in db.query("SELECT website, confidence, quality, created_at FROM enrichment_results "
                              "WHERE contact_id = ? ORDER BY created_at", [contact_id])]


def _campaigns(db: Any, contact_id: str) -> list[dict[str, Any]]:
    rows = db.query("SELECT c.name, c.artist, c.release, c.created_at FROM campaign_contacts cc JOIN campaigns c ON "
                    "c.id = cc.campaign_id WHERE cc.contact_id = ?", [contact_id])
    return [{"at": r["created_at"], "source": "campaign", "kind": "chosen",
             "summary": f"chosen for {r['name']}" + (f" ({r['artist']} - {r['release']})" if r["artist"] else ""),
             "snippet": None, "campaign": r["name"], "eventId": None, "replyKind": None} for r in rows]


def timeline(db: Any, ref: str) -> dict[str, Any]:
    """The contact (by id, Airtable record id or email) and every entry about them, oldest first."""
    row = ContactStore(db).get_row(ref)
    cid = row["id"]
    entries = [{"at": row["created_at"], "source": "store", "kind": "created",
                "summary": "added to the store" + (" (from Airtable)" if row["airtable_id"] else ""),
                "snippet": None, "campaign": None, "eventId": None, "replyKind": None}]
    entries += _journal(db, cid) + _enrichment(db, cid) + _campaigns(db, cid) + _events(db, cid)
    if (row["notes"] or "").strip():
        entries.append({"at": row["updated_at"], "source": "store", "kind": "note", "summary": "notes",
                        "snippet": " ".join(row["notes"].split())[:SNIPPET], "campaign": None, "eventId": None,
                        "replyKind": None})
    entries.sort(key=lambda e: e["at"] or "")
    name = " ".join(p for p in (row["first_name"], row["last_name"]) if p) or None
    return {"contactId": cid, "email": row["email"], "name": name, "station": row["station"],
            "status": row["status"], "entries": entries}
