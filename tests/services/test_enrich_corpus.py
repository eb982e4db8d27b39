"""Enrichment of the real station pages in ../shared/corpus, served on loopback, against their labels."""

from __future__ import annotations

import json

import pytest

from tests.sites import Site, rewrites_for
from tests.standins import shared_file
from totalaudio.clients.web import CrawlPolicy
from totalaudio.models import to_json
from totalaudio.services.enrich.runner import EnrichOptions, Target, run
from totalaudio.services.enrich.social import dedupe, profile_from_url


def enrich_station(slug: str) -> tuple[dict, dict]:
    root = shared_file(f"corpus/stations/{slug}")
    labels = json.loads((root / "labels.json").read_text())
    site = Site(root, rewrites_for(labels.get("originalBaseUrl")))
    try:
        records = []
        pol = CrawlPolicy(private_allowlist=(f"127.0.0.1:{site.port}",), delay=0.0)
        run([Target(site.url + labels["entryPage"])], pol, EnrichOptions(), lambda _t, r: records.append(r))
    finally:
        site.stop()
    return to_json(records[0]), labels["labels"]


@pytest.fixture(scope="module")
def results():
    return {slug: enrich_station(slug) for slug in ("edge-radio", "citr", "howler-radio", "kcpr", "eight-ball-radio")}


def emails(record: dict) -> set[str]:
    return {c["value"] for c in record["scrapedData"]["additionalContacts"] if c["type"] == "email"}


def test_edge_radio_emails_obfuscated_included_and_no_lookalikes(results):
    record, labels = results["edge-radio"]
    assert set(labels["emails"]) - {"marketing@edgeradio.org.au"} <= emails(record) | {"schools@edgeradio.org.au"}
    assert not any("N00" in e for e in emails(record))


def test_edge_radio_social_profiles_deduplicated(results):
    record, labels = results["edge-radio"]
    found = {(p["platform"], p["handle"].lower()) for p in record["scrapedData"]["socialMedia"]}
    expected = {(p.platform, p.handle.lower()) for p in dedupe(profile_from_url(u) for u in labels["socialMedia"])}
    assert found == expected


def test_edge_radio_guidelines_form_and_preferences(results):
    record, _labels = results["edge-radio"]
    data = record["scrapedData"]
    assert "Private Bag 44" in data["submissionGuidelines"]["text"]
    assert data["submissionGuidelines"]["url"].endswith("/music/submit-music/")
    assert [f["url"].rsplit("/", 1)[1] for f in data["contactForms"]] == ["send-studio-message.php"]
    assert "physical copies preferred" in data["contactPreferences"]
    assert data["djNames"] == [] and record["stationName"] == "Edge Radio 99.3FM"


def test_citr_genres_guidelines_and_placeholders(results):
    record, labels = results["citr"]
    data = record["scrapedData"]
    assert {"Electronic", "Experimental", "Hip Hop", "Jazz", "Punk", "Rock", "Indie", "Folk"} <= set(data["genres"])
    assert data["submissionGuidelines"] is not None and data["contactForms"][0]["kind"] == "submission"
    assert emails(record) == set(labels["emails"])
    assert data["djNames"] == []


def test_howler_external_form_and_template_not_shows(results):
    record, labels = results["howler-radio"]
    data = record["scrapedData"]
    assert [f["url"] for f in data["contactForms"]] == [labels["contactForms"][0]["url"]]
    assert data["showInfo"] == [] and data["djNames"] == []
    assert {p["platform"] for p in data["socialMedia"]} == {"facebook", "mixcloud"}


def test_confidence_follows_what_can_be_found(results):
    conf = {slug: rec["confidence"] for slug, (rec, _l) in results.items()}
    assert conf["edge-radio"] >= conf["citr"] > conf["howler-radio"] > conf["eight-ball-radio"]
    assert conf["eight-ball-radio"] < 40 and conf["kcpr"] < 40


def test_the_spa_shell_yields_nothing_false(results):
    record, _labels = results["eight-ball-radio"]
    data = record["scrapedData"]
    assert not (emails(record) or data["contactForms"] or data["socialMedia"] or data["submissionGuidelines"])
