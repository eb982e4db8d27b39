"""What a sorted message changes: an event per message, the contact's Reply Status and status, journaled.

human -> event "reply" and the campaign's reply count; auto_reply -> event "auto_reply" (return date, other
address); bounce -> "bounce_hard"/"bounce_soft", status bounced after a permanent failure or the third temporary
one in 30 days; unsubscribe -> event "unsubscribe", status unsubscribed. Reply Status and Last Engagement follow
from the contact's events as services/engagement.py reads them; the Mailchimp and Airtable syncs carry it all on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from totalaudio.services.engagement import contact_engagement
from totalaudio.services.gmail.classify import Verdict
from totalaudio.services.gmail.match import Match
from totalaudio.services.mailchimp.audience import StatusChange, apply_gone
from totalaudio.store.campaigns import CampaignStore
from totalaudio.store.contacts import ContactStore, normalise_email
from totalaudio.store.gmail import ProcessedMessages
from totalaudio.store.runs import Journal

SOFT_LIMIT, SOFT_WINDOW_DAYS = 3, 30


@dataclass(frozen=True)
class Incoming:
    """One message with its Gmail ids, verdict and match."""

    gmail_id: str
    thread_id: str | None
    received_at: str
    sender: str
    verdict: Verdict
    match: Match


def event_kind(verdict: Verdict) -> str:
    """The events-table kind of a verdict."""
    if verdict.kind == "bounce":
        return "bounce_hard" if verdict.permanent else "bounce_soft"
    return {"human": "reply"}.get(verdict.kind, verdict.kind)


def event_data(item: Incoming) -> dict[str, Any]:
    """What the event keeps: ids and snippet; return date and other address; failed recipient and diagnostic."""
    v = item.verdict
    data: dict[str, Any] = {"messageId": item.gmail_id, "threadId": item.thread_id, "snippet": v.snippet}
    if v.kind == "auto_reply":
        data.update(returnDate=v.return_date, alternateAddress=v.alternate_address)
    if v.kind == "bounce":
        data.update(recipient=v.bounced_recipient, permanent=v.permanent, diagnostic=v.diagnostic)
    return {k: val for k, val in data.items() if val is not None}


def _soft_count(db: Any, email: str, received_at: str) -> int:
    """Temporary failures of an address in the 30 days up to this one (this one included)."""
    try:
        end = datetime.fromisoformat(received_at.replace("Z", "+00:00"))
    except ValueError:
        end = datetime.now(timezone.utc)
    since = (end - timedelta(days=SOFT_WINDOW_DAYS)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return db.execute("SELECT count(*) FROM events WHERE source = 'gmail' AND kind = 'bounce_soft' AND "
                      "lower(email) = ? AND at >= ? AND at <= ?", [normalise_email(email), since, received_at]
                      ).fetchone()[0]


def _gone(db: Any, item: Incoming) -> dict[str, str]:
    """The address to mark bounced or unsubscribed, if this message calls for it."""
    v, email = item.verdict, item.match.email
    if v.kind == "unsubscribe":
        return {email: "unsubscribed"}
    if v.kind == "bounce" and (v.permanent or _soft_count(db, email, item.received_at) >= SOFT_LIMIT):
        return {email: "bounced"}
    return {}


def _engagement(db: Any, journal: Journal, run_id: str | None, contact_id: str | None) -> None:
    """Reply Status and Last Engagement as the engagement score reads the contact's events (journaled)."""
    if not contact_id:
        return
    store = ContactStore(db)
    row = store.get_row(contact_id)
    found = contact_engagement(db, contact_id)
    wanted = {"reply_status": found.reply_status,
              "last_engagement": found.last_engagement[:10] if found.last_engagement else None}
    changes = {k: v for k, v in wanted.items() if v and v != row[k]}
    if changes:
        store.update(contact_id, changes)
        journal.record(run_id, "contact", contact_id, "update", before={k: row[k] for k in changes}, after=changes)


def apply(db: Any, run_id: str | None, item: Incoming) -> tuple[bool, list[StatusChange]]:
    """Record one message and its effects in one transaction; (False, []) when it was processed before."""
    m, v = item.match, item.verdict
    with db.conn:
        fresh = ProcessedMessages(db).add({"gmail_id": item.gmail_id, "thread_id": item.thread_id, "kind": v.kind,
                                           "contact_id": m.contact_id, "campaign_id": m.campaign_id,
                                           "sender": item.sender, "received_at": item.received_at,
                                           "run_id": run_id, "data": {"by": m.by, "reason": v.reason}})
        if not fresh:
            return False, []
        campaigns = CampaignStore(db)
        campaigns.add_events([{"email": m.email, "kind": event_kind(v), "source": "gmail", "at": item.received_at,
                               "contact_id": m.contact_id, "campaign_id": m.campaign_id, "data": event_data(item),
                               "dedupe_key": f"gmail:{item.gmail_id}"}])
        if v.kind == "human" and m.campaign_id:
            db.execute("UPDATE campaigns SET replies = replies + 1 WHERE id = ?", [m.campaign_id])
        _engagement(db, Journal(db), run_id, m.contact_id)
        changes = apply_gone(db, ContactStore(db), Journal(db), run_id, _gone(db, item))
    return True, changes
