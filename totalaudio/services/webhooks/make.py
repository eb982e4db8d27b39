"""Triggers from Make.com scenarios (``POST /make``, Standard Webhooks signed): create a campaign, import
contacts, run an audit. The body is ``{"action": ..., "data": {...}}``; each answer is the service's result."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from totalaudio.config import Settings
from totalaudio.errors import InputError
from totalaudio.models import to_json
from totalaudio.services.webhooks.inbox import Delivery, load_json
from totalaudio.store.runs import Journal

ACTIONS = ("campaign.create", "contacts.import", "audit.run")
MAX_ROWS = 5000


def delivery(raw: bytes, webhook_id: str) -> Delivery:
    """A verified trigger as a delivery (its id is the webhook-id); InputError when the body is not one."""
    body = load_json(raw)
    if not isinstance(body, dict) or body.get("action") not in ACTIONS:
        raise InputError(f"the body must be {{\"action\", \"data\"}} with action one of: {', '.join(ACTIONS)}")
    if not isinstance(body.get("data", {}), dict):
        raise InputError("data must be an object")
    return Delivery("make", webhook_id, body["action"], body)


def handler(settings: Settings, run_id: str | None) -> Callable[[Any, dict[str, Any], str], dict[str, Any]]:
    """The handler of Make.com triggers, journaling under ``run_id`` and reading tap.toml (audit options)."""
    def handle(db: Any, payload: dict[str, Any], via: str) -> dict[str, Any]:
        action, data = payload["action"], payload.get("data") or {}
        return {"runId": run_id, **to_json(ACTION_RUNNERS[action](settings, db, data, run_id))}
    return handle


def import_contacts(settings: Settings, db: Any, data: dict[str, Any], run_id: str | None) -> dict[str, Any]:
    """JSON rows through the contact import (the rules of `tap contacts import`)."""
    from totalaudio.services.contacts.service import import_contacts as run_import

    rows = data.get("rows")
    if not isinstance(rows, list) or not rows:
        raise InputError("contacts.import needs data.rows: a list of contact objects")
    if len(rows) > MAX_ROWS:
        raise InputError(f"contacts.import takes at most {MAX_ROWS} rows a trigger, not {len(rows)}")
    result = run_import(db, Path("make"), fmt="json", text=json.dumps(rows), run_id=run_id)
    return {"import": to_json(result)}


def create_campaign(settings: Settings, db: Any, data: dict[str, Any], run_id: str | None) -> dict[str, Any]:
    """A local campaign (name, artist, release, start date, notes) for the named contacts, journaled."""
    from totalaudio.services.mailchimp.campaigns import resolve_contacts
    from totalaudio.store.campaigns import CampaignStore

    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InputError("campaign.create needs data.name")
    refs = data.get("contacts") or []
    if not isinstance(refs, list):
        raise InputError("data.contacts must be a list of emails or contact ids")
    contacts = resolve_contacts(db, refs)
    values = {"name": name.strip(), **{col: _text(data.get(key)) for col, key in
                                       (("artist", "artist"), ("release", "release"), ("start_date", "startDate"),
                                        ("notes", "notes"))}}
    campaign_id = CampaignStore(db).create(values, [c.id for c in contacts])
    Journal(db).record(run_id, "campaign", campaign_id, "create", None, {**values, "contacts": len(contacts)})
    return {"campaign": {"id": campaign_id, "name": values["name"], "artist": values["artist"],
                         "release": values["release"], "startDate": values["start_date"], "notes": values["notes"],
                         "contacts": len(contacts)}}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, (str, int, float)):
        raise InputError("campaign fields must be text")
    return str(value).strip() or None


def run_audit(settings: Settings, db: Any, data: dict[str, Any], run_id: str | None) -> dict[str, Any]:
    """The audit of the store; a failed check (error findings, or a score under min_score) notifies audit.failed."""
    from totalaudio.services.audit import service as audit

    section = settings.section("audit")
    min_score = data.get("minScore")
    if min_score is not None and (isinstance(min_score, bool) or not isinstance(min_score, (int, float))):
        raise InputError(f"data.minScore must be a number, not {type(min_score).__name__}")
    if min_score is None:
        min_score = audit.number_setting(section, "min_score", None)
    report = audit.audit_store(db, audit.options_from(section))
    reason = audit.failed_check(report, min_score)
    summary = {"contacts": report.contacts, "qualityScore": report.quality_score,
               "findings": report.summary.findings, "bySeverity": report.summary.by_severity,
               "byCheck": report.summary.by_check, "failed": reason}
    notes = [{"type": "audit.failed", "data": summary}] if reason else []
    return {"audit": summary, "notifications": notes}


ACTION_RUNNERS = {"campaign.create": create_campaign, "contacts.import": import_contacts, "audit.run": run_audit}
