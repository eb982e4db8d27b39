"""``tap airtable enrich`` end to end, against the example station sites served on loopback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import tap
from tests.sites import Site

SITES = Path(__file__).resolve().parents[2] / "examples" / "sites"
# The seed's field names, plus what issue 12 added: crawl (pages read, why it stopped), genreEvidence.
FIELDS = {"email", "domain", "stationName", "websiteUrl", "scrapedData", "confidence", "errors",
          "contactIntelligence", "crawl"}
SCRAPED = {"format", "genres", "genreEvidence", "submissionGuidelines", "contactPreferences", "djNames", "showInfo",
           "contactForms", "socialMedia", "additionalContacts", "rawContent"}


@pytest.fixture(autouse=True)
def no_polite_delay():
    """The loopback server needs no politeness; keeps the tests fast (cwd is the test's empty directory)."""
    Path("tap.toml").write_text("[enrich]\ndelay = 0\n")


@pytest.fixture
def storm():
    site = Site(SITES / "storm-fm")
    yield site
    site.stop()


@pytest.fixture
def contacts_csv(tmp_path, storm) -> Path:
    path = tmp_path / "contacts.csv"
    path.write_text("Email,First Name,Station,Website,Genres\n"
                    f"alfie@stormfm.co.uk,Alfie,Storm FM,{storm.url},\n"
                    f"sam@stormfm.co.uk,Sam,Storm FM,{storm.url},Ambient\n"
                    "someone@gmail.com,Some,,,\n")
    assert tap("contacts", "import", str(path)).code == 0
    return path


def test_url_gives_one_enrichment_record_with_the_seed_field_names(storm, monkeypatch):
    monkeypatch.setenv("TAP_ENRICH_ALLOW_PRIVATE", "1")
    result = tap("airtable", "enrich", "--url", storm.url, "--json")
    assert result.code == 0, result.err
    record = result.json()
    assert set(record) == FIELDS and set(record["scrapedData"]) == SCRAPED
    assert record["email"] is None and record["stationName"] == "Storm FM 106.2"
    assert "music@stormfm.co.uk" in {c["value"] for c in record["scrapedData"]["additionalContacts"]}
    assert 0 <= record["confidence"] <= 100
    assert record["crawl"]["pagesRead"] >= 1 and record["crawl"]["stopReason"]


def test_loopback_is_refused_without_the_setting(storm):
    record = tap("airtable", "enrich", "--url", storm.url, "--json").json()
    assert record["confidence"] == 0 and "non-public address" in record["errors"][0]


def test_contacts_run_json_updates_and_journals(contacts_csv, monkeypatch):
    monkeypatch.setenv("TAP_ENRICH_ALLOW_PRIVATE", "1")
    result = tap("airtable", "enrich", "--json")
    assert result.code == 0, result.err
    out = result.json()
    assert out["selected"] == 2 and out["updated"] == 2 and out["dryRun"] is False and out["runId"]
    assert out["skipped"][0]["email"] == "someone@gmail.com"
    assert all(set(r) == FIELDS for r in out["records"])
    alfie = tap("contacts", "show", "alfie@stormfm.co.uk", "--json").json()
    sam = tap("contacts", "show", "sam@stormfm.co.uk", "--json").json()
    assert "Drum and Bass" in alfie["genres"] and sam["genres"] == ["Ambient"]
    assert alfie["enrichmentQuality"] == "High" and alfie["lastEnriched"]
    again = tap("airtable", "enrich", "--only-missing", "--json").json()
    assert again["selected"] == 0


def test_jsonl_streams_one_record_a_line_and_dry_run_changes_nothing(contacts_csv, monkeypatch):
    monkeypatch.setenv("TAP_ENRICH_ALLOW_PRIVATE", "1")
    result = tap("airtable", "enrich", "--jsonl", "--dry-run", "--limit", "1")
    assert result.code == 0, result.err
    lines = [json.loads(line) for line in result.out.splitlines()]
    assert len(lines) == 1 and lines[0]["email"] == "alfie@stormfm.co.uk"
    assert tap("contacts", "show", "alfie@stormfm.co.uk", "--json").json()["enrichmentQuality"] is None


def test_usage_and_configuration_errors():
    assert tap("airtable", "enrich", "--only-missing", "--refresh").code == 2
    assert tap("airtable", "enrich", "--url", "not a url", "--json").code == 2
    assert tap("airtable", "enrich", "--url", "https://station.example.org", "--ai", "--json").code == 3


def test_push_without_airtable_configuration_fails_before_crawling(contacts_csv, monkeypatch):
    monkeypatch.setenv("TAP_ENRICH_ALLOW_PRIVATE", "1")
    result = tap("airtable", "enrich", "--push", "--json")
    assert result.code == 3 and "AIRTABLE_API_KEY" in result.err
    assert tap("contacts", "show", "alfie@stormfm.co.uk", "--json").json()["lastEnriched"] is None


def test_render_takes_only_auto_always_or_never(storm):
    result = tap("airtable", "enrich", "--url", storm.url, "--render", "sometimes", "--json")
    assert result.code == 2 and "--render" in result.err


def test_render_never_reads_the_static_pages(storm, monkeypatch):
    monkeypatch.setenv("TAP_ENRICH_ALLOW_PRIVATE", "1")
    record = tap("airtable", "enrich", "--url", storm.url, "--render", "never", "--json").json()
    assert record["crawl"]["pagesRendered"] == 0 and record["crawl"]["pagesRead"] >= 1
