"""Audience sync: upsert chosen contacts as Mailchimp members in batches of 500, tags included, never
re-subscribing anyone, and pull unsubscribes and cleaned addresses back into the local store.

Every batch member carries a status and its tags (genres, contact type). The v3.0.85 API description lists
neither status_if_new nor tags on batch members; tags are accepted all the same: Mailchimp's release note of
24 January 2022 ("Added ability to sync tags to existing members") says tags sent through the bulk Lists
endpoint are added to new and existing members. The same note added ``sync_tags``, which replaces a member's
tags with those sent (only with update_existing true). tap sends sync_tags false: it adds its tags and never
removes the tags a plugger made by hand in Mailchimp (a tag dropped locally therefore stays in Mailchimp).

An address Mailchimp may already hold is never sent as "subscribed" on trust: members tap has not mirrored yet
go in create-only batches (update_existing false), which leave existing members untouched; those Mailchimp
refuses have their status read (one lookup each when few, else the audience's statuses 1,000 a call) and are
updated without ever re-subscribing anyone. Statuses changed since the last sync are pulled before anything is
sent."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, Iterable

from totalaudio.clients.mailchimp import explain, subscriber_hash
from totalaudio.errors import IntegrationError, utc_now
from totalaudio.models import INACTIVE_STATUSES, Contact
from totalaudio.services.mailchimp.plan import (BATCH_SIZE, GONE, MERGE_TAGS, NOT_SENT, OPTED_OUT,  # noqa: F401
                                                Kept, Plan, Skipped, chunks, contact_tags, member_payload,
                                                payload_hash, plan_sync, wanted_status)
from totalaudio.store.contacts import ContactStore, normalise_email
from totalaudio.store.mailchimp import MemberMirror
from totalaudio.store.runs import Journal
from totalaudio.store.syncstate import SyncState

FEW = 3  # refused members looked up one by one; more than this: one paged read of the audience
MAX_WORKERS = 10  # Mailchimp allows 10 simultaneous connections; the client's limiter enforces it too


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
    member_calls: int = 0
    tagged: int = 0  # member-tag pairs sent with members Mailchimp accepted


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


Refused = tuple[Contact, dict[str, Any], dict[str, Any]]


class Syncer:
    """Runs one audience sync against a client, a store and a run id."""

    def __init__(self, client: Any, db: Any, list_id: str, run_id: str | None) -> None:
        self.client, self.db, self.list_id, self.run_id = client, db, list_id, run_id
        self.mirror, self.journal = MemberMirror(db), Journal(db)
        self.contacts = ContactStore(db)
        self.counts = {"created": 0, "updated": 0, "batches": 0, "tagged": 0}
        self.kept: list[Kept] = []
        self.errors: list[MemberError] = []
        self.statuses: dict[str, str] = {}

    def push(self, entries: list[tuple[Contact, dict[str, Any]]], update_existing: bool = True,
             refused: list[Refused] | None = None) -> list[IntegrationError]:
        """Send the batches (up to 10 at once) and apply each answer; returns the batches that failed.
        Members rejected in a create-only pass go to ``refused`` (they may exist), else to the errors."""
        batches = chunks(entries)
        self.counts["batches"] += len(batches)
        journal_ids = [self._intend(i, batch) for i, batch in enumerate(batches)]
        with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(batches) or 1)) as pool:
            futures = [pool.submit(self.client.batch_members, self.list_id, [e for _, e in b],
                                   update_existing=update_existing) for b in batches]
        failures = []
        for batch, journal_id, future in zip(batches, journal_ids, futures):
            try:
                self._apply(batch, future.result(), refused)
                self.journal.set_state(journal_id, "done")
            except IntegrationError as exc:
                self.journal.set_state(journal_id, "failed")
                failures.append(exc)
        return failures

    def _intend(self, number: int, batch: list[tuple[Contact, dict]]) -> int:
        return self.journal.record(self.run_id, "mailchimp.members", f"{self.list_id}#{number}", "upsert",
                                   after={"emails": [e["email_address"] for _, e in batch]},
                                   target="mailchimp", state="pending")

    def _apply(self, batch: list[tuple[Contact, dict]], answer: dict[str, Any],
               refused: list[Refused] | None) -> None:
        """Mirror what Mailchimp now holds; note rejected members (or refused ones, for a create-only pass)."""
        rejected = {normalise_email(e.get("email_address") or ""): e for e in answer.get("errors") or []}
        members = {normalise_email(m.get("email_address") or ""): m for m in
                   [*(answer.get("new_members") or []), *(answer.get("updated_members") or [])]}
        self.counts["created"] += len(answer.get("new_members") or [])
        self.counts["updated"] += len(answer.get("updated_members") or [])
        rows = []
        for contact, entry in batch:
            email = normalise_email(contact.email)
            if email in rejected and refused is not None:
                refused.append((contact, entry, rejected[email]))
            elif email in rejected:
                self.errors.append(_member_error(contact.email, rejected[email]))
            elif email in members:
                rows.append(self._seen(contact, entry, members[email]))
        self.mirror.upsert(rows)

    def _seen(self, contact: Contact, entry: dict, member: dict) -> dict[str, Any]:
        status = member.get("status") or ""
        self.statuses[contact.email] = status
        self.counts["tagged"] += len(entry.get("tags") or [])
        return self._row(contact, status, payload_hash(entry), member.get("id"))

    def _row(self, contact: Contact, status: str, digest: str | None, member_id: Any = None) -> dict[str, Any]:
        return {"list_id": self.list_id, "email_norm": normalise_email(contact.email), "contact_id": contact.id,
                "subscriber_hash": subscriber_hash(contact.email), "status": status,
                "payload_hash": digest, "raw": {"id": member_id, "status": status}}

    def run(self, plan: Plan) -> list[IntegrationError]:
        """Update the members Mailchimp is known to hold, create the others, then resolve those it refused."""
        self.kept.extend(plan.kept)
        self.statuses.update({k.email: k.status for k in plan.kept})
        refused: list[Refused] = []
        failures = self.push(plan.update) + self.push(plan.create, update_existing=False, refused=refused)
        return failures + self.resolve(refused)

    def resolve(self, refused: list[Refused]) -> list[IntegrationError]:
        """Members a create-only pass refused: read their statuses, update those that exist without
        re-subscribing the unsubscribed or cleaned, and report the others as rejected."""
        if not refused:
            return []
        remote = self._remote_statuses([c.email for c, _, _ in refused])
        again, rows = [], []
        for contact, entry, item in refused:
            status = remote.get(normalise_email(contact.email))
            wanted = wanted_status((contact.status or "").lower(), status)
            if status is None:
                self.errors.append(_member_error(contact.email, item))
            elif wanted is None:
                self.kept.append(Kept(contact.email, status))
                self.statuses[contact.email] = status
                rows.append(self._row(contact, status, None))
            else:
                again.append((contact, {**entry, "status": wanted}))
        self.mirror.upsert(rows)
        return self.push(again, update_existing=True)

    def _remote_statuses(self, emails: list[str]) -> dict[str, str | None]:
        """Mailchimp's status of these addresses: one lookup each when they are few, else the whole audience
        1,000 a call (a missing address is not a member)."""
        if len(emails) > FEW:
            return {normalise_email(m.get("email_address") or ""): m.get("status")
                    for m in self.client.members(self.list_id)}
        out: dict[str, str | None] = {}
        for email in emails:
            try:
                out[normalise_email(email)] = self.client.member(self.list_id, email).get("status")
            except IntegrationError as exc:
                if exc.status != 404:
                    raise
        return out

    def pull_statuses(self, since: str | None, every_gone: bool) -> None:
        """Members that unsubscribed or were cleaned since the last sync (all of them with every_gone)."""
        if every_gone:
            found = [m for s in GONE for m in self.client.members(self.list_id, status=s)]
        elif since:
            found = list(self.client.members(self.list_id, since=since))
        else:
            return  # no cursor: members tap never synced are resolved by the create-only pass
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
    """Upsert contacts as tagged members of an audience and pull member statuses back (see module docstring)."""
    return sync_members(client, db, list_id, contacts, dry_run=dry_run, full=full, run_id=run_id,
                        merge_tags=merge_tags)[0]


def sync_members(client: Any, db: Any, list_id: str, contacts: Iterable[Contact], *, dry_run: bool = False,
                 full: bool = False, run_id: str | None = None,
                 merge_tags: dict[str, str] | None = None) -> tuple[SyncResult, dict[str, str]]:
    """``sync``, also returning the Mailchimp status of every member sent or kept (email -> status)."""
    if dry_run:
        plan = plan_sync(contacts, MemberMirror(db).for_list(list_id), full=full, merge_tags=merge_tags)
        return _result(list_id, plan), {}
    syncer, started, state = Syncer(client, db, list_id, run_id), utc_now(), SyncState(db)
    calls_before = client.caller.calls
    since, mirrored = state.get(cursor_key(list_id)), syncer.mirror.for_list(list_id)
    # First, so that no stale status is trusted; without a cursor (an earlier sync failed) re-read every unsubscribe.
    syncer.pull_statuses(since, full or (since is None and bool(mirrored)))
    plan = plan_sync(contacts, syncer.mirror.for_list(list_id), full=full, merge_tags=merge_tags)
    failures = syncer.run(plan)
    changes = syncer.apply_statuses()
    if failures:
        raise failures[0]
    state.set(cursor_key(list_id), started)
    calls = client.caller.calls - calls_before
    result = _result(list_id, plan, syncer, changes=changes, run_id=run_id, member_calls=calls, api_calls=calls)
    return result, syncer.statuses


def _result(list_id: str, plan: Plan, syncer: Syncer | None = None, *, changes: Iterable[StatusChange] = (),
            run_id: str | None = None, member_calls: int = 0, api_calls: int = 0) -> SyncResult:
    """The result of a plan, and of what the syncer did with it (no syncer: a dry run)."""
    opted_out = sum(1 for _, e in plan.entries if e.get("status") == "unsubscribed")
    base = SyncResult(list_id, syncer is None, plan.selected, len(plan.entries), plan.unchanged, 0, 0, opted_out,
                      len(chunks(plan.update)) + len(chunks(plan.create)), 0, tuple(plan.skipped), tuple(plan.kept),
                      tagged=sum(len(e.get("tags") or []) for _, e in plan.entries))
    if syncer is None:
        return base
    return replace(base, created=syncer.counts["created"], updated=syncer.counts["updated"],
                   batches=syncer.counts["batches"], api_calls=api_calls, kept=tuple(syncer.kept),
                   errors=tuple(syncer.errors), status_changes=tuple(changes), run_id=run_id,
                   member_calls=member_calls, tagged=syncer.counts["tagged"])
