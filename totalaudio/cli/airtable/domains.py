"""``tap airtable domains``: contacts grouped by email domain, its class and stations; propose missing stations."""

from __future__ import annotations

from typing import Any

import typer

from totalaudio.cli import output
from totalaudio.cli.airtable.group import app
from totalaudio.cli.airtable.audit import dns_checker
from totalaudio.cli.context import state

DNS = typer.Option(False, "--dns", help="Look up each domain's MX records and name its mail provider.")
APPLY = typer.Option(False, "--apply", help="Write the station proposals at or above --min-confidence (journaled).")
MIN_CONFIDENCE = typer.Option(0.7, "--min-confidence", min=0.0, max=1.0,
                              help="The lowest confidence --apply writes.")
TEXT_LIMIT = 50


@app.command("domains")
def domains(json_: bool = output.JSON, dns: bool = DNS, apply: bool = APPLY, min_confidence: float = MIN_CONFIDENCE,
            dry_run: bool = output.DRY_RUN) -> None:
    """Group contacts by registrable email domain: class, stations, websites, flags and station proposals."""
    from totalaudio.services.audit import domains as svc

    st = state()
    checker = dns_checker(st.settings.section("audit")) if dns else None
    if apply:  # analyse and write under the write lock, so that nothing changes in between
        with st.mutating("airtable domains", {"minConfidence": min_confidence}, dry_run=dry_run) as run_id:
            report = svc.apply_proposals(st.db, _analyse(st, checker, min_confidence), run_id=run_id,
                                         dry_run=dry_run)
    else:
        report = _analyse(st, checker, min_confidence)
    output.emit(report, "json" if json_ else "text", _render)


def _analyse(st: Any, checker: Any, min_confidence: float) -> Any:
    """The DomainsReport of the store."""
    from totalaudio.services.audit import service as audit_svc
    from totalaudio.services.audit import domains as svc

    return svc.analyse(audit_svc.load_contacts(st.db), events=audit_svc.load_events(st.db), dns=checker,
                       min_confidence=min_confidence)


def _render(report: Any) -> None:
    output.table(f"{len(report.domains)} domains, {report.contacts} contacts (first {TEXT_LIMIT} by size)",
                 ["Domain", "Contacts", "Class", "Stations", "Websites agree", "MX", "Flags"],
                 ([d.domain, d.count, d.domain_class, ", ".join(list(d.stations)[:3]),
                   {True: "yes", False: "no", None: ""}[d.website_agrees], d.mx_provider or d.mx_status or "",
                   ", ".join(d.flags)] for d in report.domains[:TEXT_LIMIT]))
    if report.proposals:
        output.table(f"Station proposals (first {min(TEXT_LIMIT, len(report.proposals))} of {len(report.proposals)})",
                     ["Contact", "Email", "Station", "Confidence", "Why"],
                     ([p.contact_id, p.email, p.station, p.confidence, p.reason]
                      for p in report.proposals[:TEXT_LIMIT]))
    if report.applied or report.dry_run:
        verb = "Would write" if report.dry_run else f"Wrote (run {report.run_id})"
        output.stdout_console().print(f"{verb} {report.applied} stations at confidence >= {report.min_confidence}",
                                      highlight=False)
