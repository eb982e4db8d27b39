"""``tap claude``: grounded campaign reports, pitch drafts, social posts, contact analysis and recommendations."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Optional

import typer

from totalaudio.cli import output
from totalaudio.cli.filters import GENRE, SEARCH, STATION, STATUS, TYPE
from totalaudio.cli.context import state
from totalaudio.errors import InputError

app = output.group("Claude writes from what tap knows: campaign reports (every number checked), pitches, posts, "
                   "analysis.")

NO_AI = typer.Option(False, "--no-ai", help="Write from templates only (no API call).")
MAX_COST = output.MAX_COST
OUT = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout.")


def read_json(source: str) -> Any:
    """JSON from a file, or from stdin for ``-``; a clear InputError otherwise."""
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        return json.loads(text)
    except OSError as exc:
        raise InputError(f"{source}: cannot read: {exc.strerror}") from None
    except ValueError as exc:
        raise InputError(f"{source}: not JSON: {exc}") from None


def _seed(source: str) -> dict[str, Any]:
    data = read_json(source)
    if not isinstance(data, dict) or data.get("type") != "campaign_report" or not data.get("campaignId"):
        raise InputError(f"{source}: expected {{\"type\": \"campaign_report\", \"campaignId\", \"metrics\": "
                         "{openRate, clickRate, replyRate}}")
    return data


def _facts(campaign: Optional[str], from_json: Optional[str]) -> dict[str, Any]:
    from totalaudio.services.claude.report import seed_facts
    from totalaudio.services.reports.facts import campaign_facts

    db = state().db
    if from_json is None:
        if not campaign:
            raise InputError("give a CAMPAIGN (id or name) or --from-json FILE")
        return campaign_facts(db, campaign)
    payload = _seed(from_json)
    try:
        facts = campaign_facts(db, str(payload["campaignId"]))
    except InputError:
        return seed_facts(payload)
    _compare_seed(payload, facts)
    return facts


def _compare_seed(payload: dict[str, Any], facts: dict[str, Any]) -> None:
    given = payload.get("metrics") or {}
    for key, value in given.items():
        if key in facts["rates"] and value != facts["rates"][key]:
            plain_note(f"note: the payload's {key} {value!r} differs from the store's {facts['rates'][key]}; "
                        "the report uses the store's figures")


def write_out(text: str, out: Optional[Path]) -> None:
    """The result on stdout, or into a file (its path on stderr)."""
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{out}: cannot write: {exc.strerror}") from None
    output.note(f"wrote {out}")


def ai_wanted(no_ai: bool) -> bool:
    """AI unless --no-ai; without ANTHROPIC_API_KEY the templates, with a note."""
    if no_ai:
        return False
    if state().settings.missing("claude"):
        output.note("ANTHROPIC_API_KEY is not set: writing from templates")
        return False
    return True


@app.command("report")
def report(
    campaign: Optional[str] = typer.Argument(None, help="Campaign: tap's id, Airtable's, Mailchimp's, or its name."),
    fmt: str = typer.Option("md", "--format", "-f", help="md, html or json."),
    out: Optional[Path] = OUT, no_ai: bool = NO_AI,
    from_json: Optional[str] = typer.Option(None, "--from-json", help="The seed payload {type: campaign_report, "
                                            "campaignId, metrics} from a file or - for stdin."),
    max_cost: Optional[float] = MAX_COST, json_: bool = output.JSON,
) -> None:
    """A campaign report: figures from the store, Claude's narrative checked number by number (or templates)."""
    from totalaudio.services.claude import document
    from totalaudio.services.claude.report import narrative

    fmt = "json" if json_ else fmt
    if fmt not in ("md", "html", "json"):
        raise InputError(f"--format {fmt!r}: use md, html or json")
    st = state()
    facts = _facts(campaign, from_json)
    use_ai = ai_wanted(no_ai)
    with st.mutating("claude report", {"campaign": facts["campaign"]["id"]}, dry_run=not use_ai) as run_id:
        written = narrative(st.db, st.settings, facts, use_ai=use_ai, run_id=run_id, max_cost=max_cost)
    _grounding_note(written)
    doc = document.build(facts, written)
    text = {"json": lambda: output.dumps(doc), "md": lambda: document.markdown(doc),
            "html": lambda: document.html(doc)}[fmt]()
    write_out(text, out)


def _grounding_note(written: dict[str, Any]) -> None:
    g = written["grounding"]
    if written["source"] == "claude":
        plain_note(f"narrative by Claude, every number checked ({g['attempts']} attempt(s))")
    elif not g["ok"]:
        plain_note(f"Claude's narrative failed the number check twice; the template narrative is used "
                   f"({len(g['problems'])} problems, first: {g['problems'][0] if g['problems'] else '-'})")


def plain_note(message: str) -> None:
    """A status line on stderr printed as plain text (it may hold a model's words: never rich markup)."""
    sys.stderr.write(message + "\n")


def _chosen(refs: list[str], genre, station, contact_type, status, search, limit) -> list[Any]:
    from totalaudio.services.contacts.service import get_contact, list_contacts
    from totalaudio.store.contacts import ContactFilter

    db = state().db
    if refs:
        return [get_contact(db, ref) for ref in refs]
    if not any((genre, station, contact_type, status, search)):
        raise InputError("choose contacts: --contact REF (repeatable) or a filter (--genre, --station, --type, "
                         "--status, --search)")
    found = [c for c in list_contacts(db, ContactFilter(genre, station, contact_type, status, search, limit))
             if c.status not in ("unsubscribed", "bounced", "cleaned")]
    if not found:
        raise InputError("no contacts match these filters (unsubscribed and bounced ones are left out)")
    return found


def _read_release(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    if not text.strip():
        raise InputError(f"{path}: the release file is empty")
    return text[:20_000]

CONTACT = typer.Option(None, "--contact", "-c", help="A contact id or email (repeatable).")
RELEASE = typer.Option(..., "--release", help="A text or Markdown file describing the release (title first).")


@app.command("pitch")
def pitch(
    contact: Optional[list[str]] = CONTACT, genre: Optional[str] = GENRE, station: Optional[str] = STATION,
    contact_type: Optional[str] = TYPE, status: Optional[str] = STATUS, search: Optional[str] = SEARCH,
    limit: Optional[int] = typer.Option(None, "--limit", "-n", min=1, help="At most this many contacts."),
    release: Path = RELEASE, tone: str = typer.Option("warm", "--tone", help="warm, brief, formal or excited."),
    out_dir: Path = typer.Option(Path("pitches"), "--output", "-o", help="Directory for the template files."),
    batch: bool = typer.Option(False, "--batch", help="Send through the Message Batches API (half price; collect "
                               "with `tap claude batch ID`)."),
    no_ai: bool = NO_AI, max_cost: Optional[float] = MAX_COST, dry_run: bool = output.DRY_RUN,
    json_: bool = output.JSON,
) -> None:
    """Pitch drafts per contact with two subject lines each, as template files `tap gmail send --template` takes."""
    from totalaudio.services.claude import pitch as svc
    from totalaudio.services.claude.calls import session_for

    if tone not in svc.TONES:
        raise InputError(f"--tone {tone!r}: use one of {', '.join(svc.TONES)}")
    text = _read_release(release)
    contacts = _chosen(contact or [], genre, station, contact_type, status, search, limit)
    st = state()
    use_ai = ai_wanted(no_ai) and not dry_run
    with st.mutating("claude pitch", {"contacts": len(contacts), "batch": batch}, dry_run=dry_run) as run_id:
        session = session_for(st.db, st.settings, run_id=run_id, max_cost=max_cost) if use_ai else None
        if batch and session is not None:
            _submit(session, contacts, text, tone, out_dir, json_)
            return
        drafts = [(c, svc.draft(st.db, session, c, text, tone)) for c in contacts]
        result = _write_drafts(drafts, out_dir, dry_run)
    output.emit(result, "json" if json_ else "text", _render_drafts)


def _submit(session, contacts, text, tone, out_dir, json_) -> None:
    from totalaudio.services.claude import batch as batches
    from totalaudio.services.claude import pitch as svc

    st = state()
    requests = [svc.request(c, st.db, text, tone, session.client.model) for c in contacts]
    started = batches.submit(st.db, session, svc.PURPOSE, requests, {
        "outDir": str(out_dir), "release": text, "contacts": {r["custom_id"]: c.id for r, c in zip(requests, contacts)}})
    data = {"batchId": started["id"], "status": started["status"], "requests": len(requests),
            "resume": f"tap claude batch {started['id']}"}
    output.emit(data, "json" if json_ else "text", lambda d: print(
        f"batch {d['batchId']} started with {d['requests']} pitches; collect with: {d['resume']}"))


def _write_drafts(drafts: list[tuple[Any, dict]], out_dir: Path, dry_run: bool) -> dict[str, Any]:
    from totalaudio.services.claude import pitch as svc

    written = []
    if not dry_run:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"{out_dir}: cannot create: {exc.strerror}") from None
    for contact, draft in drafts:
        path = out_dir / svc.file_name(contact)
        if not dry_run:
            path.write_text(svc.template_file(contact, draft), encoding="utf-8")
        written.append({"contactId": contact.id, "email": contact.email, "file": str(path),
                        "subjects": draft["subjects"], "body": draft["body"], "source": draft["source"],
                        "problems": draft["problems"]})
    return {"dryRun": dry_run, "directory": str(out_dir), "drafts": written}


def _render_drafts(result: dict[str, Any]) -> None:
    head = "Would write" if result["dryRun"] else "Wrote"
    print(f"{head} {len(result['drafts'])} pitch drafts in {result['directory']}")
    for d in result["drafts"]:
        print(f"  {d['file']}  [{d['source']}]  {d['subjects'][0]}")


@app.command("batch")
def batch_cmd(batch_id: str = typer.Argument(..., help="The batch id a --batch run printed (msgbatch_...)."),
              json_: bool = output.JSON) -> None:
    """Collect a Message Batch tap started: its status, or once ended, its pitch drafts written out."""
    from totalaudio.services.claude import batch as batches
    from totalaudio.services.claude import pitch as svc
    from totalaudio.services.claude.calls import session_for
    from totalaudio.services.contacts.service import get_contact

    st = state()
    with st.mutating("claude batch", {"batch": batch_id}) as run_id:
        session = session_for(st.db, st.settings, run_id=run_id)
        got = batches.collect(st.db, session, batch_id, svc.PITCH_TOOL["name"])
        if got["results"] is None:
            output.emit({"batchId": batch_id, **got["batch"]}, "json" if json_ else "text",
                        lambda d: print(f"batch {batch_id} is {d['status']}: {d['counts']}; run this again later"))
            return
        opts = got["kept"]["options"]
        drafts = []
        for custom_id, value in got["results"].items():
            contact = get_contact(st.db, opts["contacts"].get(custom_id, custom_id))
            drafts.append((contact, svc.from_batch(value, opts["release"], contact)))
        result = {**_write_drafts(drafts, Path(opts["outDir"]), False), "batchId": batch_id}
        batches.finished(st.db, batch_id)
    output.emit(result, "json" if json_ else "text", _render_drafts)


@app.command("social")
def social(release: Path = RELEASE,
           networks: Optional[str] = typer.Option(None, "--networks", help="Comma-separated: x, bluesky, instagram, "
                                                  "threads, facebook, linkedin (default: all)."),
           no_ai: bool = NO_AI, max_cost: Optional[float] = MAX_COST, json_: bool = output.JSON) -> None:
    """Social posts for a release, each within its network's length limit (counted as the network counts)."""
    from totalaudio.services.claude import social as svc
    from totalaudio.services.claude.calls import session_for

    try:
        chosen = svc.networks_from(networks)
    except ValueError as exc:
        raise InputError(f"--networks: {exc}") from None
    text, st = _read_release(release), state()
    use_ai = ai_wanted(no_ai)
    with st.mutating("claude social", {"networks": chosen}, dry_run=not use_ai) as run_id:
        session = session_for(st.db, st.settings, run_id=run_id, max_cost=max_cost) if use_ai else None
        result = svc.posts(session, text, chosen)
    output.emit(result, "json" if json_ else "text", lambda r: print("\n\n".join(
        f"[{p['network']}] {p['length']}/{p['limit']}{' (trimmed)' if p['trimmed'] else ''}\n{p['text']}"
        for p in r["posts"])))


@app.command("analyse")
def analyse(genre: Optional[str] = GENRE, station: Optional[str] = STATION, contact_type: Optional[str] = TYPE,
            status: Optional[str] = STATUS, search: Optional[str] = SEARCH, no_ai: bool = NO_AI,
            max_cost: Optional[float] = MAX_COST, json_: bool = output.JSON) -> None:
    """Engagement patterns across contacts (stations, genres, regions, send times), with Claude's reading."""
    from totalaudio.services.claude import analyse as svc
    from totalaudio.services.claude.calls import session_for
    from totalaudio.services.contacts.service import list_contacts
    from totalaudio.store.contacts import ContactFilter

    st = state()
    contacts = list(list_contacts(st.db, ContactFilter(genre, station, contact_type, status, search)))
    facts = svc.patterns(st.db, contacts)
    use_ai = ai_wanted(no_ai) and facts["totals"]["sent"] > 0
    with st.mutating("claude analyse", {"contacts": len(contacts)}, dry_run=not use_ai) as run_id:
        session = session_for(st.db, st.settings, run_id=run_id, max_cost=max_cost) if use_ai else None
        read = svc.reading(session, facts, "Describe the engagement patterns in these figures for the plugger.")
    _render_analysis({**facts, "reading": read}, json_)


def _render_analysis(result: dict[str, Any], json_: bool) -> None:
    def text(r: dict[str, Any]) -> None:
        t = r["totals"]
        print(f"{t['contacts']} contacts, {t['sent']} sent, {t['opened']} opened by people ({t['openRate']}%), "
              f"{t['replied']} replied ({t['replyRate']}%)")
        for key in ("byStation", "byGenre", "byRegion", "byType", "byWeekday", "byHour"):
            output.table(key[2:], ["Name", "Contacts", "Sent", "Opened", "Replied", "Open %", "Reply %"],
                         [(str(g["name"]), g["contacts"], g["sent"], g["opened"], g["replied"], g["openRate"],
                           g["replyRate"]) for g in r[key][:10]])
        if r["reading"]["text"]:
            print("\n" + r["reading"]["text"])
    output.emit(result, "json" if json_ else "text", text)


@app.command("recommend")
def recommend(campaign: str = typer.Argument(..., help="Campaign: tap's id, Airtable's, Mailchimp's, or its name."),
              no_ai: bool = NO_AI, max_cost: Optional[float] = MAX_COST, json_: bool = output.JSON) -> None:
    """What to do next in a campaign (chase, drop, resend, thank, when to send), each naming contacts and facts."""
    from totalaudio.services.claude import analyse as svc
    from totalaudio.services.claude.calls import session_for
    from totalaudio.services.reports.facts import campaign_facts

    st = state()
    facts = campaign_facts(st.db, campaign)
    recs = svc.recommend(st.db, facts["campaign"]["id"])
    use_ai = ai_wanted(no_ai) and bool(recs)
    with st.mutating("claude recommend", {"campaign": facts["campaign"]["id"]}, dry_run=not use_ai) as run_id:
        session = session_for(st.db, st.settings, run_id=run_id, max_cost=max_cost) if use_ai else None
        grounds = {**facts, "recommendations": [{**r, "count": len(r["contacts"])} for r in recs]}
        read = svc.reading(session, grounds, "In a short paragraph, tell the plugger what to do next and why, "
                                             "naming the contacts of the recommendations.")
    result = {"campaignId": facts["campaign"]["id"], "recommendations": recs, "reading": read}
    output.emit(result, "json" if json_ else "text", _render_recs)


def _render_recs(result: dict[str, Any]) -> None:
    for r in result["recommendations"]:
        names = ", ".join(f"{c['name']} ({c['station'] or '-'})" for c in r["contacts"])
        print(f"[{r['action']}] {r['text']}" + (f" {names}" if names else ""))
        print(f"    facts: {output.dumps(r['facts'])}")
    if result["reading"]["text"]:
        print("\n" + result["reading"]["text"])
