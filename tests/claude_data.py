"""A campaign in a store, for the Claude and research tests and benchmarks: four stations' people, their events."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from totalaudio.store.campaigns import CampaignStore
from totalaudio.store.contacts import ContactStore

PEOPLE = (("ann", "Radio A", ["indie"], "Morning Show"), ("bob", "Radio A", ["indie", "rock"], None),
          ("cat", "Radio B", ["jazz"], None), ("dan", "Radio C", [], "Late Lounge"))


def seed_campaign(db: Any, now: datetime | None = None, name: str = "Spring single") -> tuple[str, dict[str, str]]:
    """A campaign of four contacts with sends, human and machine opens, a click, a reply, a play, a bounce, an
    unsubscribe and a quote; returns its id and the contact ids by first name."""
    now = now or datetime.now(timezone.utc)

    def at(days: float = 0, seconds: float = 0) -> str:
        return (now - timedelta(days=days) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")

    ids = {}
    people = ContactStore(db)
    for first, station, genres, show in PEOPLE:
        ids[first] = f"ct_{first}"
        people.insert_many([{"id": ids[first], "email": f"{first}@example.org", "first_name": first.title(),
                             "station": station, "genres": genres, "region": "UK", "contact_type": "DJ", "show": show,
                             "website": f"https://{station.lower().replace(' ', '')}.example.org"}])
    store = CampaignStore(db)
    cid = store.create({"name": name, "artist": "The Band", "release": "First Light"}, ids.values())
    rows = [(n, "sent", at(5), {}) for n in ids] + [
        ("ann", "open", at(5, 30), {}), ("ann", "open", at(4), {}), ("ann", "click", at(4), {}),
        ("ann", "reply", at(3), {"snippet": "love it"}), ("ann", "outcome", at(2), {"type": "play", "date": at(2)[:10]}),
        ("bob", "open", at(4), {"proxy": True}), ("bob", "auto_reply", at(5, 60), {}),
        ("cat", "bounce_hard", at(5, 10), {}), ("dan", "open", at(3), {}), ("dan", "unsubscribe", at(2), {})]
    store.add_events({"email": f"{n}@example.org", "contact_id": ids[n], "campaign_id": cid, "source": "test",
                      "kind": k, "at": w, "data": d} for n, k, w, d in rows)
    db.table("events").insert({"email": "ann@example.org", "contact_id": ids["ann"], "campaign_id": cid,
                               "source": "plugger", "kind": "quote", "at": at(1),
                               "data": json.dumps({"text": "Already on the playlist"})})
    return cid, ids


@pytest.fixture
def store(tap_home):
    """The seeded campaign in this test's TAP_HOME store; its id."""
    from totalaudio.store.db import open_db

    db = open_db(tap_home / "tap.db")
    cid, _ids = seed_campaign(db)
    db.conn.close()
    return cid


@pytest.fixture
def fake(monkeypatch):
    """The Anthropic stand-in, with ANTHROPIC_API_KEY and TAP_ANTHROPIC_BASE_URL pointing at it."""
    from tests.fakes.anthropic_fake import AnthropicFake

    with AnthropicFake() as server:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
        monkeypatch.setenv("TAP_ANTHROPIC_BASE_URL", server.url)
        yield server
