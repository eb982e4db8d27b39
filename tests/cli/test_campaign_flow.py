"""A release run as one campaign through the real CLI against the Airtable and Mailchimp fakes: the campaign and
its linked contacts in Airtable's Campaigns, the Mailchimp campaign to exactly those contacts, a stop before
sending, the run from cron resuming there, and the results travelling back to Airtable."""

import pytest

from tests.cli.helpers import tap
from tests.fakes.airtable_fake import AirtableFake, tap_base
from tests.fakes.mailchimp_fake import MailchimpFake, md5


@pytest.fixture
def world(tmp_path, monkeypatch):
    airtable = AirtableFake(rate_limit=None).start()
    contacts, campaigns = tap_base(airtable)
    with MailchimpFake() as mailchimp:
        mailchimp.state.add_list("list1")
        for name, value in {"AIRTABLE_API_KEY": airtable.token, "AIRTABLE_BASE_ID": airtable.base_id,
                            "TAP_AIRTABLE_BASE_URL": airtable.url, "MAILCHIMP_API_KEY": "key-us1",
                            "TAP_MAILCHIMP_BASE_URL": mailchimp.url}.items():
            monkeypatch.setenv(name, value)
        csv = tmp_path / "contacts.csv"
        # Free-mail addresses and no website: nothing for the enrich step to crawl (tests stay offline).
        csv.write_text("Email,First Name,Station,Genres,Status,Contact Type\n"
                       "ed.vale@gmail.com,Ed,Storm FM,Indie,Opted-In,Radio\n"
                       "jo.hart@gmail.com,Jo,Storm FM,Indie,Opted-In,Radio\n"
                       "al.moss@gmail.com,Al,Lakeside,Jazz,Opted-In,Podcast\n", encoding="utf-8")
        yield {"airtable": airtable, "contacts": contacts, "campaigns": campaigns, "mailchimp": mailchimp,
               "csv": csv}
    airtable.stop()


def ok(*args):
    result = tap(*args, "--json")
    assert result.code == 0, f"tap {' '.join(map(str, args))}: {result.err}"
    return result.json()


def test_a_release_as_one_campaign(world):
    ok("contacts", "import", world["csv"])
    made = ok("campaign", "new", "Lights", "--artist", "Nova Lights", "--release", "Lights", "--genre", "indie",
              "--list", "list1", "--template-id", "7")
    assert made["chosen"] == 2 and made["airtable"]["rejected"] == 0
    record = next(iter(world["campaigns"].records.values()))["fields"]
    emails = {world["contacts"].records[rid]["fields"]["Email"] for rid in record["Contacts"]}
    assert record["Name"] == "Lights" and emails == {"ed.vale@gmail.com", "jo.hart@gmail.com"}

    first = ok("campaign", "run", "Lights", "--until", "create")
    assert [(s["step"], s["state"]) for s in first["steps"]] == [("import", "done"), ("enrich", "skipped"),
                                                                ("create", "done")]
    state = world["mailchimp"].state
    (mc_id, remote), = state.campaigns.items()
    segment = state.segments["list1"][remote["recipients"]["segment_opts"]["saved_segment_id"]]["members"]
    assert segment == {md5("ed.vale@gmail.com"), md5("jo.hart@gmail.com")}

    cron = tap("campaign", "run", "Lights", "--json")  # no --yes and no terminal: refuses to send
    assert cron.code == 2 and "--yes" in cron.err_json()["error"]["hint"] and state.campaigns[mc_id]["status"] == "save"
    sent = ok("campaign", "run", "Lights", "--yes")  # sends; replies read Mailchimp only (Gmail not authorised)
    assert state.campaigns[mc_id]["status"] == "sent"
    replies = next(s for s in sent["steps"] if s["step"] == "replies")
    assert replies["state"] == "done" and "not authorised" in replies["detail"]["gmail"]["skipped"]
    status = ok("campaign", "status", "Lights")
    assert [s["state"] for s in status["steps"]] == ["done", "skipped", "done", "done", "done", "done", "done"]

    later = ok("campaign", "run", "Lights", "--from", "report")
    assert [(s["step"], s["state"]) for s in later["steps"]] == [("report", "done"), ("update", "done")]
    assert later["steps"][1]["detail"]["campaign"]["sent"] == 2
    record = next(iter(world["campaigns"].records.values()))["fields"]
    assert record["Status"] == "Sent" or record["Status"] == "sent"
