"""Campaigns against the stateful Mailchimp fake: exact recipients, never sent twice, reports into events."""

from datetime import datetime, timedelta, timezone

import pytest

from tests.fakes.mailchimp_fake import md5, problem
from totalaudio.errors import InputError, IntegrationError
from totalaudio.services.mailchimp import campaigns as camp
from totalaudio.services.mailchimp import reports as reports
from totalaudio.store.campaigns import CampaignStore
from totalaudio.store.contacts import ContactFilter, ContactStore
from totalaudio.store.db import open_db
from totalaudio.store.mailchimp import SendLedger


@pytest.fixture
def db():
    database = open_db(":memory:")
    ContactStore(database).insert_many([
        {"email": "indie1@radio.com", "genres": ["indie"], "status": "opted-in"},
        {"email": "indie2@radio.com", "genres": ["Indie", "rock"], "status": "opted-in"},
        {"email": "left@radio.com", "genres": ["indie"], "status": "opted-in"},
        {"email": "optout@radio.com", "genres": ["indie"], "status": "unsubscribed"},
        {"email": "jazz@radio.com", "genres": ["jazz"], "status": "opted-in"},
    ])
    return database


def indie(db):
    return list(ContactStore(db).iter(ContactFilter(genre="indie")))


def spec(**kw):
    return camp.CampaignSpec(**{"list_id": "list1", "subject": "New single", "template_id": 7, **kw})


def created(fake, client, db):
    fake.state.add_member("list1", "left@radio.com", "unsubscribed")
    return camp.create(client, db, spec(), indie(db))


def test_create_targets_exactly_the_chosen_subscribed_contacts(fake, client, db):
    result = created(fake, client, db)
    remote = fake.state.campaigns[result.mailchimp_id]
    segment_id = remote["recipients"]["segment_opts"]["saved_segment_id"]
    segment = fake.state.segments["list1"][segment_id]["members"]
    assert segment == {md5("indie1@radio.com"), md5("indie2@radio.com")}
    assert remote["settings"]["subject_line"] == "New single" and remote["settings"]["from_name"] == "Total Audio"
    assert remote["settings"]["reply_to"] == "promo@example.com"
    assert remote["_content"] == {"template": {"id": 7}}
    assert {e.email for e in result.excluded} == {"left@radio.com", "optout@radio.com"}
    row = CampaignStore(db).get(result.id)
    assert (row["mailchimp_id"], row["status"], row["list_id"]) == (result.mailchimp_id, "draft", "list1")
    emails = {ContactStore(db).get(cid).email for cid in CampaignStore(db).contact_ids(result.id)}
    assert emails == {"indie1@radio.com", "indie2@radio.com"}


def test_create_with_html_and_many_recipients_fills_the_segment_in_chunks(fake, client, db):
    ContactStore(db).insert_many([{"email": f"dj{i}@radio.com", "genres": ["pop"]} for i in range(1203)])
    pop = list(ContactStore(db).iter(ContactFilter(genre="pop")))
    result = camp.create(client, db, spec(template_id=None, html="<p>Hi</p>", from_name="Me", reply_to="me@x.com"), pop)
    seg_id = fake.state.campaigns[result.mailchimp_id]["recipients"]["segment_opts"]["saved_segment_id"]
    assert len(fake.state.segments["list1"][seg_id]["members"]) == 1203 == result.recipients
    adds = [b for m, p, b in fake.requests if m == "POST" and p == f"/lists/list1/segments/{seg_id}"]
    assert [len(b["members_to_add"]) for b in adds] == [500, 500, 203]
    assert not any(p == "/lists/list1" and m == "GET" for m, p, _ in fake.requests)  # sender given: no lookup


def test_members_deleted_in_mailchimp_are_left_out_of_the_segment(fake, client, db):
    created(fake, client, db)  # mirrors indie1 and indie2 as subscribed
    del fake.state.members["list1"][md5("indie2@radio.com")]  # deleted in Mailchimp's own UI since
    result = camp.create(client, db, spec(subject="Second", artist="The Band", release="Single"), indie(db))
    assert result.recipients == 1
    assert "indie2@radio.com" in {e.email for e in result.excluded}
    row = CampaignStore(db).get(result.id)
    assert (row["artist"], row["release"]) == ("The Band", "Single")
    assert [ContactStore(db).get(c).email for c in CampaignStore(db).contact_ids(result.id)] == ["indie1@radio.com"]


def test_seed_payload_contacts_resolve_by_email_or_id(db):
    first = ContactStore(db).get("indie1@radio.com")
    found = camp.resolve_contacts(db, ["INDIE2@radio.com", {"id": first.id}, {"email": "jazz@radio.com"}])
    assert [c.email for c in found] == ["indie2@radio.com", "indie1@radio.com", "jazz@radio.com"]
    with pytest.raises(InputError):
        camp.resolve_contacts(db, ["nobody@radio.com"])


def test_send_goes_out_once_and_a_rerun_does_not_send_again(fake, client, db):
    result = created(fake, client, db)
    first = camp.send(client, db, result.id)
    second = camp.send(client, db, result.mailchimp_id)
    assert first.done and not second.done and "not sent" in second.detail
    assert fake.state.send_calls == {result.mailchimp_id: 1}
    assert SendLedger(db).get(result.mailchimp_id)["state"] == "sent"


def test_crash_after_mailchimp_accepted_the_send_never_sends_twice(fake, client, db):
    result = created(fake, client, db)
    fake.fail("POST", r"/actions/send$", 500, after_effect=True, body=problem(500, "Internal Error", "oops")[1])
    with pytest.raises(IntegrationError) as info:
        camp.send(client, db, result.id)
    assert "never sends it twice" in info.value.hint
    assert SendLedger(db).get(result.mailchimp_id)["state"] == "pending"
    again = camp.send(client, db, result.id)
    assert not again.done and again.status == "sent"
    assert fake.state.send_calls == {result.mailchimp_id: 1}
    assert SendLedger(db).get(result.mailchimp_id)["state"] == "sent"


def test_crash_before_the_call_left_only_intent_and_the_rerun_sends(fake, client, db):
    result = created(fake, client, db)
    SendLedger(db).intend(result.mailchimp_id, result.id, None)  # the process died right after this
    assert camp.send(client, db, result.id).done
    assert fake.state.send_calls == {result.mailchimp_id: 1}


def test_recorded_send_with_a_draft_on_mailchimp_is_refused(fake, client, db):
    result = created(fake, client, db)
    SendLedger(db).intend(result.mailchimp_id, result.id, None)
    SendLedger(db).settle(result.mailchimp_id, "sent")
    with pytest.raises(InputError):
        camp.send(client, db, result.id)
    assert fake.state.send_calls == {}


def test_scheduled_campaign_is_not_sent_now(fake, client, db):
    result = created(fake, client, db)
    at = (datetime.now(timezone.utc) + timedelta(days=2)).replace(minute=30, second=0, microsecond=0)
    scheduled = camp.schedule(client, db, result.id, at.strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert scheduled.done and fake.state.campaigns[result.mailchimp_id]["status"] == "schedule"
    sent = camp.send(client, db, result.id)
    assert not sent.done and fake.state.send_calls == {}
    assert CampaignStore(db).get(result.id)["status"] == "scheduled"


@pytest.mark.parametrize("text", ["tomorrow", "2020-01-01T10:00:00Z", "2999-01-01T10:07:00Z"])
def test_bad_schedule_times_are_input_errors(text):
    with pytest.raises(InputError):
        camp.parse_time(text)


def test_test_email_goes_to_the_given_addresses(fake, client, db):
    result = created(fake, client, db)
    assert camp.test(client, db, result.id, ["me@x.com", "you@x.com"]).done
    assert fake.state.campaigns[result.mailchimp_id]["_tests"] == [["me@x.com", "you@x.com"]]


def test_list_marks_the_campaigns_tap_created(fake, client, db):
    result = created(fake, client, db)
    rows = camp.list_campaigns(client, db)
    assert [(r["id"], r["mailchimpId"], r["status"]) for r in rows] == [(result.id, result.mailchimp_id, "save")]


def sent_campaign(fake, client, db):
    result = created(fake, client, db)
    camp.send(client, db, result.id)
    mc = result.mailchimp_id
    fake.state.activity[mc] = [
        {"email_address": "indie1@radio.com", "campaign_id": mc, "list_id": "list1",
         "activity": [{"action": "open", "timestamp": "2026-11-25T21:05:00+00:00", "ip": "1.2.3.4"},
                      {"action": "open", "timestamp": "2026-11-25T22:05:00+00:00", "ip": "1.2.3.4"},
                      {"action": "click", "timestamp": "2026-11-25T22:06:00+00:00", "url": "https://x.co/a"}]},
        {"email_address": "indie2@radio.com", "campaign_id": mc, "list_id": "list1",
         "activity": [{"action": "bounce", "type": "hard", "timestamp": "2026-11-25T21:01:00+00:00"}]}]
    fake.state.unsubscribes[mc] = [{"email_address": "indie1@radio.com", "timestamp": "2026-11-25T23:00:00+00:00",
                                    "reason": "N/A", "campaign_id": mc, "list_id": "list1"}]
    return result


def test_report_stores_events_once_and_updates_contacts(fake, client, db):
    result = sent_campaign(fake, client, db)
    rep = reports.report(client, db, result.id)
    assert rep.emails_sent == 2 and rep.opens["unique"] == 1 and rep.opens["total"] == 2
    assert rep.opens["proxyExcludedTotal"] == 1 and rep.bounces == {"hard": 1, "soft": 0} and rep.unsubscribes == 1
    assert rep.events_new == rep.events_found == 7  # 2 sent, 2 opens, 1 click, 1 bounce, 1 unsubscribe
    kinds = sorted(e["kind"] for e in CampaignStore(db).events_for(ContactStore(db).get("indie1@radio.com").id))
    assert kinds == ["click", "open", "open", "sent", "unsubscribe"]
    assert ContactStore(db).get("indie1@radio.com").status == "unsubscribed"
    assert ContactStore(db).get("indie2@radio.com").status == "bounced"
    row = CampaignStore(db).get(result.id)
    assert (row["sent"], row["opens"], row["clicks"], row["status"]) == (2, 1, 1, "sent")
    again = reports.report(client, db, result.id)
    assert again.events_new == 0 and again.status_changes == ()


def test_report_dry_run_stores_nothing(fake, client, db):
    result = sent_campaign(fake, client, db)
    rep = reports.report(client, db, result.id, dry_run=True)
    assert rep.events_found == 7 and rep.events_new == 0
    assert db.execute("SELECT count(*) FROM events").fetchone()[0] == 0


def test_report_of_a_campaign_made_in_mailchimp_records_it(fake, client, db):
    remote = client.create_campaign({"type": "regular", "recipients": {"list_id": "list1"},
                                     "settings": {"subject_line": "Made by hand"}})
    rep = reports.report(client, db, remote["id"])
    assert CampaignStore(db).get(remote["id"])["subject"] == "Made by hand" and rep.emails_sent == 0
