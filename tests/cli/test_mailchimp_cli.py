"""`tap mailchimp ...` end to end: real CLI, real SDK, the stateful Mailchimp fake on loopback."""

import json

import pytest

from tests.cli.helpers import tap
from tests.fakes.mailchimp_fake import MailchimpFake, md5

CSV = """Email,First Name,Last Name,Station,Genres,Status,Contact Type
indie1@radio.com,Ann,One,KEXP,"indie, rock",Opted-In,Radio
indie2@radio.com,Bob,Two,BBC 6,indie,Opted-In,Radio
left@radio.com,Cat,Three,NTS,indie,Opted-In,Radio
gone@radio.com,Dan,Four,NTS,indie,Unsubscribed,Radio
jazz@radio.com,Eve,Five,WBGO,jazz,Opted-In,Radio
"""


@pytest.fixture
def fake(monkeypatch, tmp_path):
    with MailchimpFake() as server:
        server.state.add_list("list1")
        server.state.add_member("list1", "left@radio.com", "unsubscribed")
        monkeypatch.setenv("MAILCHIMP_API_KEY", "key-us1")
        monkeypatch.setenv("TAP_MAILCHIMP_BASE_URL", server.url)
        path = tmp_path / "contacts.csv"
        path.write_text(CSV, encoding="utf-8")
        assert tap("contacts", "import", str(path)).code == 0
        yield server


def test_audiences_json(fake):
    result = tap("mailchimp", "audiences", "--json")
    assert result.code == 0, result.err
    assert result.json()[0]["id"] == "list1" and result.json()[0]["unsubscribeCount"] == 1


def test_sync_by_genre_reports_kept_members_and_marks_them_locally(fake):
    dry = tap("mailchimp", "sync", "--list", "list1", "--genre", "indie", "--dry-run", "--json")
    assert dry.code == 0 and dry.json()["dryRun"] is True and fake.calls == 0
    result = tap("mailchimp", "sync", "--list", "list1", "--genre", "indie", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert (data["selected"], data["sent"], data["optedOut"], data["apiCalls"], data["memberCalls"]) == (4, 4, 1, 2, 2)
    assert not {"tagCalls", "tagsCreated", "tagErrors"} & set(data) and data["tagged"] == 7
    tags = {m["email_address"]: [t["name"] for t in m["tags"]] for m in fake.state.members["list1"].values()}
    assert tags == {"indie1@radio.com": ["indie", "rock", "radio"], "indie2@radio.com": ["indie", "radio"],
                    "gone@radio.com": ["indie", "radio"], "left@radio.com": []}  # left: kept, not updated
    assert data["kept"] == [{"email": "left@radio.com", "status": "unsubscribed"}]
    assert data["statusChanges"][0]["email"] == "left@radio.com" and data["runId"]
    shown = tap("contacts", "show", "left@radio.com", "--json").json()
    assert shown["status"] == "unsubscribed"
    assert md5("jazz@radio.com") not in fake.state.members["list1"]


def test_sync_text_summary_counts_tags_and_calls(fake):
    result = tap("mailchimp", "sync", "--list", "list1", "--genre", "jazz")
    assert result.code == 0, result.err
    assert "Sent 1 of 1 contacts" in result.out and "2 member tags added, 1 API calls" in result.out
    assert [t["name"] for t in fake.state.members["list1"][md5("jazz@radio.com")]["tags"]] == ["jazz", "radio"]


def test_campaign_from_seed_payload_send_confirm_and_report(fake, tmp_path):
    payload = {"listId": "list1", "subject": "New single", "templateId": 12,
               "contacts": ["indie1@radio.com", "indie2@radio.com", "left@radio.com"]}
    created = tap("mailchimp", "campaign", "create", "--from-json", "-", "--json", stdin=json.dumps(payload))
    assert created.code == 0, created.err
    data = created.json()
    assert data["recipients"] == 2 and data["mailchimpId"] and data["id"].startswith("cmp_")
    refused = tap("mailchimp", "campaign", "send", data["id"], stdin="n\n")
    assert refused.code == 130 and fake.state.send_calls == {}
    sent = tap("mailchimp", "campaign", "send", data["id"], "--yes", "--json")
    assert sent.code == 0 and sent.json()["done"] is True
    again = tap("mailchimp", "campaign", "send", data["mailchimpId"], "--yes", "--json")
    assert again.code == 0 and again.json()["done"] is False
    assert fake.state.send_calls == {data["mailchimpId"]: 1}
    listed = tap("mailchimp", "campaign", "list", "--json").json()
    assert listed[0]["id"] == data["id"] and listed[0]["status"] == "sent"
    report = tap("mailchimp", "campaign", "report", data["id"], "--json")
    assert report.code == 0, report.err
    rep = report.json()
    assert rep["emailsSent"] == 2 and rep["eventsNew"] == 2 and "proxyExcludedUnique" in rep["opens"]
    assert {m["email"] for m in rep["members"]} == {"indie1@radio.com", "indie2@radio.com"}


def test_campaign_create_with_filters_and_html(fake, tmp_path):
    html = tmp_path / "pitch.html"
    html.write_text("<p>Listen</p>", encoding="utf-8")
    result = tap("mailchimp", "campaign", "create", "--list", "list1", "--subject", "Jazz", "--html", str(html),
                 "--genre", "jazz", "--from-name", "Me", "--reply-to", "me@x.com", "--json")
    assert result.code == 0, result.err
    remote = fake.state.campaigns[result.json()["mailchimpId"]]
    assert remote["_content"] == {"html": "<p>Listen</p>"} and remote["settings"]["from_name"] == "Me"


def test_campaign_create_needs_exactly_one_content(fake):
    result = tap("mailchimp", "campaign", "create", "--list", "list1", "--subject", "S", "--json")
    assert result.code == 2 and result.err_json()["error"]["type"] == "input"


def test_campaign_test_and_schedule(fake):
    created = tap("mailchimp", "campaign", "create", "--list", "list1", "--subject", "S", "--template-id", "3",
                  "--genre", "indie", "--json").json()
    tested = tap("mailchimp", "campaign", "test", created["id"], "--emails", "a@x.com, b@x.com", "--json")
    assert tested.code == 0 and fake.state.campaigns[created["mailchimpId"]]["_tests"] == [["a@x.com", "b@x.com"]]
    bad = tap("mailchimp", "campaign", "schedule", created["id"], "--at", "2020-01-01T00:00:00Z", "--json")
    assert bad.code == 2
    ok = tap("mailchimp", "campaign", "schedule", created["id"], "--at", "2999-01-01T09:15:00Z", "--json")
    assert ok.code == 0 and ok.json()["status"] == "scheduled"


def test_rejections_and_failures_use_the_documented_exit_codes(fake, monkeypatch):
    unknown = tap("mailchimp", "campaign", "report", "nope", "--json")
    assert unknown.code == 4 and unknown.err_json()["error"]["status"] == 404 and unknown.out == ""
    monkeypatch.delenv("MAILCHIMP_API_KEY")
    missing = tap("mailchimp", "audiences", "--json")
    assert missing.code == 3 and "MAILCHIMP_API_KEY" in missing.err


def test_from_json_file_and_bad_payloads(fake, tmp_path):
    good = tmp_path / "seed.json"
    good.write_text(json.dumps({"listId": "list1", "subject": "S", "templateId": "12",
                                "contacts": [{"email": "indie1@radio.com"}]}), encoding="utf-8")
    result = tap("mailchimp", "campaign", "create", "--from-json", str(good), "--json")
    assert result.code == 0, result.err
    assert result.json()["recipients"] == 1
    bad = tmp_path / "bad.json"
    bad.write_text("{nope", encoding="utf-8")
    assert tap("mailchimp", "campaign", "create", "--from-json", str(bad), "--json").code == 2
    unknown = tap("mailchimp", "campaign", "create", "--from-json", "-", "--json", stdin=json.dumps(
        {"listId": "list1", "subject": "S", "templateId": 1, "contacts": ["nobody@radio.com"]}))
    assert unknown.code == 2 and "not in the local store" in unknown.err


def test_merge_tags_come_from_tap_toml(fake):
    from pathlib import Path

    Path("tap.toml").write_text('[mailchimp.merge_fields]\nstation = "RADIO"\nshow = ""\n', encoding="utf-8")
    assert tap("mailchimp", "sync", "--list", "list1", "--genre", "jazz", "--json").code == 0
    member = fake.state.members["list1"][md5("jazz@radio.com")]
    assert member["merge_fields"] == {"FNAME": "Eve", "LNAME": "Five", "RADIO": "WBGO"}


def test_unknown_merge_field_is_a_config_error(fake):
    from pathlib import Path

    Path("tap.toml").write_text('[mailchimp.merge_fields]\nshoe_size = "SHOE"\n', encoding="utf-8")
    result = tap("mailchimp", "sync", "--list", "list1", "--json")
    assert result.code == 3 and "shoe_size" in result.err
