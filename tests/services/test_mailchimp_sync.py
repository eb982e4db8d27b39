"""Audience sync against the stateful Mailchimp fake: batches, compliance, statuses pulled back, faults."""

import pytest

from tests.fakes.mailchimp_fake import md5, problem
from totalaudio.clients.mailchimp import COMPLIANCE_HINT, MailchimpClient
from totalaudio.errors import IntegrationError
from totalaudio.services.mailchimp import audience as svc
from totalaudio.store.contacts import ContactStore
from totalaudio.store.db import open_db
from totalaudio.store.runs import Journal, RunLog


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
    assert batch_bodies(fake) == [{"members": [{"email_address": "Jo@Radio.com", "status": "subscribed",
                                                "merge_fields": member["merge_fields"],
                                                "tags": ["indie", "rock", "radio"]}],
                                   "update_existing": False, "sync_tags": False}]
    assert (result.sent, result.created, result.batches, result.member_calls) == (1, 1, 1, 1)
    assert (result.tagged, result.api_calls, fake.calls) == (3, 1, 1)  # tags ride in the batch: no other call


def test_sync_never_sends_subscribed_for_an_unsubscribed_or_cleaned_member(fake, client, db):
    fake.state.add_member("list1", "left@radio.com", "unsubscribed")
    fake.state.add_member("list1", "dead@radio.com", "cleaned")
    contacts = add(db, {"email": "left@radio.com"}, {"email": "dead@radio.com"}, {"email": "new@radio.com"},
                   {"email": "optout@radio.com", "status": "unsubscribed"},
                   {"email": "b@radio.com", "status": "bounced"})
    result = svc.sync(client, db, "list1", contacts, run_id=None)
    [create] = batch_bodies(fake)  # the existing two are refused by the create-only pass, then read and kept
    assert create["update_existing"] is False
    assert {m["email_address"]: m["status"] for m in create["members"]} == {
        "left@radio.com": "subscribed", "dead@radio.com": "subscribed", "new@radio.com": "subscribed",
        "optout@radio.com": "unsubscribed"}
    assert [p for m, p, _ in fake.requests if m == "GET"] == [f"/lists/list1/members/{md5(e)}"
                                                              for e in ("left@radio.com", "dead@radio.com")]
    assert "b@radio.com" not in {m["email_address"] for m in create["members"]}
    members = fake.state.members["list1"]
    assert members[md5("left@radio.com")]["status"] == "unsubscribed"
    assert members[md5("dead@radio.com")]["status"] == "cleaned"
    assert members[md5("optout@radio.com")]["status"] == "unsubscribed"
    assert {(k.email, k.status) for k in result.kept} == {("left@radio.com", "unsubscribed"),
                                                          ("dead@radio.com", "cleaned")}
    assert [s.email for s in result.skipped] == ["b@radio.com"] and result.errors == ()
    assert status_of(db, "left@radio.com") == "unsubscribed" and status_of(db, "dead@radio.com") == "cleaned"
    assert status_of(db, "new@radio.com") == "opted-in"
    calls = fake.calls
    again = svc.sync(client, db, "list1", list(ContactStore(db).iter()))
    assert again.kept == () and {s.email for s in again.skipped} == {"b@radio.com", "dead@radio.com"}
    assert [(b["update_existing"], b["members"][0]["email_address"], b["members"][0]["status"])
            for b in batch_bodies(fake)[1:]] == [(True, "left@radio.com", "unsubscribed")]
    assert fake.calls - calls == again.api_calls


def test_existing_members_are_updated_in_a_second_pass_keeping_their_status(fake, client, db):
    fake.state.add_member("list1", "sub@radio.com", "subscribed")
    fake.state.add_member("list1", "wait@radio.com", "pending")
    contacts = add(db, {"email": "sub@radio.com", "first_name": "Sue"}, {"email": "wait@radio.com", "first_name": "W"},
                   {"email": "new@radio.com", "status": "pending"})
    result = svc.sync(client, db, "list1", contacts)
    create, update = batch_bodies(fake)
    assert create["update_existing"] is False and update["update_existing"] is True
    assert {m["email_address"]: m["status"] for m in update["members"]} == {"sub@radio.com": "subscribed",
                                                                            "wait@radio.com": "pending"}
    members = fake.state.members["list1"]
    assert members[md5("sub@radio.com")]["merge_fields"] == {"FNAME": "Sue"}
    assert members[md5("wait@radio.com")]["status"] == "pending" and members[md5("new@radio.com")]["status"] == \
        "pending"
    assert (result.created, result.updated, result.member_calls, result.kept, result.errors) == (1, 2, 4, (), ())
    calls = fake.calls
    again = svc.sync(client, db, "list1", list(ContactStore(db).iter()))
    assert (again.sent, again.unchanged, fake.calls - calls) == (0, 3, 1)  # only the status pull


def test_many_refused_members_are_resolved_with_one_paged_read(fake, client, db):
    for i in range(1500):
        fake.state.add_member("list1", f"dj{i:04d}@radio.com", "unsubscribed" if i % 100 == 0 else "subscribed")
    contacts = add(db, *({"email": f"dj{i:04d}@radio.com"} for i in range(1500)), {"email": "not-an-address"},
                   {"email": "new@radio.com"})
    result = svc.sync(client, db, "list1", contacts)
    reads = [p for m, p, _ in fake.requests if m == "GET" and p.startswith("/lists/list1/members")]
    assert reads == ["/lists/list1/members", "/lists/list1/members"]  # 1,501 members, 1,000 a page
    updates = [b for b in batch_bodies(fake) if b["update_existing"]]
    assert sum(len(b["members"]) for b in updates) == 1485
    assert all(m["status"] == "subscribed" for b in updates for m in b["members"])
    assert len(result.kept) == 15 and all(k.status == "unsubscribed" for k in result.kept)
    assert [e.email for e in result.errors] == ["not-an-address"] and result.created == 1
    assert sum(1 for m in fake.state.members["list1"].values() if m["status"] == "unsubscribed") == 15


def test_fake_refuses_batch_members_outside_the_spec(fake):
    import requests

    for member in ({"email_address": "jo@radio.com", "status_if_new": "subscribed"},
                   {"email_address": "jo@radio.com", "status": "subscribed", "bogus": 1},
                   {"email_address": "jo@radio.com", "status": "subscribed", "tags": "indie"},
                   {"email_address": "jo@radio.com", "status": "subscribed", "tags": [{"name": "indie"}]},
                   {"email_address": "jo@radio.com"}):
        answer = requests.post(fake.url + "/lists/list1", json={"members": [member], "update_existing": True},
                               timeout=5)
        assert answer.status_code == 400 and "could not be validated" in answer.json()["detail"]
    assert fake.state.members["list1"] == {}


def test_fake_adds_batch_tags_to_new_and_existing_members_and_replaces_them_only_with_sync_tags(fake):
    import requests

    fake.state.add_member("list1", "old@radio.com")
    post = lambda members, **flags: requests.post(fake.url + "/lists/list1", json={  # noqa: E731
        "members": members, "update_existing": True, **flags}, timeout=5).json()
    answer = post([{"email_address": "new@radio.com", "status": "subscribed", "tags": ["indie", "Radio"]},
                   {"email_address": "old@radio.com", "status": "subscribed", "tags": ["hand-made"]}])
    assert [t["name"] for t in answer["new_members"][0]["tags"]] == ["indie", "Radio"]
    post([{"email_address": "old@radio.com", "status": "subscribed", "tags": ["INDIE"]}])
    old = fake.state.members["list1"][md5("old@radio.com")]
    assert [t["name"] for t in old["tags"]] == ["hand-made", "indie"]  # added, the existing tag's spelling kept
    assert sorted(s["name"] for s in fake.state.segments["list1"].values()) == ["Radio", "hand-made", "indie"]
    post([{"email_address": "old@radio.com", "status": "subscribed", "tags": ["indie"]}], sync_tags=True)
    assert [t["name"] for t in old["tags"]] == ["indie"] and old["tags_count"] == 1
    assert not any(md5("old@radio.com") in s["members"] for s in fake.state.segments["list1"].values()
                   if s["name"] == "hand-made")


def test_tags_ride_in_the_member_batches(fake, client, db):
    contacts = add(db, *({"email": f"dj{i:04d}@radio.com", "genres": ["indie"] + (["jazz"] if i < 3 else []),
                          "contact_type": "Radio"} for i in range(1100)))
    result = svc.sync(client, db, "list1", contacts)
    assert (result.api_calls, result.batches, result.tagged) == (3, 3, 2203)
    assert [p for _, p, _ in fake.requests] == ["/lists/list1"] * 3
    sent = {m["email_address"]: m["tags"] for b in batch_bodies(fake) for m in b["members"]}
    assert sent["dj0000@radio.com"] == ["indie", "jazz", "Radio"] and sent["dj1099@radio.com"] == ["indie", "Radio"]
    segments = {s["name"]: len(s["members"]) for s in fake.state.segments["list1"].values()}
    assert segments == {"indie": 1100, "jazz": 3, "Radio": 1100}
    more = add(db, {"email": "late@radio.com", "genres": ["INDIE"]})
    again = svc.sync(client, db, "list1", [c for c in more if c.email == "late@radio.com"])
    assert (again.sent, again.tagged, again.api_calls) == (1, 1, 2)  # the status pull, one batch
    assert len(fake.state.segments["list1"]) == 3  # Mailchimp's tag names ignore case


def test_existing_members_get_tap_tags_and_keep_hand_made_ones(fake, client, db):
    fake.state.add_member("list1", "jo@radio.com", tags=[{"id": 99, "name": "VIP"}], tags_count=1)
    contacts = add(db, {"email": "jo@radio.com", "genres": ["indie"], "contact_type": "radio"})
    result = svc.sync(client, db, "list1", contacts)
    create, update = batch_bodies(fake)
    assert create["update_existing"] is False and update["update_existing"] is True
    assert update["members"][0]["tags"] == ["indie", "radio"] and update["sync_tags"] is False
    member = fake.state.members["list1"][md5("jo@radio.com")]
    assert [t["name"] for t in member["tags"]] == ["VIP", "indie", "radio"] and result.tagged == 2
    store = ContactStore(db)
    store.update(store.get("jo@radio.com").id, {"genres": ["jazz"]})
    again = svc.sync(client, db, "list1", list(store.iter()))
    assert again.sent == 1 and batch_bodies(fake)[-1]["members"][0]["tags"] == ["jazz", "radio"]
    assert [t["name"] for t in member["tags"]] == ["VIP", "indie", "radio", "jazz"]  # sync_tags false: added only


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
    assert (result.sent, result.unchanged, result.api_calls) == (0, 4, 1)
    assert result.kept == (svc.Kept("dj3@radio.com", "unsubscribed"),)
    assert fake.requests[calls][1] == "/lists/list1/members" and fake.calls == calls + 1
    assert status_of(db, "dj3@radio.com") == "unsubscribed"
    assert [c.email for c in result.status_changes] == ["dj3@radio.com"]


def test_a_member_unsubscribed_since_the_last_sync_is_pulled_before_anything_is_sent(fake, client, db):
    svc.sync(client, db, "list1", add(db, {"email": "jo@radio.com", "first_name": "Jo"}))
    fake.state.members["list1"][md5("jo@radio.com")].update(status="unsubscribed",
                                                             last_changed="2099-01-01T00:00:00+00:00")
    ContactStore(db).update(ContactStore(db).get("jo@radio.com").id, {"first_name": "Joanne"})
    calls = len(batch_bodies(fake))
    result = svc.sync(client, db, "list1", list(ContactStore(db).iter()))
    assert batch_bodies(fake)[calls:] == [] and result.kept == (svc.Kept("jo@radio.com", "unsubscribed"),)


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


@pytest.mark.parametrize("remote", [None, "subscribed", "pending", "unsubscribed", "cleaned", "transactional",
                                    "archived"])
@pytest.mark.parametrize("status", [None, "opted-in", "pending", "unsubscribed", "bounced", "cleaned",
                                    "do-not-contact", "archived", "something-else"])
def test_no_payload_asks_to_subscribe_an_address_mailchimp_holds_as_gone(status, remote):
    from totalaudio.models import Contact

    entry = svc.member_payload(Contact(id="c1", email="jo@radio.com", status=status), remote=remote)
    assert entry is None or set(entry) == {"email_address", "merge_fields", "status", "tags"}
    if remote in ("unsubscribed", "cleaned", "archived"):
        assert entry is None or entry["status"] == "unsubscribed"
    if remote in ("subscribed", "pending") and entry and status not in ("unsubscribed", "do-not-contact"):
        assert entry["status"] == remote  # an existing member's status is never changed, only opted out
    if status in ("unsubscribed", "do-not-contact"):
        assert entry == {"email_address": "jo@radio.com", "merge_fields": {}, "status": "unsubscribed", "tags": []}
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
