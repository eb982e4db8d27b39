"""Independent evaluation of ``tap airtable audit`` on a contact base built from REAL data, with problems planted
the way a hostile evaluator would (deliberately unlike tests/bench/audit_synth.py). Prints one JSON document.

    python tests/bench/bench_audit_independent.py [--seed N] [--misses] [--baseline REV] [--no-slips]

--baseline REV runs the same base through the audit of an earlier revision (its totalaudio package exported
with git archive into a temporary directory) and prints both side by side; --no-slips leaves out the planted
slips of tests/bench/audit_slips.py (the base of the first evaluation).

The base (tests/bench/audit_real_base.py): contacts at the 707 real stations of ../shared/corpus/stations-webradiodb.csv (addresses at the
homepage's registrable domain, a few big broadcasters with dozens of staff, freelance DJs on free-mail), names from
many cultures. Lists of ../shared/corpus/email-lists give the disposable, free-mail and role truths. The data is
read in place (never copied); absent data: the run is skipped with a reason. Negative controls (real domains one
letter apart, short names, namesakes at two stations, a role mailbox shared by two people, channels of one network)
must not be flagged; every planted problem must be. --misses lists what was missed or wrongly flagged.
"""


from __future__ import annotations

import json
import os
import random
import sys
import unicodedata
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
if os.environ.get("TAP_BENCH_CODE"):  # --baseline: the audit of an earlier revision, imported before anything else
    sys.path.insert(0, os.environ["TAP_BENCH_CODE"])
    import totalaudio  # noqa: E402,F401

from tests.bench.audit_slips import plant_slips  # noqa: E402
from tests.bench.audit_real_base import (ACCENTED, BAD_SYNTAX, BAD_URL, BIG, CHECKS, FREE, JUNK_NAMES,  # noqa: E402
                                         LISTS, NICKS, SHARED, STALE_NOTES, Builder, ascii_fold, ed_free,
                                         fields_of, finish_truth, letters, typo_domain)

def plant_typos(b: Builder) -> None:
    """Every slip kind, on free-mail providers (freelancers) and on the base's own big domains (staff)."""
    from totalaudio.services.contacts import emaildomains as ed

    kinds = ["transpose", "omit", "insert", "adjacent", "double", "tld", "dot"]
    own = [d for d in BIG if d in b.stations and len(ed.parts(d)[1]) >= 5]
    bad = set(FREE) | set(b.stations) | b.lists["disposable"]
    for round_ in range(6):
        for kind in kinds:
            for target in (FREE[round_ % 8], own[round_ % len(own)]):
                if kind == "dot" and "." not in ed.parts(target)[2]:
                    continue
                c = b.pick(lambda c, t=target: c.email.endswith("@" + t))
                typo = next((t for t in (typo_domain(b.rng, target, kind) for _ in range(20)) if t not in bad), None)
                if typo:
                    b.put("email.typo", replace(c, email=f"{c.email.split('@')[0]}@{typo}"))
                    b.truth["_typo_domains"].add(f"{kind}:{target}->{typo}")


def plant_lists(b: Builder) -> None:
    """Disposable domains from the shared blocklist; role mailboxes from the shared role list, at real stations."""
    disposable = sorted(b.lists["disposable"])
    for _ in range(40):
        c = b.pick()
        b.put(None, replace(c, email=f"{c.email.split('@')[0]}@{b.rng.choice(disposable)}", website=None))
    roles = sorted(r for r in b.lists["role"] if not r.isdigit()) + ["music", "studio", "info", "onair", "newmusic"]
    for _ in range(60):
        c = b.pick(lambda c: not ed_free(c.email))
        role = b.rng.choice(roles)
        b.put(None, replace(c, email=b.unique(role, c.email.split("@")[1]), first_name=None, last_name=None))
    for _ in range(6):  # a presenter and a producer sharing the station's music@ mailbox: not one person
        c = b.pick(lambda c: not ed_free(c.email))
        domain = c.email.split("@")[1]
        mailbox = b.unique("musicdesk", domain)
        first, last = b.person_name()
        one = replace(c, email=mailbox, contact_type="presenter")
        two = b.add(first_name=first, last_name=last, email=mailbox, station=c.station, contact_type="producer")
        b.put(None, one)
        b.used.add(two.id)
        b.truth["duplicate.exact"] |= {one.id, two.id}  # one address twice: an exact duplicate all the same
        b.negative["duplicate.fuzzy"].add(frozenset((one.id, two.id)))


def plant_exact(b: Builder) -> None:
    """Copies of a record whose address differs only by case, spaces, NBSP or zero-width characters."""
    variants = [("upper", lambda e: e.upper(), False), ("domaincase", lambda e: e.split("@")[0] + "@" +
                e.split("@")[1].upper(), False), ("spaces", lambda e: f"  {e} ", True),
                ("nbsp", lambda e: f"{e}\u00a0", True), ("zwsp", lambda e: e.replace("@", "\u200b@"), True),
                ("lead-nbsp", lambda e: f"\u00a0{e.title()}", True), ("bom", lambda e: f"\ufeff{e}", True)]
    for i in range(35):
        name, fn, spaced = variants[i % len(variants)]
        c = b.pick()
        copy = b.add(**{**fields_of(c), "id": b.new_id(), "email": fn(c.email), "phone": None,
                        "updated_at": "2026-03-01T00:00:00Z"})
        b.used.add(copy.id)
        b.truth["duplicate.exact"] |= {c.id, copy.id}
        if spaced:
            b.truth["email.syntax"].add(copy.id)
    for _ in range(8):  # the twin is unsubscribed: the active one is a status conflict
        c = b.pick()
        copy = b.add(**{**fields_of(c), "id": b.new_id(), "email": c.email.upper(), "status": "unsubscribed"})
        b.used.add(copy.id)
        b.truth["duplicate.exact"] |= {c.id, copy.id}
        b.truth["status.conflict"].add(c.id)


def _pair(b: Builder, a, twin, negative: bool = False) -> None:
    b.put(None, a)
    b.put(None, twin)
    (b.negative if negative else b.truth)["duplicate.fuzzy"].add(frozenset((a.id, twin.id)))


def plant_fuzzy(b: Builder) -> None:
    """The same person twice (nicknames, accents, swapped names, old/new address, a shared phone) and namesakes."""
    station_staff = lambda c: not ed_free(c.email) and c.first_name and c.last_name  # noqa: E731
    for formal, nick in NICKS * 2:
        c = b.pick(station_staff)
        d = c.email.split("@")[1]
        a = replace(c, first_name=formal, email=b.unique(f"{formal.lower()}.{letters(c.last_name)}", d))
        if b.rng.random() < 0.5:
            twin_email = b.unique(f"{nick.lower()}.{letters(c.last_name)}", d)
        else:
            twin_email = b.unique(f"{nick.lower()}{letters(c.last_name)}", b.rng.choice(FREE[:6]))
        _pair(b, a, b.add(first_name=nick, last_name=c.last_name, email=twin_email, station=c.station))
    for accented, plain in ACCENTED:
        c = b.pick(station_staff)
        d = c.email.split("@")[1]
        a = replace(c, first_name=accented, email=b.unique(f"{letters(plain)}.{letters(c.last_name)}", d))
        twin = b.add(first_name=plain, last_name=ascii_fold(c.last_name).title(), station=c.station,
                     email=b.unique(f"{letters(plain)[0]}{letters(c.last_name)}", d))
        _pair(b, a, twin)
    for _ in range(8):  # first and last swapped on the second record
        c = b.pick(station_staff)
        twin = b.add(first_name=c.last_name, last_name=c.first_name, station=c.station,
                     email=b.unique(f"{letters(c.last_name)}.{letters(c.first_name)}", c.email.split("@")[1]))
        _pair(b, c, twin)
    for _ in range(8):  # the old and the new address at the same station
        c = b.pick(station_staff)
        twin = b.add(first_name=c.first_name, last_name=c.last_name, station=c.station, updated_at="2024-12-01",
                     email=b.unique(f"{letters(c.first_name)[0]}{letters(c.last_name)}.old", c.email.split("@")[1]))
        _pair(b, c, twin)
        b.truth["stale"].add(twin.id)  # the old record really is stale
    for k in range(8):  # one phone in two formats, a personal address, no station on the copy
        c = b.pick(station_staff)
        a = replace(c, phone=f"+44 20 7946 0{k:03d}")
        twin = b.add(first_name=c.first_name, last_name=c.last_name, phone=f"020 7946 0{k:03d}", station=None,
                     email=b.unique(f"{letters(c.first_name)}.{letters(c.last_name)}.{k}", b.rng.choice(FREE[:6])))
        _pair(b, a, twin)
        b.truth["field.missing"].add(twin.id)
    _fuzzy_negatives(b, station_staff)


def _fuzzy_negatives(b: Builder, station_staff) -> None:
    for first, last in [("Anh", "Nguyen"), ("John", "Murphy"), ("Maria", "da Silva"), ("Anna", "Nowak")] * 2:
        c1 = b.pick(station_staff)
        # at another employer: two channels of one broadcaster (one email domain) may well be one person's work
        c2 = b.pick(lambda c, s=c1.station, d=c1.email.split("@")[1]: station_staff(c) and c.station != s
                    and c.email.split("@")[1] != d)
        local = f"{letters(first)}.{letters(last)}"
        a = replace(c1, first_name=first, last_name=last, email=b.unique(local, c1.email.split("@")[1]))
        z = replace(c2, first_name=first, last_name=last, email=b.unique(local, c2.email.split("@")[1]))
        _pair(b, a, z, negative=True)
    for k in range(6):  # two colleagues behind one switchboard number
        def colleague(o, c):
            return o.station == c.station and o.last_name != c.last_name and o.first_name and o.id not in b.used

        c = b.pick(lambda c: station_staff(c) and any(colleague(o, c) for o in b.contacts.values()))
        other = b.pick(lambda o, c=c: colleague(o, c))
        _pair(b, replace(c, phone=f"+44 161 496 0{k:03d}"), replace(other, phone=f"0161 496 0{k:03d}"), True)
    for _ in range(6):  # siblings at one station
        c = b.pick(station_staff)
        first, _last = b.person_name()
        if letters(first)[:3] == letters(c.first_name)[:3]:
            continue
        sib = b.add(first_name=first, last_name=c.last_name, station=c.station,
                    email=b.unique(f"{letters(first)}.{letters(c.last_name)}", c.email.split("@")[1]))
        _pair(b, c, sib, negative=True)


def plant_fields(b: Builder) -> None:
    """Junk names (and real short or unusual names that are not), missing fields, stale records."""
    for first, last in JUNK_NAMES + [("maria.k@gmail.com", None), ("Info", "info@station.org"), ("98765", "4321")]:
        b.put("name.suspicious", replace(b.pick(lambda c: c.first_name), first_name=first, last_name=last))
    for first, last in [("Bo", "Li"), ("Xu", "Yi"), ("Ng", "Wai"), ("Ó", "Sé"), ("Lwazi", "Mkhize"), ("Jędrzej",
                        "Szczęsny"), ("Sunday", "Adebayo"), ("Thi", "Ha"), ("Mac", "Dara"), ("Evie", "Morning"),
                        ("Al", "Friday"), ("Dj", "Okoro"), ("Krzysztof", "Brzęczyszczykiewicz"), ("Yrjö", "Kyrö")]:
        c = b.pick(lambda c: c.first_name and not ed_free(c.email))
        b.put(None, replace(c, first_name=first, last_name=last,
                            email=b.unique(f"{letters(first)}.{letters(last)}", c.email.split("@")[1])))
        b.negative["name.suspicious"].add(c.id)
    for name in ["genres", "station", "first_name"] * 8:
        c = b.pick(lambda c: c.first_name)
        b.put("field.missing", replace(c, **{name: () if name == "genres" else None}))
    for day in STALE_NOTES * 7:
        b.put("stale", replace(b.pick(), updated_at=f"{day}T10:00:00Z", last_enriched=None))
    for _ in range(10):  # old local write but enriched recently: not stale
        c = b.pick()
        b.put(None, replace(c, updated_at="2022-01-01T00:00:00Z", last_enriched="2026-08-01"))
        b.negative["stale"].add(c.id)


def _variant(rng: random.Random, name: str) -> str:
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))
    options = [name.upper(), name.lower(), f"{name} FM", f"{name} Radio", name.replace(" ", "-"), f"{name}.",
               name.replace(" ", ""), f"The {name}", f"{name} 104.5", f"  {name}", name.replace("Radio ", "")]
    options += [plain] if plain != name else []
    return rng.choice([o for o in options if o != name and o.strip() != name])


def plant_stations(b: Builder) -> None:
    """One station spelled another way on one of its records (case, FM/Radio, punctuation, accents, frequency)."""
    counts: dict[str, int] = defaultdict(int)
    for c in b.contacts.values():
        counts[c.station or ""] += 1
    for _ in range(35):
        c = b.pick(lambda c: c.station and counts[c.station] >= 3)
        counts[c.station] -= 1
        b.put("station.inconsistent", replace(c, station=_variant(b.rng, c.station)))


def plant_web(b: Builder) -> None:
    """Malformed website values, websites of another station, status conflicts of every kind."""
    from totalaudio.services.contacts import emaildomains as ed

    for i in range(33):
        c = b.pick(lambda c: not ed_free(c.email))
        d = c.email.split("@")[1]
        _s, lab, suf = ed.parts(d)
        b.put("url.invalid", replace(c, website=BAD_URL[i % len(BAD_URL)].format(h=d, lab=lab, suf=suf)))
    from totalaudio.services.audit.checks import HOSTING

    domains = sorted(d for d in b.stations if d not in HOSTING and "github" not in d)
    for _ in range(25):
        c = b.pick(lambda c: not ed_free(c.email) and c.email.split("@")[1] in domains)
        label = ed.parts(c.email.split("@")[1])[1]
        other = next(d for d in iter(lambda: b.rng.choice(domains), None)
                     if label not in d and ed.parts(d)[1] not in label)
        b.put("domain.mismatch", replace(c, website=b.stations[other][0][1]))
    for kind in ["unsubscribe", "bounce_hard", "abuse"] * 4:
        c = b.pick()
        b.events[c.email.lower()] = kind
        b.put("status.conflict", c)
    marks = [dict(tags=("Unsubscribed",)), dict(reply_status="Bounced"), dict(tags=("DO NOT CONTACT",)),
             dict(notes="Asked to be removed from the list in March."), dict(extra={"Mailchimp Status": "cleaned"}),
             dict(notes="Hard bounce on the last two campaigns")]
    for mark in marks * 3:
        b.put("status.conflict", replace(b.pick(), **mark))
    for notes in ["Bounced ideas off the producer, keen on folk", "Loves bouncy electro", "Re-subscribed in May"]:
        c = b.pick()
        b.put(None, replace(c, notes=notes))
        b.negative["status.conflict"].add(c.id)
    for _ in range(8):  # unsubscribed and marked so: nothing to report
        c = b.pick()
        b.events[c.email.lower()] = "unsubscribe"
        b.put(None, replace(c, status="unsubscribed"))
        b.negative["status.conflict"].add(c.id)


def plant_syntax(b: Builder) -> None:
    for i in range(36):
        c = b.pick(lambda c: c.first_name)
        local, d = c.email.split("@")
        lab, _dot, suf = d.partition(".")
        bad = BAD_SYNTAX[i % len(BAD_SYNTAX)].format(l=local, d=d, lab=lab, suf=suf, F=c.first_name)
        b.put("email.syntax", replace(c, email=bad))


def build(seed: int) -> Builder:
    b = Builder(seed)
    b.build()
    for step in (plant_typos, plant_lists, plant_exact, plant_fuzzy, plant_fields, plant_stations, plant_web,
                 plant_syntax):
        step(b)
    if "--no-slips" not in sys.argv:
        plant_slips(b, seed)
    finish_truth(b)
    return b


def predicted(report, check: str) -> set:
    found = [f for f in report.findings if f.check == check]
    if check == "duplicate.fuzzy":
        return {frozenset((f.contact_id, f.related[0])) for f in found}
    if check == "duplicate.exact":
        return {f.contact_id for f in found} | {f.related[0] for f in found}
    return {f.contact_id for f in found}


def evaluate(b: Builder, report, misses: bool) -> dict:
    out = {}
    for check in CHECKS:
        ignore = getattr(b, "ignore", {}).get(check, set())
        want, got = b.truth.get(check, set()) - ignore, predicted(report, check) - ignore
        hit = got & want
        row = {"planted": len(want), "found": len(got), "truePositives": len(hit),
               "precision": round(len(hit) / len(got), 3) if got else None,
               "recall": round(len(hit) / len(want), 3) if want else None}
        if check in b.negative:
            row["negativeControls"] = len(b.negative[check])
            row["negativeControlsFlagged"] = len(b.negative[check] & got)
        if misses:
            row["missed"] = [_show(b, x) for x in sorted(want - got, key=str)][:25]
            row["falsePositives"] = [_show(b, x, report, check) for x in sorted(got - want, key=str)][:25]
        out[check] = row
    return out


def _show(b: Builder, x, report=None, check=None) -> str:
    ids = sorted(x) if isinstance(x, frozenset) else [x]
    text = " | ".join(f"{i} {b.contacts[i].first_name} {b.contacts[i].last_name} <{b.contacts[i].email!r}> "
                      f"st={b.contacts[i].station!r} web={b.contacts[i].website!r}" for i in ids)
    if report is not None:
        text += " :: " + "; ".join(f.message for f in report.findings if f.check == check and f.contact_id in ids)
    return text


def main() -> None:
    if not (SHARED / "stations-webradiodb.csv").is_file() or not LISTS.is_dir():
        print(json.dumps({"skipped": f"{SHARED} is absent (the real station list and email lists are needed)"}))
        return
    import time

    from totalaudio.services.audit.service import audit_contacts
    from totalaudio.services.audit.checks import AuditOptions

    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 7
    b = build(seed)
    contacts = list(b.contacts.values())
    b.rng.shuffle(contacts)
    t0 = time.perf_counter()
    report = audit_contacts(contacts, AuditOptions(now=__import__("datetime").datetime(2026, 11, 25,
                                                                                      tzinfo=__import__("datetime")
                                                                                      .timezone.utc)),
                            events=b.events)
    result = evaluate(b, report, "--misses" in sys.argv)
    scored = [r for r in result.values() if r["precision"] is not None and r["recall"] is not None]
    doc = {
        "benchmark": "independent audit evaluation on real stations with hostile planted problems",
        "seed": seed, "slips": "--no-slips" not in sys.argv, "contacts": len(contacts),
        "stationDomains": len(b.stations), "auditSeconds": round(time.perf_counter() - t0, 3),
        "macroPrecision": round(sum(r["precision"] for r in scored) / len(scored), 3),
        "macroRecall": round(sum(r["recall"] for r in scored) / len(scored), 3),
        "perCheck": result,
    }
    if "--baseline" in sys.argv:
        doc = side_by_side(sys.argv[sys.argv.index("--baseline") + 1], doc)
    print(json.dumps(doc, indent=2, ensure_ascii=False))


def side_by_side(revision: str, doc: dict) -> dict:
    """The same run with the audit of ``revision``; precision/recall per check before and after."""
    import subprocess
    import tempfile

    root = Path(__file__).resolve().parents[2]
    args = [a for a in sys.argv[1:] if a not in ("--baseline", revision, "--misses")]
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(root), "archive", revision, "totalaudio"], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        out = subprocess.run([sys.executable, __file__, *args], env={**os.environ, "TAP_BENCH_CODE": tmp},
                             check=True, capture_output=True, text=True).stdout
    before = json.loads(out)
    pr = lambda row: [row["precision"], row["recall"]]  # noqa: E731
    return {**doc, "baseline": revision, "macroBefore": [before["macroPrecision"], before["macroRecall"]],
            "macroAfter": [doc["macroPrecision"], doc["macroRecall"]],
            "precisionRecall": {c: {"before": pr(before["perCheck"][c]), "after": pr(row)}
                                for c, row in doc["perCheck"].items()}}


if __name__ == "__main__":
    main()
