"""Make.com notifications against pytest-httpserver: signed bodies, chosen types, 429 and 5xx retries, 410,
and a receiver that is down and then up again, with `tap queue retry` sending the same webhook-id."""

import json

import pytest
from pytest_httpserver import HTTPServer
from standardwebhooks.webhooks import Webhook
from werkzeug import Response

from tests.cli.helpers import tap
from tests.webhooks.conftest import SIGNING_SECRET
from tests.standins import bound_socket
from tests.waiting import eventually
from totalaudio.errors import ConfigError, InputError, IntegrationError
from totalaudio.services import notify
from totalaudio.store.db import open_db


def received(httpserver):
    return [(dict(req.headers), req.get_data()) for req, _resp in httpserver.log]


@pytest.fixture
def make_env(httpserver, monkeypatch, no_backoff):
    monkeypatch.setenv("MAKE_WEBHOOK_URL", httpserver.url_for("/hook"))
    monkeypatch.setenv("MAKE_API_KEY", "mk-api-key")
    monkeypatch.setenv("MAKE_SIGNING_SECRET", SIGNING_SECRET)
    return httpserver


def test_notification_is_signed_with_standard_webhooks_headers(make_env, settings_for):
    make_env.expect_request("/hook", method="POST").respond_with_data("Accepted")
    assert notify.send(settings_for(), "payment.failed", {"invoice": "in_1", "amount": 4900}) == "sent"
    [(headers, raw)] = received(make_env)
    body = json.loads(raw)
    assert set(body) == {"type", "timestamp", "data"} and body["type"] == "payment.failed"
    assert body["data"] == {"invoice": "in_1", "amount": 4900} and body["timestamp"].endswith("Z")
    assert headers["X-Make-Apikey"] == "mk-api-key" and headers["Webhook-Id"].startswith("msg_")
    lower = {k.lower(): v for k, v in headers.items()}
    assert Webhook(SIGNING_SECRET).verify(raw, lower) == body  # the reference implementation accepts it


def test_unsigned_without_a_signing_secret(make_env, settings_for, monkeypatch):
    monkeypatch.delenv("MAKE_SIGNING_SECRET")
    make_env.expect_request("/hook").respond_with_data("Accepted")
    notify.send(settings_for(), "campaign.sent", {})
    [(headers, _raw)] = received(make_env)
    assert "Webhook-Signature" not in headers and "Webhook-Timestamp" in headers


def test_only_chosen_types_go_and_unknown_ones_are_refused(make_env, settings_for, tap_home):
    toml = tap_home.parent / "cwd" / "tap.toml"
    toml.write_text('[make]\nevents = ["payment.failed"]\n')
    assert notify.send(settings_for(), "campaign.sent", {}) == "not chosen"
    assert received(make_env) == []
    with pytest.raises(InputError, match="unknown notification type"):
        notify.send(settings_for(), "invoice.exploded", {})
    toml.write_text('[make]\nevents = ["payment.failed", "nope"]\n')
    with pytest.raises(ConfigError, match="nope"):
        notify.send(settings_for(), "payment.failed", {})


def test_off_when_make_is_not_configured(settings_for):
    assert notify.send(settings_for(), "payment.failed", {}) == "off"
    result = tap("notify", "test", "--json")
    assert result.code == 3 and "MAKE_WEBHOOK_URL" in result.err_json()["error"]["message"]


def test_429_then_success_keeps_the_webhook_id(make_env, settings_for):
    make_env.expect_ordered_request("/hook").respond_with_data("Too many", status=429, headers={"Retry-After": "0"})
    make_env.expect_ordered_request("/hook").respond_with_data("Accepted")
    assert notify.send(settings_for(), "reply.received", {"from": "dj@station.fm"}) == "sent"
    ids = [h["Webhook-Id"] for h, _ in received(make_env)]
    assert len(ids) == 2 and ids[0] == ids[1]


def test_5xx_is_retried_then_dead_lettered(make_env, settings_for):
    for status in (503, 502):
        make_env.expect_ordered_request("/hook").respond_with_data("busy", status=status)
    make_env.expect_ordered_request("/hook").respond_with_data("Accepted")
    assert notify.send(settings_for(), "contact.enriched", {"id": "c_1"}) == "sent"
    assert len(received(make_env)) == 3
    make_env.clear()
    make_env.expect_request("/hook").respond_with_data("down", status=500)
    [outcome] = notify.send_many(settings_for(), [{"type": "audit.failed", "data": {"score": 40}}])
    assert outcome["outcome"] == "dead letter" and len(received(make_env)) == 4  # every attempt, then given up
    [letter] = tap("queue", "list", "--json").json()
    assert letter["id"] == outcome["deadLetter"] and letter["payload"]["type"] == "audit.failed"


def test_410_stops_sending_and_says_so(make_env, settings_for):
    make_env.expect_request("/hook").respond_with_data("There is no scenario listening", status=410)
    with pytest.raises(IntegrationError) as info:
        notify.send(settings_for(), "payment.failed", {"n": 1})
    assert info.value.status == 410 and "410 Gone" in info.value.hint and len(received(make_env)) == 1
    with pytest.raises(IntegrationError, match="not sent: the scenario's webhook answered 410"):
        notify.send(settings_for(), "payment.failed", {"n": 2})
    assert len(received(make_env)) == 1  # nothing more went to the gone webhook
    outcomes = notify.send_many(settings_for(), [{"type": "subscription.changed", "data": {}}])
    assert outcomes[0]["outcome"] == "dead letter" and len(received(make_env)) == 1
    told = tap("notify", "test", "--type", "payment.failed", "--json")
    assert told.code == 4 and "410 Gone" in told.err_json()["error"]["hint"]
    make_env.clear()
    make_env.expect_request("/hook").respond_with_data("Accepted")  # the scenario is back
    back = tap("notify", "test", "--json")
    assert back.code == 0 and back.json()["goneSince"] and back.json()["sent"] is True
    assert notify.send(settings_for(), "payment.failed", {"n": 3}) == "sent"


def test_410_is_remembered_per_url(make_env, settings_for, monkeypatch, httpserver):
    make_env.expect_request("/hook").respond_with_data("gone", status=410)
    make_env.expect_request("/new").respond_with_data("Accepted")
    with pytest.raises(IntegrationError):
        notify.send(settings_for(), "payment.failed", {})
    monkeypatch.setenv("MAKE_WEBHOOK_URL", httpserver.url_for("/new"))
    assert notify.send(settings_for(), "payment.failed", {}) == "sent"
    row = open_db(settings_for().db_path).execute("SELECT value FROM sync_state WHERE key = 'make.gone'").fetchone()
    assert "/hook" not in row[0] and "http" not in row[0]  # a fingerprint, not the secret URL


def test_receiver_down_then_up_queue_retry_sends_the_same_ids(monkeypatch, settings_for, no_backoff):
    holder = bound_socket()  # bound but not listening: sends are refused, and the port stays ours until the server
    port = holder.getsockname()[1]
    monkeypatch.setenv("MAKE_WEBHOOK_URL", f"http://127.0.0.1:{port}/hook")
    monkeypatch.setenv("MAKE_SIGNING_SECRET", SIGNING_SECRET)
    notes = [{"type": "payment.failed", "data": {"n": i}} for i in range(3)]
    outcomes = notify.send_many(settings_for(), notes)
    assert [o["outcome"] for o in outcomes] == ["dead letter"] * 3
    held = {letter["payload"]["webhookId"] for letter in tap("queue", "list", "--json").json()}
    assert len(held) == 3
    holder.close()
    server = HTTPServer(host="127.0.0.1", port=port)
    server.expect_request("/hook").respond_with_data("Accepted")
    server.start()
    try:
        retried = tap("queue", "retry", "--all", "--json")
        assert retried.code == 0 and retried.json()["resolved"] == 3
        got = [(dict(req.headers), req.get_data()) for req, _ in server.log]
    finally:
        server.stop()
    ids = [h["Webhook-Id"] for h, _ in got]
    assert sorted(ids) == sorted(held) and len(set(ids)) == 3
    for headers, raw in got:
        assert Webhook(SIGNING_SECRET).verify(raw, {k.lower(): v for k, v in headers.items()})["type"] == "payment.failed"
    assert tap("queue", "list", "--json").json() == []


def test_server_notifications_reach_make(receiver, httpserver, no_backoff):
    from tests.webhooks.conftest import stripe_post

    httpserver.expect_request("/hook").respond_with_handler(lambda req: Response("Accepted"))
    server = receiver(MAKE_WEBHOOK_URL=httpserver.url_for("/hook"))
    event = {"id": "evt_9", "type": "customer.subscription.deleted", "data": {"object": {}}}
    assert stripe_post(server.url, event).status_code == 200
    assert eventually(lambda: received(httpserver))  # the sender is woken by the commit
    server.stop()
    [(headers, raw)] = received(httpserver)
    assert json.loads(raw)["type"] == "subscription.changed" and json.loads(raw)["data"] == {"eventId": "evt_9"}
    [run] = tap("db", "runs", "--json").json()
    assert (run["command"], run["status"]) == ("webhooks serve", "ok")  # the session's run ends with the server


def test_send_many_reports_what_it_could_not_send(make_env, settings_for, monkeypatch):
    make_env.expect_request("/hook").respond_with_data("Accepted")
    outcomes = notify.send_many(settings_for(), [{"type": "invoice.exploded", "data": {}},
                                                 {"type": "campaign.sent", "data": {"id": "cmp_1"}}])
    assert outcomes[0]["outcome"] == "not sent" and "unknown notification type" in outcomes[0]["error"]
    assert outcomes[1] == {"type": "campaign.sent", "outcome": "sent"} and len(received(make_env)) == 1
    monkeypatch.setenv("MAKE_SIGNING_SECRET", "not-a-whsec-secret")
    result = tap("notify", "test", "--json")
    assert result.code == 3 and "whsec_" in result.err_json()["error"]["message"]
