"""A base without a Campaigns table: contacts still sync both ways, and the result says why campaigns did not."""

from __future__ import annotations

import pytest

from tests.fakes.airtable_rig import Rig
from totalaudio.config import Settings
from totalaudio.errors import ConfigError


@pytest.fixture
def rig(tap_home):
    r = Rig(tap_home)
    del r.fake.tables[r.campaigns.id]  # the plugger's base has only its Contacts table
    yield r
    r.close()


def test_contacts_sync_without_a_campaigns_table(rig):
    rig.seed(12)
    result = rig.sync()
    assert (result.fetched, result.pulled) == (12, 12) and result.tables == ["Contacts"]
    assert result.campaigns["synced"] is False and result.campaigns["table"] == "Campaigns"
    assert "no table named 'Campaigns'" in result.campaigns["reason"]
    hint = result.campaigns["hint"]
    assert "create a table named 'Campaigns'" in hint and "campaigns_table" in hint and "Contacts (link" in hint
    rig.set_local("dj3@station3.example", notes="call back in May")
    pushed = rig.sync()
    assert pushed.pushed == 1 and rig.remote("dj3@station3.example")["fields"]["Notes"] == "call back in May"
    assert pushed.campaigns["synced"] is False


def test_local_campaigns_are_kept_and_not_sent_when_the_table_is_missing(rig):
    from totalaudio.store.campaigns import CampaignStore

    rig.seed(3)
    rig.sync()
    with rig.db.conn:
        CampaignStore(rig.db).create({"name": "Spring Single", "artist": "The Beats"}, [])
    for push_only in (False, True):
        result = rig.sync(pull=not push_only)
        assert result.created == 0 and result.campaigns["synced"] is False and not result.rejected
    assert len(list(rig.db.query("SELECT * FROM campaigns"))) == 1


def test_campaigns_are_reported_synced_when_the_table_exists(tap_home):
    rig = Rig(tap_home)
    try:
        rig.seed(2)
        assert rig.sync().campaigns == {"synced": True, "table": "Campaigns", "reason": None, "hint": None}
    finally:
        rig.close()


def test_campaigns_turned_off_in_tap_toml_say_how_to_turn_them_on(tap_home, tmp_path):
    toml = tmp_path / "tap.toml"
    toml.write_text('[airtable]\ncampaigns_table = ""\n')
    rig = Rig(tap_home, settings=Settings(environ={"TAP_CONFIG": str(toml)}))
    try:
        rig.seed(2)
        result = rig.sync()
        assert result.campaigns["synced"] is False and result.campaigns["table"] is None
        assert "turned off" in result.campaigns["reason"] and "campaigns_table" in result.campaigns["hint"]
        assert rig.fake.count("GET") == 1  # only the contacts listing: no call for a table switched off
    finally:
        rig.close()


def test_a_missing_contacts_table_still_stops_the_run(rig):
    del rig.fake.tables[rig.contacts.id]
    with pytest.raises(ConfigError, match="not found"):
        rig.sync()
