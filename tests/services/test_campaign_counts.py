"""The counts kept as events are written (the fast path of `campaign status`) are exactly campaign_facts' totals."""

import json
import random
from datetime import datetime, timedelta, timezone

import pytest

from tests.claude_data import seed_campaign
from totalaudio.services.campaigns import service
from totalaudio.services.reports.facts import campaign_facts, current_totals, every_current_totals
from totalaudio.store.campaign_counts import CampaignCounts
from totalaudio.store.campaigns import CampaignStore
from totalaudio.store.contacts import ContactStore
from totalaudio.store.db import open_db

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
KINDS = ("sent", "sent", "sent", "open", "open", "click", "reply", "auto_reply", "bounce_hard", "bounce_soft",
         "unsubscribe", "outcome", "quote", "abuse")
OUTCOMES = ("add", "play", "interview", "review", "feature", "decline")


def at(days: float = 0, seconds: float = 0) -> str:
    return (NOW - timedelta(days=days) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def assert_same(db) -> None:
    """Every campaign's maintained counts, one by one and all at once, equal the facts' totals."""
    every = every_current_totals(db)
    for cid in [r[0] for r in db.execute("SELECT id FROM campaigns").fetchall()]:
        slow = campaign_facts(db, cid, now=NOW)["totals"]
        assert current_totals(db, cid)["totals"] == slow, cid
        assert every[cid] == slow, cid


@pytest.fixture
def db(tmp_path):
    db = open_db(tmp_path / "tap.db")
    yield db
    db.conn.close()


def event(db, cid, contact, kind, when, **data):
    email = db.execute("SELECT email FROM contacts WHERE id = ?", [contact]).fetchone()[0]
    return {"email": email, "contact_id": contact, "campaign_id": cid, "source": "test", "kind": kind, "at": when,
            "data": data}


def test_seeded_campaign_then_events_after_a_first_status(db):
    cid, ids = seed_campaign(db, NOW)
    assert_same(db)
    first = service.statuses(db)[0]["counts"]
    assert (first["opened"], first["replied"]["human"], first["bounced"]) == (2, 1, 1)
    store = CampaignStore(db)
    store.add_events([event(db, cid, ids["bob"], "reply", at(1), snippet="yes"),
                      event(db, cid, ids["cat"], "bounce_soft", at(1)),
                      event(db, cid, ids["dan"], "outcome", at(1), type="decline"),
                      event(db, cid, ids["ann"], "outcome", at(1), type="feature"),
                      event(db, cid, ids["dan"], "click", at(5, 60))])  # a scanner's click, 60 s after the send
    assert_same(db)
    after = service.status(db, cid)["counts"]
    assert (after["opened"], after["replied"]["human"], after["outcomes"]) == (3, 2, 2)


def test_an_earlier_send_written_later_makes_an_open_a_machines(db):
    cid, ids = seed_campaign(db, NOW)
    store = CampaignStore(db)
    store.add_events([event(db, cid, ids["dan"], "sent", at(3, -30))])  # dan's open came 30 s after this send
    assert_same(db)
    assert current_totals(db, cid)["totals"]["machineOpensDiscounted"] == 3


def test_chosen_contacts_dropped_added_merged_and_deleted(db):
    cid, ids = seed_campaign(db, NOW)
    store, people = CampaignStore(db), ContactStore(db)
    other = store.create({"name": "Other"}, ids.values())  # the same contacts in a second campaign
    store.add_events([event(db, other, ids[n], "sent", at(2)) for n in ids] + [
        event(db, other, ids["bob"], "reply", at(1)), event(db, other, ids["dan"], "open", at(1))])
    store.set_contacts(cid, [ids["ann"], ids["cat"]])
    assert_same(db)
    store.set_contacts(cid, list(ids.values()))
    assert_same(db)
    # An audit merge re-points events and campaign links from one contact to another, then deletes it.
    with db.conn:
        db.execute("UPDATE OR IGNORE campaign_contacts SET contact_id = ? WHERE contact_id = ?",
                   [ids["ann"], ids["bob"]])
        db.execute("UPDATE events SET contact_id = ? WHERE contact_id = ?", [ids["ann"], ids["bob"]])
        people.delete(ids["bob"])
    assert_same(db)
    people.delete(ids["dan"])
    assert_same(db)
    assert current_totals(db, other)["totals"]["chosen"] == 2


def test_events_written_around_the_store_are_settled_on_read(db):
    cid, ids = seed_campaign(db, NOW)
    assert_same(db)
    # A row written without the store's proxy column (as before migration 1300): its data is read instead.
    db.execute("INSERT INTO events (contact_id, email, campaign_id, source, kind, at, data) VALUES "
               "(?, 'cat@example.org', ?, 'old', 'open', ?, ?)", [ids["cat"], cid, at(1), json.dumps({"proxy": 1})])
    db.execute("INSERT INTO events (contact_id, email, campaign_id, source, kind, at, data) VALUES "
               "(?, 'dan@example.org', ?, 'old', 'click', ?, '{}')", [ids["dan"], cid, at(1)])
    db.conn.commit()
    assert db.execute("SELECT count(*) FROM campaign_stale").fetchone()[0] == 2
    assert_same(db)
    assert db.execute("SELECT count(*) FROM campaign_stale").fetchone()[0] == 0
    db.execute("DELETE FROM events WHERE kind = 'reply'")
    db.conn.commit()
    assert_same(db)


def test_the_proxy_flag_is_decided_once_when_the_event_is_written(db):
    cid, ids = seed_campaign(db, NOW)
    flags = dict(db.execute("SELECT kind || ':' || data, proxy FROM events WHERE contact_id = ? AND kind = 'open'",
                            [ids["bob"]]).fetchall())
    assert flags == {'open:{"proxy": true}': 1}
    assert db.execute("SELECT count(*) FROM events WHERE proxy IS NULL").fetchone()[0] == 1  # the raw quote row


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_events_in_random_batches(db, seed):
    """Events of every kind, out of time order, in batches (a status read between them), over two campaigns."""
    rng = random.Random(seed)
    people = ContactStore(db)
    people.insert_many([{"id": f"p{i}", "email": f"p{i}@example.org", "station": f"S{i % 3}"} for i in range(12)])
    store = CampaignStore(db)
    campaigns = [store.create({"name": f"C{n}"}, [f"p{i}" for i in range(12) if (i + n) % 4]) for n in range(2)]
    for _batch in range(6):
        batch = []
        for _ in range(rng.randrange(5, 40)):
            kind = rng.choice(KINDS)
            data = {"type": rng.choice(OUTCOMES)} if kind == "outcome" else {}
            if kind in ("open", "click") and rng.random() < 0.2:
                data["proxy"] = rng.choice([True, 1, "yes", False, 0, ""])
            batch.append(event(db, rng.choice(campaigns), f"p{rng.randrange(12)}", kind,
                               at(rng.choice([3, 2, 1]), rng.choice([0, 30, 90, 150, 4000])), **data))
        store.add_events(batch)
        assert_same(db)
        if rng.random() < 0.5:
            members = [f"p{i}" for i in range(12) if rng.random() < 0.7]
            store.set_contacts(rng.choice(campaigns), members)
    assert_same(db)
    totals = CampaignCounts(db).all_totals()
    for figure in ("sent", "opened", "machineOpensDiscounted", "replied", "bounced", "outcomes"):
        assert sum(totals[c][figure] for c in campaigns) > 0, figure


def test_contacts_are_found_by_each_key_through_an_index(db):
    people = ContactStore(db)
    people.insert_many([{"id": "c1", "email": "Jo@Storm.example", "airtable_id": "recA"},
                        {"id": "c2", "email": "jo@storm.example"}])
    assert people.get_row("c2")["id"] == "c2" and people.get_row("recA")["id"] == "c1"
    assert people.get_row(" JO@storm.example ")["id"] in ("c1", "c2")
    statements = []
    db.conn.set_trace_callback(statements.append)
    people.get_row("recA")
    db.conn.set_trace_callback(None)
    lookup = next(s for s in statements if "FROM contacts" in s)
    plan = " ".join(r[3] for r in db.execute("EXPLAIN QUERY PLAN " + lookup).fetchall())
    assert "SCAN contacts" not in plan and plan.count("USING") == 3


def test_a_store_from_before_the_counts_is_folded_on_its_first_read(tmp_path):
    """Migration 1300 on a store that has campaigns and events: proxies decided where the text allows, every pair
    marked stale, the chosen counted; the first read folds the rest."""
    import sqlite3

    from totalaudio.store.db import _all_migrations, migrate

    conn = sqlite3.connect(tmp_path / "old.db")
    conn.execute("CREATE TABLE _migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for mig_id, sql in (m for m in _all_migrations() if m[0] < "1300"):
        conn.executescript(sql)
        conn.execute("INSERT INTO _migrations VALUES (?, 'x')", [mig_id])
    conn.executescript(
        "INSERT INTO contacts (id, email, created_at, updated_at) VALUES ('a', 'a@x.org', 'x', 'x'), "
        "('b', 'b@x.org', 'x', 'x');"
        "INSERT INTO campaigns (id, name, created_at, updated_at) VALUES ('k', 'Old', 'x', 'x');"
        "INSERT INTO campaign_contacts VALUES ('k', 'a'), ('k', 'b');"
        "INSERT INTO events (contact_id, email, campaign_id, source, kind, at, data) VALUES "
        "('a', 'a@x.org', 'k', 'm', 'sent', '2026-11-01T09:00:00Z', '{}'), "
        "('a', 'a@x.org', 'k', 'm', 'open', '2026-11-02T09:00:00Z', '{\"proxy\": true}'), "
        "('b', 'b@x.org', 'k', 'm', 'sent', '2026-11-01T09:00:00Z', '{}'), "
        "('b', 'b@x.org', 'k', 'm', 'open', '2026-11-02T09:00:00Z', '{}');")
    conn.commit()
    conn.close()
    db = open_db(tmp_path / "old.db")
    assert dict(db.execute("SELECT contact_id, proxy FROM events WHERE kind = 'open'").fetchall()) == {"a": None,
                                                                                                        "b": 0}
    assert db.execute("SELECT count(*) FROM campaign_stale").fetchone()[0] == 2
    assert "campaign_totals" not in db.table_names()
    totals = current_totals(db, "Old")["totals"]
    assert totals == campaign_facts(db, "Old", now=NOW)["totals"]
    assert (totals["chosen"], totals["opened"], totals["machineOpensDiscounted"]) == (2, 1, 1)
    assert migrate(db) == []
    db.conn.close()
