"""Audit of the contact base: findings, a summary and a quality score, offline by default.

Findings are ``{contactId, email, check, severity, field, message, suggestion}`` (plus ``fixable`` and
``related``), with the stable check ids of ``audit_checks.CHECKS``.

Quality score (0-100)::

    penalty(contact) = min(1, 1.0 * errors + 0.25 * warnings + 0.02 * infos)   # of that contact's findings
    qualityScore     = round(100 * (1 - sum(penalty) / contacts), 1)           # 100 for an empty base

So a contact with one error, or four warnings, counts as wholly bad; an informational finding (a role or
free-mail address) costs a fiftieth of a contact. The score reads as "the share of the base that is sound".
"""

from __future__ import annotations

import dataclasses
import gc
import json
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Iterator

from totalaudio.errors import ConfigError, InputError, utc_now
from totalaudio.models import Contact
from totalaudio.services.audit import groups, stations, typos
from totalaudio.services.audit.checks import (CHECKS, DEFAULT_REQUIRED, SEVERITIES, AuditOptions, Finding,
                                              base_names, contact_findings, finding, prepare)
from totalaudio.services.audit.fuzzy import fuzzy_findings
from totalaudio.store.contacts import FIELDS

WEIGHTS = {"error": 1.0, "warning": 0.25, "info": 0.02}


@dataclass(frozen=True)
class AuditSummary:
    """Counts per check and severity, and how many contacts have findings."""

    contacts: int
    findings: int
    by_severity: dict[str, int]
    by_check: dict[str, int]
    contacts_with_findings: int
    contacts_with_errors: int


@dataclass(frozen=True)
class DnsSummary:
    """What ``--dns`` found: domains looked up and their verdicts."""

    domains: int
    valid: int
    invalid: int
    unknown: int


@dataclass(frozen=True)
class AuditReport:
    """The result of ``tap airtable audit``."""

    source: str
    checked_at: str
    contacts: int
    quality_score: float
    summary: AuditSummary
    findings: tuple[Finding, ...]
    dns: DnsSummary | None = None
    options: dict[str, Any] = field(default_factory=dict)


def quality_score(findings: Iterable[Finding], contacts: int) -> float:
    """The documented score: 100 * (1 - mean per-contact penalty), penalties capped at 1."""
    if contacts <= 0:
        return 100.0
    penalty: dict[str, float] = defaultdict(float)
    for f in findings:
        penalty[f.contact_id] += WEIGHTS[f.severity]
    return round(100.0 * (1.0 - sum(min(1.0, p) for p in penalty.values()) / contacts), 1)


def summarise(findings: list[Finding], contacts: int) -> AuditSummary:
    """Counts per severity (every severity listed) and per check (only the checks that fired)."""
    severities = Counter(f.severity for f in findings)
    return AuditSummary(
        contacts=contacts, findings=len(findings),
        by_severity={s: severities.get(s, 0) for s in SEVERITIES},
        by_check=dict(sorted(Counter(f.check for f in findings).items())),
        contacts_with_findings=len({f.contact_id for f in findings}),
        contacts_with_errors=len({f.contact_id for f in findings if f.severity == "error"}),
    )


def options_from(section: dict[str, Any], **overrides: Any) -> AuditOptions:
    """AuditOptions from tap.toml's [audit] table (required, stale_days, typo_share); bad values are ConfigError."""
    opts = AuditOptions(**{k: v for k, v in overrides.items() if v is not None})
    required = section.get("required", list(DEFAULT_REQUIRED))
    fields = set(FIELDS)
    if not isinstance(required, list) or not all(isinstance(r, str) and r in fields for r in required):
        raise ConfigError(f"[audit] required must be a list of contact fields among: {', '.join(sorted(fields))}")
    try:
        return replace(opts, required=tuple(required), stale_days=int(section.get("stale_days", opts.stale_days)),
                       typo_share=int(section.get("typo_share", opts.typo_share)))
    except (TypeError, ValueError):
        raise ConfigError("[audit] stale_days and typo_share must be whole numbers") from None


def number_setting(section: dict[str, Any], key: str, default: float | None) -> float | None:
    """A number from tap.toml's [audit] table (min_score, dns_timeout, dns_workers); ConfigError otherwise."""
    value = section.get(key, default)
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return value
    raise ConfigError(f"[audit] {key} must be a number, not {value!r}")


def audit_contacts(contacts: Iterable[Contact], opts: AuditOptions | None = None, *,
                   events: dict[str, str] | None = None, dns: Any = None, source: str = "store") -> AuditReport:
    """Run every check over the contacts; ``dns`` is a DnsChecker for email.mx (None: offline)."""
    with _no_cyclic_gc():
        return _audit(list(contacts), opts or AuditOptions(), events or {}, dns, source)


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """The audit allocates millions of short, acyclic objects; the cyclic collector would rescan the whole
    heap again and again (half the time at 300k contacts, and superlinear), so it pauses meanwhile."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _audit(contacts: list[Contact], opts: AuditOptions, events: dict[str, str], dns: Any,
           source: str) -> AuditReport:
    names = base_names(contacts)
    prepared = [prepare(c, names) for c in contacts]
    findings: list[Finding] = []
    for p in prepared:
        findings.extend(contact_findings(p, opts))
    exact = groups.exact_groups(prepared)
    findings += groups.duplicate_findings(exact)
    findings += groups.status_findings(exact, prepared, events)
    mistyped = list(typos.typo_findings(prepared, opts.typo_share))
    findings += mistyped
    findings += stations.station_findings(prepared, {f.contact_id for f in mistyped})
    findings += fuzzy_findings(prepared, opts.fuzzy_block_cap)
    dns_summary = None
    if dns is not None:
        dns_findings, dns_summary = mx_findings(prepared, dns)
        findings += dns_findings
    findings = _drop_shadowed(findings)
    findings.sort(key=lambda f: (SEVERITIES.index(f.severity), CHECKS.index(f.check), f.contact_id))
    return AuditReport(source, utc_now(), len(prepared), quality_score(findings, len(prepared)),
                       summarise(findings, len(prepared)), tuple(findings), dns_summary,
                       {"required": list(opts.required), "staleDays": opts.stale_days, "dns": dns is not None})


def _drop_shadowed(findings: list[Finding]) -> list[Finding]:
    """A typo'd domain explains its own 'disposable' listing and its mismatch with the website: report the typo."""
    typo = {f.contact_id for f in findings if f.check == "email.typo"}
    return [f for f in findings
            if not (f.contact_id in typo and f.check in ("email.disposable", "domain.mismatch"))]


def mx_findings(prepared: list, dns: Any) -> tuple[list[Finding], DnsSummary]:
    """email.mx errors for addresses whose domain cannot receive mail; unknown lookups are not findings."""
    verdicts = dns.check({p.domain for p in prepared if p.valid})
    out = []
    for p in prepared:
        verdict = verdicts.get(p.domain) if p.valid else None
        if verdict is not None and verdict.status == "invalid":
            out.append(finding(p, "email.mx", "error", "email", f"{p.domain}: {verdict.reason}"))
    counts = Counter(v.status for v in verdicts.values())
    return out, DnsSummary(len(verdicts), counts["valid"], counts["invalid"], counts["unknown"])


def load_events(db: Any) -> dict[str, str]:
    """Per normalised address, the latest sign that it must not be emailed: an unsubscribe, hard bounce or
    abuse event in the event log, or an unsubscribed/cleaned member in the Mailchimp mirror."""
    tables = set(db.table_names())
    out: dict[str, str] = {}
    if "mailchimp_members" in tables:
        sql = "SELECT email_norm, status FROM mailchimp_members WHERE status IN ('unsubscribed', 'cleaned')"
        out.update({row["email_norm"]: f"mailchimp:{row['status']}" for row in db.query(sql)})
    if "events" in tables:
        sql = ("SELECT lower(trim(email)) AS email, kind FROM events WHERE kind IN ('unsubscribe', 'bounce_hard', "
               "'abuse') ORDER BY at")
        out.update({row["email"]: row["kind"] for row in db.query(sql)})
    return out


_COLUMNS = tuple(f.name for f in dataclasses.fields(Contact))  # the table's columns carry the same names
_LISTS = tuple(i for i, name in enumerate(_COLUMNS) if name in ("genres", "tags"))
_EXTRA = _COLUMNS.index("extra")


def _contact(row: tuple) -> Contact:
    values = list(row)
    for i in _LISTS:
        values[i] = () if values[i] in ("[]", None, "") else tuple(json.loads(values[i]))
    values[_EXTRA] = {} if values[_EXTRA] in ("{}", None, "") else json.loads(values[_EXTRA])
    return Contact(*values)


def load_contacts(db: Any) -> list[Contact]:
    """Every stored contact, oldest first (read with a plain cursor: the audit's load is on its clock)."""
    cursor = db.conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM contacts ORDER BY created_at, rowid")
    with _no_cyclic_gc():
        return [_contact(row) for row in cursor]


def audit_store(db: Any, opts: AuditOptions | None = None, *, dns: Any = None) -> AuditReport:
    """Audit the local store (contacts and the event log)."""
    return audit_contacts(load_contacts(db), opts, events=load_events(db), dns=dns)


def restrict(report: AuditReport, checks: Iterable[str]) -> AuditReport:
    """The report narrowed to some check ids (``--only``): their findings, and the summary and score of those."""
    wanted = set(checks)
    if unknown := sorted(wanted - set(CHECKS)):
        raise InputError(f"unknown check id(s): {', '.join(unknown)}", hint=f"check ids: {', '.join(CHECKS)}")
    kept = [f for f in report.findings if f.check in wanted]
    return replace(report, findings=tuple(kept), summary=summarise(kept, report.contacts),
                   quality_score=quality_score(kept, report.contacts))


def failed_check(report: AuditReport, min_score: float | None) -> str | None:
    """Why ``--check`` fails (an error-level finding, or the score under min_score), or None."""
    errors = report.summary.by_severity.get("error", 0)
    if errors:
        return f"{errors} error-level finding{'s' if errors != 1 else ''} (quality score {report.quality_score})"
    if min_score is not None and report.quality_score < min_score:
        return f"quality score {report.quality_score} is under --min-score {min_score:g}"
    return None


def contacts_from_file(path: Any, fmt: str | None = None) -> list[Contact]:
    """Contacts read from a CSV/JSON/JSONL file as they are (no merge, no validation), ids ``row<N>``."""
    from totalaudio.services.contacts.service import row_to_values
    from totalaudio.services.contacts.io import read_rows

    _detected, rows = read_rows(Path(path), fmt)
    out = []
    for row_no, row in rows:
        if row is None or not any(str(v).strip() for v in row.values() if v is not None):
            continue
        values = {k: v for k, v in row_to_values(row).items() if k in FIELDS}
        values.update(email=str(row.get("email") or ""), genres=tuple(values.get("genres") or ()),
                      tags=tuple(values.get("tags") or ()))
        out.append(Contact(id=f"row{row_no}", **values))
    return out


def fix_base(db: Any, contacts: list[Contact], report: AuditReport, opts: AuditOptions | None = None, *,
             run_id: str | None = None, dry_run: bool = False, events: dict[str, str] | None = None) -> Any:
    """Plan the safe fixes of an audited base, score the result, and apply them (journaled) unless dry_run."""
    from totalaudio.services.audit.apply import apply_plan
    from totalaudio.services.audit.fix import FixResult, plan_fixes

    plan = plan_fixes(contacts, report.findings)
    after = audit_contacts(plan.final_contacts(), opts, events=events)
    if not dry_run:
        apply_plan(db, plan, run_id)
    updated = {c.contact_id for c in plan.changes}
    return FixResult(dry_run, None if dry_run else run_id, len(updated - plan.removed()), len(plan.removed()),
                     tuple(plan.changes), tuple(m for m, _fill in plan.merges), report.quality_score,
                     after.quality_score, after.summary.by_severity["error"])
