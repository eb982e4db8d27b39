"""Which contact and campaign an incoming message belongs to: thread, then Message-IDs tap generated, then the
sender's (or, for a bounce, the failed recipient's) address. Unmatched mail is ignored."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from totalaudio.services.gmail.classify import Verdict
from totalaudio.services.gmail.mime import Parsed
from totalaudio.store.contacts import normalise_email
from totalaudio.store.gmail import SendLedger

# tap's own Message-IDs (see services/gmail/compose.py): found anywhere in a reply or a returned message.
TRACKED_ID = re.compile(rb"<(tap\.[0-9a-f]{8,40}@[A-Za-z0-9.-]{1,253})>")


@dataclass(frozen=True)
class Match:
    """The contact (and campaign) a message is about, how it was found, and the address concerned."""

    contact_id: str | None
    campaign_id: str | None
    email: str
    by: str


def tracked_ids(raw: bytes) -> list[str]:
    """tap-generated Message-IDs quoted in the message (references, returned headers)."""
    return list(dict.fromkeys(m.decode() for m in TRACKED_ID.findall(raw[:2_000_000])))


def _by_send(row: dict[str, Any], by: str) -> Match:
    return Match(row["contact_id"], row["campaign_id"], row["email"], by)


def _contact(db: Any, address: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT id, email FROM contacts WHERE email_norm = ? ORDER BY created_at LIMIT 1",
                         [normalise_email(address)]))
    return rows[0] if rows else None


def match(db: Any, p: Parsed, verdict: Verdict, thread_id: str | None, raw: bytes) -> Match | None:
    """The contact and campaign of a message, or None when it is not about anything tap sent or knows."""
    ledger = SendLedger(db)
    row = ledger.match_thread(thread_id) if thread_id else None
    if row:
        return _by_send(row, "thread")
    row = ledger.match_ids(list(p.refs) + tracked_ids(raw))
    if row:
        return _by_send(row, "message-id")
    address = verdict.bounced_recipient if verdict.kind == "bounce" else p.sender
    contact = _contact(db, address) if address else None
    if contact is None:
        return None
    sent = ledger.latest_for_contact(contact["id"])
    return Match(contact["id"], sent["campaign_id"] if sent else None, contact["email"], "address")
