"""Benchmark: the number check over 1,000 generated narratives with planted wrong numbers (and 1,000 correct
ones, for false alarms), and the tokens and cost of one campaign report and of 100 pitches with and without
prompt caching and the Message Batches API, against the loopback stand-in (which counts cache reads as the API
does: a cached prefix of at least 1,024 tokens, reads at 10% of the input price, writes at 125%, batches 50%).

    python -m tests.bench.bench_claude [--narratives 1000] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

from totalaudio.services.claude import numbers
from totalaudio.services.reports.facts import campaign_facts
from totalaudio.store.campaigns import CampaignStore
from totalaudio.store.contacts import ContactStore
from totalaudio.store.db import open_db

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
STATIONS = ["Radio Aire", "Storm FM", "KXRP", "Wave 105", "Soho Radio", "Radio Caroline", "BBC 6 Music", "Jazz 24"]
GENRES = ["indie", "jazz", "rock", "folk", "electronic", "soul"]
WORDS = {v: k for k, v in numbers.WORDS.items()}


def random_campaign(db: Any, rng: random.Random, n: int) -> str:
    """A campaign of n contacts over random stations and genres, with random events."""
    ids = []
    for i in range(n):
        cid = f"ct_{rng.random():.12f}"[3:]
        ids.append(cid)
        ContactStore(db).insert_many([{"id": cid, "email": f"p{i}.{cid}@example.org", "first_name": f"P{i}",
                                       "station": rng.choice(STATIONS), "genres": rng.sample(GENRES, rng.randint(0, 2)),
                                       "region": rng.choice(["UK", "US", "EU"]), "contact_type": "DJ"}])
    campaign = CampaignStore(db).create({"name": f"Release {rng.randint(1, 99)}", "artist": "The Band"}, ids)
    sent = NOW - timedelta(days=10)
    events = []
    for cid in ids:
        events.append(("sent", sent, {}))
        events += _random_events(rng, sent)
        CampaignStore(db).add_events({"email": "x@example.org", "contact_id": cid, "campaign_id": campaign,
                                      "source": "bench", "kind": k, "at": w.strftime("%Y-%m-%dT%H:%M:%SZ"), "data": d}
                                     for k, w, d in events)
        events = []
    return campaign


def _random_events(rng: random.Random, sent: datetime) -> list[tuple[str, datetime, dict]]:
    out: list[tuple[str, datetime, dict]] = []
    roll = rng.random()
    if roll < 0.08:
        return [("bounce_hard" if rng.random() < 0.7 else "bounce_soft", sent + timedelta(seconds=5), {})]
    if rng.random() < 0.3:
        out.append(("open", sent + timedelta(seconds=20), {}))  # a scanner
    if roll < 0.65:
        out.append(("open", sent + timedelta(days=rng.randint(1, 5)), {}))
        if rng.random() < 0.4:
            out.append(("click", sent + timedelta(days=5, hours=1), {}))
        if rng.random() < 0.35:
            out.append(("reply", sent + timedelta(days=6), {}))
            if rng.random() < 0.5:
                day = (sent + timedelta(days=7 + rng.randint(0, 2))).strftime("%Y-%m-%d")
                out.append(("outcome", sent + timedelta(days=7), {"type": rng.choice(["play", "add"]), "date": day}))
    if rng.random() < 0.05:
        out.append(("unsubscribe", sent + timedelta(days=8), {}))
    return out


# --- narratives: each slot is (sentence template, the true value, how it is written) --------------------------

def _count_slots(f: dict[str, Any]) -> list[tuple[str, float, str]]:
    t = f["totals"]
    return [("{} people opened it.", t["opened"], "int"), ("{} messages were delivered.", t["delivered"], "int"),
            ("It was sent to {} contacts.", t["sent"], "int"), ("{} of them replied.", t["replied"], "int"),
            ("{} clicked a link.", t["clicked"], "int"), ("{} hard bounces were recorded.", t["hardBounces"], "int"),
            ("{} contacts unsubscribed.", t["unsubscribed"], "int"),
            ("{} machine opens were discounted.", t["machineOpensDiscounted"], "int"),
            ("{} people replied.", t["replied"], "word"), ("{} auto-replies came back.", t["autoReplies"], "int")]


def _rate_slots(f: dict[str, Any]) -> list[tuple[str, float, str]]:
    r = f["rates"]
    return [("The open rate was {}.", r["openRate"], "pct"), ("That is a reply rate of {}.", r["replyRate"], "pct"),
            ("The click rate came to {}.", r["clickRate"], "pct1"), ("The bounce rate was {}.", r["bounceRate"], "pct"),
            ("As a fraction, the open rate was {}.", r["openRate"], "frac"),
            ("The reply rate rounds to {}.", r["replyRate"], "round")]


def _group_slots(f: dict[str, Any]) -> list[tuple[str, float, str]]:
    out = []
    for g in f["byStation"][:4]:
        out += [(g["name"] + " had {} replies.", g["replied"], "int"), (g["name"] + " had {} opens.", g["opened"], "int"),
                ("At " + g["name"] + " the open rate was {}.", g["openRate"], "pct")]
    for p in f["playedBy"][:2]:
        days = sorted({q["date"] for q in f["playedBy"] if q["station"] == p["station"]})
        out.append((f"{p['station']} played it on {{}}.", p["date"], "date:" + ",".join(days)))
    return out


def _write(value: Any, how: str) -> str:
    if how == "pct":
        return f"{value}%"
    if how == "pct1":
        return f"{value} per cent"
    if how == "frac":
        return f"{value / 100:.3f}"
    if how == "round":
        return f"{round(value)}%"
    if how == "word":
        return WORDS.get(int(value), str(int(value)))
    if how.startswith("date"):
        return str(value)
    return str(int(value))


def _wrong(rng: random.Random, value: Any, how: str, others: list[float]) -> Any | None:
    """A value that is wrong for this slot (None when none can be made)."""
    if how.startswith("date"):  # wrong: not a day on which that station played it
        day = datetime.strptime(value, "%Y-%m-%d") + timedelta(days=rng.choice([-3, -2, -1, 1, 2, 3]))
        return None if day.strftime("%Y-%m-%d") in how[5:].split(",") else day.strftime("%Y-%m-%d")
    kind = rng.choice(["off", "swap", "scale", "rounding"])
    if kind == "swap":
        pool = [o for o in others if o != value]
        candidate = rng.choice(pool) if pool else value + 1
    elif kind == "scale":
        candidate = value * 10 if value else 7
    elif kind == "rounding" and how in ("pct", "pct1", "round", "frac") and value % 1:
        candidate = float(int(value)) if round(value) != int(value) else float(int(value) + 1)
    else:
        candidate = max(0, value + rng.choice([-3, -2, -1, 1, 2, 3]))
    if how in ("int", "word"):
        candidate = float(int(candidate))
    return candidate if _written_differs(value, candidate, how) else None


def _written_differs(truth: Any, candidate: Any, how: str) -> bool:
    """True when the candidate, as written, is not the truth or a valid rounding of it."""
    written = _write(candidate, how)
    if how in ("pct", "pct1", "round"):
        number = float(written.split("%")[0].split()[0])
        places = len(str(number).split(".")[1]) if number % 1 else 0
        return round(truth, places) != number and round(truth, 1) != number
    if how == "frac":
        return round(truth / 100, 3) != float(written) and round(truth / 100, 2) != float(written)
    return written != _write(truth, how)


def narratives(facts: dict[str, Any], rng: random.Random, count: int, plant: bool) -> list[tuple[str, str]]:
    """``count`` narratives of 4-8 sentences; with ``plant``, one number in each is wrong. Returns (text, planted)."""
    slots = _count_slots(facts) + _rate_slots(facts) + _group_slots(facts)
    values = [v for _t, v, how in slots if not how.startswith("date")]
    out = []
    while len(out) < count:
        chosen = rng.sample(slots, min(len(slots), rng.randint(4, 8)))
        sentences = [t.format(_write(v, how)) for t, v, how in chosen]
        planted = ""
        if plant:
            i = rng.randrange(len(chosen))
            template, value, how = chosen[i]
            wrong = _wrong(rng, value, how, values)
            if wrong is None:
                continue
            planted = _write(wrong, how)
            sentences[i] = template.format(planted)
        out.append((" ".join(sentences), planted))
    return out


def bench_check(total: int, seed: int) -> dict[str, Any]:
    """Planted wrong numbers let through, and false alarms on correct narratives."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "bench.db")
        campaigns = [random_campaign(db, rng, rng.randint(8, 60)) for _ in range(20)]
        facts = [campaign_facts(db, c, now=NOW) for c in campaigns]
    per = max(1, total // len(facts))
    through, alarms, examples, started = 0, 0, [], time.perf_counter()
    for f in facts:
        index = numbers.index_facts(f)
        for text, planted in narratives(f, rng, per, plant=True):
            if not numbers.check(text, index):
                through += 1
                examples.append({"planted": planted, "text": text[:300]})
        for text, _p in narratives(f, rng, per, plant=False):
            alarms += bool(numbers.check(text, index))
    checked = per * len(facts)
    return {"campaigns": len(facts), "plantedNarratives": checked, "wrongNumbersLetThrough": through,
            "correctNarratives": checked, "falseAlarms": alarms, "falseAlarmRate": round(alarms / checked, 4),
            "msPerNarrative": round((time.perf_counter() - started) * 1000 / (2 * checked), 3),
            "letThroughExamples": examples[:5]}


# --- tokens and cost against the stand-in ----------------------------------------------------------------------

def _costs(db: Any, since_id: int) -> dict[str, Any]:
    row = db.execute("SELECT COUNT(*), SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens), "
                     "SUM(cache_write_tokens), SUM(cost_usd) FROM llm_calls WHERE id > ?", [since_id]).fetchone()
    return {"calls": row[0], "inputTokens": row[1] or 0, "outputTokens": row[2] or 0, "cacheReadTokens": row[3] or 0,
            "cacheWriteTokens": row[4] or 0, "costUsd": round(row[5] or 0, 5)}


def _last_id(db: Any) -> int:
    return db.execute("SELECT COALESCE(MAX(id), 0) FROM llm_calls").fetchone()[0]


def _measure(db: Any, work: Callable[[], None]) -> dict[str, Any]:
    before = _last_id(db)
    work()
    return _costs(db, before)


def bench_costs() -> dict[str, Any]:
    """One report and 100 pitches: plain, prompt-cached, batched, batched and cached."""
    from tests.claude_data import seed_campaign
    from tests.fakes.anthropic_fake import AnthropicFake
    from totalaudio.clients.anthropic import ClaudeClient
    from totalaudio.services.claude import pitch, prompts, report
    from totalaudio.services.claude import batch as batches
    from totalaudio.services.llm.session import Session

    cached_blocks = prompts.system_blocks

    def plain_blocks(task: str) -> list[dict[str, Any]]:
        return [{k: v for k, v in b.items() if k != "cache_control"} for b in cached_blocks(task)]

    with tempfile.TemporaryDirectory() as tmp, AnthropicFake() as fake:
        db = open_db(Path(tmp) / "bench.db")
        cid, _ids = seed_campaign(db, NOW)
        people = [ContactStore(db).get(f"ct_{n}") for n in ("ann", "bob", "cat", "dan")]
        contacts = [people[i % 4] for i in range(100)]
        release = "First Light by The Band\nA bright indie single out 5 December.\n"
        facts = campaign_facts(db, cid, now=NOW)
        client = ClaudeClient("sk-ant-bench", fake.url, model="claude-sonnet-4-5")
        session = Session(db, client, run_id="bench")
        out: dict[str, Any] = {"model": client.model, "tokenizer": "stand-in: about 4 characters a token"}
        for label, blocks in (("noCache", plain_blocks), ("promptCache", cached_blocks)):
            report.system_blocks = pitch.system_blocks = blocks
            fake.state.cache.clear()
            out[f"report.{label}.cold"] = _measure(db, lambda: report.narrative(db, None, facts, client=client))
            out[f"report.{label}.warm"] = _measure(db, lambda: report.narrative(db, None, facts, client=client))
            fake.state.cache.clear()
            out[f"pitches100.{label}"] = _measure(db, lambda: [pitch.draft(db, session, c, release, "warm")
                                                               for c in contacts])
            fake.state.cache.clear()
            fake.state.polls_to_end = 0
            out[f"pitches100.{label}.batch"] = _measure(db, lambda: _batch(db, session, batches, pitch, contacts,
                                                                           release))
        report.system_blocks = pitch.system_blocks = cached_blocks
        return out


def _batch(db: Any, session: Any, batches: Any, pitch: Any, contacts: list, release: str) -> None:
    requests = [pitch.request(c, db, release, "warm", session.client.model) for c in contacts]
    for i, r in enumerate(requests):
        r["custom_id"] = f"{r['custom_id']}_{i}"
    started = batches.submit(db, session, pitch.PURPOSE, requests, {})
    batches.collect(db, session, started["id"], pitch.PITCH_TOOL["name"])
    batches.finished(db, started["id"])


def main() -> None:
    """Print the figures as one JSON document."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--narratives", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(json.dumps({"numberCheck": bench_check(args.narratives, args.seed), "costs": bench_costs()}, indent=1))


if __name__ == "__main__":
    main()
