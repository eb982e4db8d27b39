"""The commands end to end through the real SDKs against Prism serving the API descriptions: a request that
broke the description would be answered 422 and end in exit 4, so exit 0 means every request was valid."""

import pytest

from tests.claude_data import store  # noqa: F401 - fixture
from tests.cli.helpers import tap


@pytest.mark.standin
def test_report_and_llm_log_against_prism(store, prism_anthropic, monkeypatch):  # noqa: F811
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    monkeypatch.setenv("TAP_ANTHROPIC_BASE_URL", prism_anthropic.url)
    result = tap("claude", "report", store, "--max-cost", "5", "--json")
    assert result.code == 0, result.err
    assert result.json()["source"] in ("claude", "template")  # Prism's example reply is not a valid tool call
    log = tap("llm", "log", "--json").json()
    assert log and all(r["error"] is None and r["costUsd"] is not None for r in log)


@pytest.mark.standin
def test_research_against_prism(store, prism_openai, monkeypatch):  # noqa: F811
    monkeypatch.setenv("PERPLEXITY_API_KEY", "pplx-test")
    monkeypatch.setenv("TAP_PERPLEXITY_BASE_URL", prism_openai.url)
    result = tap("research", "contact", "ct_ann", "--json")
    assert result.code == 0, result.err
    assert result.json()["contactId"] == "ct_ann"
