"""``tap airtable sync`` and ``tap airtable schema`` end to end, including a real SIGKILL in the middle of a push."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest

from tests.cli.helpers import tap
from tests.fakes.airtable_fake import AirtableFake, tap_base
from tests.standins import REPO
from totalaudio.store.db import open_db

RESULT_KEYS = {"mode", "full", "dryRun", "fetched", "pulled", "pushed", "created", "deleted", "deletedUpstream",
               "reconciled", "conflicts", "rejected", "apiCalls", "tables", "runId", "campaigns"}


@pytest.fixture
def fake(monkeypatch):
    server = AirtableFake(rate_limit=None).start()
    contacts, _ = tap_base(server)
    for i in range(25):
        contacts.insert({"Email": f"dj{i}@radio.example", "Station": "Rock'n'Roll \"FM\"", "Status": "Opted-In"},
                        at=server.clock() - 3600)
    monkeypatch.setenv("AIRTABLE_API_KEY", server.token)
    monkeypatch.setenv("AIRTABLE_BASE_ID", server.base_id)
    monkeypatch.setenv("TAP_AIRTABLE_BASE_URL", server.url)
    yield server
    server.stop()


def test_sync_json_has_the_result_shape(fake):
    result = tap("airtable", "sync", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert set(data) == RESULT_KEYS
    assert (data["fetched"], data["pulled"], data["dryRun"], data["apiCalls"]) == (25, 25, False, 2)
    again = tap("airtable", "sync", "--json").json()
    assert (again["fetched"], again["apiCalls"]) == (0, 2)


def test_sync_dry_run_and_text_output(fake):
    dry = tap("airtable", "sync", "--dry-run", "--json").json()
    assert dry["dryRun"] is True and dry["pulled"] == 25 and dry["runId"] is None
    assert tap("contacts", "list", "--json").json() == []
    text = tap("airtable", "sync")
    assert text.code == 0 and "25 fetched" in text.out


def test_pull_and_push_together_is_a_usage_error(fake):
    result = tap("airtable", "sync", "--pull", "--push", "--json")
    assert result.code == 2 and result.out == ""


def test_missing_configuration_exits_3(monkeypatch):
    monkeypatch.delenv("AIRTABLE_API_KEY", raising=False)
    result = tap("airtable", "sync", "--json")
    assert result.code == 3 and "AIRTABLE_API_KEY" in result.err_json()["error"]["message"]


def test_a_bad_token_exits_3(fake, monkeypatch):
    monkeypatch.setenv("AIRTABLE_API_KEY", "patWRONG")
    result = tap("airtable", "sync", "--json")
    assert result.code == 3 and result.out == ""


def test_an_unknown_table_exits_3_with_a_hint(fake, tmp_path):
    (tmp_path / "cwd" / "tap.toml").write_text('[airtable]\ncontacts_table = "People"\n')
    result = tap("airtable", "sync", "--json")
    assert result.code == 3 and "tap.toml" in result.err_json()["error"]["hint"]


def test_schema_names_missing_and_mistyped_fields(monkeypatch):
    server = AirtableFake(rate_limit=None).start()
    try:
        server.add_table("Contacts", [("Email", "email"), ("Genres", "singleLineText"), ("Status", "singleSelect")])
        monkeypatch.setenv("AIRTABLE_API_KEY", server.token)
        monkeypatch.setenv("AIRTABLE_BASE_ID", server.base_id)
        monkeypatch.setenv("TAP_AIRTABLE_BASE_URL", server.url)
        result = tap("airtable", "schema", "--json")
    finally:
        server.stop()
    assert result.code == 0, result.err
    data = result.json()
    contacts, campaigns = data["tables"]
    status = {f["field"]: f["status"] for f in contacts["fields"]}
    assert status["Email"] == "ok" and status["Status"] == "ok"
    assert status["Genres"] == "wrong-type" and status["Station"] == "missing"
    assert campaigns["found"] is False and data["problems"] > 0
    assert data["campaigns"]["synced"] is False and "Campaigns" in data["campaigns"]["hint"]


def test_a_base_without_campaigns_syncs_contacts_and_says_how_to_turn_campaigns_on(fake):
    del fake.tables[fake.table("Campaigns").id]
    result = tap("airtable", "sync", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert data["fetched"] == 25 and data["tables"] == ["Contacts"]
    assert data["campaigns"]["synced"] is False and "campaigns_table" in data["campaigns"]["hint"]
    text = tap("airtable", "sync")
    assert text.code == 0 and "Campaigns not synced" in text.out and "To sync them: create a table" in text.out
    schema = tap("airtable", "schema", "--json")
    assert schema.code == 0 and schema.json()["problems"] == 0  # the contacts mapping is whole
    assert schema.json()["campaigns"]["synced"] is False
    assert "Campaigns not synced" in tap("airtable", "schema").out


def test_a_push_killed_by_sigkill_is_finished_by_the_next_run(fake, tap_home):
    assert tap("airtable", "sync", "--json").code == 0
    db = open_db(tap_home / "tap.db")
    with db.conn:
        db.execute("UPDATE contacts SET notes = 'edited ' || email, updated_at = 'now'")
    db.conn.close()
    entered, release, writes = threading.Event(), threading.Event(), []

    def stall_second_write(entry):
        writes.append(entry)
        if len(writes) == 2:
            entered.set()
            release.wait(20)

    fake.after_write = stall_second_write
    proc = subprocess.Popen([sys.executable, "-m", "totalaudio", "airtable", "sync", "--push", "--json"],
                            cwd=str(tap_home.parent / "cwd"), env={**os.environ, "PYTHONPATH": str(REPO)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        while not entered.wait(0.1):
            if proc.poll() is not None:
                pytest.fail(f"the push ended before its second write: {proc.communicate()[1].decode()[-2000:]}")
        proc.kill()  # SIGKILL: the second batch landed in Airtable, the process never heard back
        proc.communicate(timeout=10)
    finally:
        release.set()
    fake.after_write = None
    result = tap("airtable", "sync", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert data["reconciled"] == 10 and data["pushed"] == 5 and data["created"] == 0
    records = list(fake.tables[next(iter(fake.tables))].records.values())
    assert len(records) == 25 and all(r["fields"]["Notes"] == "edited " + r["fields"]["Email"] for r in records)
    db = open_db(tap_home / "tap.db")
    assert db.execute("SELECT count(*) FROM journal WHERE state = 'pending'").fetchone()[0] == 0
    assert json.loads(tap("airtable", "sync", "--json").out)["pushed"] == 0
