"""``tap claude social|analyse|recommend``: posts within each network's limit as it counts, patterns computed
locally with a checked reading, recommendations naming contacts and facts."""

import pytest

from tests.claude_data import fake, store  # noqa: F401 - fixtures
from tests.cli.helpers import tap
from totalaudio.services.claude import social


@pytest.fixture
def release(tmp_path):
    path = tmp_path / "release.md"
    path.write_text("First Light by The Band\nA bright indie single. https://theband.example.com/fl\n")
    return path


def test_lengths_are_counted_as_each_network_counts():
    assert social.length("x", "a" * 10 + " https://example.com/x " + "b" * 100) == 10 + 1 + 23 + 1 + 100
    assert social.length("x", "日本") == 4 and social.length("x", "👍🏽") == 2
    assert social.length("bluesky", "👨‍👩‍👧 é🇬🇧") == 4
    assert social.length("threads", "😀") == 2  # UTF-16 code units
    assert social.length("x", social.trim("x", "word " * 100)) <= 280


def test_posts_over_the_limit_are_asked_again_then_trimmed(fake, release):
    long = {"posts": [{"network": "x", "text": "word " * 80}, {"network": "bluesky", "text": "ok"}]}
    fake.state.replies = [long, long]
    result = tap("claude", "social", "--release", release, "--networks", "x,bluesky", "--json").json()
    assert result["source"] == "template"
    assert all(p["length"] <= p["limit"] for p in result["posts"])
    fake.state.replies = [{"posts": [{"network": "x", "text": "First Light is out https://theband.example.com/fl"},
                                     {"network": "bluesky", "text": "Out now"}]}]
    good = tap("claude", "social", "--release", release, "--networks", "x,bluesky", "--json").json()
    assert good["source"] == "claude" and good["posts"][0]["length"] == 19 + 23
    assert tap("claude", "social", "--release", release, "--networks", "myspace").code == 2


def test_social_without_a_key_fits_every_network(release):
    result = tap("claude", "social", "--release", release, "--json").json()
    assert [p["network"] for p in result["posts"]] == list(social.LIMITS) and result["source"] == "template"


def test_analyse_computes_locally_and_checks_the_reading(store, fake):
    fake.state.replies = [{"paragraphs": ["Radio A replied: 1 of its messages got a reply."]}]
    result = tap("claude", "analyse", "--json").json()
    assert result["totals"]["sent"] == 4 and result["byStation"][0]["name"] == "Radio A"
    assert result["reading"]["source"] == "claude" and {g["name"] for g in result["byWeekday"]}
    fake.state.replies = [{"paragraphs": ["Radio A replied 9 times."]}] * 2
    wrong = tap("claude", "analyse", "--json").json()
    assert wrong["reading"]["text"] is None and "'9'" in wrong["reading"]["problems"][0]
    assert "Radio A" in tap("claude", "analyse", "--no-ai").out


def test_recommend_names_contacts_and_facts(store):
    result = tap("claude", "recommend", "Spring single", "--json").json()
    by = {r["action"]: r for r in result["recommendations"]}
    assert {c["contactId"] for c in by["drop"]["contacts"]} == {"ct_cat", "ct_dan"}
    assert by["drop"]["facts"]["ct_cat"] == ["bounce_hard"]
    assert by["thank"]["contacts"][0]["name"] == "Ann"
    assert "[drop]" in tap("claude", "recommend", store).out


def test_an_answer_that_breaks_the_schema_twice_is_a_clear_error(fake, release):
    fake.state.replies = [{"posts": "not a list"}, ("text", "I would rather chat.")]
    result = tap("claude", "social", "--release", release, "--json")
    error = result.err_json()["error"]
    assert result.code == 4 and "invalid twice" in error["message"] and "--no-ai" in error["hint"]
