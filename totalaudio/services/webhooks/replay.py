"""The handler of each source, and running a stored event's handler again (`tap webhooks replay`)."""

from __future__ import annotations

from typing import Any

from totalaudio.config import Settings
from totalaudio.services.webhooks import inbox
from totalaudio.services.webhooks import mailchimp, make, stripe


def handlers(settings: Settings, stripe_handler: inbox.Handler | None = None,
             run_id: str | None = None) -> dict[str, inbox.Handler]:
    """source -> handler(db, payload, via), journaling under ``run_id``; Stripe's defaults to the billing service's."""
    return {"stripe": stripe_handler or stripe.billing_handler, "mailchimp": mailchimp.handler(run_id),
            "make": make.handler(settings, run_id)}


def replay(db: Any, settings: Settings, ref: str, *, run_id: str | None = None,
           stripe_handler: inbox.Handler | None = None) -> inbox.Outcome:
    """Run the stored event's handler again, whatever became of it the first time."""
    return inbox.replay(db, ref, handlers(settings, stripe_handler, run_id))


def describe(outcome: inbox.Outcome) -> dict[str, Any]:
    """The JSON shape of an outcome (camelCase)."""
    return {"id": outcome.id, "source": outcome.source, "eventId": outcome.event_id, "type": outcome.type,
            "duplicate": outcome.duplicate, "status": outcome.status, "result": outcome.result}
