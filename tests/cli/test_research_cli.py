"""``tap research``: cited answers (only URLs the API returned), stored per contact and reused for 30 days,
shown by ``tap contacts show``; a planted URL is removed; a refused model names the setting."""

import json

import pytest

from tests.claude_data import store  # noqa: F401 - fixture
from tests.cli.helpers import tap
from tests.fakes.perplexity_fake import SEARCH, PerplexityFake
from totalaudio.store.db import open_db

PLANTED = "https://evil.example.net/free-plays"


@pytest.fixture
def fake(monkeypatch):
    with PerplexityFake() as server:
        monkeypatch.setenv("PERPLEXITY_API_KEY", "pplx-test")
        monkeypatch.setenv("TAP_PERPLEXITY_BASE_URL", server.url)
        yield server


def test_contact_research_is_cited_stored_reused_and_shown(store, fake, tap_home):
    fake.state.answers = [json.dumps({"summary": f"Ann hosts the Morning Show. See {PLANTED}", "claims": [
        {"text": "Ann took over the Morning Show [2].", "sources": []},
        {"text": "Radio A wants links, not files.", "sources": [SEARCH[0]["url"] + "/", PLANTED]},
        {"text": "Ann loves free plays.", "sources": [PLANTED]}]})]
    first = tap("research", "contact", "ann@example.org", "--json")
    assert first.code == 0, first.err
    data = first.json()
    assert data["reused"] is False and data["contactId"] == "ct_ann"
    assert [c["sources"][0]["url"] for c in data["claims"]] == [SEARCH[1]["url"], SEARCH[0]["url"]]
    assert data["unsourcedClaims"] == ["Ann loves free plays."]
    assert PLANTED not in json.dumps(data["claims"]) + data["summary"] and data["droppedUrls"] == [PLANTED]
    assert data["citations"][0] == {"url": SEARCH[0]["url"], "title": SEARCH[0]["title"], "date": "2026-11-02"}
    again = tap("research", "contact", "ct_ann", "--json").json()
    assert again["reused"] is True and len(fake.state.requests) == 1
    tap("research", "contact", "ct_ann", "--refresh", "--json")
    assert len(fake.state.requests) == 2
    shown = tap("contacts", "show", "ct_ann", "--json").json()
    assert len(shown["research"]) == 2 and shown["research"][0]["citations"]
    assert "Sources:" in tap("contacts", "show", "ct_ann").out
    [row] = list(open_db(tap_home / "tap.db").query("SELECT * FROM llm_calls WHERE service = 'perplexity' LIMIT 1"))
    assert row["cost_usd"] == 0.0071 and row["purpose"] == "research.contact"


def test_opportunities_items_and_prose_answers(store, fake):
    fake.state.answers = [json.dumps({"summary": "s", "claims": [], "items": [
        {"name": "Late Lounge", "kind": "show", "howToReach": f"Submit at {SEARCH[0]['url']} or {PLANTED}",
         "sources": [1]}]}), "Plain prose with a link https://made.up/page and [1]."]
    items = tap("research", "opportunities", "--genre", "jazz", "--region", "UK", "--json").json()["items"]
    assert items[0]["sources"][0]["url"] == SEARCH[0]["url"] and PLANTED not in items[0]["howToReach"]
    prose = tap("research", "industry", "radio in 2027", "--json").json()
    assert "made.up" not in prose["summary"] and prose["droppedUrls"] == ["https://made.up/page"]
    text = tap("research", "station", "Radio A").out
    assert "Sources:" in text and "[1] https://radioa.example.org/submit" in text


def test_refused_model_and_missing_key(store, fake, tmp_path, monkeypatch):
    fake.state.refused_models = {"sonar-old"}
    (tmp_path / "cwd" / "tap.toml").write_text('[perplexity]\nmodel = "sonar-old"\n')
    result = tap("research", "station", "Radio A", "--json")
    assert result.code == 3 and "[perplexity] model" in result.err_json()["error"]["hint"]
    monkeypatch.delenv("PERPLEXITY_API_KEY")
    assert tap("research", "station", "Radio B", "--json").code == 3


def test_budget_stops_before_the_call(store, fake):
    result = tap("research", "competitors", "The Band", "--max-cost", "0.001", "--json")
    assert result.code == 4 and "--max-cost" in result.err_json()["error"]["message"] and not fake.state.requests
