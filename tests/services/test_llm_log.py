"""Every model call is logged: prompt, reply, model, tokens and time; failures too."""

import json

import pytest

from totalaudio.clients import anthropic as claude
from totalaudio.config import Settings
from totalaudio.errors import IntegrationError
from totalaudio.services.llm import logged_writer
from totalaudio.store.db import open_db


class FakeClaude:
    model = "claude-test"

    def __init__(self, fail=False):
        self.fail = fail

    def create(self, prompt, system=None):
        if self.fail:
            raise IntegrationError("claude", "messages.create", "HTTP 529: overloaded", retryable=True)
        return {"text": f"summary of {prompt}", "model": "claude-test-1", "inputTokens": 12, "outputTokens": 5}


def rows(db):
    return list(db.query("SELECT * FROM llm_calls ORDER BY id"))


def test_calls_and_failures_are_logged(tmp_path):
    db = open_db(tmp_path / "t.db")
    write = logged_writer(db, FakeClaude(), "enrich.contactIntelligence", run_id="r1")
    assert write("You summarise.", "Storm FM") == "summary of Storm FM"
    with pytest.raises(IntegrationError):
        logged_writer(db, FakeClaude(fail=True), "enrich.contactIntelligence")("s", "p")
    ok, failed = rows(db)
    assert (ok["model"], ok["prompt"], ok["response"], ok["input_tokens"], ok["run_id"]) == \
        ("claude-test-1", "Storm FM", "summary of Storm FM", 12, "r1")
    assert failed["response"] is None and "overloaded" in failed["error"] and failed["duration_ms"] >= 0


def test_real_sdk_call_against_prism_is_logged(prism_anthropic, tmp_path):
    settings = Settings(environ={"ANTHROPIC_API_KEY": "sk-ant-test", "TAP_HOME": str(tmp_path),
                                 "TAP_ANTHROPIC_BASE_URL": prism_anthropic.url}, cwd=tmp_path)
    db = open_db(tmp_path / "t.db")
    text = logged_writer(db, claude.build(settings), "test")("Be brief.", "Summarise KXRP.")
    [row] = rows(db)
    assert row["response"] == text and row["input_tokens"] is not None and "sk-ant" not in json.dumps(row)
