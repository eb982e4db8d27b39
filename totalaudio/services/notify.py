"""Notifications to Make.com scenarios (outbound webhook triggers)."""

from __future__ import annotations

from typing import Any

from totalaudio.config import Settings
from totalaudio.services.queue import handler


@handler("make.trigger")
def replay_trigger(settings: Settings, payload: dict[str, Any]) -> str:
    """Send a dead-lettered trigger again."""
    return send(settings, payload["event"], payload.get("data") or {})


def send(settings: Settings, event: str, data: dict[str, Any]) -> str:
    """Trigger the configured Make.com scenario with ``{"event", "data"}``."""
    from totalaudio.clients import make

    return make.build(settings).trigger(event, data)
