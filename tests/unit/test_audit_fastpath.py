"""The audit's fast paths give the findings of the plain code they replaced (bench_audit's 100k time depends
on them): each is compared with a straightforward reference over a synthetic base with every kind of problem."""

import re
import unicodedata

import pytest

from tests.bench.audit_synth import make_base
from totalaudio.services.audit import checks, fuzzy
from totalaudio.services.audit.checks import base_names, prepare
from totalaudio.services.audit.stations import station_key
from totalaudio.services.contacts import emaildomains as ed

_SPACES = re.compile(r"[\s\u00a0\u200b\u200c\u200d\u2060\ufeff]+")


@pytest.fixture(scope="module")
def prepared():
    contacts, _truth, _events, _dead = make_base(3000, seed=11, share=0.02)
    names = base_names(contacts)
    return [prepare(c, names) for c in contacts]


def test_clean_email_fast_path(prepared):
    raws = [p.contact.email for p in prepared] + [" a@b.org", "a@b.org\t", "a\u00a0@b.org", "\ufeffa@b.org",
                                                  "Zoë@b.org", "a@b.org\n", "", None, "a\u200b@b.org"]
    for raw in raws:
        assert ed.clean_email(raw) == _SPACES.sub("", unicodedata.normalize("NFC", raw or ""))


def test_syntax_verdict_with_the_split_given(prepared):
    for p in prepared:
        assert ed.syntax_error(p.email, ed.split_email(p.email)) == ed.syntax_error(p.email)


def _reference_keys(p):
    c, fold = p.contact, fuzzy.fold
    last, keys = fold(c.last_name), []
    if last and p.valid and not ed.is_free(p.domain):
        keys.append(("domain", ed.registrable(p.domain), last))
    first = fuzzy.first_token(c.first_name)
    if last and c.station and c.station.strip():
        keys.append(("station", station_key(c.station), last))
        if first:
            keys.append(("station_first", station_key(c.station), first))
    place = station_key(c.station) if c.station and c.station.strip() else (
        ed.registrable(p.domain) if p.valid and not ed.is_free(p.domain) else "")
    if last and (first := fold(c.first_name)) and place:
        keys.append(("swapped", place, "|".join(sorted((first, last)))))
    digits = re.sub(r"\D", "", c.phone or "")
    if len(digits) >= 7:
        keys.append(("phone", digits[-9:], ""))
    if p.valid and len(p.local) >= 6 and not p.role:
        keys.append(("local", p.local.lower(), ""))
    return keys


def test_block_keys_fast_path(prepared):
    for p in prepared:
        assert fuzzy.block_keys(p) == _reference_keys(p)


def test_value_checks_fast_path(prepared):
    for p in prepared:
        expected = []
        for name in checks.TEXT_FIELDS:
            value = getattr(p.contact, name)
            if value and len(value) > checks.OVERSIZED:
                expected.append((name, "field.oversized"))
            if value and name not in ("first_name", "last_name") and checks.FORMULA.match(value):
                expected.append((name, "field.formula"))
        got = [(f.field, f.check) for f in checks.check_values(p)]
        assert got == [(checks.camel(n), c) for n, c in expected]


def test_name_word_shapes_fast_path(prepared):
    words = {t for p in prepared for x in (p.contact.first_name, p.contact.last_name) if x
             for t in re.findall(r"[^\W\d_]+", x.lower())} | {"xxxena", "bcdfgh", "brzęczyszczykiewicz"}
    for t in words:
        no_vowel = len(t) >= 5 and t.isascii() and not re.search("[aeiouy]", t)
        assert checks._token_shape(t) == (bool(re.search(r"(.)\1\1", t)), no_vowel)
