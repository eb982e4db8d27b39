"""The workflow's doors to the other capabilities: Gmail pitches, sends and reply tracking, Claude's report
narrative, Make.com notifications. One function per external step, each importing its capability lazily; tests and
the demo pass their own ``Ports`` (dependency injection through the step context).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from totalaudio.errors import InputError, IntegrationError, TapError
from totalaudio.store.contacts import ContactStore

def _gmail_content(ctx: Any) -> tuple[str, str]:
    """The subject and body template a Gmail campaign was planned with (`tap campaign new --template`)."""
    plan = ctx.campaign.get("plan") or {}
    plan = json.loads(plan) if isinstance(plan, str) else plan
    if not plan.get("template"):
        raise InputError(f"Gmail campaign {ctx.campaign['name']!r} has no body template",
                         hint="give one with `tap campaign new ... --channel gmail --template FILE` "
                              "(`tap claude pitch` writes such files)")
    from totalaudio.services.gmail.compose import front_matter

    try:
        head, body = front_matter(Path(plan["template"]).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{plan['template']}: cannot read the campaign's template: {exc.strerror}") from None
    c = ctx.campaign
    default = " - ".join(p for p in (c.get("artist"), c.get("release")) if p) or c["name"]
    return plan.get("subject") or str(head.get("subject") or default), body


def _gmail_send(ctx: Any, contact_ids: list[str], *, dry_run: bool) -> dict[str, Any]:
    from totalaudio.services.gmail import auth, send

    subject, body = _gmail_content(ctx)
    outbox = ctx.settings.home / "outbox" / ctx.campaign["id"] if dry_run else None
    opts = send.options_from(ctx.settings, subject, body, ctx.campaign["name"], outbox=outbox)
    contacts = [ContactStore(ctx.db).get(cid) for cid in contact_ids]
    client = None if dry_run else auth.client(ctx.settings)
    result = send.send(client, ctx.db, contacts, opts, dry_run=dry_run, run_id=ctx.run_id)
    return {"counts": result.counts, "apiCalls": result.api_calls, "dailyCap": result.daily_cap,
            **({"outbox": str(outbox)} if outbox else {})}


def gmail_pitch(ctx: Any, contact_ids: list[str]) -> dict[str, Any]:
    """Prepare the campaign's Gmail pitches: every merge field filled (or an error before anything is sent), each
    message written as an .eml file under TAP_HOME/outbox/ to look at before the send step."""
    return _gmail_send(ctx, contact_ids, dry_run=True)


def gmail_send(ctx: Any, contact_ids: list[str]) -> dict[str, Any]:
    """Send the campaign's Gmail pitches (never twice per contact, never to the gone; see services/gmail/send.py)."""
    return _gmail_send(ctx, contact_ids, dry_run=False)


def gmail_watch(ctx: Any) -> dict[str, Any]:
    """Read new Gmail replies, auto-replies, bounces and unsubscribes into the events table (a Mailchimp campaign
    without an authorised Gmail account reads Mailchimp's activity only)."""
    from totalaudio.clients.gmail import token_store
    from totalaudio.services.gmail import auth, watch

    if ctx.campaign.get("channel") != "gmail" and token_store(ctx.settings).load() is None:
        return {"skipped": "Gmail is not authorised (`tap gmail auth`): replies to Mailchimp sends not read"}
    result = watch.watch(auth.client(ctx.settings), ctx.db, run_id=ctx.run_id)
    return {"mode": result.mode, "summary": result.summary, "apiCalls": result.api_calls}


def narrative(db: Any, settings: Any, facts: dict[str, Any], *, use_ai: bool = True,
              run_id: str | None = None) -> dict[str, Any]:
    """Claude's grounded narrative of the facts; the template narrative without a key, or while Claude is down."""
    from totalaudio.services.claude import report

    try:
        return report.narrative(db, settings, facts, use_ai=use_ai, run_id=run_id)
    except IntegrationError as exc:
        result = report.narrative(db, settings, facts, use_ai=False)
        return {**result, "grounding": {**result["grounding"], "problems": [f"Claude unavailable: {exc.error}"]}}


def notify(settings: Any, event: str, data: dict[str, Any]) -> str | None:
    """Tell Make.com (only when MAKE_WEBHOOK_URL is set); returns a warning instead of failing the step."""
    if not settings.get("MAKE_WEBHOOK_URL"):
        return None
    from totalaudio.services import notify as make

    try:
        make.send(settings, event, data)
    except IntegrationError as exc:
        return f"Make.com notification {event} failed: {exc.error}"
    except TapError as exc:
        return f"Make.com notification {event} not sent: {exc.message}"
    return None


@dataclass
class Ports:
    """The external steps a workflow run uses; replace any of them to test or to run offline."""

    gmail_pitch: Callable[[Any, list[str]], dict[str, Any]] = gmail_pitch
    gmail_send: Callable[[Any, list[str]], dict[str, Any]] = gmail_send
    gmail_watch: Callable[[Any], dict[str, Any]] = gmail_watch
    narrative: Callable[..., dict[str, Any]] = narrative
    notify: Callable[[Any, str, dict[str, Any]], str | None] = notify
