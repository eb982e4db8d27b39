"""Benchmark: `tap campaign status` and `tap contacts timeline` on 100,000 contacts and 5 million events, and the
artist's report of a 2,000-contact campaign (size, and render time in headless Chromium). Prints JSON.

    python tests/bench/bench_campaigns.py [--scale 1.0] [--keep DIR]

Targets (issue 11): status and timeline under 200 ms; the report under 2 MB, rendered under 2 s. Each command
is timed in-process through the real CLI entry (tap's error path, argument parsing, the store opened and
queried, output printed), median of 7 runs after one warm-up (wall and CPU milliseconds), beside `tap contacts
show` (the CLI's own cost on the same store), the service calls alone, and what typer's building of the command
tree costs every command (`cliCommandTree`); then after a new reply in every campaign (`afterNewEvents`: the
counts are kept as events are written, so nothing is recomputed on the next status); a few campaigns' kept counts
beside campaign_facts' totals (`countsMatchFacts`); and again without the 1001 indexes, to show what they buy.
The store's build reports its load, index and counts (settle) times.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

KINDS = ("open", "open", "open", "click", "reply", "auto_reply", "bounce_hard", "bounce_soft", "unsubscribe",
         "outcome")
WEIGHTS = (40, 20, 10, 12, 5, 2, 1, 1, 1, 1)
OUTCOME_DATA = tuple(json.dumps({"type": t}) for t in ("play", "add", "interview", "decline"))
CONTACTS, CAMPAIGNS, PER_CAMPAIGN, EVENTS_PER_MEMBER = 100_000, 500, 2_000, 5


def build(path: Path, scale: float) -> dict:
    """A store of synthetic contacts, campaigns and events, loaded with executemany in one transaction with the
    build-only PRAGMAs (no journal, no fsync, a big cache), indexes built after the load, then the campaigns'
    counts settled through the store's own path (what a store migrated to 1300 does on its first read)."""
    from totalaudio.store.db import open_db

    rng = random.Random(11)
    contacts, campaigns = int(CONTACTS * scale), max(2, int(CAMPAIGNS * scale))
    open_db(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF; "
                       "PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY;")
    # Indexes built once at the end (much faster than maintained row by row), and the trigger that marks each
    # event's (campaign, contact) pair stale replaced by one INSERT ... SELECT after the load, as migration 1300
    # does for a store that has events already (the trigger doubled the load's time).
    dropped = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE ((type = 'index' AND tbl_name IN "
                           "('events', 'campaign_contacts')) OR name = 'campaign_stale_added') AND sql IS NOT NULL "
                           "ORDER BY type").fetchall()
    for kind, name, _sql in dropped:
        conn.execute(f"DROP {kind} {name}")
    steps, clock = {}, _Clock()
    ids = [f"c_{i:016x}" for i in range(contacts)]
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO contacts (id, email, email_norm, first_name, station, contact_type, region, "
                     "genres, status, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)", _contacts(ids))
    for n in range(campaigns):
        cmp_id, members, day = f"cmp_{n:012x}", rng.sample(ids, PER_CAMPAIGN), 1 + n % 27
        conn.execute("INSERT INTO campaigns (id, name, artist, release, status, created_at, updated_at) VALUES "
                     "(?,?,?,?,?,?,?)", [cmp_id, f"Campaign {n}", f"Artist {n}", "Single", "sent",
                                         f"2026-10-{day:02d}T09:00:00Z", f"2026-10-{day:02d}T09:00:00Z"])
        conn.executemany("INSERT INTO campaign_contacts (campaign_id, contact_id) VALUES (?, ?)",
                         ((cmp_id, m) for m in members))
        conn.executemany("INSERT INTO events (contact_id, email, campaign_id, source, kind, at, data, proxy) VALUES "
                         "(?,?,?,?,?,?,?,?)", _events(rng, cmp_id, members, day))
    conn.execute("COMMIT")
    steps["loadSeconds"] = clock.lap()
    for _kind, _name, sql in dropped:
        conn.execute(sql)
    conn.execute("INSERT INTO campaign_stale SELECT DISTINCT campaign_id, contact_id FROM events")
    conn.execute("ANALYZE")
    steps["indexSeconds"] = clock.lap()
    total = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    conn.executescript("PRAGMA journal_mode = WAL;")
    conn.close()
    steps["pairsSettled"] = _settle(path)
    steps["countsSeconds"] = clock.lap()
    return {"contacts": contacts, "campaigns": campaigns, "events": total, **steps,
            "buildSeconds": clock.total(), "buildCpuSeconds": round(time.process_time() - clock.cpu, 1)}


class _Clock:
    """Wall seconds since the last lap, and since the start; CPU seconds of this process since the start."""

    def __init__(self) -> None:
        self.started = self.last = time.perf_counter()
        self.cpu = time.process_time()

    def lap(self) -> float:
        now = time.perf_counter()
        elapsed, self.last = now - self.last, now
        return round(elapsed, 1)

    def total(self) -> float:
        return round(time.perf_counter() - self.started, 1)


def _settle(path: Path) -> int:
    """Fold every (campaign, contact) pair the load marked stale, through the store's own path."""
    from totalaudio.store.campaign_counts import CampaignCounts
    from totalaudio.store.db import open_db

    db = open_db(path)
    try:
        return CampaignCounts(db).settle()
    finally:
        db.close()


def _contacts(ids: list[str]):
    kinds = ("radio", "press", "playlist", "blog", "podcast")
    regions = ("UK", "Ireland", "Australia", "US", "Germany", "Canada")
    genres = ('["Indie"]', '["Rock","Indie"]', '["Jazz"]', '["Electronic"]', '["Folk"]')
    for i, cid in enumerate(ids):
        email = f"dj{i}@station{i % 9000}.example"
        yield (cid, email, email, f"DJ {i}", f"Station {i % 9000}", kinds[i % 5], regions[i % 6], genres[i % 5],
               "opted-in", "2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z")


def _events(rng: random.Random, cmp_id: str, members: list[str], day: int):
    """Each member's send, then EVENTS_PER_MEMBER - 1 events the next day; one open or click in 14 comes a minute
    after the send (a privacy proxy or a scanner: not counted as a person). Kinds and times are drawn for the
    whole campaign at once (drawn one by one, they were most of the build's time)."""
    sent, machine = f"2026-10-{day:02d}T09:00:00Z", f"2026-10-{day:02d}T09:01:00Z"
    later = [f"2026-10-{min(day + 1, 28):02d}T{h:02d}:00:00Z" for h in range(24)]
    kinds = iter(rng.choices(KINDS, WEIGHTS, k=len(members) * (EVENTS_PER_MEMBER - 1)))
    slots = iter(rng.choices(range(9, 23), k=len(members) * (EVENTS_PER_MEMBER - 1)))
    reply = '{"snippet": "Thanks, lovely track"}'
    for n, member in enumerate(members):
        yield member, "x@example", cmp_id, "mailchimp", "sent", sent, "{}", 0
        for _ in range(EVENTS_PER_MEMBER - 1):
            kind, slot = next(kinds), next(slots)
            when = machine if slot == 9 and kind in ("open", "click") else later[slot]
            data = reply if kind == "reply" else OUTCOME_DATA[n % 4] if kind == "outcome" else "{}"
            yield member, "x@example", cmp_id, "mailchimp", kind, when, data, 0


def timed(call, runs: int = 7) -> dict:
    """Median and max wall milliseconds, and median CPU milliseconds, of ``call`` after one warm-up."""
    walls, cpus = [], []
    for i in range(runs + 1):
        began, cpu = time.perf_counter(), time.process_time()
        call()
        if i:
            walls.append((time.perf_counter() - began) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
    return {"medianMs": round(statistics.median(walls), 1), "maxMs": round(max(walls), 1),
            "cpuMs": round(statistics.median(cpus), 1)}


def tap_ms(args: list[str], runs: int = 7) -> dict:
    """Times of one tap command run in-process through the real entry point (see ``timed``)."""
    from totalaudio.cli.errors import run
    from totalaudio.cli.main import app

    def once() -> None:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = run(app, args)
        if code != 0:
            raise SystemExit(f"tap {' '.join(args)} failed: {err.getvalue()}")
    return timed(once, runs)


def command_tree_ms() -> dict:
    """What every tap command pays before its own work: typer building the click command tree of the whole CLI
    (once per process; the in-process runs above pay it on each run, as a real invocation does)."""
    import typer.main

    from totalaudio.cli.main import app

    return timed(lambda: typer.main.get_command(app))


def after_new_events(db_path: Path, status_all: list[str]) -> dict:
    """A reply arrives in every campaign (through the store's add_events, as Gmail watch writes it); then the
    status of all campaigns again, which must not fall back to recomputing anything."""
    from totalaudio.store.campaigns import CampaignStore
    from totalaudio.store.db import open_db

    db = open_db(db_path)
    try:
        rows = db.execute("SELECT cc.campaign_id, min(cc.contact_id) FROM campaign_contacts cc "
                          "GROUP BY cc.campaign_id").fetchall()
        adds = []
        for n, (campaign_id, contact_id) in enumerate(rows):
            event = {"contact_id": contact_id, "email": "x@example", "campaign_id": campaign_id, "source": "gmail",
                     "kind": "reply", "at": "2026-11-01T10:00:00Z", "data": {"snippet": "late reply"},
                     "dedupe_key": f"bench-late-{n}-{time.time_ns()}"}
            began = time.perf_counter()
            CampaignStore(db).add_events([event])
            adds.append((time.perf_counter() - began) * 1000)
    finally:
        db.close()
    return {"addEventMs": {"medianMs": round(statistics.median(adds), 2), "maxMs": round(max(adds), 2),
                           "events": len(adds)},
            "campaignStatusAll": tap_ms(status_all, runs=3)}


def services(db_path: Path, campaign: str, contact: str) -> dict:
    """The same three answers timed at the service layer."""
    from totalaudio.services.campaigns import service
    from totalaudio.services.contacts.timeline import timeline
    from totalaudio.store.db import open_db

    db = open_db(db_path)
    try:
        return {"campaignStatus": timed(lambda: service.status(db, campaign)),
                "contactsTimeline": timed(lambda: timeline(db, contact)),
                "campaignStatusAll": timed(lambda: service.statuses(db), 3)}
    finally:
        db.close()


def counts_match_facts(db_path: Path, sample: int = 5) -> dict:
    """The maintained counts of a few campaigns beside the totals campaign_facts computes from their events."""
    from totalaudio.services.reports.facts import campaign_facts, every_current_totals
    from totalaudio.store.db import open_db

    db = open_db(db_path)
    try:
        kept = every_current_totals(db)
        ids = random.Random(5).sample(sorted(kept), min(sample, len(kept)))
        differ = [cid for cid in ids if campaign_facts(db, cid)["totals"] != kept[cid]]
    finally:
        db.close()
    return {"campaigns": len(ids), "differ": differ}


def without_indexes(path: Path, measure) -> dict:
    """The same measurement with the 1001 indexes dropped (then put back)."""
    import sqlite3

    from totalaudio.store.campaign_runs import MIGRATIONS

    sql = dict(MIGRATIONS)["1001_timeline_indexes"]
    conn = sqlite3.connect(path)
    conn.executescript("DROP INDEX events_contact_at; DROP INDEX events_campaign_at; "
                       "DROP INDEX campaign_contacts_contact;")
    conn.close()
    try:
        return measure()
    finally:
        conn = sqlite3.connect(path)
        conn.executescript(sql)
        conn.close()


def report_figures(home: Path, campaign: str) -> dict:
    """Size of the 2,000-contact campaign's HTML report and its load time in headless Chromium."""
    page = home / "report.html"
    began = time.perf_counter()
    tap_ms(["report", campaign, "--html", str(page), "--no-ai"], runs=1)
    write_s = time.perf_counter() - began
    out = {"contacts": PER_CAMPAIGN, "bytes": page.stat().st_size, "writeSeconds": round(write_s, 2)}
    if not os.path.exists("/usr/bin/chromium"):
        return {**out, "chromium": "not installed"}
    from playwright.sync_api import sync_playwright

    flags = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=flags)
        loads = []
        for _ in range(3):
            tab = browser.new_page(viewport={"width": 1000, "height": 900})
            began = time.perf_counter()
            tab.goto(page.resolve().as_uri(), wait_until="load")
            tab.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            loads.append(time.perf_counter() - began)
            tab.close()
        browser.close()
    return {**out, "renderSeconds": round(statistics.median(loads), 3)}


def main() -> None:
    """Build the store, time the commands, print the figures as JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--keep", type=Path)
    opts = parser.parse_args()
    home = opts.keep or Path(tempfile.mkdtemp(prefix="tap-bench-campaigns-"))
    os.environ["TAP_HOME"] = str(home)
    db_path = home / "tap.db"
    data = build(db_path, opts.scale) if not db_path.exists() else {"reused": str(db_path)}
    print(json.dumps(data), file=sys.stderr)
    status = ["campaign", "status", "Campaign 7", "--json"]
    middle = int(CONTACTS * opts.scale) // 2
    timeline = ["contacts", "timeline", f"dj{middle}@station{middle % 9000}.example", "--json"]
    figures = {"store": data,
               "campaignStatus": tap_ms(status), "contactsTimeline": tap_ms(timeline),
               "campaignStatusAll": tap_ms(["campaign", "status", "--json"], runs=3),
               "baselineContactsShow": tap_ms(["contacts", "show", timeline[2], "--json"]),
               "serviceLayer": services(db_path, "Campaign 7", timeline[2]),
               "cliCommandTree": command_tree_ms(),
               "afterNewEvents": after_new_events(db_path, ["campaign", "status", "--json"]),
               "countsMatchFacts": counts_match_facts(db_path),
               "withoutIndexes": without_indexes(db_path, lambda: {"campaignStatus": tap_ms(status, 3),
                                                                   "contactsTimeline": tap_ms(timeline, 3)}),
               "report": report_figures(home, "Campaign 7"),
               "targets": {"commandMs": 200, "reportBytes": 2_000_000, "renderSeconds": 2.0}}
    json.dump(figures, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
