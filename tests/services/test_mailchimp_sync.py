"""Audience sync against the stateful Mailchimp fake: batches, compliance, statuses pulled back, faults."""

import pytest

from tests.fakes.mailchimp_fake import MailchimpFake, md5, problem
from totalaudio.clients.mailchimp import COMPLIANCE_HINT, MailchimpClient
from totalaudio.errors import IntegrationError
from totalaudio.services import mailchimp as svc
from totalaudio.store.contacts import ContactStore
from totalaudio.store.db import open_db
from totalaudio.store.runs import Journal, RunLog


@pytest.fixture
def fake():
    with MailchimpFake() as server:
        server.state.add_list("list1")
        yield server


@pytest.fixture
def client(fake):
    return MailchimpClient("key-us1", "us1", fake.url, sleep=lambda s: None)


@pytest.fixture
def db():
    return open_db(":memory:")


def add(db, *rows):
    ContactStore(db).insert_many([{"status": "opted-in", **r} for r in rows])
    return list(ContactStore(db).iter())


def batch_bodies(fake):
    return [body for method, path, body in fake.requests if method == "POST" and path == "/lists/list1"]


def status_of(db, email):
    return ContactStore(db).get(email).status


def test_sync_upserts_members_with_merge_fields_and_tags(fake, client, db):
    contacts = add(db, {"email": "Jo@Radio.com", "first_name": "Jo", "last_name": "Bloggs", "station": "KEXP",
                        "show": "Morning", "genres": ["indie", "rock"], "contact_type": "radio"})
    result = svc.sync(client, db, "list1", contacts)
    member = fake.state.members["list1"][md5("jo@radio.com")]
    assert member["status"] == "subscribed"
    assert member["merge_fields"] == {"FNAME": "Jo", "LNAME": "Bloggs", "STATION": "KEXP", "SHOW": "Morning"}
    assert [t["name"] for t in member["tags"]] == ["indie", "rock", "radio"]
    assert (result.sent, result.created, result.batches, result.api_calls) == (1, 1, 1, 1)


def test_sync_never_asks_for_subscribed_and_keeps_unsubscribed_members(fake, client, db):
    fake.state.add_member("list1", "left@radio.com", "unsubscribed")
    fake.state.add_member("list1", "dead@radio.com", "cleaned")
    contacts = add(db, {"email": "left@radio.com"}, {"email": "dead@radio.com"}, {"email": "new@radio.com"},
                   {"email": "optout@radio.com", "status": "unsubscribed"},
                   {"email": "b@radio.com", "status": "bounced"})
    result = svc.sync(client, db, "list1", contacts, run_id=None)
    sent = [m for body in batch_bodies(fake) for m in body["members"]]
    assert all(m.get("status") != "subscribed" for m in sent)
    assert {m["email_address"]: m.get("status") for m in sent}["optout@radio.com"] == "unsubscribed"
    assert "b@radio.com" not in {m["email_address"] for m in sent}
    members = fake.state.members["list1"]
    assert members[md5("left@radio.com")]["status"] == "unsubscribed"
    assert members[md5("dead@radio.com")]["status"] == "cleaned"
    assert members[md5("optout@radio.com")]["status"] == "unsubscribed"
    assert {(k.email, k.status) for k in result.kept} == {("left@radio.com", "unsubscribed"),
                                                          ("dead@radio.com", "cleaned")}
    assert [s.email for s in result.skipped] == ["b@radio.com"]
    assert status_of(db, "left@radio.com") == "unsubscribed" and status_of(db, "dead@radio.com") == "cleaned"
    assert status_of(db, "new@radio.com") == "opted-in"


def test_status_changes_are_journaled(fake, client, db):
    fake.state.add_member("list1", "left@radio.com", "unsubscribed")
    contacts = add(db, {"email": "left@radio.com"})
    run_id = RunLog(db).start("mailchimp sync")
    svc.sync(client, db, "list1", contacts, run_id=run_id)
    entries = [e for e in Journal(db).entries(run_id) if e["entity"] == "contact"]
    assert entries[0]["before"] == {"status": "opted-in"} and entries[0]["after"] == {"status": "unsubscribed"}
    upstream = [e for e in Journal(db).entries(run_id) if e["target"] == "mailchimp"]
    assert upstream and all(e["state"] == "done" for e in upstream)


def test_partial_batch_failure_is_reported_per_member(fake, client, db):
    fake.state.blocked.add("gone@radio.com")
    contacts = add(db, {"email": "ok@radio.com"}, {"email": "gone@radio.com"})
    result = svc.sync(client, db, "list1", contacts)
    assert result.created == 1 and len(result.errors) == 1
    error = result.errors[0]
    assert error.email == "gone@radio.com" and "compliance state" in error.error
    assert error.explanation == COMPLIANCE_HINT
    again = svc.sync(client, db, "list1", list(ContactStore(db).iter()))
    assert again.sent == 1 and again.unchanged == 1  # the rejected one is tried again, the other is not


def test_resync_sends_only_changes_and_pulls_later_unsubscribes(fake, client, db):
    contacts = add(db, *({"email": f"dj{i}@radio.com"} for i in range(5)))
    svc.sync(client, db, "list1", contacts)
    fake.state.members["list1"][md5("dj3@radio.com")].update(status="unsubscribed",
                                                             last_changed="2099-01-01T00:00:00+00:00")
    calls = fake.calls
    result = svc.sync(client, db, "list1", list(ContactStore(db).iter()))
    assert (result.sent, result.unchanged, result.api_calls) == (0, 5, 1)
    assert fake.requests[calls][1] == "/lists/list1/members" and fake.calls == calls + 1
    assert status_of(db, "dj3@radio.com") == "unsubscribed"
    assert [c.email for c in result.status_changes] == ["dj3@radio.com"]


def test_large_sync_uses_batches_of_500_and_at_most_10_connections(fake, client, db):
    fake.delay = 0.02
    contacts = add(db, *({"email": f"dj{i}@radio.com"} for i in range(2600)))
    result = svc.sync(client, db, "list1", contacts)
    sizes = [len(b["members"]) for b in batch_bodies(fake)]
    assert sorted(sizes) == [100, 500, 500, 500, 500, 500] and result.api_calls == 6
    assert result.created == 2600 and len(fake.state.members["list1"]) == 2600
    assert 1 < fake.max_in_flight <= 10


def test_rate_limited_batch_is_retried(fake, client, db):
    fake.fail("POST", r"^/lists/list1$", 429, headers={"Retry-After": "0"},
              body=problem(429, "Too Many Requests", "You have exceeded the limit of 10 simultaneous connections.")[1])
    result = svc.sync(client, db, "list1", add(db, {"email": "jo@radio.com"}))
    assert result.created == 1 and result.api_calls == 2


def test_failed_batch_raises_after_keeping_the_others(fake, client, db):
    contacts = add(db, *({"email": f"dj{i:04d}@radio.com"} for i in range(700)))
    fake.fail("POST", r"^/lists/list1$", 503, times=4, body=problem(503, "Service Unavailable", "down")[1],
              when=lambda body: len(body["members"]) == 200)
    with pytest.raises(IntegrationError) as info:
        svc.sync(client, db, "list1", contacts)
    assert info.value.status == 503 and info.value.retryable
    assert len(fake.state.members["list1"]) == 500
    result = svc.sync(client, db, "list1", list(ContactStore(db).iter()))
    assert (result.sent, result.unchanged, result.created) == (200, 500, 200)
    assert len(fake.state.members["list1"]) == 700


def test_whole_call_compliance_refusal_is_explained(fake, client, db):
    fake.fail("POST", r"^/lists/list1$", 400, body=problem(
        400, "Member In Compliance State", "jo@radio.com is already a list member in compliance state")[1])
    with pytest.raises(IntegrationError) as info:
        svc.sync(client, db, "list1", add(db, {"email": "jo@radio.com"}))
    assert "Member In Compliance State" in info.value.error and "re-subscribe" in info.value.error
    assert not info.value.retryable


def test_empty_error_body_becomes_a_clear_message(fake, client):
    fake.fail("GET", r"^/lists$", 400, body=None)
    with pytest.raises(IntegrationError) as info:
        client.lists()
    assert info.value.error == "HTTP 400: Mailchimp answered HTTP 400 with no explanation"


def test_unreachable_mailchimp_is_an_integration_error():
    client = MailchimpClient("key-us1", "us1", "http://127.0.0.1:9", sleep=lambda s: None)
    with pytest.raises(IntegrationError) as info:
        client.ping()
    assert info.value.retryable and "cannot connect" in info.value.error


def test_dry_run_calls_nothing_and_changes_nothing(fake, db):
    contacts = add(db, {"email": "jo@radio.com"}, {"email": "x@radio.com", "status": "bounced"})
    result = svc.sync(None, db, "list1", contacts, dry_run=True)
    assert (result.dry_run, result.sent, result.batches, len(result.skipped)) == (True, 1, 1, 1)
    assert fake.calls == 0 and db.execute("SELECT count(*) FROM mailchimp_members").fetchone()[0] == 0


def test_audiences_give_member_counts(fake, client):
    fake.state.add_member("list1", "a@radio.com")
    fake.state.add_member("list1", "b@radio.com", "unsubscribed")
    [audience] = svc.audiences(client)
    assert (audience["id"], audience["memberCount"], audience["unsubscribeCount"]) == ("list1", 1, 1)


@pytest.mark.parametrize("status", [None, "opted-in", "pending", "unsubscribed", "bounced", "cleaned",
                                    "do-not-contact", "archived", "something-else"])
def test_no_payload_ever_asks_mailchimp_to_subscribe(status):
    from totalaudio.models import Contact

    entry = svc.member_payload(Contact(id="c1", email="jo@radio.com", status=status))
    assert entry is None or entry.get("status") in (None, "unsubscribed")
    if status in ("unsubscribed", "do-not-contact"):
        assert entry == {"email_address": "jo@radio.com", "merge_fields": {}, "tags": [], "status": "unsubscribed"}
    if status in ("bounced", "cleaned", "archived"):
        assert entry is None


def test_a_base_url_with_server_in_it_is_a_config_error():
    from totalaudio.errors import ConfigError

    with pytest.raises(ConfigError):
        MailchimpClient("key-us1", "us1", "http://mailchimp-server.local")


def test_classify_reads_retry_after_and_request_id_the_sdk_drops():
    from types import SimpleNamespace

    from mailchimp_marketing.api_client import ApiClientError

    from totalaudio.clients.mailchimp import classify

    response = SimpleNamespace(headers={"Retry-After": "7", "X-Request-Id": "abc"})
    failure = classify(ApiClientError({"title": "Too Many Requests", "detail": "slow down"}, 429), response)
    assert (failure.status, failure.retry_after, failure.request_id, failure.retryable) == (429, 7.0, "abc", True)
    assert failure.message == "HTTP 429: Too Many Requests: slow down"
    assert classify(ValueError("a bug")) is None
