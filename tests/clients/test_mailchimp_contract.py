"""The real mailchimp-marketing SDK, through MailchimpClient, against Prism serving Mailchimp's official API
description: every request tap sends must be valid (Prism reports violations in the sl-violations header)."""

import hashlib
import json

import pytest

from tests import standins
from totalaudio.clients.mailchimp import MailchimpClient, subscriber_hash
from totalaudio.services.mailchimp import audience as svc
from totalaudio.store.contacts import ContactStore
from totalaudio.store.db import open_db


@pytest.fixture
def recorder(monkeypatch):
    return standins.RequestsRecorder(monkeypatch)


@pytest.fixture
def client(prism_mailchimp):
    return MailchimpClient("key-us1", "us1", prism_mailchimp.url, sleep=lambda s: None)


def violations(recorder):
    return [json.loads(v) for v in recorder.violations()]


def test_every_read_is_valid_against_the_spec(client, recorder):
    assert client.ping()["health_status"]
    assert client.lists() and client.get_list("l1")
    assert list(client.members("l1", since="2026-11-01T00:00:00+00:00", status="unsubscribed"))
    client.member("l1", "Jo@Example.com")
    client.campaign("c1")
    client.campaigns("l1", 50)
    report = client.report("c1")
    assert {"proxy_excluded_opens", "proxy_excluded_unique_opens", "proxy_excluded_open_rate"} <= set(report["opens"])
    list(client.email_activity("c1")), list(client.sent_to("c1")), list(client.unsubscribes("c1"))
    assert recorder.exchanges and violations(recorder) == []


def test_member_lookup_uses_the_md5_of_the_lowercased_address(client, recorder):
    client.member("l1", " Jo@Example.COM ")
    assert recorder.exchanges[-1][0].path_url.endswith("/members/" + subscriber_hash("jo@example.com"))
    assert subscriber_hash("Jo@Example.com") == hashlib.md5(b"jo@example.com").hexdigest()


def test_writes_are_valid_against_the_spec(client, recorder):
    members = [{"email_address": "jo@example.com", "status": "subscribed",
                "merge_fields": {"FNAME": "Jo", "STATION": "KEXP"}, "tags": ["indie", "radio"]},
               {"email_address": "out@example.com", "status": "unsubscribed", "merge_fields": {}, "tags": []}]
    client.batch_members("l1", members)
    client.batch_members("l1", members[:1], update_existing=False)
    bodies = [json.loads(r.body) for r, _ in recorder.exchanges]
    assert [(b["update_existing"], b["sync_tags"]) for b in bodies] == [(True, False), (False, False)]
    assert all(set(m) == {"email_address", "status", "merge_fields", "tags"} for b in bodies for m in b["members"])
    segment = client.create_segment("l1", "tap cmp_1", ["jo@example.com"])
    client.add_segment_members("l1", 12, ["jo@example.com"])
    body = {"type": "regular", "settings": {"subject_line": "New single", "title": "New single", "from_name": "TA",
                                            "reply_to": "promo@example.com"},
            "recipients": {"list_id": "l1", "segment_opts": {"saved_segment_id": 12}}}
    client.create_campaign(body)
    client.set_content("c1", {"template": {"id": 42}})
    client.set_content("c1", {"html": "<p>Hello</p>"})
    client.send_test("c1", ["me@example.com"])
    client.schedule("c1", "2026-12-01T09:15:00+00:00")
    assert segment and violations(recorder) == []


def test_send_reports_only_the_sdks_null_body(client, recorder):
    """mailchimp-marketing sends the JSON body `null` on campaigns.send(): that one violation and nothing else."""
    from totalaudio.errors import IntegrationError

    with pytest.raises(IntegrationError):
        client.send("c1")
    found = violations(recorder)
    assert len(recorder.exchanges) == 1  # a send is never retried
    assert len(found) == 1 and [v["code"] for v in found[0]] == [415]
    assert recorder.exchanges[0][0].body in ("null", b"null")


def test_prism_does_check_bodies(client, recorder):
    """A wrong body is reported, so the empty lists above mean something (sent past the client's own check)."""
    from totalaudio.errors import IntegrationError

    with pytest.raises(IntegrationError) as info:
        client._call("lists.batch", client.sdk.lists.batch_list_members, "l1",
                     {"members": [{"email_address": "jo@example.com", "status": "maybe"}]})
    assert info.value.status == 422 and violations(recorder)


def test_batch_tags_and_sync_tags_raise_no_violation(client, recorder):
    """Per-member tags are absent from the v3.0.85 description but allowed by it (additional properties) and
    accepted by Mailchimp (release note of 2022-01-24); sync_tags is in the description."""
    members = [{"email_address": f"dj{i}@example.com", "status": "subscribed", "tags": ["indie", "Radio"]}
               for i in range(500)]
    client.batch_members("l1", members)
    client.batch_members("l1", members[:1], sync_tags=True)
    bodies = [json.loads(r.body) for r, _ in recorder.exchanges]
    assert len(bodies) == 2 and bodies[0]["members"][0]["tags"] == ["indie", "Radio"] and bodies[1]["sync_tags"]
    assert violations(recorder) == []


def test_the_client_refuses_batch_members_outside_the_spec(client, recorder):
    """status_if_new belongs to PUT /lists/{id}/members/{hash}: a batch carrying it, an unknown key, a missing
    status or tags that are not a list of names never leaves; nor sync_tags without update_existing."""
    for member in ({"email_address": "jo@example.com", "status_if_new": "subscribed"},
                   {"email_address": "jo@example.com", "status": "subscribed", "bogus": 1},
                   {"email_address": "jo@example.com", "status": "subscribed", "tags": "indie"},
                   {"email_address": "jo@example.com", "status": "subscribed", "tags": [{"name": "indie"}]},
                   {"email_address": "jo@example.com"}):
        with pytest.raises(ValueError):
            client.batch_members("l1", [member])
    with pytest.raises(ValueError):
        client.batch_members("l1", [{"email_address": "jo@example.com", "status": "subscribed"}],
                             update_existing=False, sync_tags=True)
    assert recorder.exchanges == []


def test_sync_service_sends_only_valid_tagged_batches(client, recorder):
    db = open_db(":memory:")
    ContactStore(db).insert_many([{"email": f"dj{i}@example.com", "first_name": "DJ", "genres": ["indie"],
                                   "contact_type": "radio", "status": "opted-in", "station": "KEXP"}
                                  for i in range(3)] + [{"email": "gone@example.com", "status": "unsubscribed"}])
    result = svc.sync(client, db, "l1", list(ContactStore(db).iter()))
    assert result.sent == 4 and result.member_calls >= 1
    assert not any("/segments" in r.path_url for r, _ in recorder.exchanges)  # no tag calls: tags ride along
    batches = [json.loads(r.body) for r, _ in recorder.exchanges if r.method == "POST" and r.path_url == "/lists/l1"]
    sent = {m["email_address"]: m for b in batches for m in b["members"]}
    assert sent["dj0@example.com"]["tags"] == ["indie", "radio"] and sent["gone@example.com"]["tags"] == []
    assert all(m["status"] in ("subscribed", "unsubscribed") and "status_if_new" not in m for m in sent.values())
    assert all(b["sync_tags"] is False for b in batches)
    assert violations(recorder) == []
