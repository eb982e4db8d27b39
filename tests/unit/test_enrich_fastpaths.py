"""The cheaper searches that stand in for slow patterns give the same answers as the patterns themselves."""

from __future__ import annotations

import random
import re

import pytest

from totalaudio.services.enrich import contacts, people, shows, submission
from totalaudio.services.enrich.extract import FORM_HINT, FORM_HINT_LOW, SOCIAL_HINT, SOCIAL_HINT_LOW
from totalaudio.services.enrich.submission import SENTENCE, split_sentences


def texts(alphabet: str, words: tuple[str, ...], count: int = 20_000, seed: int = 7) -> list[str]:
    """Random short texts made of the patterns' own words and letters, digits, spaces and punctuation around them."""
    rnd = random.Random(seed)
    pieces = list(words) + list(alphabet)
    return ["".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 12))) for _ in range(count)]


BLOCK_WORDS = ("mon", "tue", "sun", "sat", "weekday", "weekend", "week", "daily", "with", "host", "present", "w/",
               "dj", "noon", "midnight", "con ", "avec ", "mit ", "por ", "par ", "am", "pm", "12", "7:30", " 9 ")


def test_block_hints_agree_with_their_patterns():
    for text in texts(" ap:0123456789_.-/éxdjmonsu\n", BLOCK_WORDS):
        assert shows.maybe_show(text) is (shows.MAYBE_SHOW_LOW.search(text) is not None), text
        assert shows.when_hint(text) is (shows.WHEN_HINT_LOW.search(text) is not None), text


SUBMIT_WORDS = ("submit", "submitting ", "your ", "music", "tracks", "demo", "demos", "promo", "send ", "us ", "a ",
                "artists", "band", "labels", "airplay", "on the radio", "be played", "get ", "have ", "their ",
                "songs ", "heard", "for ", "should ", "be ", "sent", "accept", "accepting ", "new ", "submissions",
                "hearing your music", "considered ", "upload ", "played", "can ", "via ", "email", "digital ", "tunes",
                "promos via email", "promo by email", "get my ", "tracks heard")


def test_submission_parts_agree_with_the_whole_pattern():
    whole = re.compile(submission.SUBMIT_PARAGRAPH.pattern.replace("(?i)", "", 1))
    matched = 0
    for text in texts(" .,s", SUBMIT_WORDS):
        assert submission._submits(text) is (whole.search(text) is not None), text
        matched += whole.search(text) is not None
    assert matched > 500  # the random texts do say "send us your music" often enough to test both answers


def test_submission_hint_words_are_the_hint_pattern():
    for text in texts(" .,s", SUBMIT_WORDS + submission.SUBMIT_HINT_WORDS, count=5_000):
        assert submission._hinted(text) is (submission.SUBMIT_HINT.search(text) is not None), text


@pytest.mark.parametrize("url", ["https://www.Facebook.com/x", "https://SITE.org/FORMS/a", "https://x.COM/a",
                                 "https://ſoundcloud.com/a", "https://\u212aeep.example/tiktok", "https://a.org/b",
                                 "https://LINKTR.EE/x", "https://fb\u0130.com/", "https://tally.so/r/1"])
def test_url_hints_agree_with_the_case_insensitive_patterns(url):
    assert shows.found(SOCIAL_HINT, SOCIAL_HINT_LOW, url) is (SOCIAL_HINT.search(url) is not None)
    assert shows.found(FORM_HINT, FORM_HINT_LOW, url) is (FORM_HINT.search(url) is not None)


def test_obfuscated_at_scan_finds_what_finditer_finds():
    spans = lambda matches: [(m.start(), m.end()) for m in matches]  # noqa: E731
    found = 0
    words = ("at", "AT", " ", "  ", "dot", "DOT", "jo", "at ", " at ", "[at]", " ( at ) ", " AT ", "{dot}")
    for text in texts("[](){}<>x-.\n\xa0", words, seed=3):
        assert spans(contacts._at_words(text)) == spans(contacts.AT_WORD.finditer(text)), text
        found += bool(contacts.AT_WORD.search(text))
    assert found > 1000


def test_day_and_time_on_lower_cased_text_agree_with_the_case_insensitive_patterns():
    words = ("Monday", "MON", "tues", "Wednesdays", "SÁBADO", "Sábado", "lunedì", "LUNEDÌ", "weekends", "Daily",
             "6pm", "6 PM", "8.30a.m.", "10:00", " - ", " to ", "Noon", "MIDNIGHT", "SUN", "ſun", "mİdnight", "Kı",
             "\u212a", "Ra", "x")
    agreed = 0
    for text in texts(" .-–:0123456789aAéÉ", words, seed=11):
        whole = shows.DAY.search(text)
        assert shows._first_match(shows.DAY, text, shows.DAY_LOW) == (whole.group(0).strip() if whole else None), text
        clock = shows.TIME.search(text)
        assert shows._first_match(shows.TIME, text, shows.TIME_LOW) == (clock.group(0).strip() if clock else None), text
        assert shows.time_count(text) == len(shows.TIME.findall(text)), text
        agreed += bool(whole) + bool(clock)
    assert agreed > 2_000


def test_gig_words_are_in_every_gig_match():
    gigs = 0
    words = ("tickets", "ticket", "support", "supported ", "from", "by", "doors", "sold out", "on sale", "sale", "door")
    for text in texts(" :.x", words, seed=13):
        if shows.GIG_LOW.search(text):
            gigs += 1
            assert any(word in text for word in shows.GIG_WORDS), text
    assert gigs > 1000


def test_sentences_split_as_the_sentence_pattern_does():
    for text in texts("ab.!? \n\xa0", ("Yes. ", "no!  ", "?", "end.", "  "), seed=17):
        assert split_sentences(text) == SENTENCE.split(text), text


def test_titles_on_lower_cased_text_agree_with_the_case_insensitive_patterns():
    words = ("Tune in", "LISTEN to", "Join us", "posted", "Show", " at", " ON", "The", "9pm", "10 PM", "ſ", "İ",
             "Kı", "noon", "Midnight", "/presenters/", "/DJ", "/Hosts")
    for text in texts(" )(,–-x", words, seed=19):
        assert shows.found(shows.NOT_TITLE, shows.NOT_TITLE_LOW, text) is (shows.NOT_TITLE.search(text) is not None)
        assert shows._strip_trailing_time(text) == _strip_trailing_time_by_pattern(text), text
        assert shows.found(people.PROFILE_HINT, people.PROFILE_HINT_LOW, text) is bool(people.PROFILE_HINT.search(text))


def _strip_trailing_time_by_pattern(title: str) -> str:
    last = None
    for last in shows.TIME.finditer(title):
        pass
    if last is not None and not title[last.end():].strip(" )") and last.start() > 0:
        return title[:last.start()].rstrip(" ,(–—-")
    return title


def test_programme_phrases_are_found_where_finditer_finds_them():
    words = ("the ", "The ", "our ", "Our ", "other ", "New ", "Releases ", "program", "programme", "programs ",
             "shows ", "show", " including ", " such as ", " like ", "Arts Report", ", ", " and ", "News 101", ". ")
    found = 0
    for text in texts(" x.", words, seed=23):
        for pattern, starts in ((shows.PROGRAM_PHRASE, shows.PHRASE_START), (shows.PROGRAM_LIST, shows.LIST_START)):
            expected = [(m.span(), m.groups()) for m in pattern.finditer(text)]
            assert [(m.span(), m.groups()) for m in shows.finditer_at(pattern, starts, text)] == expected, text
            found += bool(expected)
    assert found > 300


def test_phone_scan_yields_finditers_matches_with_8_digits_or_more():
    words = ("01632 960001", "+44 (0)20 7946 0018", "12", "2024", "555-0142", "(555) 010 4477", "x", "tel ", ". ",
             "\u0663\u0664\u0665\u0666", "=", "/", "a1", " - ")
    phones = 0
    for text in texts(" .-()+\xa0\n", words, seed=29):
        every = [m.span() for m in contacts.PHONE.finditer(text)]
        some = [m.span() for m in contacts._phone_matches(text)]
        assert some == [span for span in every if span in some], text  # finditer's, in its order
        long = [m.span() for m in contacts.PHONE.finditer(text) if sum(c.isdecimal() for c in m.group(0)) >= 8]
        assert set(long) <= set(some), text
        phones += len(long)
    assert phones > 1000


def test_joining_split_text_is_collapsing_whitespace_with_the_pattern():
    spaces = [c for c in map(chr, range(0x3100)) if c.isspace()] + ["\u200b", "\ufeff"]
    for text in texts("ab.", tuple(spaces), seed=31):
        assert " ".join(text.split()) == re.sub(r"\s+", " ", text).strip(), repr(text)
