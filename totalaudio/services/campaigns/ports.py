"""The workflow's doors to capabilities built elsewhere: Gmail pitches, sends and reply tracking, Claude's report
narrative, Make.com notifications. One function per external step, each importing its capability lazily.

A step whose capability is not part of this build fails with a message naming the missing module; the report
narrative falls back to Claude's template narrative (services/claude/report.py). Tests and the demo
pass their own ``Ports`` (dependency injection through the step context).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Callable

from totalaudio.errors import ConfigError, IntegrationError, TapError

GMAIL_SEND = "totalaudio.services.gmail.send"
GMAIL_WATCH = "totalaudio.services.gmail.watch"
CLAUDE_REPORT = "totalaudio.services.claude.report"


def _capability(module: str, what: str, step: str) -> Any:
    """The module of a capability; ConfigError naming it when this build of tap does not include it."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if not (exc.name and module.startswith(exc.name)):
            raise
        raise ConfigError(f"the {step} step needs {what}, which this build of tap does not include "
                          f"(module {module} is missing)",
                          hint=f"install a tap that has {what}, or stop before this step with --until") from None


def gmail_pitch(ctx: Any, contact_ids: list[str]) -> dict[str, Any]:
    """Prepare the campaign's Gmail pitches to these contacts (the ``create`` step of a Gmail campaign)."""
    module = _capability(GMAIL_SEND, "Gmail sending (tap gmail send)", "create")
    return module.prepare_pitches(ctx.db, ctx.settings, ctx.campaign["id"], contact_ids, run_id=ctx.run_id)


def gmail_send(ctx: Any, contact_ids: list[str]) -> dict[str, Any]:
    """Send the campaign's prepared Gmail pitches (each recorded as a ``sent`` event by the Gmail capability)."""
    module = _capability(GMAIL_SEND, "Gmail sending (tap gmail send)", "send")
    return module.send_pitches(ctx.db, ctx.settings, ctx.campaign["id"], contact_ids, run_id=ctx.run_id)


def gmail_watch(ctx: Any) -> dict[str, Any]:
    """Read new Gmail replies, auto-replies, bounces and unsubscribes into the events table."""
    module = _capability(GMAIL_WATCH, "Gmail reply tracking (tap gmail watch)", "replies")
    return module.watch(ctx.db, ctx.settings, run_id=ctx.run_id)


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
