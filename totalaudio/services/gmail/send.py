"""``tap gmail send``: one personal message per contact, never twice per contact and campaign, paced and capped.

Each message is written to the ledger as 'pending', with the Message-ID tap generated, and committed before the
send call. A re-run that finds a message pending or failed (a crash or a lost answer: it may have gone) looks that
Message-ID up in the Sent mail (``rfc822msgid:``) and sends only when it is not there. A daily cap (Gmail's own
limit is 500 a day for a consumer account) stops the run; the next day's run resumes where it stopped.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from totalaudio.errors import InputError, IntegrationError, utc_now
from totalaudio.models import INACTIVE_STATUSES, Contact
from totalaudio.services.gmail import compose
from totalaudio.store.campaigns import CampaignStore
from totalaudio.store.contacts import ContactStore, normalise_email
from totalaudio.store.gmail import SendLedger
from totalaudio.store.syncstate import SyncState

ADDRESS_KEY = "gmail.address"
DEFAULT_DAILY_CAP, DEFAULT_PER_SECOND = 400, 1.0
ENDED = ("reply", "unsubscribe", "bounce_hard")  # a follow-up goes only to those with none of these


@dataclass(frozen=True)
class SendOptions:
    """What to send and how fast."""

    subject: str
    body: str
    campaign: str | None = None
    follow_up: bool = False
    daily_cap: int = DEFAULT_DAILY_CAP
    per_second: float = DEFAULT_PER_SECOND
    outbox: Path | None = None
    sender_name: str | None = None
    unsubscribe_url: str | None = None


def options_from(settings: Any, subject: str, body: str, campaign: str | None = None, follow_up: bool = False,
                 outbox: Path | None = None) -> SendOptions:
    """SendOptions with tap.toml's [gmail] pacing and identity (daily_cap, per_second, sender_name, unsubscribe_url)."""
    cfg = settings.section("gmail")
    return SendOptions(subject, body, campaign, follow_up, int(cfg.get("daily_cap", DEFAULT_DAILY_CAP)),
                       float(cfg.get("per_second", DEFAULT_PER_SECOND)), outbox, cfg.get("sender_name"),
                       cfg.get("unsubscribe_url"))


@dataclass(frozen=True)
class SendItem:
    """One contact's line: sent, would_send, recovered (found in Sent), already_sent, skipped, capped, failed."""

    contact_id: str
    email: str
    status: str
    reason: str | None = None
    message_id: str | None = None
    thread_id: str | None = None
    rfc822_id: str | None = None
    file: str | None = None


@dataclass(frozen=True)
class SendResult:
    """What ``gmail send`` did (or would do)."""

    campaign_id: str | None
    campaign: str
    step: str
    chosen: int
    counts: dict[str, int]
    items: tuple[SendItem, ...]
    api_calls: int
    daily_cap: int
    dry_run: bool
    run_id: str | None = None


class Pacer:
    """At most ``per_second`` sends a second: waits out the interval since the previous send."""

    def __init__(self, per_second: float, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.sleep, self.clock, self.last = sleep, clock, None

    def wait(self) -> None:
        """Block until the next send may start."""
        if self.last is not None:
            gap = self.interval - (self.clock() - self.last)
            if gap > 0:
                self.sleep(gap)
        self.last = self.clock()


def campaign_row(db: Any, name: str, create: bool) -> dict[str, Any] | None:
    """The local campaign called ``name`` (or with that id); created when asked and absent."""
    rows = list(db.query("SELECT * FROM campaigns WHERE id = ? OR name = ? ORDER BY created_at LIMIT 1", [name, name]))
    if rows or not create:
        return rows[0] if rows else None
    store = CampaignStore(db)
    return store.get(store.create({"name": name, "status": "sending"}))


def follow_up_targets(db: Any, campaign_id: str) -> tuple[list[Contact], dict[str, dict[str, Any]]]:
    """Contacts pitched in a campaign who have not replied, unsubscribed or hard-bounced; and their pitches."""
    pitches = {r["contact_id"]: r for r in SendLedger(db).for_campaign(campaign_id)}
    marks = ",".join("?" * len(ENDED))
    ended = {r[0] for r in db.execute(f"SELECT contact_id FROM events WHERE campaign_id = ? AND kind IN ({marks})",
                                      [campaign_id, *ENDED]).fetchall()}
    store = ContactStore(db)
    return [store.get(cid) for cid in pitches if cid not in ended], pitches


def eligible(contacts: list[Contact]) -> tuple[list[Contact], list[SendItem]]:
    """Contacts that may be emailed (one per address); the others with the reason."""
    keep, skipped, seen = [], [], set()
    for c in contacts:
        email = normalise_email(c.email or "")
        if (c.status or "").lower() in INACTIVE_STATUSES:
            skipped.append(SendItem(c.id, c.email, "skipped", f"status is {c.status}"))
        elif not email or email in seen:
            skipped.append(SendItem(c.id, c.email, "skipped", "no address" if not email else "duplicate address"))
        else:
            seen.add(email)
            keep.append(c)
    return keep, skipped


def _today_start() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT00:00:00Z")


class Sender:
    """Sends the drafts of one run through the ledger."""

    def __init__(self, client: Any, db: Any, campaign_id: str, step: str, opts: SendOptions, run_id: str | None,
                 sender: str, pacer: Pacer) -> None:
        self.client, self.db, self.campaign_id, self.step = client, db, campaign_id, step
        self.opts, self.run_id, self.sender, self.pacer = opts, run_id, sender, pacer
        self.ledger = SendLedger(db)

    def one(self, draft: compose.Draft, email: str) -> SendItem:
        """Send one draft unless the ledger or the Sent mail shows it went already; never twice."""
        row = self.ledger.get(self.campaign_id, draft.contact_id, self.step)
        if row and row["state"] == "sent":
            return SendItem(draft.contact_id, email, "already_sent", None, row["gmail_id"], row["thread_id"],
                            row["rfc822_id"])
        if row:  # pending or failed: it may have gone out; look before sending again under the same id
            draft = replace(draft, rfc822_id=row["rfc822_id"])
            found = self.client.find_sent(draft.rfc822_id)
            if found:
                return self._done(draft, email, found, "recovered")
        elif self.ledger.sent_since(_today_start()) >= self.opts.daily_cap:
            return SendItem(draft.contact_id, email, "capped", f"daily cap of {self.opts.daily_cap} reached")
        else:
            self.ledger.intend({"campaign_id": self.campaign_id, "contact_id": draft.contact_id, "step": self.step,
                                "email": email, "rfc822_id": draft.rfc822_id, "subject": draft.subject,
                                "thread_id": draft.thread_id, "run_id": self.run_id})
        return self._send(draft, email)

    def _send(self, draft: compose.Draft, email: str) -> SendItem:
        raw = compose.build(draft, self.sender, self.opts.sender_name,
                            compose.unsubscribe_header(self.sender, self.opts.unsubscribe_url))
        self.pacer.wait()
        try:
            answer = self.client.send(raw, draft.thread_id)
        except IntegrationError as exc:
            self.ledger.settle(draft.rfc822_id, "failed", detail=exc.error[:300])
            return SendItem(draft.contact_id, email, "failed", exc.error, rfc822_id=draft.rfc822_id)
        return self._done(draft, email, answer, "sent")

    def _done(self, draft: compose.Draft, email: str, answer: dict[str, Any], status: str) -> SendItem:
        gmail_id, thread_id = answer.get("id"), answer.get("threadId")
        with self.db.conn:
            self.ledger.settle(draft.rfc822_id, "sent", gmail_id, thread_id)
            CampaignStore(self.db).add_events([{
                "email": email, "kind": "sent", "source": "gmail", "at": utc_now(), "contact_id": draft.contact_id,
                "campaign_id": self.campaign_id, "dedupe_key": f"gmail-sent:{draft.rfc822_id}",
                "data": {"messageId": gmail_id, "threadId": thread_id, "rfc822MessageId": draft.rfc822_id}}])
            self.db.execute("UPDATE campaigns SET sent = sent + 1 WHERE id = ?", [self.campaign_id])
            self.db.execute("INSERT OR IGNORE INTO campaign_contacts (campaign_id, contact_id) VALUES (?, ?)",
                            [self.campaign_id, draft.contact_id])
            ContactStore(self.db).update(draft.contact_id, {"last_email_date": utc_now()[:10]})
        return SendItem(draft.contact_id, email, status, None, gmail_id, thread_id, draft.rfc822_id)


def _drafts(rendered: list[tuple[Contact, str, str]], sender: str, pitches: dict[str, dict[str, Any]],
            ) -> list[tuple[compose.Draft, str]]:
    out = []
    for contact, subject, body in rendered:
        pitch = pitches.get(contact.id)
        draft = compose.Draft(contact.id, contact.email, subject, body, compose.new_message_id(sender))
        if pitch:
            subject = subject or f"Re: {pitch['subject'] or ''}".strip()
            draft = replace(draft, subject=subject, in_reply_to=pitch["rfc822_id"], thread_id=pitch["thread_id"])
        out.append((draft, contact.email))
    return out


def write_outbox(outbox: Path, drafts: list[tuple[compose.Draft, str]], sender: str,
                 opts: SendOptions) -> list[SendItem]:
    """--dry-run: every message it would send, as .eml files in ``outbox``."""
    outbox.mkdir(parents=True, exist_ok=True)
    items = []
    for number, (draft, email) in enumerate(drafts, 1):
        path = outbox / f"{number:04d}-{re.sub(r'[^A-Za-z0-9@._-]', '_', email)[:80]}.eml"
        path.write_bytes(compose.build(draft, sender, opts.sender_name,
                                       compose.unsubscribe_header(sender, opts.unsubscribe_url)))
        items.append(SendItem(draft.contact_id, email, "would_send", None, rfc822_id=draft.rfc822_id, file=str(path)))
    return items


def sender_address(client: Any, db: Any) -> str:
    """The mailbox's own address (asked once, then remembered)."""
    state = SyncState(db)
    known = state.get(ADDRESS_KEY) or (getattr(client, "account", None) if client else None)
    if known or client is None:
        return known or "me@gmail.invalid"
    address = client.profile().get("emailAddress") or ""
    state.set(ADDRESS_KEY, address)
    return address


def send(client: Any, db: Any, contacts: list[Contact], opts: SendOptions, *, dry_run: bool = False,
         run_id: str | None = None, sleep: Callable[[float], None] = time.sleep) -> SendResult:
    """Send (or with dry_run write) one message per eligible contact; see the module docstring."""
    name = opts.campaign or opts.subject
    if not name.strip():
        raise InputError("give --subject (or --campaign) so the messages belong to a campaign")
    campaign = campaign_row(db, name, create=not dry_run and not opts.follow_up)
    if opts.follow_up and campaign is None:
        raise InputError(f"no campaign {name!r} to follow up", hint="see `tap mailchimp campaign list` or the "
                         "campaign name given to `tap gmail send --campaign`")
    pitches: dict[str, dict[str, Any]] = {}
    if opts.follow_up:
        contacts, pitches = follow_up_targets(db, campaign["id"])
    chosen, skipped = eligible(contacts)
    calls = client.caller.calls if client else 0
    sender = sender_address(client, db)
    drafts = _drafts(compose.render_all(chosen, opts.subject, opts.body), sender, pitches)
    if dry_run:
        items = write_outbox(opts.outbox or Path("gmail-outbox"), drafts, sender, opts)
    else:
        runner = Sender(client, db, campaign["id"], "follow_up" if opts.follow_up else "pitch", opts, run_id, sender,
                        Pacer(opts.per_second, sleep))
        items = [runner.one(draft, email) for draft, email in drafts]
    items += skipped
    counts = {s: sum(1 for i in items if i.status == s) for s in dict.fromkeys(i.status for i in items)}
    return SendResult(campaign["id"] if campaign else None, name, "follow_up" if opts.follow_up else "pitch",
                      len(contacts), counts, tuple(items), (client.caller.calls - calls) if client else 0,
                      opts.daily_cap, dry_run, run_id)
