"""AirtableClient through the real pyairtable SDK against the loopback fake: listing, batches, errors, formulas."""

from __future__ import annotations

import pytest

from tests.fakes.airtable_fake import AirtableFake, tap_base
from tests.fakes.airtable_formula import compile_formula
from tests.fakes.airtable_rig import FakeClock
from totalaudio.clients._base import RateLimiter
from totalaudio.clients.airtable import (AirtableClient, escape_formula_string, field_ref, make_caller,
                                         rejection_of)
from totalaudio.errors import ConfigError, IntegrationError

NASTY = 'Rock\'n\'Roll "FM" \\ {Station} \n,) & OR(TRUE())'


@pytest.fixture
def fake():
    server = AirtableFake(rate_limit=None, clock=FakeClock()).start()
    tap_base(server)
    yield server
    server.stop()


def client_for(fake: AirtableFake, token: str | None = None) -> AirtableClient:
    limiter = RateLimiter(None, 5, clock=fake.clock, sleep=fake.clock.sleep)
    return AirtableClient(token or fake.token, fake.base_id, fake.url, make_caller(limiter=limiter,
                                                                                  sleep=fake.clock.sleep))


@pytest.mark.parametrize("value", ["plain", "Rock'n'Roll \"FM\"", NASTY, "back\\slash\\", "", "tab\there"])
def test_escaped_strings_survive_a_formula_unchanged(value):
    formula = f"{field_ref('Station')}={escape_formula_string(value)}"
    predicate = compile_formula(formula)
    assert predicate({"field": lambda name: value}) is True
    assert predicate({"field": lambda name: value + "x"}) is False


def test_escape_formula_string_quotes_and_escapes():
    assert escape_formula_string("Rock'n'Roll \"FM\"") == "'Rock\\'n\\'Roll \"FM\"'"
    assert escape_formula_string("a\\b") == "'a\\\\b'"
    assert field_ref("Odd}Name") == "{Odd\\}Name}"


def test_a_value_cannot_widen_a_lookup(fake):
    contacts = fake.tables[next(iter(fake.tables))]
    contacts.insert({"Email": "a@x.org", "Station": "Rock'n'Roll \"FM\""})
    contacts.insert({"Email": "b@x.org", "Station": "Other"})
    client = client_for(fake)
    injection = escape_formula_string("' OR TRUE() OR '")
    hits = client.list_all("Contacts", formula=f"{{Station}}={injection}")
    assert hits == []
    [hit] = client.list_all("Contacts", formula="{Station}=" + escape_formula_string("Rock'n'Roll \"FM\""))
    assert hit["fields"]["Email"] == "a@x.org"


def test_pages_of_100_with_offsets(fake):
    contacts = fake.tables[next(iter(fake.tables))]
    for i in range(230):
        contacts.insert({"Email": f"c{i}@x.org"})
    client = client_for(fake)
    pages = list(client.iter_pages("Contacts"))
    assert [len(p) for p in pages] == [100, 100, 30] and client.calls == 3
    assert fake.log[1]["query"]["offset"][0].startswith("itr")


def test_batches_are_at_most_ten_and_the_fake_refuses_more(fake):
    client = client_for(fake)
    with pytest.raises(ValueError):
        client.update_batch("Contacts", [{"id": "rec", "fields": {}}] * 11)
    table = client.api.table(fake.base_id, "Contacts")
    with pytest.raises(Exception) as info:
        client.api.request("post", table.urls.records, json={"records": [{"fields": {}}] * 11})
    assert info.value.response.status_code == 422


def test_upsert_create_update_delete_round_trip(fake):
    client = client_for(fake)
    out = client.upsert_batch("Contacts", [{"fields": {"Email": "a@x.org", "Status": "Opted-In"}}], ["Email"])
    assert len(out["createdRecords"]) == 1
    again = client.upsert_batch("Contacts", [{"fields": {"Email": "a@x.org", "Notes": "hi"}}], ["Email"])
    assert again["updatedRecords"] == out["createdRecords"]
    rid = out["createdRecords"][0]
    [updated] = client.update_batch("Contacts", [{"id": rid, "fields": {"Show": "Night"}}])
    assert updated["fields"] == {"Email": "a@x.org", "Status": "Opted-In", "Notes": "hi", "Show": "Night"}
    created = client.create_batch("Contacts", [{"fields": {"Email": "b@x.org"}}])
    assert client.delete_batch("Contacts", [rid, created[0]["id"]])[0]["deleted"] is True
    assert client.list_all("Contacts") == []


def test_a_bad_value_is_a_422_naming_the_field(fake):
    client = client_for(fake)
    with pytest.raises(IntegrationError) as info:
        client.upsert_batch("Contacts", [{"fields": {"Email": "a@x.org", "Last Email Date": "soon"}}], ["Email"])
    assert info.value.status == 422
    assert rejection_of(info.value)["field"] == "Last Email Date"


def test_a_bad_token_is_a_configuration_error(fake):
    with pytest.raises(ConfigError):
        client_for(fake, token="patWRONG").list_page("Contacts")


def test_an_unknown_table_is_a_configuration_error_with_a_hint(fake):
    with pytest.raises(ConfigError) as info:
        client_for(fake).list_page("Contacts2")
    assert "tap.toml" in info.value.hint


def test_whoami_and_schema(fake):
    client = client_for(fake)
    assert client.whoami()["id"].startswith("usr")
    tables = client.schema()["tables"]
    assert [t["name"] for t in tables] == ["Contacts", "Campaigns"]
    assert {"id", "name", "type"} <= set(tables[0]["fields"][0])


def test_the_rate_limiter_keeps_any_second_to_five_starts():
    clock = FakeClock(1000.0)
    limiter = RateLimiter(5, 5, clock=clock, sleep=clock.sleep)
    starts = []
    for _ in range(23):
        limiter.acquire()
        starts.append(clock())
        limiter.release()
    busiest = max(sum(1 for t in starts if s <= t < s + 1.0) for s in starts)
    assert busiest == 5 and clock() - 1000.0 >= 4.0


def test_the_airtable_limiter_leaves_a_margin_for_jitter():
    from totalaudio.clients._base import RateLimiter
    from totalaudio.clients.airtable import INTEGRATION

    clock = FakeClock(1000.0)
    limiter = RateLimiter(5, 5, clock=clock, sleep=clock.sleep, period=INTEGRATION.rate_period)
    starts = []
    for _ in range(11):
        limiter.acquire()
        starts.append(clock())
        limiter.release()
    assert starts[5] - starts[0] >= 1.1 and starts[10] - starts[5] >= 1.1
    from totalaudio.clients.airtable import AirtableClient

    assert AirtableClient("pat", "appMARGIN").caller.limiter.period == 1.1  # what a real client paces with
