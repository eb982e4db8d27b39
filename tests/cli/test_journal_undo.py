"""The journal keeps the user's records as they are, so an undo gives back a token-shaped note intact; a configured
secret written into a contact still reaches neither the journal nor stdout, stderr or the run log."""

from __future__ import annotations

import sqlite3

import pytest

from tests.cli.helpers import tap
from totalaudio import redact
from totalaudio.config import Settings
from totalaudio.store.contacts import ContactStore
from totalaudio.store.db import open_db

# Each part is data a plugger could keep in a note, and each has the shape redaction masks in logs and output.
NOTE = ("  Studio wifi password: Xk9qPz2mLr7vB4, door code keyQ7w2E9r4T6y1U3i, "
        "old ref patAbcdEfgh12.0123456789abcdef0123, Bearer 4f9a8b7c6d5e4f3a2b1c  ")
CONFIGURED = "Zq7UnshapedAnthropicKey4x9Wm"  # ANTHROPIC_API_KEY in these tests; no token shape of its own
ROWS = [
    {"id": "keep", "email": "jo@stormfm.co.uk", "first_name": "Jo", "station": "Storm FM", "notes": NOTE,
     "updated_at": "2026-01-01T00:00:00Z"},
    {"id": "dupe", "email": "Jo@StormFM.co.uk ", "first_name": "Jo", "station": "Storm FM",
     "notes": f"an older copy: {NOTE.strip()}", "updated_at": "2025-01-01T00:00:00Z"},
    {"id": "sam", "email": "sam@harbour.example", "first_name": " Sam ", "station": "Harbour",
     "notes": f"  her key, pasted by mistake: {CONFIGURED}  "},
]


@pytest.fixture
def db(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", CONFIGURED)
    store = open_db(Settings().db_path)
    ContactStore(store).insert_many([dict(r) for r in ROWS])
    return store


def snapshot(db) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "updated_at"} for r in db.query("SELECT * FROM contacts ORDER BY id")]


def stored(table: str) -> str:
    with sqlite3.connect(Settings().db_path) as conn:
        return "\n".join(repr(row) for row in conn.execute(f"SELECT * FROM {table}"))


def test_a_token_shaped_note_survives_fix_and_undo_intact(db):
    before = snapshot(db)
    fixed = tap("airtable", "audit", "--fix", "--json")
    assert fixed.code == 0, fixed.err
    run_id = fixed.json()["fix"]["runId"]
    keeper = ContactStore(db).get("keep")
    assert keeper.notes == NOTE.strip()  # trimmed by the fix, every character of the note kept
    assert ContactStore(db).count() == 2  # the duplicate merged away, backed up in the journal
    undo = tap("airtable", "audit", "undo", run_id, "--json")
    assert undo.code == 0, undo.err
    assert undo.json()["restored"] == 1
    after = snapshot(db)
    assert [r for r in after if r["id"] != "sam"] == [r for r in before if r["id"] != "sam"]
    assert redact.MASK not in stored("journal").replace(f"pasted by mistake: {redact.MASK}", "")


def test_a_configured_secret_in_a_contact_never_reaches_the_journal_or_any_output(db):
    outputs = []
    for args in (("airtable", "audit", "--fix", "--json"), ("contacts", "show", "sam@harbour.example", "--json"),
                 ("contacts", "list", "--json"), ("db", "runs", "--json")):
        result = tap(*args)
        assert result.code == 0, result.err
        outputs += [result.out, result.err]
    run_id = next(r["id"] for r in tap("db", "runs", "--json").json() if r["command"] == "airtable audit")
    undo = tap("airtable", "audit", "undo", run_id, "--json")
    assert undo.code == 0, undo.err
    outputs += [undo.out, undo.err]
    for text in outputs + [stored("journal"), stored("runs")]:
        assert CONFIGURED not in text and CONFIGURED[4:18] not in text
    assert "pasted by mistake" in stored("journal")  # the trimmed note was journaled, its secret masked
    # Never written to the journal, the secret cannot come back: the undo restores the note around the mask.
    assert ContactStore(db).get("sam").notes == f"  her key, pasted by mistake: {redact.MASK}  "
