"""A plugger's week, end to end through the real CLI: import, audit --fix, enrich, sync with Airtable, sync and
campaign with Mailchimp, an unsubscribe travelling back to Airtable, and no campaign sent twice.

Stand-ins on 127.0.0.1: the Airtable and Mailchimp fakes, and the project's example station sites.
"""

from pathlib import Path

import pytest

from tests.cli.helpers import tap
from tests.fakes.airtable_fake import AirtableFake, tap_base
from tests.fakes.mailchimp_fake import MailchimpFake, md5
from tests.sites import Site

SITES = Path(__file__).resolve().parents[2] / "examples" / "sites"


def contacts_csv(path: Path, site_url: str) -> Path:
    rows = [
        "Email,First Name,Last Name,Station,Genres,Status,Contact Type,Website",
        f"ed@stormfm.co.uk,Ed,Vale,Storm FM,,Opted-In,Radio,{site_url}",
        " ED@StormFM.co.uk ,,,Storm FM,Indie,,Radio,",
        "jo@stormfm.co.uk,Jo,Hart,Storm FM,\"Indie, Rock\",Opted-In,Radio,",
        "kim@gmial.com,Kim,Reid,Freelance,Indie,Opted-In,Radio,",
        "sam@lakeside.example,Sam,Okafor,Lakeside Sound,Indie,Opted-In,Radio,",
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def world(tmp_path, monkeypatch):
    """Both fakes and the example Storm FM site, with tap configured to use them."""
    airtable = AirtableFake(rate_limit=None).start()
    contacts_table, _ = tap_base(airtable)
    site = Site(SITES / "storm-fm")
    with MailchimpFake() as mailchimp:
        mailchimp.state.add_list("list1")
        for name, value in {"AIRTABLE_API_KEY": airtable.token, "AIRTABLE_BASE_ID": airtable.base_id,
                            "TAP_AIRTABLE_BASE_URL": airtable.url, "MAILCHIMP_API_KEY": "key-us1",
                            "TAP_MAILCHIMP_BASE_URL": mailchimp.url, "TAP_ENRICH_ALLOW_PRIVATE": "1"}.items():
            monkeypatch.setenv(name, value)
        yield {"airtable": airtable, "contacts": contacts_table, "mailchimp": mailchimp,
               "csv": contacts_csv(tmp_path / "contacts.csv", site.url)}
    site.stop()
    airtable.stop()


def ok(*args):
    result = tap(*args, "--json")
    assert result.code == 0, f"tap {' '.join(map(str, args))}: {result.err}"
    return result.json()


def by_email(table) -> dict:
    return {r["fields"].get("Email"): r["fields"] for r in table.records.values()}


def test_a_plugger_week(world):
    imported = ok("contacts", "import", world["csv"])
    assert (imported["created"], imported["merged"]) == (4, 1)

    fixed = ok("airtable", "audit", "--fix")
    typo = [f for f in fixed["findings"] if f["check"] == "email.typo"]
    assert typo and typo[0]["suggestion"] == "kim@gmail.com"
    assert ok("contacts", "show", "kim@gmail.com")["firstName"] == "Kim"

    enriched = ok("airtable", "enrich", "--limit", "10")
    record = next(r for r in enriched["records"] if r["email"] == "ed@stormfm.co.uk")
    assert record["confidence"] >= 40 and record["scrapedData"]["socialMedia"]
    ed = ok("contacts", "show", "ed@stormfm.co.uk")
    assert ed["enrichmentQuality"] in ("High", "Medium") and ed["contactIntelligence"]
    assert ed["genres"] == ["Indie"]  # a person's entry (merged from the duplicate row) is never overwritten

    first = ok("airtable", "sync")
    assert first["created"] == 4 and first["rejected"] == []
    upstream = by_email(world["contacts"])
    assert set(upstream) == {"ed@stormfm.co.uk", "jo@stormfm.co.uk", "kim@gmail.com", "sam@lakeside.example"}
    assert upstream["ed@stormfm.co.uk"]["Enrichment Quality"] == ed["enrichmentQuality"]
    assert upstream["jo@stormfm.co.uk"]["Status"] == "Opted-In"

    # Someone on the team marks Sam unsubscribed in Airtable; the next sync brings it here.
    sam_id = next(rid for rid, r in world["contacts"].records.items() if r["fields"]["Email"] == "sam@lakeside.example")
    world["contacts"].edit(sam_id, {"Status": "Unsubscribed"})
    assert ok("airtable", "sync", "--pull")["pulled"] >= 1
    assert ok("contacts", "show", "sam@lakeside.example")["status"] == "unsubscribed"

    synced = ok("mailchimp", "sync", "--list", "list1", "--genre", "indie")
    members = world["mailchimp"].state.members["list1"]
    assert members[md5("sam@lakeside.example")]["status"] == "unsubscribed"
    assert members[md5("jo@stormfm.co.uk")]["status"] == "subscribed" and synced["errors"] == []

    # Jo unsubscribes through Mailchimp; the next member sync marks her here, and the Airtable sync there.
    members[md5("jo@stormfm.co.uk")]["status"] = "unsubscribed"
    members[md5("jo@stormfm.co.uk")]["last_changed"] = "2099-01-01T00:00:00+00:00"
    ok("mailchimp", "sync", "--list", "list1", "--genre", "indie")
    assert ok("contacts", "show", "jo@stormfm.co.uk")["status"] == "unsubscribed"
    ok("airtable", "sync", "--push")
    assert by_email(world["contacts"])["jo@stormfm.co.uk"]["Status"] == "Unsubscribed"

    html = world["csv"].with_name("pitch.html")
    html.write_text("<p>New single from The Example Band.</p>", encoding="utf-8")
    campaign = ok("mailchimp", "campaign", "create", "--list", "list1", "--subject", "New single", "--html", html,
                  "--genre", "indie", "--artist", "The Example Band")
    assert (campaign["chosen"], campaign["recipients"]) == (4, 2)  # nobody unsubscribed is emailed
    assert sorted(e["email"] for e in campaign["excluded"]) == ["jo@stormfm.co.uk", "sam@lakeside.example"]
    sent = ok("mailchimp", "campaign", "send", campaign["id"], "--yes")
    again = ok("mailchimp", "campaign", "send", campaign["id"], "--yes")
    assert sent["done"] is True and again["done"] is False
    pushed = ok("airtable", "sync", "--push")
    assert pushed["rejected"] == []
    campaigns = [r["fields"] for r in world["airtable"].table("Campaigns").records.values()]
    assert [c["Name"] for c in campaigns] == ["New single"] and campaigns[0]["Artist"] == "The Example Band"
