"""Every model call is logged: prompt, reply, model, tokens and time; failures too."""

import json
import threading

import pytest

from totalaudio.clients import anthropic as claude
from totalaudio.config import Settings
from totalaudio.errors import IntegrationError
from totalaudio.services.llm import logged_writer
from totalaudio.services.llm.budget import Budget
from totalaudio.services.llm.prices import PriceTable
from totalaudio.store.db import open_db


class FakeClaude:
    model = "claude-test"

    def __init__(self, fail=False, hold=None):
        self.fail, self.hold = fail, hold
        self.made = 0

    def count(self, messages, system=None):
        return 1000

    def create(self, prompt, system=None, max_tokens=600):
        self.made += 1
        if self.hold is not None:
            self.hold.wait(30)  # the test releases it; the wait only bounds a broken test
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


def test_the_writer_closes_its_own_connection_when_its_run_ends(tmp_path):
    import sqlite3

    open_db(tmp_path / "t.db").conn.close()  # the store, migrated
    with logged_writer(open_db(tmp_path / "t.db"), FakeClaude(), "enrich.contactIntelligence", run_id="r1") as write:
        write("You summarise.", "Storm FM")
    with pytest.raises(sqlite3.ProgrammingError):
        write.db.conn.execute("SELECT 1")
    assert len(rows(open_db(tmp_path / "t.db"))) == 1  # what it logged was committed before it closed


def test_real_sdk_call_against_prism_is_logged(prism_anthropic, tmp_path):
    settings = Settings(environ={"ANTHROPIC_API_KEY": "sk-ant-test", "TAP_HOME": str(tmp_path),
                                 "TAP_ANTHROPIC_BASE_URL": prism_anthropic.url}, cwd=tmp_path)
    db = open_db(tmp_path / "t.db")
    text = logged_writer(db, claude.build(settings), "test")("Be brief.", "Summarise KXRP.")
    [row] = rows(db)
    assert row["response"] == text and row["input_tokens"] is not None and "sk-ant" not in json.dumps(row)


ESTIMATE = PriceTable().estimate("claude-test", 1000, 600)  # what FakeClaude's calls may cost at most
COST = PriceTable().cost("claude-test-1", {"inputTokens": 12, "outputTokens": 5})  # what each one costs


def test_max_cost_stops_before_the_call_that_would_go_over_and_every_call_after(tmp_path):
    db = open_db(tmp_path / "t.db")
    client = FakeClaude()
    write = logged_writer(db, client, "enrich.contactIntelligence", "r1",
                          budget=Budget(max_cost=2 * COST + ESTIMATE - COST / 2, run_id="r1"))
    write("s", "one"), write("s", "two")
    with pytest.raises(IntegrationError) as stopped:
        write("s", "three")
    assert stopped.value.operation == "budget" and "--max-cost" in stopped.value.message and client.made == 2
    with pytest.raises(IntegrationError):
        write("s", "a cheap one that would fit")  # the run has stopped: no call after the first refusal
    assert client.made == 2 and write.calls == 2 and write.cost == pytest.approx(2 * COST)
    assert [r["run_id"] for r in rows(db)] == ["r1", "r1"]


def test_calls_in_flight_count_against_the_limit(tmp_path):
    """Two sites summarised at once must not both pass a check that only one of them fits."""
    db = open_db(tmp_path / "t.db")
    hold = threading.Event()
    client = FakeClaude(hold=hold)
    write = logged_writer(db, client, "enrich.contactIntelligence", "r1",
                          budget=Budget(max_cost=1.5 * ESTIMATE, run_id="r1"))
    first = threading.Thread(target=write, args=("s", "in flight"))
    first.start()
    while client.made == 0:
        threading.Event().wait(0.01)
    with pytest.raises(IntegrationError) as stopped:
        write("s", "second")
    hold.set()
    first.join()
    assert client.made == 1 and "under way" in stopped.value.message and write.calls == 1


def test_no_limit_makes_no_count_call(tmp_path):
    class NoCount(FakeClaude):
        def count(self, messages, system=None):
            raise AssertionError("counted without a limit")

    write = logged_writer(open_db(tmp_path / "t.db"), NoCount(), "enrich.contactIntelligence", "r1")
    assert write("s", "p") == "summary of p" and write.calls == 1
