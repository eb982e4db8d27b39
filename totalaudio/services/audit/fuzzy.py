"""duplicate.fuzzy: the same person under two addresses or two spellings, found through blocking keys.

Blocks: (email domain, last name), (station, last name), phone number, the local part of the address,
(station, first and last name in either order) for names swapped between the fields, and (station, first
name) for a slip in the surname itself (Robson/Rboson), which the surname blocks cannot meet.
Pairs are compared only inside a block, and blocks larger than a cap are skipped: no all-pairs comparison.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from functools import lru_cache
from typing import Iterator

from totalaudio.services.contacts import emaildomains as ed
from totalaudio.services.audit.checks import Finding, Prepared, finding, name_problem
from totalaudio.services.audit.stations import station_key

_NICKNAMES = """
jonathan jon jonny johnny|john jon johnny jack jonny|katherine catherine kathryn katharine kate katie kat cath cathy
kathy kit|michael mike mick mickey micky mikey|rebecca becky becca bex|daniel dan danny|william will bill billy willie
liam|robert rob bob bobby robbie|richard rich rick ricky|elizabeth liz lizzie beth betty eliza libby|margaret maggie meg
peggy|alexander alex xander sandy|alexandra alex lexi sandy|andrew andy drew|anthony tony ant|christopher chris kit|
christine chris christina tina|thomas tom tommy|james jim jimmy jamie|joseph joe joey|samuel sam sammy|samantha sam
sammy|benjamin ben benny|matthew matt|nicholas nick nicky|nicola nicky nikki|edward ed eddie ted ned|patrick pat paddy|
patricia pat patty trish|stephen steven steve stevie|peter pete|david dave davy|gareth gaz|gary gaz|jennifer jen jenny|
victoria vicky tori|susan sue susie|deborah debbie deb|abigail abby abi|charlotte charlie lottie|charles charlie chas|
frederick fred freddie|henry harry hal|kenneth ken kenny|lawrence larry laurie|leonard len lenny leo|nathan nate nat|
nathaniel nate nat|oliver olly ollie|philip phillip phil pip|raymond ray|ronald ron ronnie|timothy tim timmy|zachary zach
zack|gregory greg|jeffrey jeff geoffrey geoff|joshua josh|kevin kev|terence terry|teresa theresa tess terri|eleanor ellie
nell nora elle|gabrielle gabby gabi|isabel isabella izzy bella|jacqueline jackie|josephine jo josie|joanne joanna jo|
sean shaun shawn|megan meg|amanda mandy|alfred alfie alf|archibald archie|douglas doug|cameron cam|callum cal|frances
fran frankie|francis frank frankie|angela angie|pamela pam|dorothy dot dottie|jessica jess jessie|natalie nat|rosalind
rosie ros|rosemary rosie|suzanne suzie sue|valerie val|vincent vince|walter walt|wesley wes|bradley brad|mitchell mitch
"""
BLOCK_WORDS = {"domain": "same email domain", "station": "same station", "phone": "same phone",
               "local": "same mailbox name", "swapped": "same station", "station_first": "same station"}
NICK_GROUPS: dict[str, set[int]] = defaultdict(set)
for _i, _group in enumerate(_NICKNAMES.replace("\n", " ").split("|")):
    for _name in _group.split():
        NICK_GROUPS[_name].add(_i)


# Letters Unicode does not decompose into a base letter and an accent: 'Weiß' is 'Weiss', 'Łukasz' 'Lukasz'.
_UNDECOMPOSED = str.maketrans({"ß": "ss", "ł": "l", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe", "þ": "th",
                               "ð": "d", "ı": "i", "ħ": "h"})


@lru_cache(maxsize=200_000)
def fold(text: str | None) -> str:
    """Lower-case letters only, accents removed: 'Ó Briain' -> 'obriain'."""
    if not text:
        return ""
    plain = unicodedata.normalize("NFKD", text.lower().translate(_UNDECOMPOSED))
    return re.sub(r"[^a-z]", "", "".join(ch for ch in plain if not unicodedata.combining(ch)))


@lru_cache(maxsize=100_000)
def first_token(text: str | None) -> str:
    """The first word of a first name, folded ('Mary-Jane' -> 'mary')."""
    return fold((text or "").strip().split(" ")[0].split("-")[0]) if text else ""


@lru_cache(maxsize=100_000)
def firsts_match(a: str, b: str) -> bool:
    """Two first names can be the same person: equal, nicknames, an initial, a prefix, or a near spelling."""
    from rapidfuzz.fuzz import ratio

    if not a or not b:
        return False
    if a == b or NICK_GROUPS.get(a, set()) & NICK_GROUPS.get(b, set()):
        return True
    short, long_ = sorted((a, b), key=len)
    if len(short) == 1 or (len(short) >= 3 and long_.startswith(short)):
        return True
    # a slip rarely hits the first letter, and names differing there are distinct ('Huong' and 'Phuong')
    return len(short) >= 4 and a[0] == b[0] and ratio(a, b) >= 85


def lasts_match(a: str, b: str) -> bool:
    """Two folded last names are the same: equal, two adjacent letters swapped (Robson/Rboson, Weiß/Weßi), or
    one other slip that keeps the first letter in a name of six letters or more (Okafor/Okafr, Hargreaves/
    Hargeaves); Hansen and Jansen, Smith and Smyth are other families."""
    from rapidfuzz.distance import OSA

    if not a or not b or a == b:
        return bool(a) and a == b
    if min(len(a), len(b)) >= 3 and _swapped_pair(a, b):
        return True
    if min(len(a), len(b)) >= 5 and max(len(a), len(b)) >= 6 and a[0] == b[0] and OSA.distance(a, b) <= 1:
        return True
    # 'ß' folds to 'ss': a slip that moved it (Großmann/Grßomann) is one slip of the unfolded name
    return ("ss" in a or "ss" in b) and lasts_match(a.replace("ss", "ß"), b.replace("ss", "ß"))


def _swapped_pair(a: str, b: str) -> bool:
    """b is a with two adjacent letters swapped."""
    if len(a) != len(b):
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


_NOT_DIGIT = re.compile(r"\D")


def _digits(phone: str | None) -> str:
    digits = _NOT_DIGIT.sub("", phone) if phone else ""
    return digits[-9:] if len(digits) >= 7 else ""


def block_keys(p: Prepared) -> list[tuple[str, str, str]]:
    """The blocks a contact falls in."""
    c = p.contact
    last = fold(c.last_name)
    keys = []
    work = ed.registrable(p.domain) if p.valid and not ed.is_free(p.domain) else ""
    listed = bool(c.station and c.station.strip())
    station = station_key(c.station) if listed else ""
    if last and work:
        keys.append(("domain", work, last))
    if last and listed:
        keys.append(("station", station, last))
        if first := first_token(c.first_name):
            keys.append(("station_first", station, first))
    if last and (first := fold(c.first_name)) and (place := station if listed else work):
        keys.append(("swapped", place, f"{first}|{last}" if first <= last else f"{last}|{first}"))
    if phone := _digits(c.phone):
        keys.append(("phone", phone, ""))
    if p.valid and len(p.local) >= 6 and not p.role:
        keys.append(("local", p.local.lower(), ""))
    return keys


def _junk_name(p: Prepared) -> bool:
    return name_problem(p.contact.first_name, p.contact.last_name, False) is not None


def _names(p: Prepared) -> tuple[str, str]:
    return first_token(p.contact.first_name), fold(p.contact.last_name)


def _distinctive(p: Prepared) -> bool:
    """The mailbox name says more than the person's name ('rosie.barnes.dj', not 'rosie.barnes'): namesakes differ."""
    rest = fold(p.local)
    for part in (fold(p.contact.first_name), fold(p.contact.last_name)):
        rest = rest.replace(part, "", 1) if part else rest
    return len(rest) >= 2


def _related_domains(a: Prepared, b: Prepared) -> bool:
    """One mailbox name at two domains is one person when the domains are one slip apart (a typo twin), or
    when a side is free-mail and the mailbox name is more than the bare name."""
    from rapidfuzz.distance import OSA

    if OSA.distance(a.domain, b.domain) <= 1:
        return True
    return (ed.is_free(a.domain) or ed.is_free(b.domain)) and _distinctive(a)


def _swapped(a: Prepared, b: Prepared) -> bool:
    """One record's first name is the other's last name and the other way round ('Nguyen Minh', 'Minh Nguyen')."""
    fa, la = fold(a.contact.first_name), fold(a.contact.last_name)
    return fa != la and (fa, la) == (fold(b.contact.last_name), fold(b.contact.first_name))


def same_person(a: Prepared, b: Prepared, kind: str) -> str | None:
    """Why two contacts of one block look like one person, or None (namesakes at two stations are not)."""
    if kind == "local" and not _related_domains(a, b):
        return None
    if kind == "station_first" and not lasts_match(fold(a.contact.last_name), fold(b.contact.last_name)):
        return None  # most pairs of such a block: colleagues who share a first name
    if _junk_name(a) or _junk_name(b):
        return None  # two 'test test' rows are junk (name.suspicious), not one person
    (fa, la), (fb, lb) = _names(a), _names(b)
    if kind == "swapped":
        return "first and last names swapped, same station" if _swapped(a, b) else None
    names = lasts_match(la, lb) and firsts_match(fa, fb)
    if names:
        why = "same name" if (fa, la) == (fb, lb) else "nickname or spelling of the same name"
        return f"{why}, {BLOCK_WORDS[kind]}"
    if kind == "local" and len(a.local) >= 8 and not (la and lb and not lasts_match(la, lb)):
        return "same mailbox name at another domain"
    return None


def _pairs(blocks: dict, cap: int) -> Iterator[tuple[Prepared, Prepared, str]]:
    for (kind, _k, _l), members in blocks.items():
        if len(members) < 2 or len(members) > cap:
            continue
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if a.key != b.key:
                    yield a, b, kind


def fuzzy_findings(prepared: list[Prepared], cap: int = 200) -> Iterator[Finding]:
    """duplicate.fuzzy: merge suggestions only (never merged automatically), one finding per pair."""
    blocks: dict[tuple, list[Prepared]] = defaultdict(list)
    for p in prepared:
        for key in block_keys(p):
            blocks[key].append(p)
    seen: set[tuple[str, str]] = set()
    for a, b, kind in _pairs(blocks, cap):
        pair = (a.contact.id, b.contact.id) if a.contact.id < b.contact.id else (b.contact.id, a.contact.id)
        if pair in seen or not (why := same_person(a, b, kind)):
            continue
        seen.add(pair)
        yield finding(b, "duplicate.fuzzy", "warning", "email",
                      f"probably the same person as {a.contact.id} <{a.contact.email}>: {why}",
                      f"review and merge with {a.contact.id}", related=(a.contact.id,))
