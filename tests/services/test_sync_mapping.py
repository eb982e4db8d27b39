"""The default field mapping: select labels both ways, canonical values, tap.toml overrides."""

from __future__ import annotations

import pytest

from totalaudio.config import Settings
from totalaudio.errors import ConfigError
from totalaudio.models import CONTACT_STATUSES, CONTACT_TYPES
from totalaudio.services.airtable.mapping import canonical, load_mapping, select_label, select_value


@pytest.mark.parametrize("value", CONTACT_STATUSES + CONTACT_TYPES)
def test_every_status_and_type_round_trips_through_its_label(value):
    assert select_value(select_label(value)) == value


def test_labels_look_like_the_base():
    assert [select_label(v) for v in ("opted-in", "unsubscribed", "radio", "tv", "do-not-contact")] == \
        ["Opted-In", "Unsubscribed", "Radio", "TV", "Do Not Contact"]
    assert select_value("Do Not Contact") == "do-not-contact" and select_value(" OPTED-IN ") == "opted-in"


def test_canonical_values_make_empty_things_equal():
    assert canonical("text", "  ") is None and canonical("multi", []) is None and canonical("text", None) is None
    assert canonical("link", ["recB", "recA"]) == ["recA", "recB"]
    assert canonical("number", "3") == 3 and canonical("number", 2.0) == 2 and canonical("number", "x") == "x"


def test_a_contact_record_converts_to_local_values_and_back():
    contacts = load_mapping(Settings(environ={}))[0]
    values = contacts.from_record({"id": "rec1", "fields": {"Email": "a@b.org", "Status": "Opted-In",
                                                           "Contact Type": "Radio", "Genres": ["Indie"]}})
    assert (values["status"], values["contact_type"], values["genres"], values["notes"]) == \
        ("opted-in", "radio", ["Indie"], None)
    fields = contacts.to_fields({"status": "unsubscribed", "genres": None, "notes": None})
    assert fields == {"Status": "Unsubscribed", "Genres": [], "Notes": None}


def test_the_merge_column_cannot_be_unmapped(tmp_path):
    toml = tmp_path / "tap.toml"
    toml.write_text('[airtable.contacts_fields]\nemail = ""\n')
    with pytest.raises(ConfigError, match="cannot be left out"):
        load_mapping(Settings(environ={"TAP_CONFIG": str(toml)}))
