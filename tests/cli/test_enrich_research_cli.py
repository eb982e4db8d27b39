"""``tap airtable enrich --research``: Perplexity fills what the website did not say, cited, in the contact
intelligence that the sync pushes; logged in llm_calls."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import tap
from tests.fakes.perplexity_fake import SEARCH, PerplexityFake
from tests.sites import Site
from totalaudio.store.db import open_db

SITES = Path(__file__).resolve().parents[2] / "examples" / "sites"


@pytest.fixture
def storm(monkeypatch, tmp_path):
    Path("tap.toml").write_text("[enrich]\ndelay = 0\n")
    monkeypatch.setenv("TAP_ENRICH_ALLOW_PRIVATE", "1")
    site = Site(SITES / "storm-fm")
    path = tmp_path / "c.csv"
    path.write_text(f"Email,First Name,Station,Website\nalfie@stormfm.co.uk,Alfie,Storm FM,{site.url}\n"
                    "nosite@example.org,No,Nowhere FM,\n")
    assert tap("contacts", "import", str(path)).code == 0
    yield site
    site.stop()


def test_research_fills_gaps_with_sources(storm, monkeypatch, tap_home):
    with PerplexityFake() as fake:
        monkeypatch.setenv("PERPLEXITY_API_KEY", "pplx-test")
        monkeypatch.setenv("TAP_PERPLEXITY_BASE_URL", fake.url)
        fake.state.answers = [json.dumps({"summary": "Storm FM takes links by email.",
                                          "claims": [{"text": "Links only.", "sources": [SEARCH[0]["url"]]}]})] * 2
        result = tap("airtable", "enrich", "--research", "--json")
        assert result.code == 0, result.err
        assert "research:" in result.err
    db = open_db(tap_home / "tap.db")
    rows = list(db.query("SELECT contact_id FROM research"))
    intelligence = [r["contact_intelligence"] for r in db.query("SELECT contact_intelligence FROM contacts")]
    researched = [i for i in intelligence if i and "Research (Perplexity" in i]
    assert rows and researched and all(SEARCH[0]["url"] in i for i in researched)
    assert db.execute("SELECT COUNT(*) FROM llm_calls WHERE purpose = 'research.contact'").fetchone()[0] == len(rows)


def test_research_needs_its_key_before_crawling(storm):
    result = tap("airtable", "enrich", "--research", "--json")
    assert result.code == 3 and "PERPLEXITY_API_KEY" in result.err_json()["error"]["message"]
