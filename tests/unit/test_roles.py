"""Role mailboxes (services/contacts/roles.py): words of functions, split and run together, in several languages;
a local part naming the contact, or a name of the base, is a person's."""

import pytest

from totalaudio.models import Contact
from totalaudio.services.audit.checks import base_names, check_required, name_problem, prepare
from totalaudio.services.contacts import roles


@pytest.mark.parametrize("local", [
    "musicdirector", "newmusic", "promos2024", "no-reply", "do-not-reply", "newMusic", "MusicDesk", "hrdept",
    "itsupport", "classof2017", "pkginfo", "kink-team", "sfoffice", "infodesk", "press_office", "playlist.requests",
    "redaktion", "rédaction", "musikredaktion", "secretaria", "operaciones", "administrador", "programmazione",
    "bulletins", "enquiries", "webinars", "b2bdata", "loginotp", "asdasd", "qwerty", "aaa", "traffic", "onair",
    "studio.hotline", "listeners", "vorstand", "buchhaltung", "contactus", "cm",
    "rsreply", "msteachers", "abm-alerts", "it-billing", "proveedores", "fornecedores", "secretaris", "jornalismo",
])
def test_role_mailboxes_in_many_shapes(local):
    assert roles.is_role(local)


# Given names of the cultures of a base: none may read as a role (not split into role words either).
NAMES = """harriet rufus roisin siobhan niamh oliver amelia poppy percy florence sunday blessing emeka ngozi minh linh
huong quang lukasz zofia jurgen zoe bjorn ingrid torsten marlene ulrich joao leticia gabriela thiago rafael bruna
anna john bill art adam devon ross james charles thomas nicolas maria julia victoria claudia carlos victor hector
salvador dennis jonas lucas marcus doris iris lena mimi lala kiki ewa tunde kemi bob tom ann per""".split()


@pytest.mark.parametrize("name", NAMES)
def test_given_names_are_people(name):
    assert not roles.role_words(name)
    assert not roles.split_word(name)


@pytest.mark.parametrize("local,first,last", [
    ("jon.music", "Jon", "Smith"), ("dj.sean", "Sean", "Byrne"), ("sarahmusic", "Sarah", "Hall"),
    ("jsmith", "John", "Smith"), ("news.kingsley", "Harriet", "Kingsley"), ("ta", "Tom", "Anders"),
    ("studio.rupert", "Rupert", None),
])
def test_a_mailbox_with_the_contacts_own_name_is_a_person(local, first, last):
    assert not roles.is_role(local, first, last)


def test_a_name_made_of_role_words_is_no_person():
    assert roles.is_role("music", "Music", "Desk")
    assert roles.is_role("press.office", "Press", None)


def test_the_station_s_own_name_is_a_role():
    assert roles.is_role("egofm", label="egofm") and roles.is_role("fluxinfo", label="fluxfm")
    assert not roles.is_role("egofm", label="other")


def test_a_nameless_contact_with_plain_words_is_a_role_unless_the_base_has_the_name():
    assert roles.is_role("food") and roles.is_role("cheapname") and roles.is_role("postfix")
    assert not roles.is_role("xk42b")
    names = frozenset({"harriet", "kingsley"})
    assert not roles.is_role("harriet", names=names)
    assert not roles.is_role("hkingsley", names=names) and not roles.is_role("harrietkingsley", names=names)
    assert not roles.is_role("cheapname", "Harriet", None)  # a named contact needs role words, not any word


def test_the_audit_learns_the_names_of_the_base():
    people = [Contact("a", "harriet.k@storm.fm", first_name="Harriet", last_name="Kingsley"),
              Contact("b", "harriet@storm.fm"), Contact("c", "playlist@storm.fm")]
    names = base_names(people)
    assert {"harriet", "kingsley"} <= names
    prepared = [prepare(c, names) for c in people]
    assert [p.role for p in prepared] == [False, False, True]
    assert [f.field for f in check_required(prepared[1], ("first_name",))] == ["firstName"]
    assert list(check_required(prepared[2], ("first_name",))) == []


def test_words_fast_path_matches_the_general_one():
    for local in ["music.desk2", "no-reply", "a.b_c+d", "promos2024", "x", "abc.def.ghi", "new--music"]:
        general = [w for part in roles._SEPARATORS.split(local) for w in (roles.fold(x) for x in
                   roles._CAMEL.split(part)) if w]
        assert roles.words(local) == general


def test_name_problem_keeps_its_verdicts():
    assert name_problem("Xxxena", "Smith", False) == "repeated letters (keyboard filler)"
    assert name_problem("Bcdfgh", None, False) == "no vowels (keyboard mash)"
    assert name_problem("Krzysztof", "Brzęczyszczykiewicz", False) is None


@pytest.mark.parametrize("local", ["jsmith", "dbrown", "tbaker", "mparker", "jcarter", "sfoster", "rmiller", "li.wang",
                                   "jo.baker"])
def test_an_initial_before_a_surname_is_no_department_code(local):
    assert not roles.role_words(local)


# The long tail of role mailboxes with no name on the record (issue 12): codes, abbreviations, plurals, words of
# the base's other languages; and nameless mailboxes that still belong to people.
@pytest.mark.parametrize("local", [
    "lt", "ny", "sf",  # a code of one or two letters alone: no name to fill in
    "enq", "custserv", "principa", "listproc",  # role words cut short
    "ceos", "all-pms", "fulfillments", "no-reply-forms",  # plurals, and words joined by glue
    "adwords", "ateam", "hrteam",  # a short code before a word
    "ifttt",  # a tripled letter no name has
    "centro", "sistemas", "turismo", "logistiek", "colaboradores", "admisiones",  # the base's other languages
])
def test_a_nameless_mailbox_of_words_that_name_nobody_is_a_role(local):
    assert roles.is_role(local)


@pytest.mark.parametrize("word", ["algemeen", "assistent", "sistemas", "centro", "logistiek"])
def test_words_of_the_other_languages_are_found_also_where_a_phrase_starts_with_them(word):
    """Dutch 'algemeen' and 'assistent' sit among phrases that start with them ('"aan": 50' after '"aan den
    lijve"' as lines): the shipped list is sorted by word, not by line."""
    assert roles.foreign_word(word)


@pytest.mark.parametrize("local,names", [
    ("kowalczyk", frozenset()), ("olumide", frozenset()), ("ngozi.okafor", frozenset()), ("tomasz", frozenset()),
    ("jd.smith", frozenset()), ("xk42b", frozenset()), ("j.k", frozenset()),
    ("jsmith", frozenset({"smith"})), ("centro", frozenset({"centro"})), ("lt.kingsley", frozenset({"kingsley"})),
])
def test_a_nameless_mailbox_that_shows_a_person_stays_a_person(local, names):
    assert not roles.is_role(local, names=names)


def test_an_address_typed_into_a_name_field_adds_no_names_to_the_base():
    people = [Contact("a", "x@storm.fm", first_name="maria.k@gmail.com"), Contact("b", "y@storm.fm", "Ana", "98765")]
    assert base_names(people) == frozenset({"ana"})
    assert prepare(Contact("c", "com@storm.fm"), base_names(people)).role
