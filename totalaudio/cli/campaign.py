"""``tap campaign``: a release as one campaign: new, run (the seven steps), status, outcome, quote, list."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from totalaudio.cli import output
from totalaudio.cli.filters import GENRE, LIMIT, SEARCH, STATION, STATUS, TYPE
from totalaudio.cli.context import state

app = output.group("Run a release as one campaign: choose contacts, run the steps, see where it stands.")

NAME = typer.Argument(..., help="The campaign's name (or its id).", show_default=False)
CONTACT = typer.Option(..., "--contact", "-c", help="Contact id, Airtable record id or email.", show_default=False)
STEP_NAMES = "import, enrich, create, send, replies, report, update"


@app.command("new")
def new(name: str = NAME,
        artist: str = typer.Option(..., "--artist", help="The artist.", show_default=False),
        release: str = typer.Option(..., "--release", help="The release (single, EP, album).", show_default=False),
        channel: str = typer.Option("mailchimp", "--channel", help="mailchimp or gmail."),
        list_id: Optional[str] = typer.Option(None, "--list", "-l", help="Mailchimp audience (default: "
                                              "[mailchimp] list_id)."),
        subject: Optional[str] = typer.Option(None, "--subject", help="Subject line (default: artist - release)."),
        template_id: Optional[int] = typer.Option(None, "--template-id", help="A saved Mailchimp template id."),
        html: Optional[Path] = typer.Option(None, "--html", help="An HTML file as the Mailchimp content."),
        template: Optional[Path] = typer.Option(None, "--template", help="Gmail channel: the body template with "
                                                "{{merge_fields}} (`tap claude pitch` writes them)."),
        genre: Optional[str] = GENRE, station: Optional[str] = STATION, contact_type: Optional[str] = TYPE,
        status: Optional[str] = STATUS, search: Optional[str] = SEARCH, limit: Optional[int] = LIMIT,
        dry_run: bool = output.DRY_RUN, json_: bool = output.JSON) -> None:
    """Create a campaign with the contacts the filters choose (and its Airtable Campaigns record)."""
    from totalaudio.services.campaigns import service as svc

    st = state()
    filters = {"genre": genre, "station": station, "contact_type": contact_type, "status": status,
               "search": search, "limit": limit}
    content = {"listId": list_id, "subject": subject, "templateId": template_id,
               "html": str(html.resolve()) if html else None, "template": str(template.resolve()) if template else None}
    with st.mutating("campaign new", {"name": name}, dry_run=dry_run) as run_id:
        result = svc.new_campaign(st.db, st.settings, name, artist, release, channel, filters, content,
                                  dry_run=dry_run, run_id=run_id)
    output.emit(result, "json" if json_ else "text", lambda r: print(
        f"{'Would create' if r['dryRun'] else 'Created'} campaign {r['name']!r} {r['id'] or ''} for "
        f"{r['chosen']} contacts ({r['channel']}); Airtable: {r['airtable'] or '-'}"))


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        return False
    return typer.confirm(question, err=True)


def report_writer(settings):
    """Write the artist's report (HTML) under TAP_HOME/reports; the step records where."""
    def write(facts, story):
        from totalaudio.render import report

        folder = settings.home / "reports"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{facts['campaign']['id']}.html"
        path.write_text(report.html(facts, story), encoding="utf-8")
        return {"html": str(path)}
    return write


@app.command("run")
def run(name: str = NAME,
        until: Optional[str] = typer.Option(None, "--until", help=f"Stop after this step ({STEP_NAMES})."),
        start: Optional[str] = typer.Option(None, "--from", help="Start at this step, even if done before."),
        yes: bool = typer.Option(False, "--yes", "-y", help="Send without asking (for cron)."),
        dry_run: bool = output.DRY_RUN, json_: bool = output.JSON) -> None:
    """Run the campaign's steps in order, resuming at the first not done; replies/report/update refresh."""
    from totalaudio.services.campaigns import workflow
    from totalaudio.services.campaigns.context import StepContext
    from totalaudio.services.reports.facts import find_campaign

    st = state()
    campaign = find_campaign(st.db, name)
    with st.mutating("campaign run", {"campaign": campaign["id"], "from": start, "until": until},
                     dry_run=dry_run) as run_id:
        ctx = StepContext(st.db, st.settings, dict(campaign), run_id=run_id, dry_run=dry_run, yes=yes,
                          confirm=_confirm, write_report=report_writer(st.settings), note=_progress())
        result = workflow.run(ctx, start=start, until=until)
    output.emit(result, "json" if json_ else "text", _render_run)


def _progress():
    """Step progress on stderr, only for a person at a terminal (cron and --json get the result alone)."""
    return output.note if sys.stderr.isatty() else (lambda _text: None)


def _render_run(r) -> None:
    rows = [(s["step"], s["state"], str(_short(s["detail"]))) for s in r.steps]
    output.table(f"campaign {r.name}" + (" (dry run)" if r.dry_run else ""), ["Step", "State", "Detail"],
                 rows)
    for warning in r.warnings:
        output.note(f"warning: {warning}")


def _short(detail: dict) -> str:
    return "; ".join(f"{k}: {v}" for k, v in detail.items() if not isinstance(v, (dict, list)))[:160]


@app.command("status")
def status(name: Optional[str] = typer.Argument(None, help="One campaign (default: every campaign)."),
           json_: bool = output.JSON) -> None:
    """Where each campaign stands: steps done, counts, and the next action."""
    from totalaudio.services.campaigns import service as svc

    db = state().db
    rows = [svc.status(db, name)] if name else svc.statuses(db)
    output.emit(rows[0] if name else rows, "json" if json_ else "text", lambda _d: _render_status(rows))


def _render_status(rows) -> None:
    console = output.stdout_console()
    for s in rows:
        c, replied = s["counts"], s["counts"]["replied"]
        steps = " ".join(f"{x['step']}:{x['state']}" for x in s["steps"])
        console.print(f"{s['name']} ({s['artist']} - {s['release']}): {s['stepsDone']}/7 steps  [{steps}]\n"
                      f"  chosen {c['chosen']}, sent {c['sent']}, opened {c['opened']}, replied {replied['human']} "
                      f"(+{replied['autoReply']} auto), bounced {c['bounced']}, outcomes {c['outcomes']}\n"
                      f"  next: {s['next']}", highlight=False, markup=False, soft_wrap=True)


@app.command("outcome")
def outcome(name: str = NAME, contact: str = CONTACT,
            kind: str = typer.Option(..., "--type", help="add, play, interview, review, feature or decline.",
                                     show_default=False),
            note: Optional[str] = typer.Option(None, "--note", help="What happened, in a few words."),
            day: Optional[str] = typer.Option(None, "--date", help="When (YYYY-MM-DD, default today)."),
            json_: bool = output.JSON) -> None:
    """Record a result learned by phone or from a playlist (reports count it)."""
    from totalaudio.services.campaigns import service as svc

    st = state()
    with st.mutating("campaign outcome", {"campaign": name, "contact": contact, "type": kind}):
        result = svc.outcome(st.db, name, contact, kind, note, day)
    _notify("campaign.outcome", result)
    output.emit(result, "json" if json_ else "text",
                lambda r: print(f"recorded {r['type']} for {r['email']} ({r['station'] or '-'}) on {r['date']}"))


def _notify(event: str, data: dict) -> None:
    from totalaudio.services.campaigns.ports import notify

    warning = notify(state().settings, event, data)
    if warning:
        output.note(f"warning: {warning}")


@app.command("quote")
def quote(name: str = NAME, contact: str = CONTACT,
          reply: Optional[int] = typer.Option(None, "--reply", help="The reply's event id (tap contacts timeline)."),
          text: Optional[str] = typer.Option(None, "--text", help="The words to quote."),
          json_: bool = output.JSON) -> None:
    """Mark a contact's words as shareable: they appear in the artist's report."""
    from totalaudio.services.campaigns import service as svc

    st = state()
    with st.mutating("campaign quote", {"campaign": name, "contact": contact}):
        result = svc.quote(st.db, name, contact, reply, text)
    output.emit(result, "json" if json_ else "text", lambda r: print(f"quote of {r['email']} kept for the report"))


@app.command("list")
def list_(json_: bool = output.JSON) -> None:
    """List campaigns, newest first, with their progress."""
    from totalaudio.services.campaigns import service as svc

    rows = svc.list_campaigns(state().db)
    output.emit(rows, "json" if json_ else "text", lambda data: output.table(
        f"{len(data)} campaigns", ["Name", "Artist", "Release", "Channel", "Contacts", "Steps", "Next"],
        [tuple(str(v or "") for v in (c["name"], c["artist"], c["release"], c["channel"], c["contacts"],
                                               f"{c['stepsDone']}/7", c["nextStep"] or "refresh")) for c in data]))
