"""The webhook receiver's ASGI app: POST /stripe, GET|POST /mailchimp/<secret>, POST /make, GET /healthz.

Signatures are checked and bodies parsed on the event loop; everything that touches the store runs on one writer
thread that commits the deliveries of concurrent requests together (server/writer.py), and each is answered only
once its commit is done. Notifications are written to the outbox in the same transaction as their event and sent
from another thread (server/sender.py), so a crash after the answer loses none.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import sqlite3
from contextlib import asynccontextmanager
from functools import partial
from typing import Any, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from totalaudio import __version__
from totalaudio.config import Settings
from totalaudio.errors import ConfigError, InputError, TapError
from totalaudio.server.guard import Buckets, Guard, Limits, networks, read_body
from totalaudio.server.sender import Sender
from totalaudio.server.writer import Checkpointer, Writer
from totalaudio.services.notify import outbox
from totalaudio.services.webhooks import inbox
from totalaudio.services.webhooks import mailchimp as mailchimp_svc
from totalaudio.services.webhooks import make as make_svc
from totalaudio.services.webhooks import replay
from totalaudio.services.webhooks import stripe as stripe_svc
from totalaudio.services.webhooks.signatures import SignatureError, standard_key, verify_standard, verify_stripe

LOG = logging.getLogger("tap.webhooks")
DEFAULTS = {"max_body": 1_048_576, "rate_limit": 100, "burst": 200, "client_rate_limit": 20, "client_burst": 40}


def limits(settings: Settings) -> dict[str, int]:
    """[webhooks] max_body (bytes), rate_limit and burst (requests a second per source, all clients together),
    client_rate_limit and client_burst (per source and client address) from tap.toml."""
    section = settings.section("webhooks")
    out = {}
    for key, default in DEFAULTS.items():
        value = section.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"[webhooks] {key} must be a positive whole number, not {value!r}")
        out[key] = value
    return out


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


class Receiver:
    """The endpoints and what they share: secrets, the store's writer, the handlers, the Make.com sender."""

    def __init__(self, settings: Settings, stripe_handler: inbox.Handler | None = None, make_client: Any = None) -> None:
        self.settings = settings
        self.limits = limits(settings)
        self.stripe_secret = settings.get("STRIPE_WEBHOOK_SECRET")
        self.mailchimp_secret = settings.get("TAP_MAILCHIMP_WEBHOOK_SECRET")
        trigger = settings.get("TAP_MAKE_TRIGGER_SECRET")
        self.make_key = standard_key(trigger) if trigger else None
        self.stripe_handler = stripe_handler
        self.handlers: dict[str, inbox.Handler] = {}
        self.run_id: str | None = None
        self.held = False  # set on the writer's thread when a delivery queued notifications
        self.checkpointer = Checkpointer(settings.db_path)
        self.writer = Writer(self._open, self._close, after_commit=self._committed)
        self.sender = Sender(settings, make_client, write=self.writer.call)

    def _open(self) -> Any:
        """The store, opened on the writer's thread, and the run its changes are journaled under (one run per
        server session: `tap db runs` shows it)."""
        from totalaudio.store.db import open_db
        from totalaudio.store.runs import RunLog

        db = open_db(self.settings.db_path)
        db.execute("PRAGMA wal_autocheckpoint = 0")  # the checkpointer's thread does it, outside the commits
        self.checkpointer.thread.start()
        self.run_id = RunLog(db).start("webhooks serve", {})
        self.handlers = replay.handlers(self.settings, self.stripe_handler, self.run_id)
        return db

    def _close(self, db: Any) -> None:
        from totalaudio.store.runs import RunLog

        RunLog(db).finish(self.run_id, "ok")
        self.checkpointer.close()
        db.conn.close()

    def _committed(self) -> None:
        """After a commit: the log has pages to checkpoint; wake the sender if notifications were queued."""
        self.checkpointer.dirty.set()
        if self.held:
            self.held = False
            self.sender.notify()

    def start(self) -> None:
        """Open the store and start the sender (which first delivers what a previous process left queued)."""
        self.writer.call(lambda db: None)
        self.sender.start()

    def _accept(self, delivery: inbox.Delivery, db: Any) -> inbox.Outcome | TapError:
        """Store and handle a delivery, and queue its notifications in the outbox, in one savepoint of the
        writer's batch; a handler's project error comes back as a value so its recorded failure is committed."""
        try:
            outcome = inbox.accept(db, delivery, self.handlers[delivery.source])
        except TapError as exc:
            return exc
        if outcome.notifications and not outcome.duplicate:
            queued = outbox.hold(self.settings, db, outcome.notifications, f"{delivery.source}:{delivery.event_id}")
            self.held = self.held or any(q["outcome"] == "queued" for q in queued)
        return outcome

    async def deliver(self, parse: Callable[[], inbox.Delivery]) -> Response:
        """Parse a verified body, then store it once, handle it and queue its notifications on the writer's
        thread; answer once that is committed."""
        try:
            delivery = parse()
        except InputError as exc:
            return _error(400, exc.message)
        try:
            outcome = await self.writer.run(partial(self._accept, delivery))
        except TapError as exc:  # raised outside the handler (the outbox's settings): nothing was stored
            outcome = exc
        except sqlite3.OperationalError as exc:  # another process held the store past the busy timeout
            LOG.warning("%s event %s not stored: %s", delivery.source, delivery.event_id, exc)
            return _error(503, "the store is busy; retry later")
        if isinstance(outcome, InputError):
            return _error(422, outcome.message)
        if isinstance(outcome, TapError):  # configuration or an upstream outage: the sender should try again later
            LOG.warning("%s event %s failed: %s", delivery.source, delivery.event_id, outcome.message)
            return _error(503, outcome.message)
        return JSONResponse({"received": True, "id": outcome.id, "eventId": outcome.event_id, "type": outcome.type,
                             "duplicate": outcome.duplicate, "result": outcome.result})

    async def stripe(self, request: Request) -> Response:
        """POST /stripe: a Stripe event, signed with STRIPE_WEBHOOK_SECRET (5-minute tolerance)."""
        if not self.stripe_secret:
            return _error(503, "Stripe events are off: STRIPE_WEBHOOK_SECRET is not set")
        raw = await read_body(request, self.limits["max_body"])
        try:
            verify_stripe(raw, request.headers.get("stripe-signature"), self.stripe_secret)
        except SignatureError as exc:
            return _error(400, f"bad Stripe signature: {exc}")
        return await self.deliver(partial(stripe_svc.delivery, raw))

    def _mailchimp_allowed(self, request: Request) -> bool:
        given = request.path_params.get("secret", "").encode("utf-8", "replace")
        return bool(self.mailchimp_secret) and hmac.compare_digest(given, self.mailchimp_secret.encode())

    async def mailchimp(self, request: Request) -> Response:
        """GET|POST /mailchimp/<secret>: the validation ping, or an audience event as a form post."""
        if not self._mailchimp_allowed(request):
            return _error(404, "not found")
        if request.method == "GET":
            return PlainTextResponse("ok")
        raw = await read_body(request, self.limits["max_body"])
        return await self.deliver(partial(mailchimp_svc.delivery, raw))

    async def make(self, request: Request) -> Response:
        """POST /make: a trigger from a Make.com scenario, Standard Webhooks signed with TAP_MAKE_TRIGGER_SECRET."""
        if self.make_key is None:
            return _error(503, "Make.com triggers are off: TAP_MAKE_TRIGGER_SECRET is not set")
        raw = await read_body(request, self.limits["max_body"])
        try:
            msg_id = verify_standard(raw, request.headers, self.make_key)
        except SignatureError as exc:
            return _error(401, f"bad webhook signature: {exc}")
        return await self.deliver(partial(make_svc.delivery, raw, msg_id))

    async def healthz(self, request: Request) -> Response:
        """GET /healthz: the receiver is up, and which sources it takes."""
        sources = {"stripe": bool(self.stripe_secret), "mailchimp": bool(self.mailchimp_secret),
                   "make": self.make_key is not None}
        return JSONResponse({"ok": True, "version": __version__, "sources": sources})

    def close(self) -> None:
        """Stop the sender (what it has not sent stays in the outbox), then finish the writer and its run."""
        self.sender.close()
        self.writer.close()


async def _http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    return _error(status, str(getattr(exc, "detail", "")) or "error")


async def _bug(request: Request, exc: Exception) -> Response:
    return _error(500, "internal error (logged by the server)")


def trusted_proxies(settings: Settings) -> tuple[Any, ...]:
    """[webhooks] trusted_proxies as networks (default: loopback); ConfigError names a bad entry."""
    try:
        return networks(settings.section("webhooks").get("trusted_proxies"))
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def create_app(settings: Settings, *, stripe_handler: inbox.Handler | None = None, make_client: Any = None,
               behind_proxy: bool = False) -> Any:
    """The ASGI app; ``stripe_handler(db, event, via)`` defaults to the billing service's, ``make_client`` (the
    client notifications are posted through) to one built from MAKE_WEBHOOK_URL; ``behind_proxy``: the client
    address is taken from X-Forwarded-For when the connection comes from a trusted proxy."""
    receiver = Receiver(settings, stripe_handler, make_client)

    @asynccontextmanager
    async def lifespan(app: Any):
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, receiver.start)
        yield
        await loop.run_in_executor(None, receiver.close)

    routes = [Route("/stripe", receiver.stripe, methods=["POST"]),
              Route("/mailchimp/{secret}", receiver.mailchimp, methods=["GET", "POST"]),
              Route("/make", receiver.make, methods=["POST"]),
              Route("/healthz", receiver.healthz, methods=["GET"])]
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={HTTPException: _http_error, Exception: _bug})
    app.state.receiver = receiver
    lim = receiver.limits
    per_client, per_source = (Buckets(lim["client_rate_limit"], lim["client_burst"]),
                              Buckets(lim["rate_limit"], lim["burst"]))
    return Guard(app, Limits(per_client, per_source), behind_proxy, trusted_proxies(settings))
