"""The slips real contact data has, planted into the independent audit base (bench_audit_independent.py), with
negative controls that really differ. Written apart from the checks and from audit_real_base.py's planting:
its own random stream (another seed), its own keyboard model, and variants built from the text itself.

- duplicate.fuzzy: the same person at the same station with two letters of the surname swapped (Robson/Rboson),
  or one letter dropped or doubled in a long surname; controls: colleagues at one station with the same first
  name and real surnames one letter apart (Hansen/Jansen, Smith/Smyth).
- station.inconsistent: a band suffix or prefix added or dropped (FM, AM, DAB, DAB+, Radio), a frequency added
  or dropped, `&` for `and` and back, spacing and punctuation collapsed or added; controls: sibling channels of
  one network at one domain (Radio 1/Radio 2, Capital FM/Capital XTRA, Energy 98/Energy 103).
- url.invalid: malformed hosts (an empty label, a leading dot, a hyphen at a label's edge, an over-long label,
  a port out of range); controls: unusual valid URLs (ports, digits, hyphens, a trailing dot, IDN, punycode).
- email.typo: slips in a two-level country suffix (.cp.uk, .co.ukk, .con.au, .ogr.uk ...) on short and long
  names; controls: real two-level suffixes of other stations (.co.nz, .ac.uk, .gov.au, .org.nz ...).
"""

from __future__ import annotations

import random
from dataclasses import replace

# A QWERTY model of its own: each key's physical neighbours (rows offset as on a real keyboard).
_ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]


def _neighbours(ch: str) -> list[str]:
    for r, row in enumerate(_ROWS):
        if ch in row:
            i, out = row.index(ch), []
            for rr in (r - 1, r, r + 1):
                if 0 <= rr < len(_ROWS):
                    out += [_ROWS[rr][j] for j in (i - 1, i, i + 1) if 0 <= j < len(_ROWS[rr])]
            return [c for c in out if c != ch]
    return []


def swap_letters(rng: random.Random, word: str) -> str | None:
    """Two adjacent, different letters swapped (mostly after the first letter, as typing slips are)."""
    spots = [i for i in range(len(word) - 1) if word[i].isalpha() and word[i + 1].isalpha()
             and word[i].lower() != word[i + 1].lower()]
    if not spots:
        return None
    late = [i for i in spots if i > 0]
    i = rng.choice(late) if late and rng.random() < 0.85 else rng.choice(spots)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def drop_or_double(rng: random.Random, word: str) -> str:
    """One letter dropped, or doubled where that makes no run of three (keyboard filler is another finding)."""
    i = rng.randrange(1, len(word) - 1)
    if rng.random() < 0.5 or word[i] in (word[i - 1], word[i + 1]):
        return word[:i] + word[i + 1:]
    return word[:i] + word[i] + word[i:]


SIMILAR_SURNAMES = [("Hansen", "Jansen"), ("Smith", "Smyth"), ("Nolan", "Dolan"), ("Walsh", "Welsh"),
                    ("Barker", "Parker"), ("Moran", "Doran"), ("Reid", "Reed"), ("Hall", "Hill"), ("Mann", "Munn"),
                    ("Larsen", "Karsen"), ("Kowal", "Nowal"), ("Bell", "Bull")]


def plant_surname_slips(b, rng: random.Random) -> None:
    """One person twice at one station, the second time with a slip in the surname."""
    from tests.bench.audit_real_base import ed_free, letters

    staff = lambda c: not ed_free(c.email) and c.first_name and c.last_name and len(letters(c.last_name)) >= 3  # noqa: E731
    for k in range(34):
        c = b.pick(staff)
        slipped = swap_letters(rng, c.last_name) if k < 24 or len(c.last_name) < 6 else drop_or_double(rng, c.last_name)
        if not slipped or slipped == c.last_name:
            continue
        domain = c.email.split("@")[1]
        local = rng.choice([f"{letters(c.first_name)}.{letters(slipped)}", f"{letters(slipped)}",
                            f"{letters(c.first_name)[0]}{letters(slipped)}"])
        if rng.random() < 0.3:
            domain = rng.choice(["gmail.com", "outlook.com", "icloud.com"])
            local += str(rng.randrange(10, 99))
        twin = b.add(first_name=c.first_name, last_name=slipped, station=c.station, email=b.unique(local, domain),
                     genres=c.genres)
        b.put(None, c)
        b.put(None, twin)
        b.truth["duplicate.fuzzy"].add(frozenset((c.id, twin.id)))
    _similar_surnames(b, staff)


def _similar_surnames(b, staff) -> None:
    """Two colleagues with one first name and real surnames one letter apart: two people."""
    from tests.bench.audit_real_base import letters

    for one, two in SIMILAR_SURNAMES:
        c = b.pick(staff)
        domain = c.email.split("@")[1]
        a = replace(c, last_name=one, email=b.unique(f"{letters(c.first_name)}.{letters(one)}", domain))
        z = b.add(first_name=c.first_name, last_name=two, station=c.station, genres=c.genres,
                  email=b.unique(f"{letters(c.first_name)}.{letters(two)}", domain))
        b.put(None, a)
        b.put(None, z)
        b.negative["duplicate.fuzzy"].add(frozenset((a.id, z.id)))


_BANDS = ["FM", "AM", "DAB", "DAB+", "Radio"]


def _station_variants(rng: random.Random, name: str) -> list[str]:
    """Spellings of one station the way people type them, derived from the name itself."""
    words = name.split()
    out = []
    last, first = words[-1].upper().strip(".") if words else "", words[0].lower() if words else ""
    if last in ("FM", "AM", "DAB", "DAB+", "RADIO") and len(words) > 1:
        out.append(" ".join(words[:-1]))
    else:
        out.append(f"{name} {rng.choice(_BANDS)}")
    out.append(" ".join(words[1:]) if first == "radio" and len(words) > 1 else f"Radio {name}")
    digits = [w for w in words if _is_frequency(w)]
    if digits:
        out.append(" ".join(w for w in words if w not in digits and w.upper() != "FM"))
    else:
        dial = 88 + sum(map(ord, name)) % 20 + (sum(map(ord, name)) % 10) / 10  # one station, one frequency
        out.append(rng.choice([f"{name} {dial:.1f}", f"{name} {int(dial)}", f"{name} {dial:.1f} FM",
                               f"{name} {dial:.1f}FM"]))
    if "&" in name:
        out.append(name.replace("&", "and"))
    elif " and " in name.lower():
        out.append(name.replace(" and ", " & ").replace(" And ", " & "))
    out.append("".join(ch for ch in name if ch.isalnum()))
    if " " in name:
        out.append(name.replace(" ", rng.choice(["-", ".", " - ", "  "]), 1))
    return [v for v in out if v.strip() and v.strip() != name and any(ch.isalnum() for ch in v)]


def _is_frequency(word: str) -> bool:
    """A word that states where on the dial a station is: 98.4, 104,7, 98 (a channel number such as 1 or 24 is not)."""
    number = word.upper().removesuffix("FM").replace(",", ".")
    try:
        value = float(number)
    except ValueError:
        return False
    return "." in number or 87 <= value <= 108


def plant_station_slips(b, rng: random.Random) -> None:
    """One record of a station spelled another way; sibling channels of one network left alone."""
    counts: dict[str, int] = {}
    for c in b.contacts.values():
        counts[c.station or ""] = counts.get(c.station or "", 0) + 1
    for _ in range(40):
        c = b.pick(lambda c: c.station and counts[c.station] >= 4 and "\u00a0" not in c.station)
        options = _station_variants(rng, c.station)
        if not options:
            continue
        counts[c.station] -= 1
        b.put("station.inconsistent", replace(c, station=rng.choice(options)))
    _sibling_networks(b)


SIBLINGS = [("capital-radio-group.co.uk", ["Capital FM", "Capital XTRA"]),
            ("energy-radio-net.ch", ["Energy 98", "Energy 103"]),
            ("public-radio-network.org", ["Radio 1", "Radio 2", "Radio 3"]),
            ("kiss-network.co.uk", ["Kiss", "Kisstory"]),
            ("heart-network.co.uk", ["Heart 80s", "Heart 90s"]),
            ("jazzfm-group.com", ["Jazz FM", "Jazz FM Classics"]),
            ("hits-radio-net.com", ["Hits 93", "Hits 97"])]


def _sibling_networks(b) -> None:
    """Networks whose channels' names differ by a number or a word: each channel is its own station."""
    for domain, channels in SIBLINGS:
        for channel in channels:
            for _ in range(3):
                first, last = b.person_name()
                c = b.add(first_name=first, last_name=last, station=channel, website=f"https://www.{domain}",
                          email=b.unique(b.local(first, last), domain))
                b.used.add(c.id)
                b.negative["station.inconsistent"].add(c.id)


def _bad_hosts(rng: random.Random, host: str) -> list[str]:
    labels = host.split(".")
    i = rng.randrange(len(labels))
    out = [".".join(labels[:i + 1]) + "." + "." + ".".join(labels[i + 1:]) if i < len(labels) - 1 else None,
           "." + host, "-" + host, labels[0] + "-." + ".".join(labels[1:]), f"{host}:{rng.choice([0, 70000, 99999])}",
           "x" * 64 + "." + host, "www.." + host]
    return [h for h in out if h]


def plant_url_slips(b, rng: random.Random) -> None:
    """Websites with a malformed host; unusual but valid websites as controls."""
    from tests.bench.audit_real_base import ed_free

    for _ in range(30):
        c = b.pick(lambda c: not ed_free(c.email))
        host = "www." + c.email.split("@")[1]
        bad = rng.choice(_bad_hosts(rng, host))
        b.put("url.invalid", replace(c, website=rng.choice(["https://", "http://", ""]) + bad + rng.choice(["", "/"])))
    for k in range(16):
        c = b.pick(lambda c: not ed_free(c.email))
        domain = c.email.split("@")[1]
        good = [f"https://{domain.upper()}/", f"http://www.{domain}:8000/live", f"https://www.{domain}./",
                f"https://stream-01.{domain}/a/../b?q=1..2", f"https://104-6.{domain}", f"https://m.{domain}#top"]
        b.put(None, replace(c, website=good[k % len(good)]))
        b.negative["url.invalid"].add(c.id)
    for domain, station in [("bärenwelle-radio.de", "Bärenwelle"), ("radiomünchen-süd.de".encode("idna").decode(),
                             "Radio München Süd"), ("ñandú-fm.es", "Ñandú FM")]:
        first, last = b.person_name()
        c = b.add(first_name=first, last_name=last, station=station, website=f"https://{domain}/programm",
                  email=b.unique(b.local(first, last), domain))
        b.used.add(c.id)
        b.negative["url.invalid"].add(c.id)


def _suffix_slips(rng: random.Random, suffix: str) -> list[str]:
    """Keyboard slips inside a two-level public suffix ('co.uk' -> 'cp.uk', 'co.ukk', 'c.uk', 'couk' ...)."""
    out = set()
    for i, ch in enumerate(suffix):
        if ch == ".":
            out.add(suffix[:i] + suffix[i + 1:])
            continue
        out |= {suffix[:i] + n + suffix[i + 1:] for n in _neighbours(ch)}
        out.add(suffix[:i] + ch + suffix[i:])
        if i + 1 < len(suffix) and suffix[i + 1] != ".":
            out.add(suffix[:i] + suffix[i + 1] + ch + suffix[i + 2:])
    return sorted(s for s in out if s != suffix and not s.startswith(".") and not s.endswith("."))


def plant_ccsld_typos(b, rng: random.Random) -> None:
    """A slip in a two-level country suffix, on the base's own frequent domains and on big providers."""
    from totalaudio.services.contacts import emaildomains as ed

    counts: dict[str, int] = {}
    for c in b.contacts.values():
        counts[c.email.rpartition("@")[2].lower()] = counts.get(c.email.rpartition("@")[2].lower(), 0) + 1
    big = ["hotmail.co.uk", "yahoo.co.uk", "live.co.uk", "bbc.co.uk", "abc.net.au", "bigpond.net.au",
           "optusnet.com.au", "yahoo.com.au"]
    targets = sorted({d for d, n in counts.items() if "." in ed.parts(d)[2] and n >= 5} | set(big))
    existing = set(counts)
    made = 0
    for target in targets * 4:
        if made >= 30:
            break
        at_target = lambda c, t=target: c.email.lower().endswith("@" + t)  # noqa: E731
        pool = [c for i, c in b.contacts.items() if i not in b.used and (c.first_name if target in big
                                                                          else at_target(c))]
        if not pool:
            continue
        c = rng.choice(pool)
        suffix = ed.parts(target)[2]
        slipped = f"{target[: -len(suffix) - 1]}.{rng.choice(_suffix_slips(rng, suffix))}"
        if slipped in existing:
            continue
        b.used.add(c.id)
        b.put("email.typo", replace(c, email=f"{c.email.split('@')[0]}@{slipped}"))
        b.truth["_typo_domains"].add(f"ccsld:{target}->{slipped}")
        made += 1
    _real_ccslds(b)


def _real_ccslds(b) -> None:
    """Stations on real two-level suffixes (.co.nz, .ac.uk, .gov.au ...): their addresses are not typos."""
    for label, suffix, station in [("harbourwaves", "co.nz", "Harbour Waves"), ("unisound", "ac.uk", "UniSound"),
                                   ("abcregional", "gov.au", "Regional Voice"), ("kiwiroots", "org.nz", "Kiwi Roots"),
                                   ("bayfm", "net.nz", "Bay FM NZ"), ("campusair", "edu.au", "Campus Air"),
                                   ("hillside", "org.au", "Hillside Community Radio"), ("tynebeat", "ac.uk",
                                                                                        "Tyne Beat")]:
        for _ in range(2):
            first, last = b.person_name()
            c = b.add(first_name=first, last_name=last, station=station, website=f"https://{label}.{suffix}",
                      email=b.unique(b.local(first, last), f"{label}.{suffix}"))
            b.used.add(c.id)
            b.negative["email.typo"].add(c.id)


def plant_slips(b, seed: int) -> None:
    """Every slip kind above, from a random stream of its own."""
    rng = random.Random(seed * 7919 + 104729)
    for step in (plant_surname_slips, plant_station_slips, plant_url_slips, plant_ccsld_typos):
        step(b, rng)
