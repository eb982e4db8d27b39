"""The audit's building blocks: syntax, domains, typos, names, URLs, station keys, nicknames, the score."""

import socket
from datetime import datetime, timezone

import pytest

from totalaudio.models import Contact
from totalaudio.services.contacts import emaildomains as ed
from totalaudio.services.audit.service import quality_score
from totalaudio.services.audit.checks import AuditOptions, Finding, check_stale, name_problem, prepare
from totalaudio.services.audit.fuzzy import firsts_match, lasts_match
from totalaudio.services.audit.stations import station_key
from totalaudio.services.audit.urls import check_url


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Nothing here may open a socket (tldextract must use its bundled list)."""
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.mark.parametrize("address,ok", [
    ("jo@stormfm.co.uk", True), ("ana@bärenwelle-radio.de", True), ("dj.mike@", False),
    ("sarah at coastlinefm.com.au", False), ("rob..hart@kxrp.org", False), ("lee@stormfm,co.uk", False),
    ("", False), ("x" * 250 + "@kxrp.org", False), ("séan@liffeysound.ie", True),
])
def test_syntax(address, ok):
    assert (ed.syntax_error(address) is None) is ok


def test_registrable_domain_is_public_suffix_aware_and_offline():
    assert ed.registrable("news.bbc.co.uk") == "bbc.co.uk"
    assert ed.registrable("mail.harbourradio.org.uk") == "harbourradio.org.uk"
    assert ed.registrable("gmail.con") == "gmail.con"


def test_domain_classes():
    assert ed.domain_class("gmail.com") == "free-mail"
    assert ed.domain_class("mailinator.com") == "disposable"
    assert ed.domain_class("stormfm.co.uk") == "broadcaster"
    assert ed.domain_class("bbc.co.uk") == "broadcaster"
    assert ed.domain_class("soundsignalmag.co.uk", radio_share=0.0) == "organisation"
    assert ed.domain_class("acme-records.com") == "organisation"


@pytest.mark.parametrize("domain,expected", [
    ("gmial.com", ["gmail.com"]), ("hotmial.co.uk", ["hotmail.co.uk"]), ("bbc.co.k", ["bbc.co.uk"]),
    ("gmail.con", ["gmail.com"]), ("yaho.com", ["yahoo.com"]), ("outlok.com", ["outlook.com"]),
    ("gmail.com", []), ("email.com", []), ("yahoo.it", []), ("kxrb.org", []), ("gmail.co", ["gmail.com"]),
    ("live.de", []), ("hotmail.co", ["hotmail.com"]), ("gnail.com", ["gmail.com"]),
])
def test_typo_targets_popular(domain, expected):
    index = ed.TypoIndex(ed.POPULAR_DOMAINS)
    assert ed.typo_targets(domain, {domain: 1}, index) == expected


def test_typo_targets_from_the_base_need_a_much_more_used_domain():
    counts = {"stormfm.co.uk": 40, "stromfm.co.uk": 2, "kxrp.org": 20, "kxrb.org": 1, "lakefm.org": 3,
              "lak3fm.org": 2}
    index = ed.TypoIndex(ed.POPULAR_DOMAINS | {d for d, n in counts.items() if n >= 3})
    assert ed.typo_targets("stromfm.co.uk", counts, index) == ["stormfm.co.uk"]
    assert ed.typo_targets("kxrb.org", counts, index) == []  # short names are often different call signs
    assert ed.typo_targets("lak3fm.org", counts, index) == []  # 3 vs 2: not used often enough to be sure


@pytest.mark.parametrize("first,last,role,bad", [
    ("asdf", None, False, True), ("test", "test", False, True), ("xxx", "xxx", False, True),
    ("kev@merseywave.net", None, False, True), ("DJ", "???", False, True),
    ("Presenter", "Monday Night", False, True), ("Music", "Team", True, False),
    ("Seán", "Ó Briain", False, False), ("Caoimhe", "Ní Fhloinn", False, False), ("DJ", "Marlow", False, False),
    ("=HYPERLINK(\"x\")", None, False, True), ("Jo", "Bloggs", False, False), (None, None, False, False),
    ("qwerty", "", False, True), ("Anna-Lena", "Krämer", False, False), ("x" * 500, None, False, True),
    ("John", "Doe", False, True), ("sdfsdf", None, False, True), ("Bcdfgh", None, False, True),
    ("kev.mcgrath", None, False, True), ("Gigi", "Lulu", False, False), ("Tingting", "Zhang", False, False), ("Llwyd", "Crwys", False, False),
    ("Jo", "Bloggs", False, False), ("J.", "Smith", False, False), ("Nguyen", "Tran", False, False),
])
def test_name_problem(first, last, role, bad):
    assert (name_problem(first, last, role) is not None) is bad


@pytest.mark.parametrize("url,problem,suggestion", [
    ("https://stormfm.co.uk", False, None), ("www.kxrp", True, None),
    ("htp://stormfm.co.uk", True, "http://stormfm.co.uk"), ("stormfm .co.uk", True, "https://stormfm.co.uk"),
    ("https//liffeysound.ie", True, "https://liffeysound.ie"), ("http:/coastlinefm.com.au", True, "http://coastlinefm.com.au"),
    ("https://h.org.uk/shows/Loud & Local", True, "https://h.org.uk/shows/Loud%20&%20Local"),
    ("www.liferadio.at", True, "https://www.liferadio.at"), ("mailto:a@b.com", True, None),
    ("https://bärenwelle-radio.de/", False, None), ("h" * 3000, True, None),
])
def test_check_url(url, problem, suggestion):
    verdict = check_url(url)
    assert (verdict.problem is not None) is problem
    assert verdict.suggestion == suggestion


def test_missing_scheme_alone_is_only_info():
    assert check_url("www.liferadio.at").severity == "info"
    assert check_url("htp://x.com").severity == "warning"


def test_station_keys_cluster_spellings():
    keys = {station_key(s) for s in ("Storm FM", "STORM FM", "Storm Fm", "StormFM", "Storm FM (106.2)",
                                     "Storm 106.2 FM", "storm fm ")}
    assert keys == {"storm"}
    assert station_key("BBC Radio 6 Music") == station_key("BBC 6Music") == "bbc6music"
    assert station_key("BBC Radio 1") != station_key("BBC Radio 2")


@pytest.mark.parametrize("a,b,same", [
    ("jon", "jonathan", True), ("kate", "katherine", True), ("mike", "michael", True), ("becky", "rebecca", True),
    ("will", "william", True), ("j", "jonathan", True), ("tom", "sam", False), ("katherine", "catherine", True),
    ("ellie", "amelia", False), ("", "jo", False),
])
def test_first_names(a, b, same):
    assert firsts_match(a, b) is same


def test_last_names():
    assert lasts_match("doyle", "doyle") and lasts_match("pritchard", "pritchrd")
    assert not lasts_match("hale", "hall") and not lasts_match("", "")


def _f(cid, severity):
    return Finding(cid, "x@y.z", "email.role", severity, "email", "m")


def test_quality_score_formula():
    assert quality_score([], 0) == 100.0
    assert quality_score([], 10) == 100.0
    assert quality_score([_f("a", "error")], 10) == 90.0
    assert quality_score([_f("a", "warning")] * 2, 10) == 95.0
    assert quality_score([_f("a", "error"), _f("a", "warning")], 10) == 90.0  # capped at one contact
    assert quality_score([_f("a", "info")], 100) == 100.0 - 0.0  # 0.02 of a contact rounds away
    assert quality_score([_f(str(i), "info") for i in range(50)], 100) == 99.0


def test_stale_uses_the_injected_clock():
    now = datetime(2026, 11, 1, tzinfo=timezone.utc)
    opts = AuditOptions(stale_days=365, now=now)
    old = prepare(Contact("c1", "a@b.org", updated_at="2026-10-31T00:00:00Z", last_enriched="2025-06-01"))
    modified = prepare(Contact("c4", "a@b.org", updated_at="2026-10-31T00:00:00Z", extra={"Last Modified": "2024-01-02"}))
    imported = prepare(Contact("c5", "a@b.org", updated_at="2024-10-31T00:00:00Z"))
    assert [f.check for f in check_stale(modified, opts)] == ["stale"]
    assert [f.check for f in check_stale(imported, opts)] == ["stale"]
    fresh = prepare(Contact("c2", "a@b.org", updated_at="2025-01-01T00:00:00Z", last_enriched="2026-06-01"))
    assert [f.check for f in check_stale(old, opts)] == ["stale"]
    assert list(check_stale(fresh, opts)) == []
    assert list(check_stale(prepare(Contact("c3", "a@b.org", updated_at="garbage")), opts)) == []


# Weaknesses found by the independent evaluation (tests/bench/bench_audit_independent.py).

@pytest.mark.parametrize("local,role", [
    ("music.desk", True), ("musicdesk", True), ("sales2", True), ("contact-us", True), ("redaktion", True),
    ("looker-studio-noreply", True), ("informatica", True), ("secretaria", True), ("press_office", True),
    ("anna", False), ("john.smith", False), ("bill", False), ("art", False), ("jon.music", False), ("dj.sean", False),
])
def test_role_mailboxes_beyond_the_radio_list(local, role):
    assert ed.is_role(local) is role


def test_an_address_ending_with_a_period_is_invalid():
    assert ed.syntax_error("jo@stormfm.co.uk..") and ed.syntax_error("jo@stormfm.co.uk.")
    assert ed.syntax_error("jo@stormfm.co.uk") is None


@pytest.mark.parametrize("first,last", [
    ("x", "x"), ("n.a.", None), ("azerty", None), ("qwertz", "uiop"), ("T.B.C.", None),
])
def test_more_junk_names(first, last):
    assert name_problem(first, last, False) is not None


@pytest.mark.parametrize("first,last", [("Marie", "Azer"), ("Bo", "Li"), ("Xu", "Yi"), ("Ó", "Sé"), ("J.", "Smith"),
                                        ("Krzysztof", "Brzęczyszczykiewicz"), ("Sunday", "Adebayo")])
def test_real_short_or_unusual_names_are_not_junk(first, last):
    assert name_problem(first, last, False) is None


def test_a_bare_top_level_domain_is_not_a_website():
    assert check_url("http://bbc").problem and check_url("http://bbc").suggestion is None
    assert check_url("https://bbc.co.uk").problem is None


def test_a_listed_provider_with_another_first_letter_is_not_a_typo():
    index = ed.TypoIndex(ed.POPULAR_DOMAINS)
    assert ed.typo_targets("lastmail.com", {"lastmail.com": 1}, index) == []
    assert ed.typo_targets("gmial.com", {"gmial.com": 1}, index) == ["gmail.com"]


def test_names_fold_letters_without_a_decomposition_and_near_spellings_keep_the_initial():
    from totalaudio.services.audit.fuzzy import fold

    assert fold("Weiß") == "weiss" and fold("Łukasz") == "lukasz" and fold("Søren") == "soren"
    assert not firsts_match("huong", "phuong") and firsts_match("jonathon", "jonathan")


def test_station_key_removes_radio_glued_to_other_words():
    assert station_key("KioskRadio") == station_key("Kiosk Radio") == "kiosk"
    assert station_key("BBCRadio1") == station_key("BBC Radio 1")
