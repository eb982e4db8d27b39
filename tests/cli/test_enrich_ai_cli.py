"""`tap airtable enrich --ai`: each Claude call kept with the run's id, its cost reported, and `--max-cost` stopping
the run before a call that would go over (exit 4), keeping what was done. Claude is Prism serving Anthropic's API
description, through the real SDK: a request that broke the description would fail, so exit 0 means all were valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.helpers import tap
from tests.sites import Site
from totalaudio.clients import anthropic as claude
from totalaudio.config import Settings
from totalaudio.services.enrich import intelligence
from totalaudio.services.llm.prices import PriceTable
from totalaudio.services.llm.writer import MAX_TOKENS
from totalaudio.store.db import open_db

SITES = Path(__file__).resolve().parents[2] / "examples" / "sites"
pytestmark = pytest.mark.standin


@pytest.fixture
def two_stations(tmp_path, monkeypatch, prism_anthropic):
    """Two station sites on loopback, a contact at each, Claude on Prism."""
    Path("tap.toml").write_text("[enrich]\ndelay = 0\n")
    sites = [Site(SITES / "storm-fm"), Site(SITES / "harbour-radio")]
    monkeypatch.setenv("TAP_ENRICH_ALLOW_PRIVATE", "1")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    monkeypatch.setenv("TAP_ANTHROPIC_BASE_URL", prism_anthropic.url)
    csv = tmp_path / "contacts.csv"
    csv.write_text("Email,First Name,Station,Website\n" f"alfie@stormfm.co.uk,Alfie,Storm FM,{sites[0].url}\n"
                   f"hal@harbour.example,Hal,Harbour,{sites[1].url}\n")
    assert tap("contacts", "import", str(csv)).code == 0
    yield sites
    for site in sites:
        site.stop()


def llm_calls() -> list[dict]:
    return list(open_db(Settings().db_path).query("SELECT run_id, purpose, cost_usd, error FROM llm_calls"))


def call_prices() -> tuple[float, float]:
    """(the most one summary call may cost, what one costs) as Prism answers, priced as tap prices them."""
    client = claude.build(Settings())
    prompt = [{"role": "user", "content": "x"}]
    estimate = PriceTable().estimate(client.model, client.count(messages=prompt, system=intelligence.AI_SYSTEM),
                                     MAX_TOKENS)
    reply = client.create("x", system=intelligence.AI_SYSTEM, max_tokens=MAX_TOKENS)
    return estimate, PriceTable().cost(reply["model"], reply)


def test_every_call_carries_the_run_id_and_the_result_its_cost(two_stations):
    result = tap("airtable", "enrich", "--ai", "--max-cost", "5", "--json")
    assert result.code == 0, result.err
    out = result.json()
    calls = llm_calls()
    assert len(calls) == 2 and {c["run_id"] for c in calls} == {out["runId"]}
    assert {c["purpose"] for c in calls} == {"enrich.contactIntelligence"} and all(c["error"] is None for c in calls)
    assert out["ai"]["calls"] == 2 and out["ai"]["maxCost"] == 5
    assert out["ai"]["costUsd"] == pytest.approx(sum(c["cost_usd"] for c in calls)) and out["ai"]["costUsd"] > 0
    runs = {r["name"]: r for r in tap("llm", "costs", "--by", "run", "--json").json()["groups"]}
    assert runs[out["runId"]]["costUsd"] == pytest.approx(out["ai"]["costUsd"])


def test_max_cost_stops_before_the_call_that_would_go_over_and_keeps_what_was_done(two_stations):
    estimate, cost = call_prices()
    result = tap("airtable", "enrich", "--ai", "--max-cost", f"{estimate + cost / 2:.6f}", "--json")
    assert result.code == 4 and result.out == ""
    error = result.err_json()["error"]
    assert error["operation"] == "budget" and "--max-cost" in error["message"] and error["hint"] == "raise --max-cost"
    assert "1 contact enriched before it is kept" in error["message"]
    [call] = [c for c in llm_calls() if c["run_id"]]  # the one summary that fitted; the other was never asked for
    enriched = [tap("contacts", "show", e, "--json").json()["lastEnriched"] for e in
                ("alfie@stormfm.co.uk", "hal@harbour.example")]
    assert sum(bool(e) for e in enriched) == 1
    run = next(r for r in tap("db", "runs", "--json").json() if r["id"] == call["run_id"])
    assert run["status"] == "failed"
    again = tap("airtable", "enrich", "--ai", "--only-missing", "--max-cost", "5", "--json").json()
    assert again["selected"] == 1 and again["updated"] == 1 and again["ai"]["calls"] == 1


def test_max_cost_zero_makes_no_call_and_max_cost_needs_a_model_step(two_stations):
    result = tap("airtable", "enrich", "--ai", "--max-cost", "0", "--json")
    assert result.code == 4 and [c for c in llm_calls() if c["run_id"]] == []
    assert "0 contacts enriched before it are kept" in result.err_json()["error"]["message"]
    misuse = tap("airtable", "enrich", "--max-cost", "1", "--json")
    assert misuse.code == 2 and "--ai" in misuse.err_json()["error"]["message"]


def test_a_dry_run_never_calls_claude(two_stations):
    result = tap("airtable", "enrich", "--ai", "--dry-run", "--json")
    assert result.code == 0, result.err
    assert result.json()["dryRun"] is True and "no Claude calls" in result.err
    assert llm_calls() == []
