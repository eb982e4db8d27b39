"""The engagement score's documented formula, and a campaign's facts computed from stored events."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from tests.claude_data import seed_campaign
from totalaudio.services import engagement as eng
from totalaudio.services.reports.facts import campaign_facts
from totalaudio.store.db import open_db

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


def at(days: float = 0, seconds: float = 0) -> str:
    return (NOW - timedelta(days=days) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def ev(kind, when, **data):
    return {"kind": kind, "at": when, "data": json.dumps(data)}


def test_one_fresh_human_reply_is_63():
    assert eng.score_events([ev("sent", at(1)), ev("reply", at(0))], NOW).score == 63


def test_reply_and_click_is_75_and_five_opens_46():
    sent = ev("sent", at(0, -3600))
    assert eng.score_events([sent, ev("reply", at(0)), ev("click", at(0))], NOW).score == 75
    assert eng.score_events([sent] + [ev("open", at(0)) for _ in range(5)], NOW).score == 46


def test_weights_halve_every_half_life():
    fresh = eng.decayed(ev("reply", at(0)), NOW)
    old = eng.decayed(ev("reply", at(eng.HALF_LIFE_DAYS)), NOW)
    assert old == pytest.approx(fresh / 2)


def test_machine_opens_are_discounted():
    events = [ev("sent", at(2)), ev("open", at(2, 30)), ev("open", at(1), proxy=True)]
    result = eng.score_events(events, NOW)
    assert result.score == 0 and result.machine_opens == 2 and result.human_opens == 0


def test_a_bounce_or_unsubscribe_ends_it():
    assert eng.score_events([ev("sent", at(3)), ev("reply", at(2)), ev("unsubscribe", at(1))], NOW).score == 0
    assert eng.score_events([ev("reply", at(1))], NOW, status="bounced").score == 0
    assert eng.score_events([ev("reply", at(0))], NOW, status="opted-in").score == 63


def test_reply_status_prefers_a_human_reply_over_a_later_auto_reply():
    events = [ev("sent", at(3)), ev("reply", at(2)), ev("auto_reply", at(1))]
    assert eng.score_events(events, NOW).reply_status == "Replied"
    assert eng.score_events([ev("auto_reply", at(1))], NOW).reply_status == "Auto-reply"


def test_outcomes_weigh_by_type():
    assert eng.weight(ev("outcome", at(0), type="play")) == 50
    assert eng.weight(ev("outcome", at(0), type="decline")) == 10


@pytest.fixture
def campaign_db(tmp_path):
    db = open_db(tmp_path / "tap.db")
    cid, ids = seed_campaign(db, NOW)
    return db, cid, ids


def test_campaign_facts_counts_people_not_machines(campaign_db):
    db, cid, ids = campaign_db
    facts = campaign_facts(db, "spring single", now=NOW)
    t = facts["totals"]
    assert (t["chosen"], t["sent"], t["delivered"], t["bounced"], t["hardBounces"]) == (4, 4, 3, 1, 1)
    assert (t["opened"], t["clicked"], t["replied"], t["autoReplies"]) == (2, 1, 1, 1)
    assert t["machineOpensDiscounted"] == 2 and t["unsubscribed"] == 1 and t["outcomes"] == 1
    assert facts["rates"]["openRate"] == 66.7 and facts["rates"]["replyRate"] == 33.3
    assert facts["rates"]["bounceRate"] == 25.0
    assert facts["outcomes"]["play"] == 1 and facts["playedBy"][0]["station"] == "Radio A"
    assert [f["count"] for f in facts["funnel"]] == [4, 4, 3, 2, 1, 1, 1]


def test_campaign_facts_breakdowns_rankings_and_quotes(campaign_db):
    db, cid, ids = campaign_db
    facts = campaign_facts(db, cid, now=NOW)
    stations = {s["name"]: s for s in facts["byStation"]}
    assert stations["Radio A"]["contacts"] == 2 and stations["Radio A"]["replied"] == 1
    assert facts["byStation"][0]["name"] == "Radio A"
    genres = {g["name"]: g["contacts"] for g in facts["byGenre"]}
    assert genres == {"indie": 2, "rock": 1, "jazz": 1, "(none)": 1}
    assert facts["best"][0]["contactId"] == ids["ann"] and facts["best"][0]["score"] > 60
    assert {w["contactId"] for w in facts["worst"]} >= {ids["cat"], ids["dan"]}
    assert facts["quotes"] == [{"contactId": ids["ann"], "station": "Radio A", "date": at(1)[:10], "name": "Ann",
                                "text": "Already on the playlist"}]
    assert sum(d["sent"] for d in facts["daily"]) == 4


def test_contact_engagement_reads_the_store(campaign_db):
    db, cid, ids = campaign_db
    assert eng.contact_engagement(db, ids["ann"], NOW).score > 60
    assert eng.contact_engagement(db, ids["dan"], NOW).score == 0
    assert 0 < eng.campaign_engagement(db, cid, NOW) < 100
