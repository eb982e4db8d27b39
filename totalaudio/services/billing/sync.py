"""``tap billing sync``: where Stripe cannot reach a webhook, poll its events since the last one seen, with the
same effects and the same dedupe as the webhook receiver, and send the notifications from here."""

from __future__ import annotations

from typing import Any, Callable

from totalaudio.config import Settings
from totalaudio.errors import TapError
from totalaudio.services.billing.events import ingest_stripe_event
from totalaudio.store.billing import EventLog
from totalaudio.store.syncstate import SyncState

CURSOR = "stripe.events.created"


def notifier(settings: Settings) -> Callable[[str, dict], Any] | None:
    """Sends a notification to Make.com through services.notify; None when Make.com is not configured."""
    if settings.missing("make"):
        return None
    from totalaudio.services.notify import send

    return lambda kind, data: send(settings, kind, data)


def sync(client: Any, db: Any, notify: Callable[[str, dict], Any] | None, *, dry_run: bool = False,
         run_id: str | None = None) -> dict[str, Any]:
    """Ingest every event from the cursor on (oldest first); the cursor moves after each one."""
    state, log = SyncState(db), EventLog(db)
    cursor = state.get(CURSOR)
    events = client.events(created_gte=cursor)
    new = [e for e in events if log.get(str(e.get("id"))) is None]
    result = {"cursor": cursor, "seen": len(events), "new": len(new), "applied": [], "notified": 0,
              "notifyFailed": [], "dryRun": dry_run, "runId": run_id}
    if dry_run:
        return {**result, "applied": [{"eventId": e.get("id"), "type": e.get("type")} for e in new]}
    for event in events:
        outcome = ingest_stripe_event(db, event, "poll")
        with db.conn:
            state.set(CURSOR, max(int(event["created"]), state.get(CURSOR) or 0))
        if outcome["duplicate"]:
            continue
        result["applied"].append({k: outcome[k] for k in ("eventId", "type", "effects")})
        _notify(notify, outcome["notifications"], result)
    return {**result, "cursor": state.get(CURSOR)}


def _notify(notify: Callable[[str, dict], Any] | None, notes: list[dict], result: dict[str, Any]) -> None:
    """Send each notification; a failure is reported, not fatal (the event is already applied)."""
    for note in notes:
        if notify is None:
            result["notifyFailed"].append({"type": note["type"], "error": "Make.com is not configured"})
            continue
        try:
            notify(note["type"], note["data"])
            result["notified"] += 1
        except TapError as exc:
            result["notifyFailed"].append({"type": note["type"], "error": exc.message})
