"""The real mailchimp-marketing SDK, through MailchimpClient, against Prism serving Mailchimp's official API
description: every request tap sends must be valid (Prism reports violations in the sl-violations header)."""

import hashlib
import json

import pytest

from tests import standins
from totalaudio.clients.mailchimp import MailchimpClient, subscriber_hash
from totalaudio.services import mailchimp as svc
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
    members = [{"email_address": "jo@example.com", "status_if_new": "subscribed",
                "merge_fields": {"FNAME": "Jo", "STATION": "KEXP"}, "tags": ["indie", "radio"]},
               {"email_address": "out@example.com", "status": "unsubscribed", "merge_fields": {}, "tags": []}]
    client.batch_members("l1", members)
    sent = json.loads(recorder.exchanges[-1][0].body)
    assert sent["update_existing"] is True and "status" not in sent["members"][0]
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
    """A wrong body is reported, so the empty lists above mean something."""
    from totalaudio.errors import IntegrationError

    with pytest.raises(IntegrationError) as info:
        client.batch_members("l1", [{"email_address": "jo@example.com", "status": "maybe"}])
    assert info.value.status == 422 and violations(recorder)


def test_sync_service_sends_only_valid_batches(client, recorder):
    db = open_db(":memory:")
    ContactStore(db).insert_many([{"email": f"dj{i}@example.com", "first_name": "DJ", "genres": ["indie"],
                                   "status": "opted-in", "station": "KEXP"} for i in range(3)]
                                 + [{"email": "gone@example.com", "status": "unsubscribed"}])
    result = svc.sync(client, db, "l1", list(ContactStore(db).iter()))
    assert result.sent == 4 and result.batches == 1 and result.api_calls == 1
    assert violations(recorder) == []
