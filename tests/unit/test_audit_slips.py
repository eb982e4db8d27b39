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
    ("barker", "parker", False), ("le", "el", False), ("reid", "reed", False),
    # a letter dropped from a six-letter surname, and 'ß' moved (it folds to 'ss'); five-letter neighbours differ
    ("okafor", "okafr", True), ("murphy", "mrphy", True), ("araujo", "aaujo", True), ("grossmann", "grssomann", True),
    ("weiss", "wessi", True), ("walsh", "welsh", False), ("moran", "doran", False), ("rossi", "rosis", True),
    ("mann", "munn", False), ("jones", "smith", False), ("ross", "sims", False)])
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


# Station spellings the unseen-seed evaluation met (issue 12): a channel with a word of its own in front, a
# band or frequency that most records leave unsaid, typo'd or mismatched addresses as evidence of a workplace,
# and ties between two spellings.

def test_a_word_in_front_that_is_not_the_network_names_another_channel():
    people = [Contact(f"r{i}", f"r{i}@radiokrakow.pl", "A", f"R{i}", station="Radio Kraków") for i in range(3)]
    people += [Contact(f"o{i}", f"o{i}@radiokrakow.pl", "B", f"O{i}", station="Off Radio Kraków") for i in range(3)]
    assert flagged(people, "station.inconsistent") == set()
    # the network's own name in front (the domain's) is the same station: 'BBC 6 Music' and '6 Music'
    people = [Contact(f"b{i}", f"b{i}@bbc.co.uk", "A", f"B{i}", station="BBC 6 Music") for i in range(3)]
    assert flagged(people + [Contact("x", "x@bbc.co.uk", "C", "X", station="6 Music")], "station.inconsistent") == {"x"}


def test_a_band_or_frequency_most_records_leave_unsaid_is_a_slip():
    people = [Contact(f"r{i}", f"r{i}@radiorelativa.eu", "A", f"R{i}", station="Radio Relativa") for i in range(3)]
    people += [Contact("fm", "fm@radiorelativa.eu", "B", "F", station="Radio Relativa FM"),
               Contact("am", "dj.am@eircom.net", "C", "G", station="Radio Relativa AM")]
    assert flagged(people, "station.inconsistent") == {"fm", "am"}
    people = [Contact(f"u{i}", f"u{i}@ufg.br", "A", f"U{i}", station="Rádio Universitária UFG") for i in range(6)]
    people += [Contact("f1", "f1@ufg.br", "B", "F", station="Rádio Universitária UFG 91.3FM"),
               Contact("f2", "f2@ufg.br", "C", "G", station="Rádio Universitária UFG 104.5")]
    assert flagged(people, "station.inconsistent") == {"f1", "f2"}
    # control: when most records state them, two bands or two frequencies are two stations
    people = [Contact(f"m{i}", f"m{i}@mec.gov.br", "A", f"M{i}", station="Rádio MEC FM") for i in range(3)]
    people += [Contact("am", "am@mec.gov.br", "B", "A", station="Rádio MEC AM"),
               Contact("bare", "bare@mec.gov.br", "C", "B", station="Rádio MEC")]
    assert flagged(people, "station.inconsistent") == {"bare"}


def test_a_typod_or_mismatched_address_does_not_make_a_station_of_its_own():
    people = [Contact("a", "hamish@radioeins.de", "Hamish", "H", station="Radio Eins Radio"),
              Contact("b", "george.t@hotnmail.com", "George", "T", station="Radio Eins"),
              Contact("c", "p.k@laste.ml", "Percy", "K", station="Radio Eins"),
              Contact("h1", "x1@hotmail.com", "X", "Y", station="Other"),
              Contact("h2", "x2@hotmail.com", "Z", "W", station="Other")]
    assert flagged(people, "station.inconsistent") == {"a"}
    people = [Contact("a", "c@cinemix.us", "C", "N", station="CineMix", website="https://www.loose.fm/"),
              Contact("b", "i@cinemix.us", "I", "H", station="cinemix"),
              Contact("c", "dj@o2.pl", "T", "D", station="CineMix")]
    assert flagged(people, "station.inconsistent") == {"b"}
    # control: one name at two unrelated stations stays two stations
    people = [Contact(f"a{i}", f"a{i}@sunrise.co.uk", "A", f"S{i}", station="Sunrise Radio") for i in range(3)]
    people += [Contact("z", "z@sunrise.com.au", "Z", "A", station="Sunrise FM")]
    assert flagged(people, "station.inconsistent") == set()


def test_a_tie_between_two_spellings_goes_to_the_one_the_station_domain_spells():
    people = [Contact("a", "c@wfmt.com", "C", "N", station="WFMT", website="https://www.wfmt.com/"),
              Contact("b", "ambassador@wfmt.com", station="WFMT"),
              Contact("c", "v@wfmt.com", "V", "D", station="WFMT 104.5"),
              Contact("d", "w.m@yahoo.com", "W", "M", station="WFMT 104.5")]
    assert flagged(people, "station.inconsistent") == {"c", "d"}
    people = [Contact("a", "l@kpiss.fm", "L", "W", station="KPISS FM"), Contact("b", "dj@eircom.net", "A", "L",
                                                                               station="KPISS")]
    assert flagged(people, "station.inconsistent") == {"a"}
