"""The audit checks that look across contacts by address: exact duplicates and status conflicts.

Every one groups by a key in one pass: nothing compares all pairs (station spellings: stations.py, typo'd
domains: typos.py).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Iterable, Iterator

from totalaudio.models import INACTIVE_STATUSES, Contact
from totalaudio.services.audit.checks import Finding, Prepared, finding
BAD_EVENTS = {"unsubscribe": "unsubscribed", "bounce_hard": "bounced", "abuse": "reported as abuse",
              "mailchimp:unsubscribed": "unsubscribed", "mailchimp:cleaned": "cleaned (bounced)"}
EVENT_STATUS = {"unsubscribe": "unsubscribed", "bounce_hard": "bounced", "abuse": "do-not-contact",
                "mailchimp:unsubscribed": "unsubscribed", "mailchimp:cleaned": "cleaned"}
BAD_WORDS = ("unsubscribed", "bounced", "do-not-contact", "do not contact", "cleaned", "opted out", "opted-out",
             "asked to be removed", "remove from list", "hard bounce")
_STATUS_KEY = re.compile(r"status|subscri|bounce|mailchimp|opt", re.I)
# 'bounced' flags a note only about mail ('emails bounced', 'bounced.', 'bounced twice'), not 'bounced ideas off'.
_NOTE_FLAG = re.compile(r"\b(unsubscribed|(?:e-?mails?|address|messages?|newsletters?)\s+(?:ha(?:s|ve)\s+)?"
                        r"bounced|bounced(?=\s*(?:$|[.,;:!)]|\s(?:e-?mails?|mail|back|again|twice|every|on|from)\b))|"
                        r"do.not.contact|opted.out|asked to be removed|remove from (?:the )?list|hard.bounced?)\b", re.I)
COMPLETENESS = ("first_name", "last_name", "station", "show", "contact_type", "region", "genres", "website",
                "notes", "tags", "phone", "last_email_date", "airtable_id")


def completeness(contact: Contact) -> int:
    """How many of a contact's descriptive fields are filled."""
    return sum(1 for name in COMPLETENESS if getattr(contact, name) not in (None, "", ()))


def pick_keeper(contacts: list[Contact]) -> Contact:
    """The record to keep among exact duplicates: the most complete, then the newest (ties broken by id)."""
    return max(contacts, key=lambda c: (completeness(c), c.updated_at or "", c.created_at or "", c.id))


def exact_groups(prepared: Iterable[Prepared]) -> list[list[Prepared]]:
    """Groups of two or more contacts sharing a normalised address."""
    groups: dict[str, list[Prepared]] = defaultdict(list)
    for p in prepared:
        if p.key:
            groups[p.key].append(p)
    return [g for g in groups.values() if len(g) > 1]


def duplicate_findings(groups: list[list[Prepared]]) -> Iterator[Finding]:
    """duplicate.exact on every record of a group but its keeper."""
    for group in groups:
        keeper = pick_keeper([p.contact for p in group])
        for p in group:
            if p.contact.id != keeper.id:
                yield finding(p, "duplicate.exact", "warning", "email",
                              f"same address as {keeper.id} ({len(group)} records)",
                              f"merge into {keeper.id}", fixable=True, related=(keeper.id,))


def active(contact: Contact) -> bool:
    """The contact would still be emailed (its status is not an inactive one)."""
    return (contact.status or "").lower() not in INACTIVE_STATUSES


def status_findings(groups: list[list[Prepared]], prepared: list[Prepared],
                    events: dict[str, str]) -> Iterator[Finding]:
    """status.conflict: inactive on a twin record, in the event log or in its own fields, yet active here."""
    for group in groups:
        inactive = [p for p in group if not active(p.contact)]
        for p in group:
            if inactive and active(p.contact):
                other = inactive[0].contact
                yield finding(p, "status.conflict", "error", "status",
                              f"{other.status} on {other.id} but {p.contact.status or 'no status'} here",
                              other.status, related=(other.id,))
    for p in prepared:
        if not active(p.contact):
            continue
        if p.key in events:
            kind = events[p.key]
            where = "Mailchimp" if kind.startswith("mailchimp") else "event log"
            yield finding(p, "status.conflict", "error", "status", f"{BAD_EVENTS.get(kind, kind)} ({where}) but "
                          f"{p.contact.status or 'no status'} here", EVENT_STATUS.get(kind))
        elif flag := _own_flag(p.contact):
            where, word = flag
            yield finding(p, "status.conflict", "warning", "status",
                          f"marked {word!r} in its {where} but {p.contact.status or 'no status'} here")


def _own_flag(contact: Contact) -> tuple[str, str] | None:
    """(where, word) when the contact's own fields say it must not be emailed."""
    texts = [("reply status", contact.reply_status or "")] + [("tags", t) for t in contact.tags]
    texts += [(k, v) for k, v in contact.extra.items() if isinstance(v, str) and _STATUS_KEY.search(k)]
    if contact.notes and (m := _NOTE_FLAG.search(contact.notes)):
        return "notes", m.group(1).lower()
    for where, text in texts:
        if not text:
            continue  # an empty field holds no word
        low = text.lower()
        if word := next((w for w in BAD_WORDS if w in low), None):
            return where, word
    return None
