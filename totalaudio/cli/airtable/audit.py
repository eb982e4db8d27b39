"""``tap airtable audit``: find, explain and score the base's problems, fix the safe ones, undo a fix run."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

from totalaudio.cli import output
from totalaudio.cli.airtable.group import app
from totalaudio.cli.context import state

audit_app = typer.Typer(help="Audit the contact base; `audit undo RUN_ID` reverses a --fix run.",
                        rich_markup_mode=None, add_completion=False)
app.add_typer(audit_app, name="audit")

CHECK = typer.Option(False, "--check", help="Exit 5 on an error-level finding or a score under --min-score (cron).")
MIN_SCORE = typer.Option(None, "--min-score", min=0, max=100,
                         help="With --check: the lowest acceptable score (default: [audit] min_score in tap.toml).")
FIX = typer.Option(False, "--fix", help="Apply the safe fixes (trim, case, typo'd domains, URLs, exact duplicates).")
DNS = typer.Option(False, "--dns", help="Also look up MX/A records of every email domain (email.mx).")
JSONL = typer.Option(False, "--jsonl", help="Stream the findings, one JSON object a line (summary on stderr).")
FILE = typer.Option(None, "--file", "-f", help="Audit a CSV/JSON/JSONL file as it is instead of the store.")
ONLY = typer.Option(None, "--only", help="Only this check id (repeatable): its findings, summary and score.",
                    show_default=False)
TEXT_LIMIT = 60


@audit_app.callback(invoke_without_command=True)
def audit(ctx: typer.Context, json_: bool = output.JSON, jsonl: bool = JSONL, check: bool = CHECK,
          min_score: Optional[float] = MIN_SCORE, fix: bool = FIX, dry_run: bool = output.DRY_RUN, dns: bool = DNS,
          file: Optional[Path] = FILE, only: Optional[list[str]] = ONLY) -> None:
    """Audit the contacts: findings per check, a summary, a quality score; --fix applies only safe fixes."""
    if ctx.invoked_subcommand is not None:
        return
    from totalaudio.errors import FindingsError, InputError
    from totalaudio.services.audit import service as svc

    fmt = output.pick_format(json_, jsonl)
    if file is not None and fix:
        raise InputError("--fix works on the store, not on --file: import the file first")
    if only and fix:
        raise InputError("--only narrows the report; --fix applies every safe fix: run them separately")
    st = state()
    section = st.settings.section("audit")
    opts = svc.options_from(section)
    min_score = min_score if min_score is not None else svc.number_setting(section, "min_score", None)
    checker = dns_checker(section) if dns else None
    fixed = None
    if fix:  # read, audit and write under the write lock, so that nothing changes in between
        with st.mutating("airtable audit", {"dns": dns, "minScore": min_score}, dry_run=dry_run) as run_id:
            contacts, events, report = _run(st, opts, None, checker)
            fixed = svc.fix_base(st.db, contacts, report, opts, run_id=run_id, dry_run=dry_run, events=events)
    else:
        _contacts, _events, report = _run(st, opts, file, checker)
        report = svc.restrict(report, only) if only else report
    score = fixed.score_after if fixed else report.quality_score
    reason = _after_reason(fixed, min_score) if fixed else svc.failed_check(report, min_score)
    _emit(_document(report, fixed, reason, min_score, score), fmt)
    if check and reason:
        raise FindingsError(f"audit failed: {reason}", qualityScore=score)


def _emit(doc: dict, fmt: str) -> None:
    """The result as JSON, JSON Lines of findings (summary on stderr) or tables."""
    if fmt == "jsonl":
        output.print_jsonl(doc["findings"])
        output.note(f"quality score {doc['check']['qualityScore']}; {doc['summary']['findings']} findings")
    else:
        output.emit(doc, fmt, _render)


def _run(st: Any, opts: Any, file: Optional[Path], checker: Any) -> tuple:
    """(contacts, events, report) of the store or of a file."""
    from totalaudio.services.audit import service as svc

    contacts = svc.contacts_from_file(file) if file else svc.load_contacts(st.db)
    events = {} if file else svc.load_events(st.db)
    return contacts, events, svc.audit_contacts(contacts, opts, events=events, dns=checker, source=str(file or "store"))


def _after_reason(fix: Any, min_score: Optional[float]) -> Optional[str]:
    """After --fix, errors that no fix touches still fail --check; the score is the one after the fixes."""
    if fix.errors_after:
        return f"{fix.errors_after} error-level findings remain after the fixes (quality score {fix.score_after})"
    if min_score is not None and fix.score_after < min_score:
        return f"quality score {fix.score_after} is under --min-score {min_score:g}"
    return None


def dns_checker(section: dict) -> Any:
    """A DnsChecker with the [audit] dns_workers and dns_timeout of tap.toml."""
    from totalaudio.services.audit.service import number_setting
    from totalaudio.services.audit.dns import DEFAULT_TIMEOUT, DEFAULT_WORKERS, DnsChecker

    return DnsChecker(workers=int(number_setting(section, "dns_workers", DEFAULT_WORKERS)),
                      timeout=float(number_setting(section, "dns_timeout", DEFAULT_TIMEOUT)))


def _document(report: Any, fix: Any, reason: Optional[str], min_score: Optional[float], score: float) -> dict:
    from totalaudio.models import to_json

    doc = to_json(report)
    doc["fix"] = to_json(fix) if fix is not None else None
    doc["check"] = {"passed": reason is None, "reason": reason, "minScore": min_score, "qualityScore": score}
    doc["dryRun"] = bool(fix and fix.dry_run)
    return doc


def _render(doc: dict) -> None:
    summary = doc["summary"]
    console = output.stdout_console()
    console.print(f"Audit of {doc['contacts']} contacts ({doc['source']}): quality score {doc['qualityScore']}; "
                  f"{summary['findings']} findings ({', '.join(f'{n} {s}' for s, n in summary['bySeverity'].items())})",
                  highlight=False)
    output.table("Findings per check", ["Check", "Count"], summary["byCheck"].items())
    findings = doc["findings"]
    if findings:
        output.table(f"Findings (first {min(TEXT_LIMIT, len(findings))} of {len(findings)}; --json for all)",
                     ["Severity", "Check", "Contact", "Email", "Message", "Suggestion"],
                     ([f["severity"], f["check"], f["contactId"], f["email"], f["message"], f["suggestion"]]
                      for f in findings[:TEXT_LIMIT]))
    if doc["fix"]:
        _render_fix(doc["fix"])
    if not doc["check"]["passed"]:
        output.note(f"check: {doc['check']['reason']}")


def _render_fix(fix: dict) -> None:
    head = "Would fix" if fix["dryRun"] else f"Fixed (run {fix['runId']}; undo: tap airtable audit undo {fix['runId']})"
    output.stdout_console().print(f"{head}: {fix['updated']} contacts updated, {fix['removed']} duplicates merged "
                                  f"away; score {fix['scoreBefore']} -> {fix['scoreAfter']}", highlight=False)
    output.table(None, ["Contact", "Field", "Before", "After", "Why"],
                 ([c["contactId"], c["field"], c["before"], c["after"], c["reason"]] for c in fix["changes"]))


@audit_app.command("undo")
def undo(run_id: str = typer.Argument(..., help="The runId printed by `tap airtable audit --fix`."),
         dry_run: bool = output.DRY_RUN, json_: bool = output.JSON) -> None:
    """Reverse an audit --fix (or domains --apply) run; refuses if the data changed since in a way it would lose."""
    from totalaudio.services.audit.apply import undo_run

    st = state()
    with st.mutating("airtable audit undo", {"runId": run_id}, dry_run=dry_run) as new_run_id:
        result = undo_run(st.db, run_id.strip(), new_run_id=new_run_id, dry_run=dry_run)
    output.emit(result, "json" if json_ else "text", lambda r: output.stdout_console().print(
        f"{'Would undo' if r.dry_run else 'Undid'} run {r.undone_run_id}: {r.reverted} updates reverted, "
        f"{r.restored} removed contacts restored", highlight=False))
