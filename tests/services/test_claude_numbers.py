"""The number check: facts pass in every documented form; a wrong number, a swapped figure or another station's
figure does not; the template narrative always passes."""

import pytest

from tests.services.test_engagement_facts import NOW, campaign_db  # noqa: F401 - the fixture
from totalaudio.services.claude import numbers, report
from totalaudio.services.reports.facts import campaign_facts


@pytest.fixture
def facts(campaign_db):  # noqa: F811
    db, cid, _ids = campaign_db
    return campaign_facts(db, cid, now=NOW)


def test_template_narrative_passes_its_own_check(facts):
    written = report.template(facts)
    assert "66.7%" in written["text"]
    assert report.grounding_problems(facts, [written["text"]], written["recommendations"]) == []


@pytest.mark.parametrize("text", [
    "2 people opened it, an open rate of 66.7%.", "The open rate was 67%.", "An open rate of 0.667.",
    "About two thirds of the people who got it opened it.", "Radio A had 1 reply and 2 opens.",
    "Three messages were delivered.", "One in three replied.", "The reply rate was 33.3 per cent.",
    "Radio A played it on 29 November.", "It was played on 2026-11-29.", "1 hard bounce was recorded.",
    "The average engagement score is 31/100.", "Two of the four contacts opened it.",
    "2 of 3 delivered messages were opened.", "Of the 3 messages delivered, 2 were opened by people.",
    "In total 2 machine opens from privacy proxies were discounted, so the open rate is 66.7%.",
])
def test_facts_in_every_documented_form_pass(facts, text):
    facts["engagement"]["average"] = 31.0
    assert numbers.check(text, facts) == []


@pytest.mark.parametrize("text", [
    "The open rate was 70%.",                 # not a rounding of 66.7
    "The open rate was 66%.",                 # a wrong rounding
    "3 people opened it.",                    # 3 is a fact (delivered), not the opens
    "Radio B had 1 reply.",                   # Radio A's figure given to Radio B
    "Half of the contacts replied.",          # 33.3 is not about half
    "Twelve messages were delivered.",
    "The reply rate was 33.3 and 4 stations played it on 30 November.",
    "Ann replied on 2026-12-25.", "Radio B played it on 29 November.",
    "An open rate of 0.7%.", "Two of the five contacts opened it.", "5 of 3 delivered were opened.",
])
def test_wrong_numbers_are_caught(facts, text):
    assert numbers.check(text, facts), text


def test_numbers_inside_names_are_not_numbers(facts):
    facts["byStation"][0]["name"] = "Radio 1"
    assert numbers.check("Radio 1 had 1 reply.", facts) == []


def test_hostile_text_never_raises(facts):
    for text in ["", "9" * 5000, "1e309 %", "١٢٣ replies", "∞ opens", "\x00\u202e 5.5.5 opened", "½ replied",
                 "-0.0% reply rate", "1,2,3,4 opened", "opened " * 1000]:
        assert isinstance(numbers.check(text, facts), list)


def test_generated_narratives_with_planted_numbers_are_all_caught():
    from tests.bench.bench_claude import bench_check

    result = bench_check(100, seed=5)
    assert result["wrongNumbersLetThrough"] == 0, result["letThroughExamples"]
    assert result["falseAlarms"] == 0
