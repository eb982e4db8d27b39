"""The notification outbox: a notification is in the store before the event is acknowledged, so a server killed
(SIGKILL) before it could deliver leaves it there, and the next start delivers it once, with the same webhook-id."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.webhooks.conftest import STRIPE_SECRET, stripe_post
from tests.waiting import eventually
from tests.webhooks.live import free_port, wait_until_serving
from totalaudio.store.db import open_db
from totalaudio.store.outbox import Outbox


class MakeStandIn(BaseHTTPRequestHandler):
    """Make.com's webhook: 503 with Retry-After 60 while ``down`` (the sender then waits a minute), else 200;
    every attempt is recorded with its webhook-id and answer."""

    down = True
    attempts: list[tuple[str, int]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("content-length") or 0))
        status = 503 if MakeStandIn.down else 200
        MakeStandIn.attempts.append((self.headers.get("webhook-id", ""), status))
        self.send_response(status)
        if status == 503:
            self.send_header("retry-after", "60")
        self.send_header("content-length", "8")
        self.end_headers()
        self.wfile.write(b"Accepted" if status == 200 else b"busy    ")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def make_stand_in():
    MakeStandIn.down, MakeStandIn.attempts = True, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), MakeStandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def start_server(port: int, make_url: str) -> subprocess.Popen:
    """`tap webhooks serve` as a process of its own, ready when /healthz answers."""
    env = {**os.environ, "STRIPE_WEBHOOK_SECRET": STRIPE_SECRET, "MAKE_WEBHOOK_URL": make_url}
    proc = subprocess.Popen([sys.executable, "-m", "totalaudio", "webhooks", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until_serving(proc, f"http://127.0.0.1:{port}")
    return proc


def failed_payment() -> dict:
    return {"id": "evt_crash", "object": "event", "type": "invoice.payment_failed", "created": int(time.time()),
            "data": {"object": {"id": "in_crash", "object": "invoice", "customer": "cus_1", "status": "open",
                                "amount_due": 4900, "currency": "gbp"}}}


def test_a_killed_server_leaves_the_notification_and_the_next_start_sends_it_once(tap_home, make_stand_in):
    port, make_url = free_port(), f"http://127.0.0.1:{make_stand_in.server_port}/hook"
    first = start_server(port, make_url)
    try:
        assert stripe_post(f"http://127.0.0.1:{port}", failed_payment()).status_code == 200
        assert eventually(lambda: MakeStandIn.attempts)  # tried once, told to come back in a minute
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    [held] = Outbox(open_db(tap_home / "tap.db")).rows()
    assert held["state"] == "pending" and held["type"] == "payment.failed"
    MakeStandIn.down = False
    second = start_server(port, make_url)
    try:
        assert eventually(lambda: any(status == 200 for _id, status in MakeStandIn.attempts))
        time.sleep(0.5)  # room for a second delivery, were there one
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(20)
    delivered = [webhook_id for webhook_id, status in MakeStandIn.attempts if status == 200]
    assert delivered == [held["webhook_id"]]  # exactly once, by webhook-id
    assert {webhook_id for webhook_id, _status in MakeStandIn.attempts} == {held["webhook_id"]}  # same id each try
    [row] = Outbox(open_db(tap_home / "tap.db")).rows()
    assert row["state"] == "sent" and json.loads(row["message"])["data"]["invoiceId"] == "in_crash"


def test_a_repeat_of_the_event_queues_nothing_more(tap_home, make_stand_in):
    MakeStandIn.down = False
    port, make_url = free_port(), f"http://127.0.0.1:{make_stand_in.server_port}/hook"
    server = start_server(port, make_url)
    try:
        for _ in range(3):
            assert stripe_post(f"http://127.0.0.1:{port}", failed_payment()).status_code == 200
        assert eventually(lambda: MakeStandIn.attempts)
        time.sleep(0.5)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(20)
    assert len(MakeStandIn.attempts) == 1 and len(Outbox(open_db(tap_home / "tap.db")).rows()) == 1


def test_queue_retry_sends_what_a_stopped_server_left_and_410_dead_letters(tap_home, make_stand_in, settings_for,
                                                                          monkeypatch, no_backoff):
    from tests.cli.helpers import tap
    from totalaudio.services.notify import outbox

    monkeypatch.setenv("MAKE_WEBHOOK_URL", f"http://127.0.0.1:{make_stand_in.server_port}/hook")
    db = open_db(settings_for().db_path)
    with db.conn:
        queued = outbox.hold(settings_for(), db, [{"type": "payment.failed", "data": {"n": 1}},
                                                  {"type": "subscription.changed", "data": {"n": 2}}], "stripe:evt_x")
    assert [q["outcome"] for q in queued] == ["queued", "queued"]
    preview = tap("queue", "retry", "--all", "--dry-run", "--json").json()["outbox"]
    assert [p["outcome"] for p in preview] == ["would send"] * 2 and MakeStandIn.attempts == []
    MakeStandIn.down = False
    sent = tap("queue", "retry", "--all", "--json").json()["outbox"]
    assert [s["outcome"] for s in sent] == ["sent", "sent"]
    assert [a[0] for a in MakeStandIn.attempts] == [q["webhookId"] for q in queued]
    assert tap("queue", "retry", "--all", "--json").json()["outbox"] == []  # nothing twice


def test_make_off_or_not_chosen_queues_nothing(settings_for, tap_home, monkeypatch):
    from totalaudio.services.notify import outbox

    db = open_db(settings_for().db_path)
    assert outbox.hold(settings_for(), db, [{"type": "payment.failed", "data": {}}]) == [
        {"type": "payment.failed", "outcome": "off"}]
    monkeypatch.setenv("MAKE_WEBHOOK_URL", "http://127.0.0.1:9/hook")
    (tap_home.parent / "cwd" / "tap.toml").write_text('[make]\nevents = ["audit.failed"]\n')
    assert outbox.hold(settings_for(), db, [{"type": "payment.failed", "data": {}}])[0]["outcome"] == "not chosen"
    assert Outbox(db).rows() == []


def test_a_gone_webhook_dead_letters_held_messages_with_their_ids(settings_for, tap_home, monkeypatch, no_backoff):
    from pytest_httpserver import HTTPServer

    from totalaudio.services.notify import outbox
    from totalaudio.store.deadletters import DeadLetterStore

    server = HTTPServer(host="127.0.0.1", port=0)  # the server binds a free port itself: no one can take it first
    server.expect_request("/hook").respond_with_data("gone", status=410)
    server.start()
    try:
        monkeypatch.setenv("MAKE_WEBHOOK_URL", server.url_for("/hook"))
        db = open_db(settings_for().db_path)
        with db.conn:
            queued = outbox.hold(settings_for(), db, [{"type": "payment.failed", "data": {"n": i}} for i in range(2)])
        results = outbox.drain(settings_for(), db)
    finally:
        server.stop()
    assert [r["outcome"] for r in results] == ["dead letter", "dead letter"] and len(server.log) == 1  # 410: stop
    letters = DeadLetterStore(db).list("open")
    assert [letter.payload["webhookId"] for letter in letters] == [q["webhookId"] for q in queued]
    assert {r["state"] for r in Outbox(db).rows()} == {"dead letter"}
