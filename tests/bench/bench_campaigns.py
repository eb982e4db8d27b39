"""Benchmark: `tap campaign status` and `tap contacts timeline` on 100,000 contacts and 5 million events, and the
artist's report of a 2,000-contact campaign (size, and render time in headless Chromium). Prints JSON.

    python tests/bench/bench_campaigns.py [--scale 1.0] [--keep DIR]

Targets (issue 11): status and timeline under 200 ms; the report under 2 MB, rendered under 2 s. Each command
is timed in-process through the real CLI entry (tap's error path, argument parsing, the store opened and
queried, output printed), median of 7 runs after one warm-up, beside `tap contacts show` (the CLI's own cost on
the same store) and the service calls alone; and again without the 1001 indexes, to show what they buy.
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

KINDS = ("open", "open", "open", "click", "reply", "auto_reply", "bounce_hard", "bounce_soft", "unsubscribe")
WEIGHTS = (40, 20, 10, 12, 5, 2, 1, 1, 1)
CONTACTS, CAMPAIGNS, PER_CAMPAIGN, EVENTS_PER_MEMBER = 100_000, 500, 2_000, 5


def build(path: Path, scale: float) -> dict:
    """A store of synthetic contacts, campaigns and events, written with executemany in large transactions."""
    from totalaudio.store.db import open_db

    rng = random.Random(11)
    contacts, campaigns = int(CONTACTS * scale), max(2, int(CAMPAIGNS * scale))
    db = open_db(path)
    db.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript("PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF;")
    indexes = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('events', "
                           "'campaign_contacts') AND sql IS NOT NULL").fetchall()
    for (sql,) in indexes:  # built once at the end: much faster than maintained row by row
        conn.execute("DROP INDEX " + sql.split()[2])
    started = time.perf_counter()
    ids = [f"c_{i:016x}" for i in range(contacts)]
    kinds = ("radio", "press", "playlist", "blog", "podcast")
    regions = ("UK", "Ireland", "Australia", "US", "Germany", "Canada")
    genres = ('["Indie"]', '["Rock","Indie"]', '["Jazz"]', '["Electronic"]', '["Folk"]')
    conn.execute("BEGIN")
    if True:
        conn.executemany("INSERT INTO contacts (id, email, email_norm, first_name, station, contact_type, region, "
                         "genres, status, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                         ((cid, f"dj{i}@station{i % 9000}.example", f"dj{i}@station{i % 9000}.example", f"DJ {i}",
                           f"Station {i % 9000}", kinds[i % 5], regions[i % 6], genres[i % 5], "opted-in",
                           "2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z") for i, cid in enumerate(ids)))
    for n in range(campaigns):
        cmp_id = f"cmp_{n:012x}"
        members = rng.sample(ids, PER_CAMPAIGN)
        day = 1 + n % 27
        if True:
            conn.execute("INSERT INTO campaigns (id, name, artist, release, status, created_at, updated_at) VALUES "
                         "(?,?,?,?,?,?,?)", [cmp_id, f"Campaign {n}", f"Artist {n}", "Single", "sent",
                                             f"2026-10-{day:02d}T09:00:00Z", f"2026-10-{day:02d}T09:00:00Z"])
            conn.executemany("INSERT INTO campaign_contacts (campaign_id, contact_id) VALUES (?, ?)",
                             ((cmp_id, m) for m in members))
            conn.executemany("INSERT INTO events (contact_id, email, campaign_id, source, kind, at, data) VALUES "
                             "(?,?,?,?,?,?,?)", _events(rng, cmp_id, members, day))
    conn.execute("COMMIT")
    for (sql,) in indexes:
        conn.execute(sql)
    conn.execute("ANALYZE")
    total = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    conn.close()
    return {"contacts": contacts, "campaigns": campaigns, "events": total,
            "buildSeconds": round(time.perf_counter() - started, 1)}


def _events(rng: random.Random, cmp_id: str, members: list[str], day: int):
    for member in members:
        yield member, "x@example", cmp_id, "mailchimp", "sent", f"2026-10-{day:02d}T09:00:00Z", "{}"
        for kind in rng.choices(KINDS, WEIGHTS, k=EVENTS_PER_MEMBER - 1):
            hour = rng.randrange(10, 23)
            data = '{"snippet": "Thanks, lovely track"}' if kind == "reply" else "{}"
            yield member, "x@example", cmp_id, "mailchimp", kind, f"2026-10-{min(day + 1, 28):02d}T{hour}:00:00Z", data


def tap_ms(args: list[str], runs: int = 7) -> dict:
    """Median and max milliseconds of one tap command run in-process through the real entry point."""
    from totalaudio.cli.errors import run
    from totalaudio.cli.main import app

    times = []
    for i in range(runs + 1):
        out, err = io.StringIO(), io.StringIO()
        began = time.perf_counter()
        with redirect_stdout(out), redirect_stderr(err):
            code = run(app, args)
        elapsed = (time.perf_counter() - began) * 1000
        if code != 0:
            raise SystemExit(f"tap {' '.join(args)} failed: {err.getvalue()}")
        if i:
            times.append(elapsed)
    return {"medianMs": round(statistics.median(times), 1), "maxMs": round(max(times), 1)}


def service_ms(call, runs: int = 7) -> dict:
    """Median and max milliseconds of a service call on an open store (no CLI parsing), after one warm-up."""
    times = []
    for i in range(runs + 1):
        began = time.perf_counter()
        call()
        if i:
            times.append((time.perf_counter() - began) * 1000)
    return {"medianMs": round(statistics.median(times), 1), "maxMs": round(max(times), 1)}


def services(db_path: Path, campaign: str, contact: str) -> dict:
    """The same three answers timed at the service layer."""
    from totalaudio.services.campaigns import service
    from totalaudio.services.contacts.timeline import timeline
    from totalaudio.store.db import open_db

    db = open_db(db_path)
    try:
        return {"campaignStatus": service_ms(lambda: service.status(db, campaign)),
                "contactsTimeline": service_ms(lambda: timeline(db, contact)),
                "campaignStatusAll": service_ms(lambda: service.statuses(db), 3)}
    finally:
        db.close()


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
               "withoutIndexes": without_indexes(db_path, lambda: {"campaignStatus": tap_ms(status, 3),
                                                                   "contactsTimeline": tap_ms(timeline, 3)}),
               "report": report_figures(home, "Campaign 7"),
               "targets": {"commandMs": 200, "reportBytes": 2_000_000, "renderSeconds": 2.0}}
    json.dump(figures, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
