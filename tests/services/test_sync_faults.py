"""The sync under faults: rate limits and 429s, expiring page cursors, and a push killed halfway."""

from __future__ import annotations

import pytest

from tests.fakes.airtable_rig import FakeClock, Rig
from totalaudio.clients.airtable import AirtableClient
from totalaudio.store.contacts import ContactStore


def test_the_client_paces_itself_below_five_requests_per_second(tap_home):
    rig = Rig(tap_home, fake_rate=5, client_rate=5)
    try:
        rig.seed(1200)
        result = rig.sync()
        assert result.fetched == 1200 and result.api_calls == 13
        assert rig.fake.count(status=429) == 0
        assert rig.fake.requests_in_busiest_second() <= 5
        assert sum(rig.clock.slept) >= 2.0  # 13 requests at 5/s take at least two (fake) seconds
    finally:
        rig.close()


def test_after_a_429_the_client_waits_30_seconds_and_goes_on(tap_home):
    rig = Rig(tap_home, fake_rate=5, client_rate=None)  # no client pacing: the fake has to say so
    try:
        rig.seed(900)
        started = rig.clock()
        result = rig.sync()
        assert result.fetched == 900 and rig.db.execute("SELECT count(*) FROM contacts").fetchone()[0] == 900
        assert rig.fake.count(status=429) == 1
        assert rig.clock() - started >= 29.9
        assert max(rig.clock.slept) >= 29.9
    finally:
        rig.close()


def test_the_429_cooldown_is_configurable(tap_home):
    from totalaudio.clients._base import RateLimiter
    from totalaudio.clients.airtable import make_caller

    rig = Rig(tap_home, fake_rate=5)
    rig.fake.penalty_seconds = 5
    limiter = RateLimiter(None, 5, clock=rig.clock, sleep=rig.clock.sleep)
    rig.client = AirtableClient(rig.fake.token, rig.fake.base_id, rig.fake.url,
                                make_caller(cooldown=5, limiter=limiter, sleep=rig.clock.sleep))
    try:
        rig.seed(700)
        started = rig.clock()
        assert rig.sync().fetched == 700
        assert 5.0 <= rig.clock() - started < 30.0
    finally:
        rig.close()


def test_an_expired_page_cursor_restarts_the_listing_without_duplicates(rig_factory):
    rig = rig_factory()
    rig.seed(450)
    calls = {"n": 0}
    original = rig.fake.list_records

    def expiring(table, options):
        calls["n"] += 1
        page = original(table, options)
        if calls["n"] == 3:
            rig.fake.expire_offsets()
        return page

    rig.fake.list_records = expiring
    result = rig.sync(pull=True, push=False)
    assert rig.fake.count(status=422) == 1
    assert result.fetched == 450 and result.pulled == 450
    assert rig.db.execute("SELECT count(DISTINCT airtable_id) FROM contacts").fetchone()[0] == 450


def _kill_after(client: AirtableClient, method: str, landed: int) -> None:
    """Make the client die (as on SIGKILL) right after its n-th batch reached Airtable, before it heard back."""
    original = getattr(client, method)
    count = {"n": 0}

    def dying(*args, **kwargs):
        result = original(*args, **kwargs)
        count["n"] += 1
        if count["n"] == landed:
            raise KeyboardInterrupt("killed")
        return result

    setattr(client, method, dying)


def test_a_push_killed_halfway_resumes_without_duplicates_or_losses(rig_factory):
    rig = rig_factory()
    rig.seed(40)
    rig.sync()
    for i in range(35):
        rig.set_local(f"dj{i}@station{i % 7}.example", notes=f"edited {i}")
    with rig.db.conn:
        ContactStore(rig.db).insert_many([{"email": f"new{i}@press.example"} for i in range(25)])
    _kill_after(rig.client, "upsert_batch", 2)
    with pytest.raises(KeyboardInterrupt):
        rig.sync(push=True, pull=False)
    writes_before = len(rig.writes())
    assert writes_before == 4 + 2  # every update batch, and two create batches landed
    rig.client = AirtableClient(rig.fake.token, rig.fake.base_id, rig.fake.url, rig.client.caller)
    result = rig.sync(push=True, pull=False)
    assert result.reconciled == 10  # the batch whose answer was lost is confirmed by a lookup
    assert result.created == 5 and result.pushed == 0
    assert len(rig.writes()) - writes_before == 1  # only the batch that never landed is sent
    emails = [r["fields"]["Email"] for r in rig.contacts.records.values()]
    assert len(emails) == len(set(emails)) == 65
    assert all(rig.remote(f"dj{i}@station{i % 7}.example")["fields"]["Notes"] == f"edited {i}" for i in range(35))
    assert rig.db.execute("SELECT count(*) FROM contacts WHERE airtable_id IS NULL").fetchone()[0] == 0
    assert rig.db.execute("SELECT count(*) FROM journal WHERE state = 'pending'").fetchone()[0] == 0
    assert rig.sync().pushed == 0 and rig.sync().created == 0


def test_a_killed_update_batch_is_confirmed_not_resent(rig_factory):
    rig = rig_factory()
    rig.seed(30)
    rig.sync()
    for i in range(30):
        rig.set_local(f"dj{i}@station{i % 7}.example", show=f"Show {i}")
    _kill_after(rig.client, "update_batch", 2)
    with pytest.raises(KeyboardInterrupt):
        rig.sync()
    rig.client = AirtableClient(rig.fake.token, rig.fake.base_id, rig.fake.url, rig.client.caller)
    writes_before = len(rig.writes())
    result = rig.sync()
    assert result.reconciled == 10 and result.pushed == 10
    assert len(rig.writes()) - writes_before == 1
    assert all(rig.remote(f"dj{i}@station{i % 7}.example")["fields"]["Show"] == f"Show {i}" for i in range(30))


@pytest.fixture
def rig_factory(tap_home):
    made = []

    def make(**kwargs):
        made.append(Rig(tap_home, clock=FakeClock(), **kwargs))
        return made[-1]

    yield make
    for rig in made:
        rig.close()


def test_a_pull_killed_between_pages_is_finished_by_the_next_run(rig_factory):
    rig = rig_factory()
    rig.seed(350)
    _kill_after(rig.client, "list_page", 2)
    with pytest.raises(KeyboardInterrupt):
        rig.sync()
    assert rig.db.execute("SELECT count(*) FROM contacts").fetchone()[0] == 100  # page 2 arrived, unread
    assert rig.db.execute("SELECT count(*) FROM sync_state").fetchone()[0] == 0  # no cursor: the next run is full
    rig.client = AirtableClient(rig.fake.token, rig.fake.base_id, rig.fake.url, rig.client.caller)
    result = rig.sync()
    assert result.full is True and result.fetched == 350 and result.pulled == 250
    assert rig.db.execute("SELECT count(DISTINCT email_norm), count(*) FROM contacts").fetchone() == (350, 350)
    assert rig.writes() == []


def test_a_refused_reconcile_lookup_falls_back_to_resending_idempotently(rig_factory, monkeypatch):
    from tests.fakes import airtable_formula

    rig = rig_factory()
    rig.seed(5)
    rig.sync()
    with rig.db.conn:
        ContactStore(rig.db).insert_many([{"email": f"new{i}@press.example"} for i in range(15)])
    _kill_after(rig.client, "upsert_batch", 1)
    with pytest.raises(KeyboardInterrupt):
        rig.sync(pull=False)
    monkeypatch.delitem(airtable_formula.FUNCTIONS, "OR")
    rig.client = AirtableClient(rig.fake.token, rig.fake.base_id, rig.fake.url, rig.client.caller)
    result = rig.sync(pull=False)
    assert result.reconciled == 0 and result.created == 15
    emails = [r["fields"]["Email"] for r in rig.contacts.records.values()]
    assert len(emails) == len(set(emails)) == 20
