"""``tap contacts``: import, list, show and export the local contact base."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from totalaudio.cli import output
from totalaudio.cli.context import state
from totalaudio.cli.filters import GENRE, LIMIT, SEARCH, STATION, STATUS, TYPE

app = output.group("Import, list, show and export contacts in the local store.")


def _filter(genre, station, contact_type, status, search, limit):
    from totalaudio.store.contacts import ContactFilter

    return ContactFilter(genre, station, contact_type, status, search, limit)


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="CSV (Airtable export or any), JSON or JSON Lines file; - reads stdin.",
                                show_default=False),
    fmt: Optional[str] = typer.Option(None, "--format", "-f", help="csv, json or jsonl (default: detected)."),
    dry_run: bool = output.DRY_RUN,
    json_: bool = output.JSON,
) -> None:
    """Import contacts, merging on the normalised email; report created, updated, merged and rejected rows."""
    from totalaudio.services.contacts import service as svc

    from totalaudio.services.contacts.io import read_bounded

    st = state()
    data = read_bounded(sys.stdin.buffer, "stdin") if str(file) == "-" else None
    with st.mutating("contacts import", {"file": str(file)}, dry_run=dry_run) as run_id:
        result = svc.import_contacts(st.db, file, fmt=fmt, dry_run=dry_run, run_id=run_id, data=data)
    output.emit(result, "json" if json_ else "text", _render_import)


def _render_import(result) -> None:
    head = "Would import" if result.dry_run else "Imported"
    console = output.stdout_console()
    console.print(f"{head} {result.source} ({result.format}, {result.rows} rows): {result.created} created, "
                  f"{result.updated} updated, {result.merged} merged, {result.unchanged} unchanged, "
                  f"{result.skipped} blank, {len(result.rejected)} rejected", highlight=False, soft_wrap=True)
    for rej in result.rejected:
        console.print(f"  row {rej.row}: {rej.email or '(no email)'}: {rej.reason}", highlight=False,
                      soft_wrap=True, markup=False)
    for cut in result.truncated:
        console.print(f"  row {cut.row}: {cut.email}: {cut.reason}", highlight=False, soft_wrap=True, markup=False)


@app.command("list")
def list_(
    genre: Optional[str] = GENRE, station: Optional[str] = STATION, contact_type: Optional[str] = TYPE,
    status: Optional[str] = STATUS, search: Optional[str] = SEARCH, limit: Optional[int] = LIMIT,
    json_: bool = output.JSON, jsonl: bool = output.JSONL, csv: bool = output.CSV,
) -> None:
    """List contacts, filtered by genre, station, type, status or free text."""
    from totalaudio.services.contacts import service as svc

    fmt = output.pick_format(json_, jsonl, csv)
    contacts = svc.list_contacts(state().db, _filter(genre, station, contact_type, status, search, limit))
    if fmt == "json":
        output.print_json(list(contacts))
    elif fmt == "jsonl":
        output.print_jsonl(contacts)
    elif fmt == "csv":
        svc.write_csv(contacts, sys.stdout)
    else:
        _render_list(list(contacts))


def _render_list(contacts) -> None:
    rows = ([c.email, c.name, c.station, c.show, c.contact_type, ", ".join(c.genres), c.status] for c in contacts)
    output.table(f"{len(contacts)} contacts", ["Email", "Name", "Station", "Show", "Type", "Genres", "Status"], rows)


@app.command("show")
def show(ref: str = typer.Argument(..., help="Contact id (c_...), Airtable record id (rec...) or email."),
         json_: bool = output.JSON) -> None:
    """Show one contact with every field."""
    from totalaudio.models import to_json
    from totalaudio.services.contacts import service as svc

    from totalaudio.services.engagement import contact_engagement
    from totalaudio.store.research import ResearchStore

    contact = svc.get_contact(state().db, ref)
    data = {**to_json(contact), "engagement": to_json(contact_engagement(state().db, contact.id)),
            "research": ResearchStore(state().db).for_contact(contact.id)}
    output.emit(data, "json" if json_ else "text", _render_show)


def _render_show(data: dict) -> None:
    from totalaudio.cli.research import render_text

    output.table(data["email"], ["Field", "Value"],
                 [(k, _engagement_text(v) if k == "engagement" else v) for k, v in data.items()
                  if k != "research" and v not in (None, [], {})])
    for found in data["research"]:
        print("\n" + render_text(found))


def _engagement_text(e: dict) -> str:
    """'63/100, last 2026-03-18' (or what ended it)."""
    tail = f", ended by {e['endedBy']}" if e.get("endedBy") else (
        f", last {e['lastEngagement'][:10]}" if e.get("lastEngagement") else "")
    return f"{e['score']}/100{tail}"


@app.command("export")
def export(
    out: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file (default: stdout)."),
    fmt: str = typer.Option("csv", "--format", "-f", help="csv or json."),
    genre: Optional[str] = GENRE, station: Optional[str] = STATION, contact_type: Optional[str] = TYPE,
    status: Optional[str] = STATUS, search: Optional[str] = SEARCH, limit: Optional[int] = LIMIT,
) -> None:
    """Export contacts as formula-safe CSV (Airtable-style headers) or JSON."""
    from totalaudio.errors import InputError
    from totalaudio.services.contacts import service as svc

    if fmt not in ("csv", "json"):
        raise InputError(f"--format {fmt!r}: use csv or json")
    contacts = svc.list_contacts(state().db, _filter(genre, station, contact_type, status, search, limit))
    handle = _open_out(out)
    try:
        count = svc.write_csv(contacts, handle) if fmt == "csv" else _write_json(list(contacts), handle)
    finally:
        if out:
            handle.close()
    if out:
        output.note(f"exported {count} contacts to {out}")


def _open_out(out: Optional[Path]):
    from totalaudio.errors import InputError

    if out is None:
        return sys.stdout
    try:
        return open(out, "w", newline="", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{out}: cannot write: {exc.strerror}") from None


def _write_json(contacts, handle) -> int:
    handle.write(output.dumps(contacts) + "\n")
    return len(contacts)


@app.command("timeline")
def timeline(ref: str = typer.Argument(..., help="Contact id (c_...), Airtable record id (rec...) or email."),
             json_: bool = output.JSON) -> None:
    """Everything that happened with a contact, oldest first: imports, fixes, enrichment, campaigns, mail, outcomes."""
    from totalaudio.services.contacts.timeline import timeline as build

    data = build(state().db, ref)
    output.emit(data, "json" if json_ else "text", lambda d: output.table(
        f"{d['name'] or d['email']} ({d['station'] or '-'}): {len(d['entries'])} entries",
        ["When", "Source", "What", "Snippet"],  # snippets come from strangers' emails: never rich markup
        [((e["at"] or "")[:16].replace("T", " "), str(e["source"]), str(e["summary"]), str(e["snippet"] or ""))
         for e in d["entries"]]))
