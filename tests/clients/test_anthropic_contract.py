"""tap's Claude requests (tool use, cached system blocks, token counting, batches) through the real anthropic SDK
against Prism serving Anthropic's API description: no request violations."""

from __future__ import annotations

import pytest

from totalaudio.clients.anthropic import ClaudeClient
from totalaudio.services.claude.prompts import system_blocks
from totalaudio.services.claude.report import REPORT_TOOL


@pytest.fixture
def recorded(prism_anthropic):
    import anthropic

    seen = []
    client = ClaudeClient("sk-ant-test", prism_anthropic.url, model="claude-sonnet-4-5")
    client.sdk = anthropic.Anthropic(api_key="sk-ant-test", base_url=prism_anthropic.url, max_retries=0,
                                     http_client=anthropic.DefaultHttpxClient(
                                         event_hooks={"response": [lambda r: seen.append(r)]}))
    return client, seen


def no_violations(seen):
    assert seen and all(r.status_code == 200 and "sl-violations" not in r.headers for r in seen), \
        [(r.status_code, r.headers.get("sl-violations")) for r in seen]


@pytest.mark.standin
def test_tool_use_with_cached_system_blocks_is_valid(recorded):
    client, seen = recorded
    reply = client.message(messages=[{"role": "user", "content": "<facts>{}</facts>"}], max_tokens=200,
                           system=system_blocks("Write the report."), tools=[REPORT_TOOL],
                           tool_choice={"type": "tool", "name": REPORT_TOOL["name"]})
    assert set(reply["usage"]) == {"inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens"}
    assert client.count(messages=[{"role": "user", "content": "hi"}], system=system_blocks("x"),
                        tools=[REPORT_TOOL]) >= 0
    no_violations(seen)


@pytest.mark.standin
def test_batch_create_and_retrieve_are_valid(recorded):
    client, seen = recorded
    params = {"model": client.model, "max_tokens": 100, "messages": [{"role": "user", "content": "hi"}],
              "system": system_blocks("Write."), "tools": [REPORT_TOOL],
              "tool_choice": {"type": "tool", "name": REPORT_TOOL["name"]}}
    batch = client.batch_create([{"custom_id": "ct_1", "params": params}])
    assert batch["id"] and batch["status"] in ("in_progress", "canceling", "ended")
    assert client.batch_get(batch["id"])["id"]
    no_violations(seen)
