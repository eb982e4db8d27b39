"""The Airtable sync against the loopback fake: pulls, pushes, conflicts, deletions, rejections, dry runs."""

from __future__ import annotations

import json

import pytest

from tests.fakes.airtable_rig import Rig
from totalaudio.config import Settings
from totalaudio.errors import InputError


@pytest.fixture
def rig(tap_home):
    r = Rig(tap_home)
    yield r
    r.close()


def test_first_sync_pulls_everything_with_canonical_values(rig):
    rig.seed(250)
    result = rig.sync()
    assert (result.fetched, result.pulled, result.pushed, result.created) == (250, 250, 0, 0)
    assert result.api_calls == 3 + 1  # three pages of contacts, one of campaigns
    row = rig.local("dj7@station0.example")
    assert (row["status"], row["contact_type"], json.loads(row["genres"])) == ("opted-in", "radio", ["Indie"])
    assert row["airtable_id"] == rig.remote("dj7@station0.example")["id"]
    assert rig.writes() == []


def test_resync_with_nothing_changed_is_one_call_per_table_and_changes_nothing(rig):
    rig.seed(120)
    rig.sync()
    rig.clock.now += 600
    result = rig.sync()
    assert (result.fetched, result.pulled, result.pushed, result.api_calls) == (0, 0, 0, 2)
    formula = rig.fake.log[-2]["query"]["filterByFormula"][0]
    assert formula.startswith("IS_AFTER(LAST_MODIFIED_TIME(), '")


def test_edits_on_both_sides_travel_field_by_field(rig):
    rig.seed(30)
    rig.sync()
    rig.edit_remote("dj1@station1.example", **{"Show": "Late Night Indie"})
    rig.set_local("dj1@station1.example", notes="Prefers WAV")
    rig.set_local("dj2@station2.example", status="unsubscribed", tags=["Priority"])
    result = rig.sync()
    assert result.pulled == 1 and result.pushed == 2 and result.conflicts == []
    assert rig.local("dj1@station1.example")["show"] == "Late Night Indie"
    assert rig.remote("dj1@station1.example")["fields"]["Notes"] == "Prefers WAV"
    assert rig.remote("dj2@station2.example")["fields"]["Status"] == "Unsubscribed"
    sent = [r["fields"] for w in rig.writes() for r in w["body"]["records"]]
    assert sorted(map(sorted, sent)) == [["Notes"], ["Status", "Tags"]]  # only changed fields
    assert all(w["body"]["typecast"] is True for w in rig.writes())


def test_a_field_changed_on_both_sides_is_a_conflict_airtable_wins_by_default(rig):
    rig.seed(5)
    rig.sync()
    rig.edit_remote("dj3@station3.example", Station="Radio Remote")
    rig.set_local("dj3@station3.example", station="Radio Local")
    result = rig.sync()
    [conflict] = result.conflicts
    assert (conflict["field"], conflict["local"], conflict["airtable"], conflict["base"]) == \
        ("Station", "Radio Local", "Radio Remote", "Station 3 FM")
    assert conflict["resolution"] == "airtable"
    assert rig.local("dj3@station3.example")["station"] == "Radio Remote"
    assert rig.writes() == []


def test_prefer_local_sends_the_local_value(rig):
    rig.seed(5)
    rig.sync()
    rig.edit_remote("dj3@station3.example", Station="Radio Remote")
    rig.set_local("dj3@station3.example", station="Radio Local")
    result = rig.sync(prefer="local")
    assert [c["field"] for c in result.conflicts] == ["Station"]
    assert rig.remote("dj3@station3.example")["fields"]["Station"] == "Radio Local"
    assert rig.local("dj3@station3.example")["station"] == "Radio Local"
    assert rig.sync(prefer="local").pushed == 0


def test_new_local_contacts_are_created_once_merged_on_email(rig):
    from totalaudio.store.contacts import ContactStore

    rig.seed(3)
    rig.sync()
    with rig.db.conn:
        ContactStore(rig.db).insert_many([{"email": f"new{i}@press.example", "contact_type": "press",
                                           "status": "opted-in"} for i in range(12)])
    result = rig.sync()
    assert result.created == 12 and len(rig.writes()) == 2
    assert all(w["body"]["performUpsert"] == {"fieldsToMergeOn": ["Email"]} for w in rig.writes())
    assert rig.remote("new11@press.example")["fields"]["Contact Type"] == "Press"
    assert rig.local("new11@press.example")["airtable_id"] == rig.remote("new11@press.example")["id"]
    assert rig.sync().created == 0 and len(rig.contacts.records) == 15


def test_a_local_contact_already_in_airtable_is_linked_not_duplicated(rig):
    from totalaudio.store.contacts import ContactStore

    rig.seed(3)
    with rig.db.conn:
        ContactStore(rig.db).insert_many([{"email": "DJ1@station1.example", "notes": "met at a gig"}])
    result = rig.sync()
    assert len(rig.contacts.records) == 3 and result.created == 0
    assert rig.remote("dj1@station1.example")["fields"]["Notes"] == "met at a gig"
    assert rig.db.execute("SELECT count(*) FROM contacts").fetchone()[0] == 3


def test_deletions_in_airtable_are_found_by_a_full_run_and_journaled(rig):
    records = rig.seed(20)
    rig.sync()
    rig.contacts.records.pop(records[4]["id"])
    assert rig.sync().deleted == 0  # incremental runs cannot see deletions
    result = rig.sync(full=True)
    assert result.deleted == 1
    assert rig.db.execute("SELECT count(*) FROM contacts").fetchone()[0] == 19
    entry = next(iter(rig.db.query("SELECT * FROM journal WHERE op = 'delete' AND entity = 'contacts'")))
    assert json.loads(entry["before"])["email"] == "dj4@station4.example"


def test_local_deletions_are_deleted_in_airtable(rig):
    rig.seed(4)
    rig.sync()
    with rig.db.conn:
        rig.db.execute("DELETE FROM contacts WHERE email_norm = 'dj2@station2.example'")
    result = rig.sync()
    assert result.deleted_upstream == 1 and len(rig.contacts.records) == 3
    assert rig.sync().deleted_upstream == 0


def test_a_rejected_record_is_reported_and_the_rest_go_through(rig):
    rig.seed(25)
    rig.sync()
    for i in range(11):
        rig.set_local(f"dj{i}@station{i % 7}.example", notes=f"note {i}")
    rig.set_local("dj3@station3.example", last_email_date="sometime last week")
    result = rig.sync()
    [rejected] = result.rejected
    assert rejected["email"] == "dj3@station3.example" and rejected["field"] == "Last Email Date"
    assert "cannot accept" in rejected["reason"]
    assert result.pushed == 10
    assert rig.remote("dj10@station3.example")["fields"]["Notes"] == "note 10"
    assert "Notes" not in rig.remote("dj3@station3.example")["fields"]
    writes = len(rig.writes())
    again = rig.sync()  # the same refused values are reported, not sent again
    assert [r["email"] for r in again.rejected] == ["dj3@station3.example"] and len(rig.writes()) == writes
    rig.set_local("dj3@station3.example", last_email_date="2026-11-01")
    fixed = rig.sync()
    assert fixed.rejected == [] and fixed.pushed == 1
    assert rig.remote("dj3@station3.example")["fields"]["Last Email Date"] == "2026-11-01"


def test_values_airtable_normalises_are_taken_back_without_churn(rig):
    rig.seed(2)
    rig.sync()
    rig.set_local("dj1@station1.example", last_email_date="2026-11-20T10:15:00Z")
    assert rig.sync().pushed == 1
    assert rig.local("dj1@station1.example")["last_email_date"] == "2026-11-20"
    rig.clock.now += 600
    assert rig.sync().pushed == 0


def test_dry_run_changes_nothing_anywhere(rig):
    rig.seed(12)
    rig.sync()
    rig.edit_remote("dj1@station1.example", Show="Changed")
    rig.set_local("dj2@station2.example", notes="local change")
    before = list(rig.db.query("SELECT * FROM contacts ORDER BY id"))
    cursor = rig.db.execute("SELECT value FROM sync_state").fetchall()
    result = rig.sync(dry_run=True)
    assert (result.dry_run, result.pulled, result.pushed) == (True, 1, 1)
    assert list(rig.db.query("SELECT * FROM contacts ORDER BY id")) == before
    assert rig.db.execute("SELECT value FROM sync_state").fetchall() == cursor
    assert rig.writes() == []


def test_campaigns_sync_with_their_linked_contacts(rig):
    from totalaudio.store.campaigns import CampaignStore

    rig.seed(5)
    rig.sync()
    ids = [rig.local(f"dj{i}@station{i}.example")["id"] for i in (1, 2)]
    with rig.db.conn:
        campaign_id = CampaignStore(rig.db).create({"name": "Spring Single", "artist": "The Beats", "sent": 2}, ids)
    assert rig.sync().created == 1
    [record] = rig.campaigns.records.values()
    assert record["fields"]["Status"] == "Draft" and record["fields"]["Sent"] == 2
    assert sorted(record["fields"]["Contacts"]) == sorted(rig.local(f"dj{i}@station{i}.example")["airtable_id"]
                                                          for i in (1, 2))
    rig.clock.now += 1
    rig.campaigns.edit(record["id"], {"Opens": 7, "Contacts": record["fields"]["Contacts"][:1]})
    rig.sync()
    row = CampaignStore(rig.db).get(campaign_id)
    assert row["opens"] == 7 and len(CampaignStore(rig.db).contact_ids(campaign_id)) == 1


def test_mapping_names_come_from_tap_toml(tap_home, tmp_path):
    toml = tmp_path / "tap.toml"
    toml.write_text('[airtable]\ncampaigns_table = ""\n[airtable.contacts_fields]\nregion = "Country"\nphone = "x"\n')
    with pytest.raises(Exception, match="unknown column"):
        Rig(tap_home, settings=Settings(environ={"TAP_CONFIG": str(toml)}))
    toml.write_text('[airtable]\ncampaigns_table = ""\n[airtable.contacts_fields]\nregion = "Country"\nnotes = ""\n')
    rig = Rig(tap_home, settings=Settings(environ={"TAP_CONFIG": str(toml)}))
    try:
        assert [t.name for t in rig.tables] == ["Contacts"]
        names = [f.airtable for f in rig.tables[0].fields]
        assert "Country" in names and "Notes" not in names
    finally:
        rig.close()


def test_prefer_must_be_airtable_or_local(rig):
    with pytest.raises(InputError):
        rig.sync(prefer="both")


def test_push_only_still_sees_conflicts_and_leaves_airtables_edit(rig):
    rig.seed(6)
    rig.sync()
    rig.edit_remote("dj4@station4.example", Station="Radio Remote", Show="Remote Show")
    rig.set_local("dj4@station4.example", station="Radio Local", notes="local note")
    result = rig.sync(pull=False)
    assert [c["field"] for c in result.conflicts] == ["Station"]
    fields = rig.remote("dj4@station4.example")["fields"]
    assert (fields["Station"], fields["Notes"], fields["Show"]) == ("Radio Remote", "local note", "Remote Show")
    assert rig.local("dj4@station4.example")["show"] is None  # --push changes nothing here
    assert rig.sync(pull=False, prefer="local").pushed == 1
    assert rig.remote("dj4@station4.example")["fields"]["Station"] == "Radio Local"


def test_two_new_local_contacts_with_one_email_are_not_merged_upstream(rig):
    from totalaudio.store.contacts import ContactStore

    rig.seed(2)
    rig.sync()
    with rig.db.conn:
        ContactStore(rig.db).insert_many([{"email": "twin@x.example", "notes": "a"},
                                          {"email": "Twin@x.example", "notes": "b"},
                                          {"email": "dj1@station1.example", "notes": "dupe of a linked one"}])
    result = rig.sync()
    assert result.created == 1 and len(result.rejected) == 2
    assert all("merge the two" in r["reason"] for r in result.rejected)
    assert len(rig.contacts.records) == 3


def test_a_full_listing_happens_by_itself_once_a_day(rig):
    records = rig.seed(8)
    assert rig.sync().full is True
    rig.contacts.records.pop(records[1]["id"])
    rig.clock.now += 3600
    assert rig.sync().full is False
    rig.clock.now += 24 * 3600
    result = rig.sync()
    assert result.full is True and result.deleted == 1


def test_an_empty_listing_deletes_nothing_and_says_so(rig):
    rig.seed(5)
    rig.sync()
    rig.contacts.records.clear()
    result = rig.sync(full=True)
    assert result.deleted == 0 and "5 local records kept" in result.rejected[0]["reason"]
    assert rig.db.execute("SELECT count(*) FROM contacts").fetchone()[0] == 5


def test_a_field_missing_from_the_base_stops_the_push_with_a_hint(rig):
    from totalaudio.errors import ConfigError

    rig.seed(12)
    rig.sync()
    del rig.contacts.fields["Notes"]
    for i in range(12):
        rig.set_local(f"dj{i}@station{i % 7}.example", notes="x")
    with pytest.raises(ConfigError, match="UNKNOWN_FIELD_NAME"):
        rig.sync()
    assert len(rig.fake.log) - rig.fake.count(method="GET") == 1  # no record-by-record retry


def test_a_refused_since_formula_falls_back_to_another_form_and_remembers_it(rig, monkeypatch):
    from tests.fakes import airtable_formula

    monkeypatch.delitem(airtable_formula.FUNCTIONS, "IS_AFTER")
    rig.seed(10)
    rig.sync()
    rig.edit_remote("dj1@station1.example", Show="New Show")
    result = rig.sync()
    assert result.fetched == 1 and rig.local("dj1@station1.example")["show"] == "New Show"
    assert rig.fake.count(status=422) == 1
    rig.clock.now += 600
    assert rig.sync().api_calls == 2 and rig.fake.count(status=422) == 1
    assert rig.fake.log[-2]["query"]["filterByFormula"][0].startswith("LAST_MODIFIED_TIME() > '")
