"""The slips real contact data has (issue 12): each class is found, and what really differs is left alone."""

from __future__ import annotations

import pytest

from totalaudio.models import Contact
from totalaudio.services.audit.fuzzy import lasts_match
from totalaudio.services.audit.service import audit_contacts
from totalaudio.services.audit.typos import suffix_slip
from totalaudio.services.audit.urls import check_url


def flagged(people, check):
    return {f.contact_id for f in audit_contacts(people).findings if f.check == check}


@pytest.mark.parametrize("a,b,same", [
    ("robson", "rboson", True), ("eze", "eez", True), ("nguyen", "ngyuen", True), ("kowalczyk", "kowalcyzk", True),
    ("hargreaves", "hargeaves", True), ("hansen", "jansen", False), ("smith", "smyth", False),
    ("barker", "parker", False), ("le", "el", False), ("reid", "reed", False)])
def test_surname_slips_and_real_neighbours(a, b, same):
    assert lasts_match(a, b) is same


def test_a_swapped_surname_at_one_station_is_one_person_but_a_neighbouring_family_is_not():
    people = [Contact("a", "nina.robson@wavefm.co.uk", "Nina", "Robson", station="Wave FM"),
              Contact("b", "n.rboson@gmail.com", "Nina", "Rboson", station="Wave FM"),
              Contact("c", "erik.hansen@wavefm.co.uk", "Erik", "Hansen", station="Wave FM"),
              Contact("d", "erik.jansen@wavefm.co.uk", "Erik", "Jansen", station="Wave FM")]
    assert flagged(people, "duplicate.fuzzy") == {"b"}


def _station(pairs):
    """Three colleagues on the first spelling and one on the second, all at one station's domain."""
    people = []
    for i, (usual, other) in enumerate(pairs):
        people += [Contact(f"{i}-{k}", f"p{k}@st{i}.example.org", "Al", f"Staff{k}", station=usual)
                   for k in range(3)]
        people.append(Contact(f"{i}-x", f"px@st{i}.example.org", "Bo", "Other", station=other))
    return people


SLIPS = [("Warm 98", "Warm 98 FM"), ("Radio X", "Radio X 104.9 FM"), ("Rock & Roll Radio", "Rock and Roll Radio"),
         ("Eastern FM 3ECB", "EasternFM3ECB"), ("Jazz24", "Jazz24 AM"), ("Storm", "Storm DAB+"),
         ("Harbour Sound", "Radio Harbour Sound"), ("Coast 96.5", "Coast96.5FM"), ("Bay and Valley", "Bay & Valley")]
SIBLINGS = [("Radio 1", "Radio 2"), ("Capital FM", "Capital XTRA"), ("Energy 98", "Energy 103"),
            ("Rádio MEC FM", "Rádio MEC AM"), ("Heart 80s", "Heart 90s"), ("Radio 24", "Radio 538"),
            ("Klara", "Klara Continuo"), ("Joe 80's & 90's", "Joe 70's")]


def test_station_spelled_with_and_without_band_frequency_ampersand_or_spaces():
    assert flagged(_station(SLIPS), "station.inconsistent") == {f"{i}-x" for i in range(len(SLIPS))}


def test_sibling_channels_of_one_network_are_not_spellings():
    assert flagged(_station(SIBLINGS), "station.inconsistent") == set()


@pytest.mark.parametrize("url,fixed", [
    ("https://www..example.com/", "https://www.example.com/"), ("http://.www.example.org", "http://www.example.org"),
    ("https://-www.example.com", None), ("https://www-.example.com", None), ("https://example.com:99999", None),
    ("https://example.com:0/live", None), ("https://" + "x" * 64 + ".example.com", None)])
def test_malformed_hosts(url, fixed):
    verdict = check_url(url)
    assert verdict.problem and verdict.suggestion == fixed


@pytest.mark.parametrize("url", [
    "https://EXAMPLE.COM/", "http://www.example.com:8000/live", "https://www.example.com./",
    "https://stream-01.example.com/a/../b?q=1..2", "https://104-6.example.co.uk", "https://bärenwelle-radio.de",
    "https://xn--bremen-vier-7db.de", "https://ñandú-fm.es/programm"])
def test_unusual_but_valid_urls(url):
    assert check_url(url).problem is None


@pytest.mark.parametrize("domain,target,kind", [
    ("bbc.cp.uk", "bbc.co.uk", "dead"), ("bbc.co.ukk", "bbc.co.uk", "dead"), ("bbcco.uk", "bbc.co.uk", "dead"),
    ("abc.net.ai", "abc.net.au", "real"), ("bbc.co.uk", "bbc.co.uk", "real"), ("bcc.co.uk", "bbc.co.uk", None)])
def test_suffix_slip_kinds(domain, target, kind):
    assert suffix_slip(domain, target) == kind


def test_slips_in_a_two_level_suffix_are_typos_whatever_the_name_length():
    people = [Contact(f"s{i}", f"dj{i}@nham.co.uk", "A", f"B{i}", station="NHAM Radio") for i in range(2)]
    people += [Contact("cp", "x@nham.cp.uk", "X", "Y", station="NHAM Radio"),
               Contact("bbc", "y@bbc.co.ukk", "Y", "Z"), Contact("con", "z@optusnet.con.au", "Z", "W")]
    people += [Contact(f"nz{i}", f"p{i}@harbour.co.nz", "P", f"Q{i}", station="Harbour NZ") for i in range(2)]
    people += [Contact("ac", "u@nham.ac.uk", "U", "V", station="NHAM Uni"),
               Contact("gov", "g@abc.gov.au", "G", "H", station="ABC Regional")]
    found = {f.contact_id: f for f in audit_contacts(people).findings if f.check == "email.typo"}
    assert set(found) == {"cp", "bbc", "con"}
    assert found["cp"].suggestion == "x@nham.co.uk" and found["cp"].severity == "error"
    assert found["con"].suggestion == "z@optusnet.com.au"
