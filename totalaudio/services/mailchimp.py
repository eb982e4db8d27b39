"""Audience sync: upsert chosen contacts as Mailchimp members in batches, never re-subscribing anyone,
and pull unsubscribes and cleaned addresses back into the local store."""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Iterable

from totalaudio.clients.mailchimp import explain, subscriber_hash
from totalaudio.errors import IntegrationError, utc_now
from totalaudio.models import INACTIVE_STATUSES, Contact
from totalaudio.store.contacts import ContactStore, normalise_email
from totalaudio.store.mailchimp import MemberMirror
from totalaudio.store.runs import Journal
from totalaudio.store.syncstate import SyncState

BATCH_SIZE = 500
MAX_WORKERS = 10  # Mailchimp allows 10 simultaneous connections; the client's limiter enforces it too
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


@dataclass(frozen=True)
class MemberError:
    """A member Mailchimp rejected inside an otherwise successful batch."""

    email: str
    error: str
    error_code: str | None = None
    field: str | None = None
    explanation: str | None = None


@dataclass(frozen=True)
class StatusChange:
    """A local contact whose status was brought in line with Mailchimp."""

    contact_id: str
    email: str
    before: str | None
    after: str


@dataclass(frozen=True)
class SyncResult:
    """What ``mailchimp sync`` did (or would do, with dry_run)."""

    list_id: str
    dry_run: bool
    selected: int
    sent: int
    unchanged: int
    created: int
    updated: int
    opted_out: int
    batches: int
    api_calls: int
    skipped: tuple[Skipped, ...] = ()
    kept: tuple[Kept, ...] = ()
    errors: tuple[MemberError, ...] = ()
    status_changes: tuple[StatusChange, ...] = ()
    run_id: str | None = None


def client(settings: Any) -> Any:
    """The Mailchimp client for these settings (MAILCHIMP_API_KEY, server prefix, TAP_MAILCHIMP_BASE_URL)."""
    from totalaudio.clients.mailchimp import build

    return build(settings)


def audiences(client: Any) -> list[dict[str, Any]]:
    """The account's audiences with member counts."""
    out = []
    for item in client.lists():
        stats = item.get("stats") or {}
        out.append({"id": item.get("id"), "name": item.get("name"), "memberCount": stats.get("member_count"),
                    "unsubscribeCount": stats.get("unsubscribe_count"), "cleanedCount": stats.get("cleaned_count"),
                    "totalContacts": stats.get("total_contacts"), "created": item.get("date_created")})
    return out


def member_payload(contact: Contact, merge_tags: dict[str, str] | None = None) -> dict[str, Any] | None:
    """The batch entry for a contact, or None when it must not be sent. Never carries status 'subscribed':
    active contacts get status_if_new, so an existing unsubscribed or cleaned member stays as it is."""
    local = (contact.status or "").lower()
    if local in NOT_SENT or not contact.email:
        return None
    merge = {tag: getattr(contact, attr) for attr, tag in (merge_tags or MERGE_TAGS).items() if getattr(contact, attr)}
    tags = list(dict.fromkeys([*contact.genres, *([contact.contact_type] if contact.contact_type else [])]))
    entry: dict[str, Any] = {"email_address": contact.email.strip(), "merge_fields": merge, "tags": tags}
    if local in OPTED_OUT:
        entry["status"] = "unsubscribed"
    else:
        entry["status_if_new"] = "pending" if local == "pending" else "subscribed"
    return entry


def payload_hash(entry: dict[str, Any]) -> str:
    """A stable fingerprint of what was sent for a member."""
    return hashlib.sha1(json.dumps(entry, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass
class Plan:
    """The members to send, and the selected contacts that will not be."""

    entries: list[tuple[Contact, dict[str, Any]]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    unchanged: int = 0
    selected: int = 0


def plan_sync(contacts: Iterable[Contact], mirror: dict[str, dict], *, full: bool = False,
              merge_tags: dict[str, str] | None = None) -> Plan:
    """Decide per contact: send, skip (inactive locally) or leave (unchanged since the last sync)."""
    plan, seen = Plan(), set()
    for contact in contacts:
        plan.selected += 1
        email = normalise_email(contact.email or "")
        entry = member_payload(contact, merge_tags)
        if entry is None or email in seen:
            reason = "duplicate address" if email in seen else f"status is {contact.status or 'missing email'}"
            plan.skipped.append(Skipped(contact.email, reason))
            continue
        seen.add(email)
        known = mirror.get(email)
        if not full and known and known["payload_hash"] == payload_hash(entry):
            plan.unchanged += 1
            continue
        plan.entries.append((contact, entry))
    return plan


def chunks(items: list, size: int = BATCH_SIZE) -> list[list]:
    """Consecutive slices of at most ``size`` items."""
    return [items[i:i + size] for i in range(0, len(items), size)]


class Syncer:
    """Runs one audience sync against a client, a store and a run id."""

    def __init__(self, client: Any, db: Any, list_id: str, run_id: str | None) -> None:
        self.client, self.db, self.list_id, self.run_id = client, db, list_id, run_id
        self.mirror, self.journal = MemberMirror(db), Journal(db)
        self.contacts = ContactStore(db)
        self.counts = {"created": 0, "updated": 0}
        self.kept: list[Kept] = []
        self.errors: list[MemberError] = []
        self.statuses: dict[str, str] = {}

    def push(self, entries: list[tuple[Contact, dict[str, Any]]]) -> list[IntegrationError]:
        """Send the batches (up to 10 at once) and apply each answer; returns the batches that failed."""
        batches = chunks(entries)
        journal_ids = [self._intend(i, batch) for i, batch in enumerate(batches)]
        with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(batches) or 1)) as pool:
            futures = [pool.submit(self.client.batch_members, self.list_id, [e for _, e in b]) for b in batches]
        failures = []
        for batch, journal_id, future in zip(batches, journal_ids, futures):
            try:
                self._apply(batch, future.result())
                self.journal.set_state(journal_id, "done")
            except IntegrationError as exc:
                self.journal.set_state(journal_id, "failed")
                failures.append(exc)
        return failures

    def _intend(self, number: int, batch: list[tuple[Contact, dict]]) -> int:
        return self.journal.record(self.run_id, "mailchimp.members", f"{self.list_id}#{number}", "upsert",
                                   after={"emails": [e["email_address"] for _, e in batch]},
                                   target="mailchimp", state="pending")

    def _apply(self, batch: list[tuple[Contact, dict]], answer: dict[str, Any]) -> None:
        """Mirror what Mailchimp now holds, note kept and rejected members, pull statuses back."""
        rejected = {normalise_email(e.get("email_address") or ""): e for e in answer.get("errors") or []}
        members = {normalise_email(m.get("email_address") or ""): m for m in
                   [*(answer.get("new_members") or []), *(answer.get("updated_members") or [])]}
        self.counts["created"] += len(answer.get("new_members") or [])
        self.counts["updated"] += len(answer.get("updated_members") or [])
        rows = []
        for contact, entry in batch:
            email = normalise_email(contact.email)
            if email in rejected:
                self.errors.append(_member_error(contact.email, rejected[email]))
            elif email in members:
                rows.append(self._seen(contact, entry, members[email]))
        self.mirror.upsert(rows)

    def _seen(self, contact: Contact, entry: dict, member: dict) -> dict[str, Any]:
        status = member.get("status") or ""
        self.statuses[contact.email] = status
        if status in GONE and "status_if_new" in entry:
            self.kept.append(Kept(contact.email, status))
        return {"list_id": self.list_id, "email_norm": normalise_email(contact.email), "contact_id": contact.id,
                "subscriber_hash": subscriber_hash(contact.email), "status": status,
                "payload_hash": payload_hash(entry), "raw": {"id": member.get("id"), "status": status}}

    def pull_statuses(self, since: str | None, full: bool) -> None:
        """Members that unsubscribed or were cleaned since the last sync (all of them with full)."""
        if full:
            found = [m for s in GONE for m in self.client.members(self.list_id, status=s)]
        elif since:
            found = list(self.client.members(self.list_id, since=since))
        else:
            return  # first sync: the batch answers carry the status of every member sent
        for member in found:
            if member.get("status") in GONE:
                self.statuses[member["email_address"]] = member["status"]
                self.mirror.set_status(self.list_id, normalise_email(member["email_address"]), member["status"])

    def apply_statuses(self) -> list[StatusChange]:
        """Mark locally every address Mailchimp holds as unsubscribed or cleaned (journaled)."""
        return apply_gone(self.db, self.contacts, self.journal, self.run_id, self.statuses)


def apply_gone(db: Any, store: ContactStore, journal: Journal, run_id: str | None,
               statuses: dict[str, str]) -> list[StatusChange]:
    """Set local contacts to 'unsubscribed'/'cleaned'/'bounced' from Mailchimp's word; never back to active."""
    wanted = {normalise_email(e): s for e, s in statuses.items() if s in ("unsubscribed", "cleaned", "bounced")}
    changes = []
    for email, status in wanted.items():
        for row in db.query("SELECT id, email, status FROM contacts WHERE email_norm = ?", [email]):
            if row["status"] != status and (row["status"] not in INACTIVE_STATUSES or _weaker(row["status"], status)):
                changes.append(StatusChange(row["id"], row["email"], row["status"], status))
    with db.conn:  # each change lands with its journal entry, or neither does
        for change in changes:
            store.update(change.contact_id, {"status": change.after})
        journal.record_many(run_id, [{"entity": "contact", "entity_id": c.contact_id, "op": "update",
                                      "before": {"status": c.before}, "after": {"status": c.after}} for c in changes])
    return changes


def _weaker(local: str, incoming: str) -> bool:
    """An unsubscribe outranks a bounce or a cleaned address: it is the person's own word."""
    return incoming == "unsubscribed" and local in ("bounced", "cleaned")


def _member_error(email: str, item: dict[str, Any]) -> MemberError:
    text = item.get("error") or "rejected by Mailchimp (no reason given)"
    return MemberError(email, text, item.get("error_code"), item.get("field"), explain(text, item.get("field_message")))


def cursor_key(list_id: str) -> str:
    """The sync-state key of an audience's last status pull."""
    return f"mailchimp.{list_id}.members_since"


def sync(client: Any, db: Any, list_id: str, contacts: Iterable[Contact], *, dry_run: bool = False,
         full: bool = False, run_id: str | None = None, merge_tags: dict[str, str] | None = None) -> SyncResult:
    """Upsert contacts as members of an audience and pull member statuses back (see module docstring)."""
    return sync_members(client, db, list_id, contacts, dry_run=dry_run, full=full, run_id=run_id,
                        merge_tags=merge_tags)[0]


def sync_members(client: Any, db: Any, list_id: str, contacts: Iterable[Contact], *, dry_run: bool = False,
                 full: bool = False, run_id: str | None = None,
                 merge_tags: dict[str, str] | None = None) -> tuple[SyncResult, dict[str, str]]:
    """``sync``, also returning the Mailchimp status of every member sent (email -> status)."""
    plan = plan_sync(contacts, MemberMirror(db).for_list(list_id), full=full, merge_tags=merge_tags)
    opted_out = sum(1 for _, e in plan.entries if e.get("status") == "unsubscribed")
    if dry_run:
        return SyncResult(list_id, True, plan.selected, len(plan.entries), plan.unchanged, 0, 0, opted_out,
                          len(chunks(plan.entries)), 0, tuple(plan.skipped)), {}
    syncer, started, state = Syncer(client, db, list_id, run_id), utc_now(), SyncState(db)
    calls_before = client.caller.calls
    failures = syncer.push(plan.entries)
    syncer.pull_statuses(state.get(cursor_key(list_id)), full)
    changes = syncer.apply_statuses()
    if failures:
        raise failures[0]
    state.set(cursor_key(list_id), started)
    result = SyncResult(list_id, False, plan.selected, len(plan.entries), plan.unchanged, syncer.counts["created"],
                        syncer.counts["updated"], opted_out, len(chunks(plan.entries)),
                        client.caller.calls - calls_before, tuple(plan.skipped), tuple(syncer.kept),
                        tuple(syncer.errors), tuple(changes), run_id)
    return result, syncer.statuses
