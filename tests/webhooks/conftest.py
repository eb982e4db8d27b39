"""Fixtures of the webhook tests: secrets, a live receiver on loopback, Make.com notifications without backoff."""

from __future__ import annotations

import base64
import functools
import json
import os
from typing import Any

import pytest

from tests.waiting import PATIENCE  # the handlers behind a post (an import, an audit) are slow on a loaded machine
from tests.webhooks.live import LiveServer
from totalaudio.config import Settings

STRIPE_SECRET = "whsec_stripe_test_secret"
MAILCHIMP_SECRET = "mc-path-secret-0123456789"
MAKE_SECRET = "whsec_" + base64.b64encode(b"make-trigger-secret-32-bytes-ok!").decode()
SIGNING_SECRET = "whsec_" + base64.b64encode(b"make-signing-secret-32-bytes-ok!").decode()
SECRETS = {"STRIPE_WEBHOOK_SECRET": STRIPE_SECRET, "TAP_MAILCHIMP_WEBHOOK_SECRET": MAILCHIMP_SECRET,
           "TAP_MAKE_TRIGGER_SECRET": MAKE_SECRET}


class RecordingStripe:
    """A stand-in of the billing handler's contract: dedupes by event id, reports effects and notifications."""

    NOTIFY = {"invoice.payment_failed": "payment.failed", "customer.subscription.deleted": "subscription.changed"}

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def __call__(self, db: Any, event: dict, via: str) -> dict:
        duplicate = any(e == event["id"] for e, _ in self.seen)
        self.seen.append((event["id"], via))
        kind = self.NOTIFY.get(event["type"])
        notes = [{"type": kind, "data": {"eventId": event["id"]}}] if kind and not duplicate else []
        return {"eventId": event["id"], "type": event["type"], "duplicate": duplicate,
                "effects": [] if duplicate else [f"applied {event['type']}"], "notifications": notes}


@pytest.fixture
def settings_for(tap_home):
    """Settings of this test's TAP_HOME plus the given variables (and the webhook secrets)."""
    def make(**env: str) -> Settings:
        return Settings(environ={**os.environ, **SECRETS, **env})
    return make


class RecordingMake:
    """A Make.com client stand-in for the receiver's sender: records each message it is given."""

    def __init__(self) -> None:
        self.posted: list[dict] = []

    def post(self, body: bytes, headers: Any, payload: dict) -> str:
        self.posted.append({**json.loads(body), "webhookId": (headers() if callable(headers) else headers)["webhook-id"]})
        return "Accepted"

    def close(self) -> None:
        pass


MAKE_ON = {"MAKE_WEBHOOK_URL": "http://127.0.0.1:9/make-stand-in"}  # with a RecordingMake, nothing is posted


def held(settings, kind: str | None = None) -> list[dict]:
    """The notifications the receiver put in the outbox: [{type, data}], oldest first."""
    from totalaudio.store.db import open_db
    from totalaudio.store.outbox import Outbox

    rows = Outbox(open_db(settings.db_path)).rows()
    return [{"type": r["type"], "data": json.loads(r["message"])["data"]} for r in rows]


@pytest.fixture
def receiver(settings_for):
    """Start the receiver app under uvicorn on a free loopback port; stopped after the test."""
    from totalaudio.server.app import create_app

    started: list[LiveServer] = []

    def start(stripe_handler: Any = None, make_client: Any = None, behind_proxy: bool = False, **env: str) -> LiveServer:
        app = create_app(settings_for(**env), stripe_handler=stripe_handler or RecordingStripe(),
                         make_client=make_client, behind_proxy=behind_proxy)
        server = LiveServer(app).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def still_clock(monkeypatch):
    """The clock of the receivers' rate-limit buckets: it stands still unless the test moves it (``clock[0] += s``),
    so no bucket refills while a loaded machine is slow to send a test's requests."""
    from totalaudio.server import app
    from totalaudio.server.guard import Buckets

    clock = [0.0]
    monkeypatch.setattr(app, "Buckets", functools.partial(Buckets, clock=lambda: clock[0]))
    return clock


@pytest.fixture
def no_backoff(monkeypatch):
    """Make.com retries without sleeping between attempts."""
    from totalaudio.clients import _base, make

    monkeypatch.setattr(make, "Caller", functools.partial(_base.Caller, sleep=lambda s: None))


def stripe_post(url: str, event: dict, *, secret: str = STRIPE_SECRET, timestamp: int | None = None,
                tamper: bool = False):
    """POST an event to /stripe signed the way Stripe signs it (stripe-python's own header generator)."""
    import httpx
    import stripe

    body = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(body, secret, timestamp)
    sent = body.replace("}", ', "extra": 1}', 1) if tamper else body
    return httpx.post(url + "/stripe", content=sent.encode(), headers={"stripe-signature": header}, timeout=PATIENCE)


def make_post(url: str, body: dict, *, secret: str = MAKE_SECRET, msg_id: str = "msg_test1", when=None):
    """POST a trigger to /make signed by the standardwebhooks package."""
    from datetime import datetime, timezone

    import httpx
    from standardwebhooks.webhooks import Webhook

    raw = json.dumps(body)
    stamp = when or datetime.now(timezone.utc)
    signature = Webhook(secret).sign(msg_id, stamp, raw)
    headers = {"webhook-id": msg_id, "webhook-timestamp": str(int(stamp.timestamp())), "webhook-signature": signature}
    return httpx.post(url + "/make", content=raw.encode(), headers=headers, timeout=PATIENCE)
