"""``tap claude report``: template without a key, Claude's narrative through the real SDK against the stand-in,
a wrong number retried then replaced by the template, the seed payload, a refused model, a budget reached."""

import json

import pytest

from tests.claude_data import fake, store  # noqa: F401 - fixtures
from tests.cli.helpers import tap
from totalaudio.store.db import open_db

GOOD = {"paragraphs": ["First Light went to 4 contacts. 2 people opened it, an open rate of 66.7%."],
        "recommendations": ["Chase Radio A: it gave the only reply (1 reply)."]}
WRONG = {"paragraphs": ["2 people opened it, an open rate of 72.5%."], "recommendations": []}


def calls(tap_home):
    return list(open_db(tap_home / "tap.db").query("SELECT * FROM llm_calls ORDER BY id"))


def test_without_a_key_the_template_report_exits_0(store):
    result = tap("claude", "report", "Spring single", "--json")
    assert result.code == 0, result.err
    doc = result.json()
    assert doc["type"] == "campaign_report" and doc["source"] == "template" and doc["metrics"]["openRate"] == 66.7
    assert "66.7%" in doc["narrative"] and doc["grounding"]["ok"]


def test_claude_narrative_is_checked_and_logged_with_cost(store, fake, tap_home):
    fake.state.replies = [GOOD]
    result = tap("claude", "report", store, "--format", "md")
    assert result.code == 0, result.err
    assert "an open rate of 66.7%" in result.out and "every number in it was checked" in result.out
    [row] = calls(tap_home)
    assert row["purpose"] == "claude.report" and row["cost_usd"] > 0 and row["run_id"]
    assert row["cache_write_tokens"] > 0  # the style guide went into the prompt cache


def test_a_wrong_number_is_retried_once_then_the_template_is_used(store, fake, tap_home):
    fake.state.replies = [WRONG, WRONG]
    result = tap("claude", "report", store, "--json")
    doc = result.json()
    assert result.code == 0 and doc["source"] == "template" and not doc["grounding"]["ok"]
    assert "72.5%" in doc["grounding"]["problems"][0] and "72.5" not in doc["narrative"]
    retry = fake.state.requests[-1][1]["messages"][0]["content"]
    assert "72.5%" in retry and "rejected" in retry
    assert len(calls(tap_home)) == 2
    assert fake.state.requests[-1][1]["messages"][0]["content"].count("<facts") == 1


def test_a_wrong_number_fixed_on_the_retry_is_claude(store, fake):
    fake.state.replies = [WRONG, GOOD]
    doc = tap("claude", "report", store, "--json").json()
    assert doc["source"] == "claude" and doc["grounding"] == {"ok": True, "attempts": 2, "problems": []}


def test_html_output_to_a_file_escapes_model_html(store, fake, tmp_path):
    fake.state.replies = [{"paragraphs": ["<script>alert(1)</script> 2 people opened it."], "recommendations": []}]
    out = tmp_path / "r.html"
    assert tap("claude", "report", store, "-f", "html", "-o", str(out)).code == 0
    page = out.read_text()
    assert "<script>" not in page and "&lt;script&gt;" in page and "<table>" in page


def test_seed_payload_from_stdin(store, fake):
    payload = {"type": "campaign_report", "campaignId": "cmp_unknown", "metrics": {"openRate": 41.2, "clickRate": 5,
                                                                                     "replyRate": 2.5}}
    result = tap("claude", "report", "--from-json", "-", "--no-ai", "--json", stdin=json.dumps(payload))
    doc = result.json()
    assert doc["campaignId"] == "cmp_unknown" and "41.2%" in doc["narrative"]
    bad = tap("claude", "report", "--from-json", "-", "--json", stdin='{"type": "other"}')
    assert bad.code == 2 and "campaign_report" in bad.err_json()["error"]["message"]


def test_a_refused_model_is_exit_3_naming_the_setting(store, fake, tmp_path, monkeypatch):
    fake.state.refused_models = {"claude-gone-1"}
    (tmp_path / "cwd" / "tap.toml").write_text('[claude]\nmodel = "claude-gone-1"\n')
    result = tap("claude", "report", store, "--json")
    assert result.code == 3 and "[claude] model" in result.err_json()["error"]["hint"]


def test_max_cost_stops_before_the_call(store, fake, tap_home):
    result = tap("claude", "report", store, "--max-cost", "0.0001", "--json")
    error = result.err_json()["error"]
    assert result.code == 4 and "spent $0.0000 of --max-cost" in error["message"]
    assert calls(tap_home) == [] and not [p for p, _b in fake.state.requests if p == "/v1/messages"]


def test_monthly_cap_counts_this_month(store, fake, tap_home, tmp_path):
    fake.state.replies = [GOOD]
    assert tap("claude", "report", store, "--json").code == 0
    spent = calls(tap_home)[0]["cost_usd"]
    (tmp_path / "cwd" / "tap.toml").write_text(f"[llm]\nmonthly_cap = {spent + 0.0001}\n")
    result = tap("claude", "report", store, "--json")
    assert result.code == 4 and "this month has spent" in result.err_json()["error"]["message"]


def test_llm_log_and_costs_show_cache_reads(store, fake, tap_home):
    fake.state.replies = [GOOD, GOOD]
    assert tap("claude", "report", store, "--json").code == 0
    assert tap("claude", "report", store, "--json").code == 0
    log = tap("llm", "log", "--purpose", "claude", "--json").json()
    assert [r["cacheReadTokens"] > 0 for r in log] == [True, False]  # newest first: the second read the cache
    costs = tap("llm", "costs", "--by", "model", "--json").json()
    assert costs["groups"][0]["calls"] == 2 and costs["totalUsd"] == pytest.approx(sum(r["costUsd"] for r in log))
    assert tap("llm", "costs", "--by", "day").code == 0 and "USD" in tap("llm", "log").out
    assert tap("llm", "costs", "--by", "colour").code == 2
    assert tap("llm", "log", "--since", "yesterday").code == 2


def test_prices_come_from_tap_toml_when_set(store, fake, tap_home, tmp_path):
    (tmp_path / "cwd" / "tap.toml").write_text('[claude]\nmodel = "claude-test-9"\n'
                                               '[llm.prices."claude-test-9"]\ninput = 1000.0\noutput = 0\n')
    fake.state.replies = [GOOD]
    assert tap("claude", "report", store, "--json").code == 0
    [row] = calls(tap_home)
    expected = (row["input_tokens"] * 1000 + row["cache_write_tokens"] * 1250 + row["cache_read_tokens"] * 100) / 1e6
    assert row["model"] == "claude-test-9" and row["cost_usd"] == pytest.approx(expected, rel=1e-4)
    (tmp_path / "cwd" / "tap.toml").write_text('[llm.prices."claude-test-9"]\ninput = "cheap"\n')
    assert tap("claude", "report", store, "--json").code == 3
