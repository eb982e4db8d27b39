"""``tap gmail``: connect the plugger's Gmail, sort and act on replies, send personal pitches and follow-ups."""

from __future__ import annotations

import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import List, Optional

import typer

from totalaudio.cli import output
from totalaudio.cli.filters import GENRE, SEARCH, STATION, STATUS, TYPE
from totalaudio.cli.context import state
from totalaudio.errors import InputError

app = output.group("Connect Gmail, sort replies (human, auto_reply, bounce, unsubscribe), send personal pitches.")


def _gmail_settings() -> dict:
    """[gmail] of tap.toml: daily_cap, per_second, sender_name, unsubscribe_url, lookback_days."""
    return state().settings.section("gmail")


def _number(section: dict, key: str, default: float, kind=float) -> float:
    from totalaudio.errors import ConfigError

    value = section.get(key, default)
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise ConfigError(f"tap.toml [gmail] {key} = {value!r} is not a number") from None


@app.command("auth")
def auth(
    no_browser: bool = typer.Option(False, "--no-browser", help="Print the URL to open instead of opening a browser."),
    port: int = typer.Option(0, "--port", min=0, max=65535, help="Loopback port of the redirect (0: any free one)."),
    import_: Optional[str] = typer.Option(None, "--import", help="Store an authorized-user JSON file ('-': stdin).",
                                          show_default=False),
    status_: bool = typer.Option(False, "--status", help="Show the stored authorisation (no secrets)."),
    json_: bool = output.JSON,
) -> None:
    """Authorise Gmail (browser flow on loopback, or --import FILE), or show --status."""
    from totalaudio.services.gmail import auth as svc

    settings = state().settings
    if status_:
        result = svc.status(settings)
    elif import_:
        text = sys.stdin.read() if import_ == "-" else _read(Path(import_))
        result = svc.import_file(settings, text, "stdin" if import_ == "-" else import_)
    else:
        from contextlib import redirect_stdout

        with redirect_stdout(sys.stderr):  # the flow prints its URL: status, not the result
            result = svc.authorise(settings, port=port, open_browser=not no_browser,
                                   labelling=bool(_gmail_settings().get("labelling", False)))
    output.emit(result, "json" if json_ else "text", _render_status)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None


def _render_status(s) -> None:
    if not s.authorised:
        print("Gmail is not authorised: run `tap gmail auth`")
        return
    from totalaudio.services.gmail.auth import cannot_refresh

    expired = " (expired; refreshed on next use)" if s.refresh_with else " (expired)"
    expiry = f"access token expires {s.expiry}" + (expired if s.expired else "")
    renewal = f"; {cannot_refresh(s)}" if not s.refresh_with else ""
    print(f"Gmail authorised for {s.account or '?'}; scopes {', '.join(x.rsplit('/', 1)[-1] for x in s.scopes)}; "
          f"{expiry if s.expiry else 'no expiry stored'}; key from {s.key_source}{renewal}")


@app.command("logout")
def logout(json_: bool = output.JSON) -> None:
    """Revoke the stored Gmail authorisation and delete it."""
    from totalaudio.services.gmail import auth as svc

    result = svc.logout(state().settings)
    output.emit(result, "json" if json_ else "text", lambda r: print(
        ("Revoked and deleted" if r["revoked"] else "Deleted (not revoked: Google could not be reached or refused)")
        if r["deleted"] else "Nothing stored"))


def _since(value: Optional[str]) -> Optional[datetime]:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"--since {value!r}: not a date (use YYYY-MM-DD or an ISO-8601 time)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@app.command("watch")
def watch(
    once: bool = typer.Option(False, "--once", help="One pass, then exit (for cron)."),
    interval: float = typer.Option(60.0, "--interval", min=5.0, help="Seconds between passes without --once."),
    since: Optional[str] = typer.Option(None, "--since", help="How far the first run looks back (default 30 days; "
                                        "[gmail] lookback_days)."),
    dry_run: bool = output.DRY_RUN, json_: bool = output.JSON, jsonl: bool = output.JSONL,
) -> None:
    """Sort new replies to what tap sent and act on them once each (events, Reply Status, status)."""
    fmt = output.pick_format(json_, jsonl)
    if fmt == "json" and not once:
        raise InputError("--json prints one document: use it with --once, or stream with --jsonl")
    start = _since(since)
    if start is None:
        from datetime import timedelta

        days = _number(_gmail_settings(), "lookback_days", 30.0)
        start = datetime.now(timezone.utc) - timedelta(days=days)
    try:
        while True:
            _pass(start, dry_run, fmt)
            if once:
                return
            time.sleep(interval)
    except KeyboardInterrupt:
        output.note("stopped")


def _pass(since, dry_run: bool, fmt: str) -> None:
    from totalaudio.services.gmail import auth as auth_svc
    from totalaudio.services.gmail import watch as svc

    st = state()
    client = auth_svc.client(st.settings)
    stream = output.print_jsonl if fmt == "jsonl" else None
    with st.mutating("gmail watch", {"since": str(since) if since else None}, dry_run=dry_run) as run_id:
        result = svc.watch(client, st.db, since=since, dry_run=dry_run, run_id=run_id,
                           on_message=(lambda m: stream([m])) if stream else None)
    if fmt == "jsonl":
        st.record_result(result)
        output.print_jsonl([{"summary": result.summary, "mode": result.mode, "apiCalls": result.api_calls,
                             "ignored": result.ignored, "dryRun": result.dry_run}])
    else:
        output.emit(result, fmt, _render_watch)


def _render_watch(r) -> None:
    _render_messages(r.messages)
    counts = ", ".join(f"{n} {k}" for k, n in r.summary.items())
    print(f"{'Would record' if r.dry_run else 'Recorded'} {len(r.messages)} messages ({counts}); {r.ignored} "
          f"not about tap's mail; {r.api_calls} API calls ({r.mode})")
    for change in r.status_changes:
        print(f"  marked {change.after}: {change.email}")


def _render_messages(messages) -> None:
    output.table(None, ["Received", "From", "Kind", "Failed recipient", "Snippet"],
                 [(m.received_at, m.from_, m.kind + ("" if m.permanent is None else
                                                     " (permanent)" if m.permanent else " (temporary)"),
                   m.bounced_recipient, m.snippet[:80]) for m in messages])


@app.command("classify")
def classify(paths: List[Path] = typer.Argument(..., help=".eml files, directories of them, or mbox files."),
             json_: bool = output.JSON, jsonl: bool = output.JSONL) -> None:
    """Sort local messages into human, auto_reply, bounce or unsubscribe (the same fields as watch)."""
    from totalaudio.services.gmail import files as svc

    fmt = output.pick_format(json_, jsonl)
    results = svc.classify_paths(list(paths))
    if fmt == "jsonl":
        output.print_jsonl(r for _, r in results)
        return
    items = [r for _, r in results]
    summary = {k: sum(1 for r in items if r.kind == k) for k in ("human", "auto_reply", "bounce", "unsubscribe")}
    output.emit({"messages": items, "summary": summary}, fmt, lambda d: _render_messages(d["messages"]))


def _recipients(to: List[str], genre, station, contact_type, status, search):
    from totalaudio.services.contacts.service import list_contacts
    from totalaudio.services.mailchimp.campaigns import resolve_contacts
    from totalaudio.store.contacts import ContactFilter

    db = state().db
    if to:
        return resolve_contacts(db, [e.strip() for item in to for e in item.split(",") if e.strip()])
    if not any((genre, station, contact_type, status, search)):
        raise InputError("choose the recipients: --to EMAILS or a contact filter (--genre, --station, --type, "
                         "--status, --search)")
    return list(list_contacts(db, ContactFilter(genre, station, contact_type, status, search)))


@app.command("send")
def send(
    template: Path = typer.Option(..., "--template", help="Body template with {{merge_fields}}.", show_default=False),
    subject: str = typer.Option("", "--subject", help="Subject (merge fields allowed; follow-ups default to Re:)."),
    to: List[str] = typer.Option([], "--to", help="Contact emails (comma-separated or repeated)."),
    genre: Optional[str] = GENRE, station: Optional[str] = STATION, contact_type: Optional[str] = TYPE,
    status: Optional[str] = STATUS, search: Optional[str] = SEARCH,
    campaign: Optional[str] = typer.Option(None, "--campaign", help="Campaign name (default: the subject)."),
    follow_up: Optional[str] = typer.Option(None, "--follow-up", help="Reply in thread to this campaign's "
                                            "contacts who have not replied.", show_default=False),
    out: Path = typer.Option(Path("gmail-outbox"), "--out", help="Where --dry-run writes the .eml files."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
    dry_run: bool = output.DRY_RUN, json_: bool = output.JSON,
) -> None:
    """Send one personal message per contact; never twice per campaign, never to the unsubscribed or bounced."""
    from totalaudio.services.gmail import auth as auth_svc
    from totalaudio.services.gmail import send as svc

    from totalaudio.services.gmail.compose import front_matter

    head, body = front_matter(_read(template))  # a `tap claude pitch` draft names its contact and subject
    subject, to = subject or str(head.get("subject") or ""), to or ([str(head["to"])] if head.get("to") else [])
    if not follow_up and not subject.strip():
        raise InputError("--subject is required (except with --follow-up, which replies under the pitch's subject)")
    st = state()
    opts = svc.options_from(st.settings, subject, body, follow_up or campaign, bool(follow_up), out)
    contacts = [] if follow_up else _recipients(to, genre, station, contact_type, status, search)
    who = f"{len(contacts)} chosen contacts" if contacts else f"the contacts of {follow_up} who have not replied"
    if not dry_run and not yes and not typer.confirm(f"Send from Gmail to {who} now?", err=True):
        raise typer.Abort()
    client = None if dry_run else auth_svc.client(st.settings)
    with st.mutating("gmail send", {"campaign": opts.campaign, "followUp": follow_up}, dry_run=dry_run) as run_id:
        result = svc.send(client, st.db, contacts, opts, dry_run=dry_run, run_id=run_id)
    output.emit(result, "json" if json_ else "text", _render_send)


def _render_send(r) -> None:
    counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in r.counts.items()) or "nothing to send"
    print(f"{'Dry run: ' if r.dry_run else ''}campaign {r.campaign} ({r.step}): {counts}; {r.api_calls} API calls")
    for item in r.items:
        if item.status in ("skipped", "failed", "capped"):
            print(f"  {item.status} {item.email}: {item.reason}")
        elif item.file:
            print(f"  wrote {item.file}")
