"""Mailchimp campaigns: create one for exactly the chosen contacts, test, schedule, send (never twice), list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable

from totalaudio.errors import InputError, IntegrationError
from totalaudio.models import Contact
from totalaudio.services.mailchimp.audience import (OPTED_OUT, Skipped, chunks, member_payload, sync_members)
from totalaudio.store.campaigns import CampaignStore
from totalaudio.store.contacts import ContactStore, normalise_email
from totalaudio.store.mailchimp import MemberMirror, SendLedger
from totalaudio.store.runs import Journal

PAST = {"send": "sent", "schedule": "scheduled"}
LOCAL_STATUS = {"save": "draft", "schedule": "scheduled"}  # Mailchimp status -> campaign row status


@dataclass(frozen=True)
class CampaignSpec:
    """What to create: audience, subject, content (a template id or HTML) and sender."""

    list_id: str
    subject: str
    template_id: int | None = None
    html: str | None = None
    from_name: str | None = None
    reply_to: str | None = None
    title: str | None = None
    artist: str | None = None
    release: str | None = None


@dataclass(frozen=True)
class CreateResult:
    """What ``campaign create`` did (or would do)."""

    id: str | None
    mailchimp_id: str | None
    list_id: str
    subject: str
    status: str
    segment_id: int | None
    chosen: int
    recipients: int
    excluded: tuple[Skipped, ...]
    dry_run: bool
    run_id: str | None = None


@dataclass(frozen=True)
class ActionResult:
    """What a campaign action (test, schedule, send) did."""

    id: str
    mailchimp_id: str
    action: str
    done: bool
    status: str
    detail: str
    run_id: str | None = None


def local_status(remote: str) -> str:
    """The campaign row status for a Mailchimp status."""
    return LOCAL_STATUS.get(remote, remote)


def resolve_contacts(db: Any, refs: Iterable[Any]) -> list[Contact]:
    """Contacts named by the seed payload: emails, local/Airtable ids, or objects with one of those."""
    store, out, unknown = ContactStore(db), [], []
    for ref in refs:
        key = ref if isinstance(ref, str) else next((ref.get(k) for k in ("id", "airtableId", "email")
                                                    if isinstance(ref, dict) and ref.get(k)), None)
        try:
            out.append(store.get(str(key or "")))
        except InputError:
            unknown.append(str(key))
    if unknown:
        raise InputError(f"{len(unknown)} contacts are not in the local store: {', '.join(unknown[:5])}",
                         hint="import them first (`tap contacts import` or `tap airtable sync`)")
    return out


def _eligible(contacts: list[Contact]) -> tuple[list[Contact], list[Skipped]]:
    keep, excluded = [], []
    for contact in contacts:
        if member_payload(contact) is None or (contact.status or "").lower() in OPTED_OUT:
            excluded.append(Skipped(contact.email, f"status is {contact.status}"))
        else:
            keep.append(contact)
    return keep, excluded


def create(client: Any, db: Any, spec: CampaignSpec, contacts: list[Contact], *, dry_run: bool = False,
           run_id: str | None = None, merge_tags: dict[str, str] | None = None) -> CreateResult:
    """Sync the chosen contacts, put the subscribed ones in a static segment, create the campaign and its content."""
    if not spec.subject.strip() or (spec.template_id is None) == (spec.html is None):
        raise InputError("give a subject and exactly one of --template-id or --html")
    chosen, excluded = _eligible(contacts)
    if dry_run:
        return CreateResult(None, None, spec.list_id, spec.subject, "draft", None, len(contacts), len(chosen),
                            tuple(excluded), True)
    recipients, more = _subscribed(client, db, spec.list_id, chosen, run_id, merge_tags)
    if not recipients:
        raise InputError("none of the chosen contacts can receive this campaign (all unsubscribed, cleaned or "
                         "rejected in Mailchimp)")
    return _build(client, db, spec, recipients, len(contacts), excluded + more, run_id)


def _build(client: Any, db: Any, spec: CampaignSpec, recipients: list[Contact], chosen: int,
           excluded: list[Skipped], run_id: str | None) -> CreateResult:
    """Record the campaign locally, make its segment, then the Mailchimp campaign and its content."""
    store, journal = CampaignStore(db), Journal(db)
    local_id = store.create({"name": spec.title or spec.subject, "subject": spec.subject, "list_id": spec.list_id,
                             "artist": spec.artist, "release": spec.release, "status": "creating"})
    entry = journal.record(run_id, "campaign", local_id, "create", after={"listId": spec.list_id},
                           target="mailchimp", state="pending")
    segment_id, missing = _segment(client, spec.list_id, f"tap {local_id}: {spec.subject[:60]}",
                                   [c.email for c in recipients])
    recipients, excluded = _without(recipients, missing, excluded)
    if not recipients:
        raise InputError("none of the chosen contacts is a member of the audience any more")
    store.set_contacts(local_id, [c.id for c in recipients])
    remote = client.create_campaign(_body(client, spec, segment_id))
    client.set_content(remote["id"], {"template": {"id": spec.template_id}} if spec.html is None
                       else {"html": spec.html})
    store.update(local_id, {"mailchimp_id": remote["id"], "status": "draft", "raw": remote})
    journal.set_state(entry, "done")
    return CreateResult(local_id, remote["id"], spec.list_id, spec.subject, "draft", segment_id, chosen,
                        len(recipients), tuple(excluded), False, run_id)


def _without(recipients: list[Contact], missing: set[str],
             excluded: list[Skipped]) -> tuple[list[Contact], list[Skipped]]:
    """Drop the addresses Mailchimp would not put in the segment (no longer members)."""
    gone = [c for c in recipients if normalise_email(c.email) in missing]
    return ([c for c in recipients if c not in gone],
            excluded + [Skipped(c.email, "not a member of the audience (deleted in Mailchimp?)") for c in gone])


def _subscribed(client: Any, db: Any, list_id: str, chosen: list[Contact], run_id: str | None,
                merge_tags: dict[str, str] | None) -> tuple[list[Contact], list[Skipped]]:
    """Sync the contacts; keep those Mailchimp holds as subscribed (the only ones it would send to)."""
    result, statuses = sync_members(client, db, list_id, chosen, run_id=run_id, merge_tags=merge_tags)
    known = {**{e: r["status"] for e, r in MemberMirror(db).for_list(list_id).items()},
             **{normalise_email(e): s for e, s in statuses.items()}}
    rejected = {normalise_email(e.email) for e in result.errors}
    keep, excluded = [], []
    for contact in chosen:
        status = known.get(normalise_email(contact.email))
        if status == "subscribed" and normalise_email(contact.email) not in rejected:
            keep.append(contact)
        else:
            excluded.append(Skipped(contact.email, f"Mailchimp status is {status or 'unknown (rejected)'}"))
    return keep, excluded


def _segment(client: Any, list_id: str, name: str, emails: list[str]) -> tuple[int, set[str]]:
    """A static segment of exactly these members, filled 500 a call so that Mailchimp names any it refused."""
    segment = client.create_segment(list_id, name, [])
    missing: set[str] = set()
    for part in chunks(emails):
        answer = client.add_segment_members(list_id, segment["id"], part)
        for error in answer.get("errors") or []:
            missing |= {normalise_email(e) for e in error.get("email_addresses") or []}
    return int(segment["id"]), missing


def _body(client: Any, spec: CampaignSpec, segment_id: int) -> dict[str, Any]:
    from_name, reply_to = spec.from_name, spec.reply_to
    if not (from_name and reply_to):  # the audience's defaults, as Mailchimp's own editor does
        defaults = client.get_list(spec.list_id).get("campaign_defaults") or {}
        from_name, reply_to = from_name or defaults.get("from_name"), reply_to or defaults.get("from_email")
    settings = {"subject_line": spec.subject, "title": spec.title or spec.subject}
    settings.update({k: v for k, v in (("from_name", from_name), ("reply_to", reply_to)) if v})
    return {"type": "regular", "settings": settings,
            "recipients": {"list_id": spec.list_id, "segment_opts": {"saved_segment_id": segment_id}}}


def ensure_local(client: Any, db: Any, ref: str) -> dict[str, Any]:
    """The campaign row for a local or Mailchimp id; a campaign made in Mailchimp itself is recorded on first use."""
    store = CampaignStore(db)
    try:
        return store.get(ref)
    except InputError:
        remote = client.campaign(ref)
    settings = remote.get("settings") or {}
    store.create({"name": settings.get("title") or settings.get("subject_line") or ref, "mailchimp_id": remote["id"],
                  "subject": settings.get("subject_line"), "list_id": (remote.get("recipients") or {}).get("list_id"),
                  "status": local_status(remote.get("status") or "save"), "raw": remote})
    return store.get(remote["id"])


def _mailchimp_id(row: dict[str, Any]) -> str:
    if not row.get("mailchimp_id"):
        raise InputError(f"campaign {row['id']} was never created in Mailchimp (status {row['status']})",
                         hint="create it again with `tap mailchimp campaign create`")
    return row["mailchimp_id"]


def test(client: Any, db: Any, ref: str, emails: list[str]) -> ActionResult:
    """Send a test email of the campaign to a few addresses."""
    if not emails:
        raise InputError("give at least one address with --emails")
    row = ensure_local(client, db, ref)
    client.send_test(_mailchimp_id(row), emails)
    return ActionResult(row["id"], row["mailchimp_id"], "test", True, row["status"],
                        f"test sent to {', '.join(emails)}")


def parse_time(text: str) -> str:
    """An ISO-8601 time in the future on a quarter hour (Mailchimp's rule), as UTC."""
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"--at {text!r}: not an ISO-8601 time (e.g. 2026-12-01T09:15:00Z)") from None
    when = (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
    if when.minute % 15 or when.second or when.microsecond:
        raise InputError(f"--at {text!r}: Mailchimp schedules on the quarter hour (:00, :15, :30, :45)")
    if when <= datetime.now(timezone.utc):
        raise InputError(f"--at {text!r} is in the past")
    return when.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def schedule(client: Any, db: Any, ref: str, at: str, run_id: str | None = None) -> ActionResult:
    """Schedule a draft campaign; like a send, it is recorded in the ledger first and checked on Mailchimp."""
    when = parse_time(at)
    row = ensure_local(client, db, ref)
    blocked = _blocked(client, db, row, "schedule")
    if blocked:
        return blocked
    ledger = SendLedger(db)
    ledger.intend(row["mailchimp_id"], row["id"], run_id)
    client.schedule(row["mailchimp_id"], when)
    ledger.settle(row["mailchimp_id"], "scheduled", when)
    CampaignStore(db).update(row["id"], {"status": "scheduled", "start_date": when})
    return ActionResult(row["id"], row["mailchimp_id"], "schedule", True, "scheduled", f"scheduled for {when}", run_id)


def _blocked(client: Any, db: Any, row: dict[str, Any], action: str) -> ActionResult | None:
    """Why this campaign must not go out now (already sent, sending or scheduled), else None."""
    mc_id = _mailchimp_id(row)
    remote = client.campaign(mc_id)
    status = remote.get("status") or "save"
    ledger = SendLedger(db).get(mc_id)
    if status != "save":
        CampaignStore(db).update(row["id"], {"status": local_status(status), "raw": remote})
        if ledger and ledger["state"] == "pending":
            SendLedger(db).settle(mc_id, "sent", f"Mailchimp status {status}")
        return ActionResult(row["id"], mc_id, action, False, local_status(status),
                            f"not {PAST[action]}: Mailchimp has this campaign as '{status}' (send time "
                            f"{remote.get('send_time') or 'none'})")
    if ledger and ledger["state"] in ("sent", "scheduled"):
        raise InputError(f"tap recorded this campaign as {ledger['state']} at {ledger['done_at']}, but Mailchimp "
                         f"shows it as a draft", hint="check it in Mailchimp; tap will not send it again")
    return None


def send(client: Any, db: Any, ref: str, run_id: str | None = None) -> ActionResult:
    """Send a draft campaign now, at most once: intent is stored first and Mailchimp's status checked every time."""
    row = ensure_local(client, db, ref)
    blocked = _blocked(client, db, row, "send")
    if blocked:
        return blocked
    mc_id, ledger = row["mailchimp_id"], SendLedger(db)
    ledger.intend(mc_id, row["id"], run_id)
    try:
        client.send(mc_id)
    except IntegrationError as exc:
        if exc.status is not None and 400 <= exc.status < 500:  # refused: nothing went out
            ledger.settle(mc_id, "failed", exc.error)
        exc.hint = exc.hint or ("run the same command again: tap checks the campaign's status on Mailchimp "
                                "first and never sends it twice")
        raise
    ledger.settle(mc_id, "sent")
    CampaignStore(db).update(row["id"], {"status": "sending", "start_date": row.get("start_date") or _today()})
    return ActionResult(row["id"], mc_id, "send", True, "sending", "sent to Mailchimp for delivery", run_id)


def _today() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d")


def list_campaigns(client: Any, db: Any, list_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Mailchimp's latest campaigns, with the local id of those tap recorded."""
    local = {r["mailchimp_id"]: r["id"] for r in CampaignStore(db).list() if r.get("mailchimp_id")}
    out = []
    for item in client.campaigns(list_id, limit):
        settings, recipients = item.get("settings") or {}, item.get("recipients") or {}
        out.append({"id": local.get(item.get("id")), "mailchimpId": item.get("id"), "title": settings.get("title"),
                    "subject": settings.get("subject_line"), "status": item.get("status"),
                    "listId": recipients.get("list_id"), "recipients": recipients.get("recipient_count"),
                    "emailsSent": item.get("emails_sent"), "sendTime": item.get("send_time") or None,
                    "created": item.get("create_time")})
    return out
