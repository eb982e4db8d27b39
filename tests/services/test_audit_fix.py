"""--fix: only safe fixes, merges back up what they remove, and undo reverses a run exactly or refuses."""

import pytest

from totalaudio.errors import InputError
from totalaudio.services.audit.service import audit_store, fix_base, load_contacts
from totalaudio.services.audit.apply import undo_run
from totalaudio.services.audit.fix import merge_fill, plan_fixes
from totalaudio.models import Contact
from totalaudio.store.contacts import ContactStore
from totalaudio.store.db import open_db
from totalaudio.store.runs import Journal, RunLog

IGNORED = ("updated_at",)  # an undo is itself a change the sync must push, so it touches updated_at


@pytest.fixture
def db(tmp_path):
    return open_db(tmp_path / "t.db")


def snapshot(db):
    rows = db.query("SELECT * FROM contacts ORDER BY id")
    return [{k: v for k, v in r.items() if k not in IGNORED} for r in rows]


def seed(db, rows):
    ContactStore(db).insert_many(rows)


def run_fix(db, dry_run=False):
    report = audit_store(db)
    run_id = None if dry_run else RunLog(db).start("airtable audit")
    return fix_base(db, load_contacts(db), report, run_id=run_id, dry_run=dry_run), run_id


BASE = [
    {"id": "keep", "email": "jo@stormfm.co.uk", "first_name": "Jo", "last_name": "Bloggs", "station": "Storm FM",
     "genres": ["Indie"], "status": "opted-in", "phone": "01632 960001", "updated_at": "2026-01-01T00:00:00Z"},
    {"id": "dupe", "email": "Jo@StormFM.co.uk ", "first_name": "Jo", "station": "Storm FM", "genres": ["Rock"],
     "status": "unsubscribed", "show": "Drive Time", "updated_at": "2025-01-01T00:00:00Z"},
    {"id": "typo", "email": "sam@stromfm.co.uk", "first_name": " Sam ", "last_name": "Kershaw", "station": "STORM FM",
     "website": "htp://stormfm.co.uk"},
    {"id": "fuzz", "email": "jonathan.hale@stormfm.co.uk", "first_name": "Jonathan", "last_name": "Hale",
     "station": "Storm FM"},
    {"id": "fuzz2", "email": "jon.hale@stormfm.co.uk", "first_name": "Jon", "last_name": "Hale", "station": "Storm FM"},
] + [{"id": f"s{i}", "email": f"p{i}@stormfm.co.uk", "first_name": "P", "last_name": f"N{i}", "station": "Storm FM"}
     for i in range(6)]


def test_dry_run_plans_but_changes_nothing(db):
    seed(db, BASE)
    before = snapshot(db)
    result, _ = run_fix(db, dry_run=True)
    assert result.dry_run and result.run_id is None and result.removed == 1
    assert snapshot(db) == before and Journal(db).db.execute("SELECT count(*) FROM journal").fetchone()[0] == 0


def test_fix_applies_safe_fixes_merges_and_undo_reverses_exactly(db):
    seed(db, BASE)
    before = snapshot(db)
    result, run_id = run_fix(db)
    store = ContactStore(db)
    typo = store.get("typo")
    assert (typo.email, typo.first_name, typo.station, typo.website) == (
        "sam@stormfm.co.uk", "Sam", "Storm FM", "http://stormfm.co.uk")
    keeper = store.get("keep")
    assert keeper.genres == ("Indie", "Rock") and keeper.show == "Drive Time"
    assert keeper.status == "unsubscribed"  # a merge never re-activates an unsubscribed address
    assert store.count() == len(BASE) - 1 and {c.id for c in store.iter()} >= {"fuzz", "fuzz2"}  # fuzzy: never merged
    assert result.score_after > result.score_before and result.merges[0].removed == ("dupe",)
    ops = [e["op"] for e in Journal(db).entries(run_id)]
    assert ops.count("delete") == 1 and Journal(db).entries(run_id)[ops.index("delete")]["before"]["row"]["id"] == "dupe"
    undone = undo_run(db, run_id, new_run_id=RunLog(db).start("airtable audit undo"))
    assert undone.restored == 1 and snapshot(db) == before
    with pytest.raises(InputError, match="already undone"):
        undo_run(db, run_id)


def test_undo_refuses_when_a_fixed_field_was_edited_since(db):
    seed(db, BASE)
    _result, run_id = run_fix(db)
    ContactStore(db).update("typo", {"website": "https://edited.example.org"})
    edited = snapshot(db)
    with pytest.raises(InputError, match="typo website") as err:
        undo_run(db, run_id)
    assert "losing edits" in err.value.message
    assert snapshot(db) == edited  # nothing changed by the refused undo


def test_undo_refuses_when_a_removed_contact_is_back_and_unknown_runs(db):
    seed(db, BASE)
    _result, run_id = run_fix(db)
    ContactStore(db).insert_many([{"id": "dupe", "email": "new@stormfm.co.uk"}])
    with pytest.raises(InputError, match="exists again"):
        undo_run(db, run_id)
    with pytest.raises(InputError, match="no run"):
        undo_run(db, "r-nope")
    other = RunLog(db).start("contacts import")
    with pytest.raises(InputError, match="only airtable audit"):
        undo_run(db, other)


def test_merge_moves_campaign_links_and_undo_puts_them_back(db):
    seed(db, BASE)
    db.execute("INSERT INTO campaigns (id, name, created_at, updated_at) VALUES ('k1', 'One', 'x', 'x'), "
               "('k2', 'Two', 'x', 'x')")
    db.execute("INSERT INTO campaign_contacts VALUES ('k1', 'dupe'), ('k2', 'dupe'), ('k2', 'keep')")
    db.execute("INSERT INTO events (contact_id, email, source, kind, at) VALUES ('dupe', 'jo@stormfm.co.uk', "
               "'mailchimp', 'open', '2026-01-01')")
    db.conn.commit()
    links = lambda: sorted(db.execute("SELECT campaign_id, contact_id FROM campaign_contacts").fetchall())
    before_links = links()
    _result, run_id = run_fix(db)
    assert links() == [("k1", "keep"), ("k2", "keep")]
    assert db.execute("SELECT contact_id FROM events").fetchone()[0] == "keep"
    undo_run(db, run_id)
    assert links() == before_links
    assert db.execute("SELECT contact_id FROM events").fetchone()[0] == "dupe"


def test_merge_fill_keeps_keeper_values_and_unites_lists():
    keeper = Contact("a", "x@y.org", "Jo", None, station="Storm FM", tags=("A",), status="opted-in",
                     extra={"k": "mine"})
    other = Contact("b", "x@y.org", "Joanne", "Bloggs", station="Other", tags=("B", "a"), status="bounced",
                    extra={"k": "theirs", "z": 1})
    fill = merge_fill(keeper, [other])
    assert fill == {"last_name": "Bloggs", "tags": ["A", "B"], "extra": {"k": "mine", "z": 1}, "status": "bounced"}


def test_ambiguous_typos_and_suggestion_only_findings_are_not_fixed():
    from totalaudio.services.audit.service import audit_contacts

    people = [Contact(f"x{i}", f"p{i}@radiokx.org") for i in range(10)]
    people += [Contact(f"z{i}", f"p{i}@radiokz.org") for i in range(10)]
    people += [Contact("a", "me@radiok.org"), Contact("b", "x@kxrp.org", website="www.kxrp")]
    report = audit_contacts(people)
    [typo] = [f for f in report.findings if f.check == "email.typo"]
    assert typo.contact_id == "a" and typo.suggestion is None and not typo.fixable
    assert any(f.check == "url.invalid" and f.contact_id == "b" for f in report.findings)
    plan = plan_fixes(people, report.findings)
    assert plan.changes == [] and plan.merges == []
