"""The receiver over a real socket: Stripe events signed as Stripe signs them (tampered, stale, repeated, 10 MB),
Mailchimp form posts, Make.com signed triggers, rate limits, the access log."""

import json
import logging
import socket
import time

import httpx
import pytest

from tests.waiting import PATIENCE
from tests.webhooks.conftest import MAILCHIMP_SECRET, MAKE_ON, RecordingMake, RecordingStripe, held, make_post, stripe_post
from totalaudio.store.db import open_db


def stored(settings_for, source=None):
    db = open_db(settings_for().db_path)
    sql = "SELECT * FROM webhook_events" + (" WHERE source = ?" if source else "") + " ORDER BY id"
    return list(db.query(sql, [source] if source else []))


def event(event_id="evt_1", kind="invoice.payment_failed"):
    return {"id": event_id, "object": "event", "type": kind, "created": int(time.time()),
            "data": {"object": {"id": "in_1", "object": "invoice", "status": "open"}}}


def test_signed_event_is_stored_handled_and_notified(receiver, settings_for):
    handler = RecordingStripe()
    server = receiver(stripe_handler=handler, make_client=RecordingMake(), **MAKE_ON)
    resp = stripe_post(server.url, event())
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["duplicate"] is False and body["result"]["effects"] == ["applied invoice.payment_failed"]
    assert handler.seen == [("evt_1", "webhook")]
    assert held(settings_for()) == [{"type": "payment.failed", "data": {"eventId": "evt_1"}}]
    [row] = stored(settings_for)
    assert (row["source"], row["event_id"], row["type"], row["status"]) == ("stripe", "evt_1",
                                                                            "invoice.payment_failed", "processed")


def test_repeat_is_acknowledged_and_ignored(receiver, settings_for):
    handler = RecordingStripe()
    server = receiver(stripe_handler=handler, make_client=RecordingMake(), **MAKE_ON)
    first, second = stripe_post(server.url, event()), stripe_post(server.url, event())
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["duplicate"] is True and len(handler.seen) == 1 and len(held(settings_for())) == 1
    [row] = stored(settings_for)
    assert row["repeats"] == 1 and row["attempts"] == 1


@pytest.mark.parametrize("how", ["tampered", "stale", "future", "wrong secret", "unsigned"])
def test_bad_signatures_are_400_and_nothing_is_stored(receiver, settings_for, how):
    handler = RecordingStripe()
    server = receiver(stripe_handler=handler)
    if how == "unsigned":
        resp = httpx.post(server.url + "/stripe", content=json.dumps(event()).encode())
    else:
        # 320 s: a stamp truncated to whole seconds and a server clock that moves on must not bring it inside 300 s
        stamp = {"stale": int(time.time()) - 320, "future": int(time.time()) + 320}.get(how)
        secret = "whsec_someone_else" if how == "wrong secret" else None
        kwargs = {"secret": secret} if secret else {}
        resp = stripe_post(server.url, event(), timestamp=stamp, tamper=how == "tampered", **kwargs)
    assert resp.status_code == 400 and "signature" in resp.json()["error"]
    assert handler.seen == [] and stored(settings_for) == []


def test_signed_garbage_is_400(receiver, settings_for):
    import stripe

    server = receiver()
    for body in ("not json", "[]", '{"id": 5, "type": "x"}'):
        header = stripe.WebhookSignature.generate_signature_header(body, "whsec_stripe_test_secret")
        resp = httpx.post(server.url + "/stripe", content=body.encode(), headers={"stripe-signature": header})
        assert resp.status_code == 400
    assert stored(settings_for) == []


def test_handler_failure_is_recorded_and_a_repeat_runs_it_again(receiver, settings_for):
    from totalaudio.errors import IntegrationError

    calls = []

    def flaky(db, ev, via):
        calls.append(via)
        if len(calls) == 1:
            raise IntegrationError("stripe", "retrieve", "HTTP 503", retryable=True)
        return {"eventId": ev["id"], "effects": ["ok"], "notifications": []}

    server = receiver(stripe_handler=flaky)
    assert stripe_post(server.url, event()).status_code == 503
    [row] = stored(settings_for)
    assert row["status"] == "failed" and "HTTP 503" in row["error"]
    again = stripe_post(server.url, event())
    assert again.status_code == 200 and again.json()["duplicate"] is False and len(calls) == 2
    assert stored(settings_for)[0]["status"] == "processed"


def raw_request(port, head: bytes, body_parts=(), read_timeout=10.0) -> bytes:
    """Send a request by hand (headers, then parts of a body) and read what the server answers."""
    with socket.create_connection(("127.0.0.1", port), timeout=read_timeout) as sock:
        sock.sendall(head)
        try:
            for part in body_parts:
                sock.sendall(part)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = b""
        try:
            while b"\r\n\r\n" not in answer:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
        except ConnectionResetError:
            pass
        return answer


def test_10_mb_body_is_refused_by_its_length_without_reading_it(receiver, settings_for):
    server = receiver()
    head = (b"POST /stripe HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Stripe-Signature: t=1,v1=00\r\nContent-Length: 10485760\r\n\r\n")
    started = time.monotonic()
    answer = raw_request(server.port, head, [b"{" + b" " * 65535])  # 64 KB of the 10 MB, then wait for the answer
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert time.monotonic() - started < 5 and stored(settings_for) == []


def test_chunked_body_is_refused_once_it_passes_1_mb(receiver, settings_for):
    server = receiver()
    head = b"POST /stripe HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nStripe-Signature: t=1,v1=00\r\n\r\n"
    chunk = b"10000\r\n" + b"a" * 0x10000 + b"\r\n"  # 64 KB chunks; 2 MB sent and the body never ended
    answer = raw_request(server.port, head, [chunk] * 32)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert stored(settings_for) == []


def test_10_mb_body_through_a_client(receiver):
    server = receiver()
    try:
        resp = httpx.post(server.url + "/stripe", content=b"x" * (10 * 1024 * 1024), headers={"stripe-signature": "t=1"})
        assert resp.status_code == 413
    except (httpx.WriteError, httpx.RemoteProtocolError, httpx.ReadError):
        pass  # the server answered 413 and closed while the client was still writing: refused either way
    assert httpx.get(server.url + "/healthz").json()["ok"] is True


def seed_contacts(settings_for):
    from totalaudio.store.contacts import ContactStore

    db = open_db(settings_for().db_path)
    ContactStore(db).insert_many([{"email": "dj@station.fm", "first_name": "Sam", "status": "opted-in"},
                                  {"email": "host@radio.org", "first_name": "Ann", "status": "opted-in"}])
    return db


def contact(db, email):
    return next(db.query("SELECT * FROM contacts WHERE email_norm = ?", [email]), None)


def mc_post(server, body: str, secret=MAILCHIMP_SECRET):
    return httpx.post(f"{server.url}/mailchimp/{secret}", content=body.encode(),
                      headers={"content-type": "application/x-www-form-urlencoded"}, timeout=PATIENCE)


def test_mailchimp_ping_and_wrong_secret(receiver):
    server = receiver()
    assert httpx.get(f"{server.url}/mailchimp/{MAILCHIMP_SECRET}").status_code == 200
    assert httpx.get(f"{server.url}/mailchimp/wrong").status_code == 404
    assert mc_post(server, "type=unsubscribe&data[email]=dj@station.fm", secret="wrong").status_code == 404


def test_mailchimp_events_change_contacts_journaled(receiver, settings_for):
    db = seed_contacts(settings_for)
    server = receiver()
    before = contact(db, "dj@station.fm")["updated_at"]
    time.sleep(1.01)  # updated_at has second precision; the Airtable sync pushes rows changed since its last run
    unsub = ("type=unsubscribe&fired_at=2026-12-02+05%3A00%3A00&data[action]=unsub&data[reason]=manual"
             "&data[email]=DJ%40station.fm&data[list_id]=a1b2&data[merges][FNAME]=Sam")
    assert mc_post(server, unsub).status_code == 200
    assert mc_post(server, unsub).json()["duplicate"] is True
    row = contact(db, "dj@station.fm")
    assert row["status"] == "unsubscribed" and row["updated_at"] > before
    profile = "type=profile&data[email]=host@radio.org&data[merges][FNAME]=Annie&data[merges][LNAME]=Lee"
    assert mc_post(server, profile).json()["result"]["changes"][0]["after"] == "Annie"
    assert (contact(db, "host@radio.org")["first_name"], contact(db, "host@radio.org")["last_name"]) == ("Annie", "Lee")
    move = "type=upemail&data[old_email]=host@radio.org&data[new_email]=ann@radio.org&data[list_id]=a1b2"
    assert mc_post(server, move).status_code == 200 and contact(db, "ann@radio.org")["first_name"] == "Annie"
    assert mc_post(server, "type=cleaned&data[email]=ann@radio.org&data[reason]=hard").status_code == 200
    assert contact(db, "ann@radio.org")["status"] == "cleaned"
    ops = [(r["entity"], r["op"], json.loads(r["after"])) for r in db.query("SELECT * FROM journal ORDER BY id")]
    assert ops[0] == ("contact", "update", {"status": "unsubscribed"}) and len(ops) == 4
    [run] = list(db.query("SELECT id, command, status FROM runs"))
    assert (run["command"], run["status"]) == ("webhooks serve", "running")  # the server's session
    assert {r["run_id"] for r in db.query("SELECT run_id FROM journal")} == {run["id"]}


def test_mailchimp_bad_posts(receiver, settings_for):
    server = receiver()
    assert mc_post(server, "type=subscribe&data[email]=new@x.org").json()["result"]["ignored"]
    assert mc_post(server, "no form here").status_code == 400
    assert mc_post(server, "data[email]=a@b.c").status_code == 400
    assert mc_post(server, "type=profile&data" + "[x]" * 5000 + "=1").status_code == 400
    assert mc_post(server, "type=upemail&data[old_email]=a@b.c&data[new_email]=nope").status_code == 422
    assert [r["status"] for r in stored(settings_for)] == ["processed", "failed"]


def test_make_triggers_import_create_and_audit(receiver, settings_for):
    server = receiver(make_client=RecordingMake(), **MAKE_ON)
    rows = [{"email": "a@station.fm", "name": "Alex Doe", "station": "Station FM"}, {"email": "not an email"}]
    imp = make_post(server.url, {"action": "contacts.import", "data": {"rows": rows}}, msg_id="msg_imp")
    assert imp.status_code == 200, imp.text
    result = imp.json()["result"]["import"]
    assert (result["created"], len(result["rejected"])) == (1, 1)
    camp = make_post(server.url, {"action": "campaign.create", "data": {"name": "Spring single", "artist": "Ava",
                                                                        "contacts": ["a@station.fm"]}}, msg_id="msg_c")
    assert camp.status_code == 200 and camp.json()["result"]["campaign"]["contacts"] == 1
    audit = make_post(server.url, {"action": "audit.run", "data": {"minScore": 100}}, msg_id="msg_a")
    summary = audit.json()["result"]["audit"]
    assert audit.status_code == 200 and summary["contacts"] == 1
    assert held(settings_for()) == ([{"type": "audit.failed", "data": summary}] if summary["failed"] else [])
    repeat = make_post(server.url, {"action": "contacts.import", "data": {"rows": rows}}, msg_id="msg_imp")
    assert repeat.json()["duplicate"] is True


def test_make_bad_signatures_and_bodies(receiver, settings_for):
    from datetime import datetime, timedelta, timezone

    server = receiver()
    body = {"action": "audit.run", "data": {}}
    assert make_post(server.url, body, secret="whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY").status_code == 401
    stale = datetime.now(timezone.utc) - timedelta(minutes=6)
    assert make_post(server.url, body, when=stale).status_code == 401
    assert httpx.post(server.url + "/make", content=b"{}").status_code == 401
    assert make_post(server.url, {"action": "rm -rf"}).status_code == 400
    assert make_post(server.url, {"action": "campaign.create", "data": {"name": "X", "contacts": ["who@x.org"]}},
                     msg_id="msg_unknown").status_code == 422
    assert [r["status"] for r in stored(settings_for)] == ["failed"]


def test_sources_without_secrets_are_off(receiver, settings_for):
    server = receiver(STRIPE_WEBHOOK_SECRET="", TAP_MAKE_TRIGGER_SECRET="", TAP_MAILCHIMP_WEBHOOK_SECRET="")
    assert stripe_post(server.url, event()).status_code == 503
    assert make_post(server.url, {"action": "audit.run"}).status_code == 503
    assert httpx.get(f"{server.url}/mailchimp/").status_code == 404
    assert httpx.get(server.url + "/healthz").json()["sources"] == {"stripe": False, "mailchimp": False,
                                                                    "make": False}


def test_rate_limit_per_source(receiver, tap_home, still_clock):
    (tap_home.parent / "cwd" / "tap.toml").write_text("[webhooks]\nrate_limit = 1\nburst = 3\n")
    server = receiver()
    with httpx.Client() as client:
        answers = [client.get(server.url + "/healthz") for _ in range(8)]
    codes = [a.status_code for a in answers]
    assert codes == [200] * 3 + [429] * 5  # a burst of 3, and the clock stands still: nothing refills
    limited = answers[codes.index(429)]
    assert int(limited.headers["retry-after"]) >= 1 and "too many" in limited.json()["error"]
    assert stripe_post(server.url, event()).status_code == 200  # another source has its own budget


def test_access_log_masks_the_mailchimp_secret(receiver, caplog):
    caplog.set_level(logging.INFO, logger="tap.webhooks.access")
    server = receiver()
    httpx.get(f"{server.url}/mailchimp/{MAILCHIMP_SECRET}?k={MAILCHIMP_SECRET}")
    stripe_post(server.url, event())
    lines = [r.getMessage() for r in caplog.records if r.name == "tap.webhooks.access"]
    assert any('"GET /mailchimp/**** HTTP' not in line and "/mailchimp/****" in line for line in lines)
    assert any('"POST /stripe" 200' in line for line in lines)
    assert not any(MAILCHIMP_SECRET in line or "whsec_" in line for line in lines)
