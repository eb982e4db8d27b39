"""The demo's audit and domains steps: offline, on the example contacts imported by the demo."""

from __future__ import annotations

from typing import Any


def step_audit(ctx: Any) -> str:
    """Audit the imported example contacts, fix the safe problems, then undo the fix."""
    from totalaudio.services.audit.service import audit_store, fix_base, load_contacts, load_events
    from totalaudio.services.audit.apply import undo_run
    from totalaudio.services.contacts.service import finish_run, start_run

    report = audit_store(ctx.db)
    top = sorted(report.summary.by_check.items(), key=lambda kv: -kv[1])[:3]
    run_id = start_run(ctx.db, "airtable audit", {"fix": True})
    fix = fix_base(ctx.db, load_contacts(ctx.db), report, run_id=run_id, events=load_events(ctx.db))
    finish_run(ctx.db, run_id, "ok")
    undo = undo_run(ctx.db, run_id, new_run_id=start_run(ctx.db, "airtable audit undo", {"runId": run_id}))
    return (f"quality score {report.quality_score}, {report.summary.findings} findings (most: "
            f"{', '.join(f'{k} {n}' for k, n in top)}); --fix: {fix.updated} updated, {fix.removed} merged, "
            f"score {fix.score_after}; undo restored {undo.restored} and reverted {undo.reverted}")


def step_domains(ctx: Any) -> str:
    """Group the example contacts by email domain and propose stations for those without one."""
    from totalaudio.services.audit.service import load_contacts
    from totalaudio.services.audit.domains import analyse

    report = analyse(load_contacts(ctx.db))
    sure = sum(1 for p in report.proposals if p.confidence >= report.min_confidence)
    classes = ", ".join(f"{n} {k}" for k, n in report.by_class.items())
    return f"{len(report.domains)} domains ({classes}); {sure} confident station proposals"
