"""``tap mailchimp``: audiences, audience sync, campaigns (create, test, schedule, send, list) and their reports."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from totalaudio.cli import output
from totalaudio.cli.filters import GENRE, SEARCH, STATION, STATUS, TYPE
from totalaudio.cli.context import state

app = typer.Typer(help="Sync contacts to a Mailchimp audience, create and send campaigns, read their results.",
                  no_args_is_help=True)
campaign_app = typer.Typer(help="Create, test, schedule, send and list Mailchimp campaigns; read their reports.",
                           no_args_is_help=True)
app.add_typer(campaign_app, name="campaign")

LIST = typer.Option(..., "--list", "-l", help="The audience (list) id, see `tap mailchimp audiences`.",
                    show_default=False)
CAMPAIGN = typer.Argument(..., help="Campaign id: tap's (cmp_...) or Mailchimp's.", show_default=False)


def _client():
    from totalaudio.services.mailchimp.audience import client

    return client(state().settings)


def _contacts(genre, station, contact_type, status, search):
    from totalaudio.services.contacts.service import list_contacts
    from totalaudio.store.contacts import ContactFilter

    return list(list_contacts(state().db, ContactFilter(genre, station, contact_type, status, search)))


def _merge_tags() -> dict[str, str] | None:
    """[mailchimp.merge_fields] of tap.toml maps contact fields to the audience's merge tags ("" leaves one out)."""
    section = state().settings.section("mailchimp.merge_fields")
    if not section:
        return None
    from totalaudio.services.mailchimp.audience import MERGE_TAGS

    from totalaudio.errors import ConfigError
    from totalaudio.store.contacts import FIELDS

    unknown = sorted(set(section) - set(FIELDS))
    if unknown:
        raise ConfigError(f"[mailchimp.merge_fields] names unknown contact fields: {', '.join(unknown)}",
                          hint=f"use contact fields such as {', '.join(MERGE_TAGS)}")
    merged = {**MERGE_TAGS, **{str(k): str(v or "") for k, v in section.items()}}
    return {field: tag for field, tag in merged.items() if tag}


@app.command("audiences")
def audiences(json_: bool = output.JSON) -> None:
    """List the account's audiences with member counts."""
    from totalaudio.services.mailchimp import audience as svc

    rows = svc.audiences(_client())
    output.emit(rows, "json" if json_ else "text", lambda data: output.table(
        f"{len(data)} audiences", ["Id", "Name", "Subscribed", "Unsubscribed", "Cleaned"],
        [(a["id"], a["name"], a["memberCount"], a["unsubscribeCount"], a["cleanedCount"]) for a in data]))


@app.command("sync")
def sync(
    list_id: str = LIST, genre: Optional[str] = GENRE, station: Optional[str] = STATION,
    contact_type: Optional[str] = TYPE, status: Optional[str] = STATUS, search: Optional[str] = SEARCH,
    full: bool = typer.Option(False, "--full", help="Resend unchanged members and re-read every unsubscribe."),
    dry_run: bool = output.DRY_RUN, json_: bool = output.JSON,
) -> None:
    """Upsert the chosen contacts as tagged members (500 a call) and pull unsubscribes back; never re-subscribes."""
    from totalaudio.services.mailchimp import audience as svc

    st = state()
    contacts = _contacts(genre, station, contact_type, status, search)
    client = None if dry_run else _client()
    with st.mutating("mailchimp sync", {"list": list_id, "genre": genre}, dry_run=dry_run) as run_id:
        result = svc.sync(client, st.db, list_id, contacts, dry_run=dry_run, full=full, run_id=run_id,
                          merge_tags=_merge_tags())
    output.emit(result, "json" if json_ else "text", _render_sync)


def _render_sync(r) -> None:
    head = "Would send" if r.dry_run else "Sent"
    console = output.stdout_console()
    console.print(f"{head} {r.sent} of {r.selected} contacts to audience {r.list_id} in {r.batches} batches "
                  f"({r.created} new, {r.updated} updated, {r.unchanged} unchanged, {r.opted_out} opted out, "
                  f"{len(r.skipped)} skipped, {r.tagged} member tags added, {r.api_calls} API calls)",
                  highlight=False)
    for kept in r.kept:
        console.print(f"  kept {kept.status} in Mailchimp (not re-subscribed): {kept.email}", highlight=False)
    for err in r.errors:
        console.print(f"  rejected {err.email}: {err.explanation or err.error}", highlight=False)
    for change in r.status_changes:
        console.print(f"  marked {change.after} locally: {change.email}", highlight=False)


def _read_payload(source: str) -> dict:
    from totalaudio.errors import InputError

    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        data = json.loads(text)
    except OSError as exc:
        raise InputError(f"{source}: cannot read: {exc.strerror}") from None
    except ValueError as exc:
        raise InputError(f"{source}: not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"{source}: expected an object {{listId, subject, templateId, contacts}}")
    return data


def _spec(payload: dict, list_id, subject, template_id, html, from_name, reply_to, extra: dict):
    from totalaudio.errors import InputError
    from totalaudio.services.mailchimp.campaigns import CampaignSpec

    list_id, subject = list_id or payload.get("listId"), subject or payload.get("subject")
    template = template_id if template_id is not None else payload.get("templateId")
    if not list_id or not subject:
        raise InputError("give --list and --subject (or listId and subject in --from-json)")
    try:
        body = html.read_text(encoding="utf-8") if html else None
        template = int(template) if template not in (None, "") else None
    except OSError as exc:
        raise InputError(f"{html}: cannot read: {exc.strerror}") from None
    except (TypeError, ValueError):
        raise InputError(f"templateId {template!r} is not a number") from None
    return CampaignSpec(list_id, subject, template, body, from_name, reply_to, **extra)


@campaign_app.command("create")
def create(
    list_id: Optional[str] = typer.Option(None, "--list", "-l", help="The audience (list) id."),
    subject: Optional[str] = typer.Option(None, "--subject", help="The subject line."),
    template_id: Optional[int] = typer.Option(None, "--template-id", help="A saved Mailchimp template id."),
    html: Optional[Path] = typer.Option(None, "--html", help="An HTML file as the content."),
    from_json: Optional[str] = typer.Option(None, "--from-json", help="The seed payload {listId, subject, "
                                            "templateId, contacts} from a file or - for stdin."),
    from_name: Optional[str] = typer.Option(None, "--from-name", help="Sender name (default: the audience's)."),
    reply_to: Optional[str] = typer.Option(None, "--reply-to", help="Reply-to address (default: the audience's)."),
    name: Optional[str] = typer.Option(None, "--name", help="Campaign name (default: the subject)."),
    artist: Optional[str] = typer.Option(None, "--artist", help="The artist, as recorded for Airtable's Campaigns."),
    release: Optional[str] = typer.Option(None, "--release", help="The release, as recorded for Airtable's Campaigns."),
    genre: Optional[str] = GENRE, station: Optional[str] = STATION, contact_type: Optional[str] = TYPE,
    status: Optional[str] = STATUS, search: Optional[str] = SEARCH,
    dry_run: bool = output.DRY_RUN, json_: bool = output.JSON,
) -> None:
    """Create a campaign to exactly the chosen contacts (a static segment made for it), recorded in the store."""
    from totalaudio.services.mailchimp import campaigns as svc

    st = state()
    payload = _read_payload(from_json) if from_json else {}
    spec = _spec(payload, list_id, subject, template_id, html, from_name or _default("from_name"),
                 reply_to or _default("reply_to"), {"title": name, "artist": artist, "release": release})
    contacts = (svc.resolve_contacts(st.db, payload["contacts"]) if payload.get("contacts") is not None
                else _contacts(genre, station, contact_type, status, search))
    with st.mutating("mailchimp campaign create", {"list": spec.list_id}, dry_run=dry_run) as run_id:
        result = svc.create(None if dry_run else _client(), st.db, spec, contacts, dry_run=dry_run, run_id=run_id,
                            merge_tags=_merge_tags())
    output.emit(result, "json" if json_ else "text", _render_create)


def _render_create(r) -> None:
    head = "Would create a campaign" if r.dry_run else f"Created campaign {r.id} (Mailchimp {r.mailchimp_id})"
    console = output.stdout_console()
    console.print(f"{head} for {r.recipients} of {r.chosen} chosen contacts; {len(r.excluded)} excluded",
                  highlight=False)
    for skipped in r.excluded:
        console.print(f"  excluded {skipped.email}: {skipped.reason}", highlight=False)


def _default(key: str) -> Optional[str]:
    value = state().settings.section("mailchimp").get(key)
    return str(value) if value else None


def _emit_action(result, json_: bool) -> None:
    output.emit(result, "json" if json_ else "text", lambda r: print(f"{r.id} ({r.mailchimp_id}): {r.detail}"))


@campaign_app.command("test")
def test(ref: str = CAMPAIGN, emails: str = typer.Option(..., "--emails", help="Comma-separated addresses."),
         json_: bool = output.JSON) -> None:
    """Send a test email of a campaign to a few addresses."""
    from totalaudio.services.mailchimp import campaigns as svc

    addresses = [e.strip() for e in emails.split(",") if e.strip()]
    st = state()
    with st.mutating("mailchimp campaign test", {"campaign": ref}):
        _emit_action(svc.test(_client(), st.db, ref, addresses), json_)


@campaign_app.command("schedule")
def schedule(ref: str = CAMPAIGN, at: str = typer.Option(..., "--at", help="ISO-8601 time on a quarter hour, "
                                                                            "e.g. 2026-12-01T09:15:00Z."),
             json_: bool = output.JSON) -> None:
    """Schedule a draft campaign (never one already sent or scheduled)."""
    from totalaudio.services.mailchimp import campaigns as svc

    st = state()
    with st.mutating("mailchimp campaign schedule", {"campaign": ref, "at": at}) as run_id:
        _emit_action(svc.schedule(_client(), st.db, ref, at, run_id), json_)


@campaign_app.command("send")
def send(ref: str = CAMPAIGN, yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
         json_: bool = output.JSON) -> None:
    """Send a campaign now; asks first unless --yes; a campaign is never sent twice."""
    from totalaudio.services.mailchimp import campaigns as svc

    if not yes and not typer.confirm(f"Send campaign {ref} to its recipients now?", err=True):
        raise typer.Abort()
    st = state()
    with st.mutating("mailchimp campaign send", {"campaign": ref}) as run_id:
        _emit_action(svc.send(_client(), st.db, ref, run_id), json_)


@campaign_app.command("list")
def list_(list_id: Optional[str] = typer.Option(None, "--list", "-l", help="Only this audience."),
          limit: int = typer.Option(50, "--limit", "-n", min=1, max=1000, help="At most this many."),
          json_: bool = output.JSON) -> None:
    """List Mailchimp's latest campaigns with tap's id of those it created."""
    from totalaudio.services.mailchimp import campaigns as svc

    rows = svc.list_campaigns(_client(), state().db, list_id, limit)
    output.emit(rows, "json" if json_ else "text", lambda data: output.table(
        f"{len(data)} campaigns", ["Id", "Mailchimp", "Subject", "Status", "Sent", "Send time"],
        [(c["id"], c["mailchimpId"], c["subject"], c["status"], c["emailsSent"], c["sendTime"]) for c in data]))


@campaign_app.command("report")
def report(ref: str = CAMPAIGN, dry_run: bool = output.DRY_RUN, json_: bool = output.JSON) -> None:
    """Show a campaign's sends, opens (also without Apple's proxy opens), clicks, bounces and unsubscribes; store
    the per-contact events."""
    from totalaudio.services.mailchimp import reports as svc

    st = state()
    with st.mutating("mailchimp campaign report", {"campaign": ref}, dry_run=dry_run) as run_id:
        result = svc.report(_client(), st.db, ref, dry_run=dry_run, run_id=run_id)
    output.emit(result, "json" if json_ else "text", _render_report)


def _render_report(r) -> None:
    o, c, b = r.opens, r.clicks, r.bounces
    output.table(f"{r.subject or r.mailchimp_id}: {r.emails_sent} sent", ["Figure", "Value"], [
        ("Opens (unique / total)", f"{o['unique']} / {o['total']} ({_pct(o['rate'])})"),
        ("Opens without Apple proxy opens", f"{o['proxyExcludedUnique']} / {o['proxyExcludedTotal']} "
                                            f"({_pct(o['proxyExcludedRate'])})"),
        ("Clicks (unique / total)", f"{c['uniqueSubscribers']} / {c['total']} ({_pct(c['rate'])})"),
        ("Bounces (hard / soft)", f"{b['hard']} / {b['soft']}"), ("Unsubscribes", r.unsubscribes),
        ("Events stored", f"{r.events_new} new of {r.events_found}")])


def _pct(rate) -> str:
    return "-" if rate is None else f"{float(rate) * 100:.1f}%"
