"""Benchmark: API calls of the Airtable sync on a 10,000-contact base, beside the naive and full re-export counts.

Run: ``python tests/bench/bench_airtable_sync.py [--contacts N] [--edits N] [--realtime-calls N]``.
The fake and the client's rate limiter share a fake clock, so pacing is exercised without waiting; the
pacing is measured twice, on the fake's own request log (server side) and on the limiter's start times
(client side). A short real-clock sample checks the limiter against the fake's real 5 requests/s limit.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.fakes.airtable_rig import FakeClock, Rig  # noqa: E402


def busiest_second(times: list[float]) -> int:
    """The most events in any one-second window."""
    times, best, start = sorted(times), 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


class StartLog:
    """Wraps the limiter's acquire to keep the client's own start times."""

    def __init__(self, rig: Rig) -> None:
        self.times: list[float] = []
        original = rig.limiter.acquire

        def acquire() -> None:
            original()
            self.times.append(rig.clock())

        rig.limiter.acquire = acquire


def measure(rig: Rig, label: str, **options) -> dict:
    """One sync, its calls, writes, simulated duration and real CPU time."""
    log_from, t_fake, t_real = len(rig.fake.log), rig.clock(), time.perf_counter()
    result = rig.sync(**options)
    entries = rig.fake.log[log_from:]
    return {"run": label, "apiCalls": result.api_calls, "listCalls": sum(e["method"] == "GET" for e in entries),
            "writeCalls": sum(e["method"] != "GET" for e in entries), "fetched": result.fetched,
            "pulled": result.pulled, "pushed": result.pushed, "http429": sum(e["status"] == 429 for e in entries),
            "pacedSeconds": round(rig.clock() - t_fake, 1), "wallSeconds": round(time.perf_counter() - t_real, 2)}


def simulated(n: int, edits: int) -> dict:
    """The three runs on a fake clock."""
    with tempfile.TemporaryDirectory() as tmp:
        rig = Rig(Path(tmp) / "home", clock=FakeClock(), fake_rate=5, client_rate=5)
        rig.tables = rig.tables[:1]  # contacts only: the figures are per table
        starts = StartLog(rig)
        try:
            rig.seed(n)
            runs = [measure(rig, "first pull"), _idle(rig), _edits(rig, edits),
                    measure(rig, "re-sync right after that push (own writes re-read once)")]
            pacing = {"serverBusiestSecond": rig.fake.requests_in_busiest_second(),
                      "clientBusiestSecond": busiest_second(starts.times), "http429": rig.fake.count(status=429)}
        finally:
            rig.close()
    return {"runs": runs, "pacing": pacing}


def _idle(rig: Rig) -> dict:
    rig.clock.now += 600
    return measure(rig, "re-sync, nothing changed")


def _edits(rig: Rig, edits: int) -> dict:
    rig.clock.now += 600
    with rig.db.conn:
        rig.db.execute("UPDATE contacts SET notes = 'bench edit' WHERE rowid IN "
                       "(SELECT rowid FROM contacts ORDER BY rowid LIMIT ?)", [edits])
    run = measure(rig, f"{edits} local edits")
    run["pushCalls"] = run["writeCalls"]
    return run


def realtime(calls: int) -> dict:
    """A short run on the real clock: the fake enforces 5 requests/s, the client paces itself."""
    with tempfile.TemporaryDirectory() as tmp:
        rig = Rig(Path(tmp) / "home", clock=_RealClock(), fake_rate=5, client_rate=5)
        rig.tables = rig.tables[:1]
        try:
            rig.seed(calls * 100 - 50)
            started = time.monotonic()
            result = rig.sync()
            return {"apiCalls": result.api_calls, "seconds": round(time.monotonic() - started, 2),
                    "serverBusiestSecond": rig.fake.requests_in_busiest_second(),
                    "http429": rig.fake.count(status=429)}
        finally:
            rig.close()


class _RealClock(FakeClock):
    def __call__(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        time.sleep(seconds)


def baselines(n: int, edits: int) -> dict:
    """What the same runs would cost done naively (one call per record) or as a full re-export."""
    pages, batches = -(-n // 100), -(-n // 10)
    return {"naiveOneCallPerRecord": {"first pull": n, "re-sync, nothing changed": n, f"{edits} local edits": edits},
            "fullReExportEachRun": {"first pull": pages, "re-sync, nothing changed": pages + batches,
                                    f"{edits} local edits": pages + batches}}


def main() -> None:
    """Run the benchmark and print one JSON document."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--edits", type=int, default=500)
    parser.add_argument("--realtime-calls", type=int, default=12, help="0 skips the real-clock sample")
    args = parser.parse_args()
    report = {"benchmark": "airtable sync API calls", "contacts": args.contacts, "edits": args.edits,
              "target": {"first pull": 100, "re-sync, nothing changed": 1, f"{args.edits} local edits (push)": 50,
                         "maxRequestsPerSecond": 5},
              **simulated(args.contacts, args.edits), "baselines": baselines(args.contacts, args.edits),
              "notes": ["contacts table only; syncing the Campaigns table too adds one list call per run",
                        "the 500-edit run is a full sync: 1 incremental list call + 50 upsert/update calls",
                        "pacedSeconds is fake-clock time spent pacing at 5 requests per 1.1 s"]}
    if args.realtime_calls:
        report["realtimeSample"] = realtime(args.realtime_calls)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
