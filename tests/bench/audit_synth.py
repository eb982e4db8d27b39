"""Synthetic contact bases with injected problems of every audit check, and the truth about each.

``make_base(n, seed)`` returns (contacts, truth, events, dead_domains): ``truth`` maps a check id to the set
of contact ids that must carry it (for duplicate.fuzzy: the set of frozenset pairs). Deterministic, no real people.
"""

from __future__ import annotations

import random
import string
from collections import defaultdict
from dataclasses import replace

from totalaudio.models import Contact
from totalaudio.services.contacts import emaildomains as ed

SYL = ["ash", "bel", "cor", "dun", "el", "fen", "gar", "hol", "ist", "jun", "kel", "lor", "mar", "nor", "ost", "pel",
       "quin", "ros", "sel", "tor", "ul", "vin", "wes", "yar", "zen", "brook", "field", "ley", "ton", "well", "by",
       "ridge", "more", "dale", "wick", "ham", "stead", "combe", "thorpe", "wood"]
FIRST = ["Amelia", "Oliver", "Isla", "Harry", "Ava", "Noah", "Mia", "Leo", "Ruby", "Oscar", "Freya", "Arlo", "Ivy",
         "Finn", "Nora", "Hugo", "Elsie", "Jude", "Maya", "Rory", "Aisha", "Tariq", "Priya", "Ravi", "Siobhan",
         "Ciaran", "Mei", "Kenji", "Lucia", "Mateo"]
NICKS = [("Jonathan", "Jon"), ("Katherine", "Kate"), ("Michael", "Mike"), ("Rebecca", "Becky"), ("Daniel", "Dan"),
         ("William", "Will"), ("Robert", "Rob"), ("Thomas", "Tom"), ("Elizabeth", "Liz"), ("Samuel", "Sam"),
         ("Christopher", "Chris"), ("Alexander", "Alex"), ("Jennifer", "Jenny"), ("Matthew", "Matt")]
GENRES = ["Indie", "Rock", "Folk", "Electronic", "Soul", "Jazz", "Hip Hop", "Country", "Punk", "Ambient"]
SUFFIXES = ["co.uk", "org.uk", "ie", "com.au", "org", "com", "fm", "net"]
JUNK = [("asdf", None), ("test", "test"), ("xxx", "xxx"), ("DJ", "???"), ("Presenter", "Monday Night"),
        ("qwerty", None), ("N/A", None)]
BAD_SYNTAX = ["{l}..x@{d}", "{l} at {d}", "{l}@", "{l}@{d},", "@{d}", "{l}@@{d}"]
BAD_URL = ["htp://{d}", "https//{d}", "http:/{d}", "www.{label}", "{label} .{suffix}", "https://{d}/shows/Late Night"]
ROLES = ["info", "music", "studio", "submissions", "hello", "newmusic"]
CHECKS = ("email.syntax", "email.typo", "email.disposable", "email.role", "email.freemail", "email.mx",
          "duplicate.exact", "duplicate.fuzzy", "field.missing", "name.suspicious", "station.inconsistent",
          "url.invalid", "domain.mismatch", "status.conflict", "stale", "field.formula")


class Base:
    """Builds the base station by station, then injects problems, recording the truth."""

    def __init__(self, n: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.n = n
        self.contacts: list[Contact] = []
        self.truth: dict[str, set] = defaultdict(set)
        self.events: dict[str, str] = {}
        self.dead: set[str] = set()
        self.next_id = 0
        self.labels: set[str] = set()
        self.stations: list[tuple[str, str, str, str]] = []  # (name, domain, label, suffix)

    def new_id(self) -> str:
        self.next_id += 1
        return f"c{self.next_id:08d}"

    def label(self) -> str:
        while True:
            label = "".join(self.rng.choice(SYL) for _ in range(3))
            if label not in self.labels and len(label) >= 7:
                self.labels.add(label)
                return label

    def surname(self, used: set[str]) -> str:
        while True:
            name = "".join(self.rng.choice(SYL) for _ in range(2)).capitalize() + self.rng.choice(["", "s", "er"])
            if name not in used and not any(a == b == c for a, b, c in zip(name, name[1:], name[2:])):
                used.add(name)
                return name

    def person(self, station: tuple, last: str, first: str | None = None, **over) -> Contact:
        name, domain, _label, _suffix = station
        first = first or self.rng.choice(FIRST + [f for f, _n in NICKS])
        cid = self.new_id()
        values = dict(id=cid, email=f"{first.lower()}.{last.lower()}@{domain}", first_name=first, last_name=last,
                      station=name, contact_type="radio", genres=tuple(self.rng.sample(GENRES, 2)),
                      status="opted-in", website=f"https://www.{domain}", phone=f"+44 20 {self.next_id:08d}",
                      updated_at="2026-10-01T00:00:00Z", created_at="2026-01-01T00:00:00Z")
        values.update(over)
        return Contact(**values)

    def build_clean(self) -> None:
        per = 25
        for _ in range(max(1, self.n // per)):
            label, suffix = self.label(), self.rng.choice(SUFFIXES)
            station = (f"{label.capitalize()} {self.rng.choice(['FM', 'Radio', 'Sound'])}", f"{label}.{suffix}",
                       label, suffix)
            self.stations.append(station)
            used: set[str] = set()
            self.contacts += [self.person(station, self.surname(used)) for _ in range(per)]
        self.contacts = self.contacts[: self.n]


def _edit(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice("sdti")
    if kind == "s":
        return word[:i] + rng.choice(string.ascii_lowercase.replace(word[i], "")) + word[i + 1:]
    if kind == "d":
        return word[:i] + word[i + 1:]
    if kind == "t" and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + rng.choice(string.ascii_lowercase) + word[i:]


def inject(base: Base, share: float = 0.004) -> None:
    """Replace or add contacts with each kind of problem; about ``share`` of the base per kind."""
    rng, k = base.rng, max(3, int(base.n * share))
    pool = list(range(len(base.contacts)))
    rng.shuffle(pool)
    picks = iter(pool)

    def take() -> tuple[int, Contact]:
        i = next(picks)
        return i, base.contacts[i]

    def mark(check: str, contact: Contact, index: int | None = None) -> None:
        if index is None:
            base.contacts.append(contact)
        else:
            base.contacts[index] = contact
        base.truth[check].add(contact.id)

    index = ed.TypoIndex(ed.POPULAR_DOMAINS)
    free = sorted(d for d in ed.POPULAR_DOMAINS if ed.is_free(d) and len(ed.parts(d)[1]) >= 5)
    disposable = sorted(d for d in ed.disposable_domains() if not index.near(d) and "." in d)[:500]
    roles: set[str] = set()
    for _ in range(k):
        i, c = take()
        mark("email.syntax", replace(c, email=rng.choice(BAD_SYNTAX).format(l=c.email.split("@")[0],
                                                                            d=c.email.split("@")[1])), i)
        i, c = take()
        mark("email.syntax", replace(c, email=f" {c.email}\u00a0"), i)
        _inject_typo(base, rng, take, mark, free)
        i, c = take()
        mark("email.disposable", replace(c, email=f"{c.email.split('@')[0]}@{rng.choice(disposable)}"), i)
        i, c = take()
        role = f"{rng.choice(ROLES)}@{c.email.split('@')[1]}"
        if role not in roles:
            roles.add(role)
            mark("email.role", replace(c, email=role, first_name=None, last_name=None), i)
        i, c = take()
        mark("email.freemail", replace(c, email=f"{c.email.split('@')[0]}.{c.id}@{rng.choice(free)}", website=None), i)
        i, c = take()
        dead = f"{base.label()}{rng.randrange(1000, 9999)}.{rng.choice(SUFFIXES)}"
        base.dead.add(dead)
        mark("email.mx", replace(c, email=f"{c.email.split('@')[0]}@{dead}", website=None), i)
        _inject_duplicates(base, rng, take, mark)
        _inject_fields(base, rng, take, mark)


def _inject_typo(base, rng, take, mark, free) -> None:
    i, c = take()
    if rng.random() < 0.5:
        target = rng.choice(free)
        local = f"{c.email.split('@')[0]}.{c.id}"
        website = None
    else:
        _name, target, _label, _suffix = rng.choice(base.stations)
        local, website = c.email.split("@")[0], f"https://www.{target}"
    label, suffix = target.split(".", 1)
    for _ in range(20):
        typo = f"{_edit(rng, label)}.{suffix}" if rng.random() < 0.8 else f"{label}.{_edit(rng, suffix + 'x')[:-1]}"
        if typo != target and not ed.is_free(typo) and not ed.is_disposable(typo) and typo not in base.labels:
            break
    mark("email.typo", replace(c, email=f"{local}@{typo}", website=website), i)


def _inject_duplicates(base, rng, take, mark) -> None:
    _i, c = take()
    local, domain = c.email.split("@")
    mark("duplicate.exact", replace(c, id=base.new_id(), email=f"{local.capitalize()}@{domain}", phone=None,
                                    updated_at="2026-02-01T00:00:00Z"))
    _i, c = take()
    local, domain = c.email.split("@")
    mark("duplicate.exact", replace(c, id=base.new_id(), email=f"{local.upper()}@{domain}", phone=None,
                                    status="unsubscribed", updated_at="2026-02-01T00:00:00Z"))
    base.truth["status.conflict"].add(c.id)
    i, c = take()
    formal, nick = rng.choice(NICKS)
    domain = c.email.split("@")[1]
    original = replace(c, first_name=formal, email=f"{formal.lower()}.{c.last_name.lower()}@{domain}")
    base.contacts[i] = original
    copy = replace(original, id=base.new_id(), first_name=nick, phone=None,
                   email=f"{nick.lower()}.{c.last_name.lower()}@{domain}")
    base.contacts.append(copy)
    base.truth["duplicate.fuzzy"].add(frozenset((original.id, copy.id)))


def _inject_fields(base, rng, take, mark) -> None:
    i, c = take()
    name = rng.choice(["first_name", "station", "genres"])
    mark("field.missing", replace(c, **{name: () if name == "genres" else None}), i)
    i, c = take()
    first, last = rng.choice(JUNK)
    mark("name.suspicious", replace(c, first_name=first, last_name=last), i)
    i, c = take()
    spelt = rng.choice([c.station.upper(), c.station.replace(" ", ""), f"{c.station} (101.{rng.randrange(10)})",
                        c.station.lower() + " "])
    mark("station.inconsistent", replace(c, station=spelt), i)
    i, c = take()
    _name, domain, label, suffix = next(s for s in base.stations if s[1] == c.email.split("@")[1])
    mark("url.invalid", replace(c, website=rng.choice(BAD_URL).format(d=domain, label=label, suffix=suffix)), i)
    i, c = take()
    other = base.rng.choice(base.stations)
    if other[1] != c.email.split("@")[1]:
        mark("domain.mismatch", replace(c, website=f"https://{other[1]}"), i)
    i, c = take()
    if rng.random() < 0.5:
        base.events[c.email.lower()] = rng.choice(["unsubscribe", "bounce_hard"])
        base.truth["status.conflict"].add(c.id)
    else:
        mark("status.conflict", replace(c, tags=("Bounced",)), i)
    i, c = take()
    mark("stale", replace(c, updated_at="2023-03-01T00:00:00Z"), i)
    i, c = take()
    mark("field.formula", replace(c, notes='=HYPERLINK("http://x","click")'), i)


def make_base(n: int, seed: int = 2026, share: float = 0.004):
    """(contacts, truth, events, dead domains) for a base of about n contacts."""
    base = Base(n, seed)
    base.build_clean()
    inject(base, share)
    return base.contacts, dict(base.truth), base.events, base.dead
