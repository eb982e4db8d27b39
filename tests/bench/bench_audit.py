"""Benchmark of ``tap airtable audit``: time and memory at 10k/100k(/1M), precision and recall per check,
and a run on the real station list of ../shared/corpus. Prints one JSON document.

    python tests/bench/bench_audit.py            # 10k and 100k, accuracy, corpus
    python tests/bench/bench_audit.py --big      # also 300k and 1M (minutes; about 3 GB at 1M)

Each size runs in its own process, so peak RSS (getrusage) is that size's alone; the offline audit uses one
thread (TAP_BENCH_PIN=1 also pins it to one core). auditCpuSeconds is the figure to trust on a busy machine.
DNS goes to an in-memory resolver (dead domains answer NXDOMAIN): nothing touches the network.
"""

from __future__ import annotations

import csv
import json
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus" / "stations-webradiodb.csv"


class MemoryResolver:
    """MX answers for every domain but the dead ones (NXDOMAIN)."""

    def __init__(self, dead):
        self.dead = dead

    def resolve(self, name, rdtype):
        import dns.resolver

        if name in self.dead:
            raise dns.resolver.NXDOMAIN()
        return [SimpleNamespace(exchange=f"mx.{name}.")]


def predicted(report, check):
    if check == "duplicate.fuzzy":
        return {frozenset((f.contact_id, f.related[0])) for f in report.findings if f.check == check}
    return {f.contact_id for f in report.findings if f.check == check}


def accuracy(report, truth):
    out = {}
    for check, want in sorted(truth.items()):
        got = predicted(report, check)
        hit = len(got & want)
        out[check] = {"injected": len(want), "found": len(got), "precision": round(hit / len(got), 4) if got else None,
                      "recall": round(hit / len(want), 4) if want else None}
    return out


def _pin() -> None:
    """With TAP_BENCH_PIN=1, run on the first allowed core only (the offline audit is single-threaded anyway)."""
    if os.environ.get("TAP_BENCH_PIN") == "1" and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def one(n: int, with_accuracy: bool) -> dict:
    """Audit a synthetic base of n contacts in this process (pinned to one core)."""
    from tests.bench.audit_synth import make_base
    from totalaudio.services.audit.service import audit_contacts
    from totalaudio.services.audit.dns import DnsChecker

    _pin()
    t0 = time.perf_counter()
    contacts, truth, events, dead = make_base(n)
    built = time.perf_counter() - t0
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t1, c1 = time.perf_counter(), time.process_time()
    report = audit_contacts(contacts, events=events)  # the default audit: offline
    wall, cpu = time.perf_counter() - t1, time.process_time() - c1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = {"contacts": len(contacts), "auditWallSeconds": round(wall, 3), "auditCpuSeconds": round(cpu, 3),
           "generateSeconds": round(built, 2), "peakRssMiB": round(peak / 1024, 1),
           "rssBeforeAuditMiB": round(rss_before / 1024, 1), "findings": report.summary.findings,
           "qualityScore": report.quality_score, "loadAverage": os.getloadavg()[0]}
    if with_accuracy:
        t2 = time.perf_counter()
        report = audit_contacts(contacts, events=events, dns=DnsChecker(MemoryResolver(dead), workers=8))
        out["withDnsWallSeconds"] = round(time.perf_counter() - t2, 3)
        out["accuracy"] = accuracy(report, truth)
    return out


def store_path(n: int) -> dict:
    """Load n contacts from a SQLite store and audit them, as the CLI does."""
    import tempfile

    from tests.bench.audit_synth import make_base
    from totalaudio.services.audit.service import audit_store
    from totalaudio.store.contacts import ContactStore, values_of
    from totalaudio.store.db import open_db

    _pin()
    contacts, _truth, _events, _dead = make_base(n)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "b.db")
        ContactStore(db).insert_many([{"id": c.id, **values_of(c)} for c in contacts])
        t0 = time.perf_counter()
        report = audit_store(db)
        wall = time.perf_counter() - t0
    return {"contacts": report.contacts, "loadAndAuditWallSeconds": round(wall, 3),
            "peakRssMiB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def corpus() -> dict:
    """Audit the real station list (a station list, not contacts: name->station, homepage->website ...)."""
    from collections import Counter

    from totalaudio.models import Contact
    from totalaudio.services.audit.service import audit_contacts
    from totalaudio.services.audit.checks import AuditOptions

    if not CORPUS.is_file():
        return {"skipped": f"{CORPUS} is absent"}
    with CORPUS.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    contacts = [Contact(id=f"row{i + 2}", email="", station=r["name"] or None, website=r["homepage"] or None,
                        genres=tuple(g.strip() for g in (r["genres"] or "").split(",") if g.strip()),
                        region=r["country"] or None, notes=r["description"] or None, contact_type="radio")
                for i, r in enumerate(rows)]
    report = audit_contacts(contacts, AuditOptions(required=("station", "website", "genres")))
    examples: dict[str, list] = {}
    for f in report.findings:
        examples.setdefault(f.check, [])
        if len(examples[f.check]) < 4:
            examples[f.check].append({"row": f.contact_id, "message": f.message, "suggestion": f.suggestion})
    return {"stations": len(contacts), "qualityScore": report.quality_score,
            "byCheck": report.summary.by_check, "bySeverity": report.summary.by_severity,
            "urlProblems": dict(Counter(f.message.split(": ", 1)[-1] for f in report.findings
                                        if f.check == "url.invalid").most_common(8)),
            "examples": examples}


def child(args: list[str]) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout)


def main() -> None:
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(one(int(sys.argv[2]), sys.argv[3:4] == ["acc"])))
        return
    if sys.argv[1:2] == ["--store"]:
        print(json.dumps(store_path(int(sys.argv[2]))))
        return
    sizes = [10_000, 100_000] + ([300_000, 1_000_000] if "--big" in sys.argv else [])
    runs = {str(n): child(["--one", str(n)] + (["acc"] if n == 100_000 else [])) for n in sizes}
    wall = {int(n): r["auditWallSeconds"] for n, r in runs.items()}
    cpu = {int(n): r["auditCpuSeconds"] for n, r in runs.items()}
    growth = {f"{a}->{b}": {"wallRatio": round(wall[b] / wall[a], 2), "cpuRatio": round(cpu[b] / cpu[a], 2),
                            "nLogNRatio": round(b * math.log(b) / (a * math.log(a)), 2),
                            "linearRatio": round(b / a, 2)} for a, b in zip(sorted(wall), sorted(wall)[1:])}
    accuracy_100k = runs["100000"].pop("accuracy")
    print(json.dumps({
        "benchmark": "tap airtable audit, one core: timed offline (the default); accuracy with --dns against an "
                     "in-memory resolver (dead domains NXDOMAIN)",
        "targets": {"wallSecondsAt100k": 10, "peakMiB": 1024, "precisionRecall": 0.95},
        "runs": runs, "growth": growth, "storePath100k": child(["--store", "100000"]),
        "accuracyAt100k": accuracy_100k, "corpus": corpus(),
    }, indent=2))


if __name__ == "__main__":
    main()
