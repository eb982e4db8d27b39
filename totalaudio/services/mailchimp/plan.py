"""Audience sync planning: what to send for each chosen contact, given what Mailchimp is known to hold."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Iterable

from totalaudio.models import Contact
from totalaudio.store.contacts import normalise_email

BATCH_SIZE = 500
MERGE_TAGS = {"first_name": "FNAME", "last_name": "LNAME", "station": "STATION", "show": "SHOW"}
OPTED_OUT = frozenset({"unsubscribed", "do-not-contact"})  # pushed to Mailchimp as unsubscribed
NOT_SENT = frozenset({"bounced", "cleaned", "archived"})  # left out: Mailchimp manages bounces itself
GONE = {"unsubscribed": "unsubscribed", "cleaned": "cleaned"}  # Mailchimp status -> local status


@dataclass(frozen=True)
class Skipped:
    """A selected contact that was not sent, and why."""

    email: str
    reason: str


@dataclass(frozen=True)
class Kept:
    """A member Mailchimp keeps unsubscribed or cleaned: tap did not (and cannot) subscribe them again."""

    email: str
    status: str


def wanted_status(local: str, remote: str | None) -> str | None:
    """The status to send for a local status and Mailchimp's (None: not a member yet); None: send nothing."""
    if local in OPTED_OUT:
        return "unsubscribed"
    if remote in GONE or remote == "archived":
        return None  # only the person can re-subscribe (signup form); an archived member may hide an unsubscribe
    if remote in ("subscribed", "pending"):
        return remote
    return "pending" if local == "pending" else "subscribed"


def member_payload(contact: Contact, merge_tags: dict[str, str] | None = None,
                   remote: str | None = None) -> dict[str, Any] | None:
    """The batch entry for a contact given Mailchimp's status of it, or None when nothing must be sent
    (bounced, cleaned or archived locally; active locally but unsubscribed or cleaned in Mailchimp)."""
    local = (contact.status or "").lower()
    status = wanted_status(local, remote)
    if local in NOT_SENT or not contact.email or status is None:
        return None
    merge = {tag: getattr(contact, attr) for attr, tag in (merge_tags or MERGE_TAGS).items() if getattr(contact, attr)}
    return {"email_address": contact.email.strip(), "merge_fields": merge, "status": status,
            "tags": contact_tags(contact)}


def contact_tags(contact: Contact) -> list[str]:
    """The Mailchimp tags of a contact: its genres and its contact type."""
    names = [n.strip() for n in [*contact.genres, contact.contact_type or ""] if n and n.strip()]
    return list({n.lower(): n for n in reversed(names)}.values())[::-1]


def payload_hash(entry: dict[str, Any]) -> str:
    """A stable fingerprint of what was sent for a member (tag order does not matter)."""
    data = {**entry, "tags": sorted(entry.get("tags") or [])}
    return hashlib.sha1(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass
class Plan:
    """The members to update (known to Mailchimp) or create, and the selected contacts that are not sent."""

    update: list[tuple[Contact, dict[str, Any]]] = field(default_factory=list)
    create: list[tuple[Contact, dict[str, Any]]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)
    unchanged: int = 0
    selected: int = 0

    @property
    def entries(self) -> list[tuple[Contact, dict[str, Any]]]:
        """Every member to send."""
        return [*self.update, *self.create]


def plan_sync(contacts: Iterable[Contact], mirror: dict[str, dict], *, full: bool = False,
              merge_tags: dict[str, str] | None = None) -> Plan:
    """Decide per contact: update, create, skip (inactive locally), keep (gone in Mailchimp) or leave (unchanged)."""
    plan, seen = Plan(), set()
    for contact in contacts:
        plan.selected += 1
        email, local = normalise_email(contact.email or ""), (contact.status or "").lower()
        if not contact.email or local in NOT_SENT or email in seen:
            reason = "duplicate address" if email in seen else f"status is {contact.status or 'missing email'}"
            plan.skipped.append(Skipped(contact.email, reason))
            continue
        seen.add(email)
        known = mirror.get(email)
        entry = member_payload(contact, merge_tags, known["status"] if known else None)
        if entry is None:
            plan.kept.append(Kept(contact.email, known["status"]))
        elif not full and known and known["payload_hash"] == payload_hash(entry):
            plan.unchanged += 1
        else:
            (plan.update if known else plan.create).append((contact, entry))
    return plan


def chunks(items: list, size: int = BATCH_SIZE) -> list[list]:
    """Consecutive slices of at most ``size`` items."""
    return [items[i:i + size] for i in range(0, len(items), size)]
