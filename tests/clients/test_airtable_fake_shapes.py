"""The Airtable fake answers in the shapes Airtable was recorded answering (../shared/specs/airtable)."""

from __future__ import annotations

import json
import re

import pytest
import requests

from tests.fakes.airtable_fake import AirtableFake
from tests.standins import shared_file

RECORD_ID = re.compile(r"^rec[A-Za-z0-9]{14}$")
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
OFFSET = re.compile(r"^itr[A-Za-z0-9]+/rec[A-Za-z0-9]{14}$")


def recorded(name: str):
    return json.loads(shared_file(f"specs/airtable/{name}").read_text())


def _type_of(value) -> str:
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return "multipleCollaborators" if "email" in value[0] else "multipleAttachments"
        return "multipleRecordLinks"
    return {bool: "checkbox", dict: "singleCollaborator"}.get(type(value), "singleLineText")


@pytest.fixture
def fake():
    server = AirtableFake(rate_limit=None).start()
    created = recorded("airtable.js-fixtures/records.create.json")
    fields = {name: _type_of(v) for rec in created for name, v in rec["fields"].items()}
    table = server.add_table("Projects", list(fields.items()))
    for record in recorded("airtable.js-fixtures/records.json")["records"]:
        table.insert({k: v for k, v in record["fields"].items() if k in fields})
    yield server
    server.stop()


def get(fake: AirtableFake, path: str, **params):
    return requests.get(fake.url + path, params=params, headers={"Authorization": f"Bearer {fake.token}"},
                        timeout=5)


def test_a_page_with_an_offset_has_the_recorded_shape(fake):
    mine = get(fake, f"/v0/{fake.base_id}/Projects", pageSize=1).json()
    theirs = recorded("airtable.js-fixtures/records.pageSize-1.json")
    assert set(mine) == set(theirs) == {"records", "offset"}
    assert set(mine["records"][0]) == set(theirs["records"][0]) == {"id", "createdTime", "fields"}
    for page in (mine, theirs):
        assert OFFSET.match(page["offset"]) and RECORD_ID.match(page["records"][0]["id"])
        assert TIME.match(page["records"][0]["createdTime"])


def test_the_last_page_has_no_offset_like_the_recorded_one(fake):
    first = get(fake, f"/v0/{fake.base_id}/Projects", pageSize=1).json()
    rest = get(fake, f"/v0/{fake.base_id}/Projects", pageSize=100, offset=first["offset"]).json()
    theirs = recorded("airtable.js-fixtures/records.pageSize-1-offset-2.json")
    assert set(rest) == set(theirs) == {"records"}


def test_recorded_create_and_update_payloads_are_accepted_and_answered_as_records(fake):
    headers = {"Authorization": f"Bearer {fake.token}"}
    url = f"{fake.url}/v0/{fake.base_id}/Projects"
    created = requests.post(url, json={"records": recorded("airtable.js-fixtures/records.create.json")},
                            headers=headers, timeout=5).json()
    listed = recorded("airtable.js-fixtures/records.json")["records"][0]
    assert all(set(r) == set(listed) for r in created["records"])
    updates = recorded("airtable.js-fixtures/records.update.json")
    for item, target in zip(updates, created["records"]):
        item["id"] = target["id"]
        item["fields"] = {k: v for k, v in item["fields"].items() if k != "Project images"}
    updated = requests.patch(url, json={"records": updates}, headers=headers, timeout=5).json()
    assert [r["id"] for r in updated["records"]] == [r["id"] for r in created["records"]]
    assert set(updated["records"][0]) == set(listed)


def test_the_schema_has_the_recorded_shape_and_pyairtable_parses_it(fake):
    from pyairtable import Api

    mine = get(fake, f"/v0/meta/bases/{fake.base_id}/tables").json()
    theirs = recorded("pyairtable-sample_data/BaseSchema.json")
    assert set(mine) == set(theirs) == {"tables"}
    table, recorded_table = mine["tables"][0], theirs["tables"][0]
    assert {"id", "name", "primaryFieldId", "fields", "views"} <= set(table) <= set(recorded_table)
    recorded_field_keys = {k for t in theirs["tables"] for f in t["fields"] for k in f}
    assert all({"id", "name", "type"} <= set(f) <= recorded_field_keys for f in table["fields"])
    assert set(table["views"][0]) == set(recorded_table["views"][0])
    schema = Api(fake.token, endpoint_url=fake.url).base(fake.base_id).schema()
    assert schema.table("Projects").field("Name").type == "singleLineText"


def test_errors_have_airtables_shape(fake):
    bad = requests.get(f"{fake.url}/v0/{fake.base_id}/Projects", headers={"Authorization": "Bearer nope"}, timeout=5)
    unknown = get(fake, f"/v0/{fake.base_id}/Nope")
    assert bad.status_code == 401 and set(bad.json()["error"]) == {"type", "message"}
    assert unknown.status_code == 404 and unknown.json()["error"]["type"] == "TABLE_NOT_FOUND"
