"""``tap airtable sync`` and ``tap airtable schema``: the two-way sync with the base, and its mapping check."""

from __future__ import annotations

import sys
from typing import Any

import typer

from totalaudio.cli import output
from totalaudio.cli.airtable.group import app
from totalaudio.cli.context import state
from totalaudio.errors import InputError

PULL = typer.Option(False, "--pull", help="Only bring Airtable's changes here.")
PUSH = typer.Option(False, "--push", help="Only send local changes to Airtable.")
FULL = typer.Option(False, "--full", help="Read every record (not only those changed since the last run); "
                                          "detects records deleted in Airtable.")
PREFER = typer.Option("airtable", "--prefer", help="Who wins a field changed on both sides: airtable or local.")


@app.command("sync")
def sync(pull: bool = PULL, push: bool = PUSH, full: bool = FULL, prefer: str = PREFER,
         dry_run: bool = output.DRY_RUN, json_: bool = output.JSON) -> None:
    """Sync contacts (and campaigns, when the base has that table) both ways with Airtable; safe to re-run."""
    from totalaudio.services.airtable.sync import options_from, sync_base

    if pull and push:
        raise InputError("--pull and --push together is the default; give at most one")
    st = state()
    options = options_from(st.settings, pull=not push, push=not pull, full=full, prefer=prefer.strip().lower(),
                           dry_run=dry_run)
    args = {"pull": pull, "push": push, "full": full, "prefer": options.prefer}
    with st.mutating("airtable sync", args, dry_run=dry_run) as run_id:
        result = sync_base(st.db, st.settings, options, run_id=run_id,
                           progress=output.note if sys.stderr.isatty() else None)
    output.emit(result, "json" if json_ else "text", _render_sync)


def _render_sync(result: Any) -> None:
    head = "Would sync" if result.dry_run else "Synced"
    console = output.stdout_console()
    console.print(f"{head} ({result.mode}{', full' if result.full else ''}) {', '.join(result.tables)}: "
                  f"{result.fetched} fetched, {result.pulled} changed here, {result.pushed} updated and "
                  f"{result.created} created in Airtable, {result.deleted} deleted here, "
                  f"{result.deleted_upstream} deleted in Airtable; {result.api_calls} API calls", highlight=False)
    _render_campaigns(result.campaigns)
    if result.conflicts:
        output.table(f"{len(result.conflicts)} conflicts (kept: {result.conflicts[0]['resolution']})",
                     ["Table", "Record", "Key", "Field", "Local", "Airtable"],
                     ([c["table"], c["recordId"], c["key"], c["field"], c["local"], c["airtable"]]
                      for c in result.conflicts))
    if result.rejected:
        output.table(f"{len(result.rejected)} rejected", ["Table", "Record", "Key", "Field", "Reason"],
                     ([r["table"], r["recordId"] or r["localId"], r["key"], r["field"], r["reason"]]
                      for r in result.rejected))


def _render_campaigns(campaigns: dict[str, Any]) -> None:
    """Say on stdout that campaigns were not synced, why, and how to turn them on."""
    if campaigns and not campaigns["synced"]:
        console = output.stdout_console()
        console.print(f"Campaigns not synced: {campaigns['reason']}", highlight=False, markup=False)
        console.print(f"To sync them: {campaigns['hint']}", highlight=False, markup=False)


@app.command("schema")
def schema(json_: bool = output.JSON) -> None:
    """Read the base's schema and check the field mapping against it (missing fields, wrong types)."""
    from totalaudio.services.airtable.sync import schema_report

    report = schema_report(state().settings)
    output.emit(report, "json" if json_ else "text", _render_schema)


def _render_schema(report: dict[str, Any]) -> None:
    for tbl in report["tables"]:
        title = f"{tbl['table']} ({tbl['key']})" + ("" if tbl["found"] else ": TABLE NOT FOUND")
        output.table(title, ["Column", "Airtable field", "Expected", "Actual", "Status"],
                     ([f["local"], f["field"], " | ".join(f["expected"]), f["actual"], f["status"]]
                      for f in tbl["fields"]))
    _render_campaigns(report["campaigns"])
    output.note(f"{report['problems']} problem(s) in the mapping" if report["problems"] else "mapping matches the base")
