"""Parse-and-extract CPU cost per page: the station corpus's HTML pages and the throughput bench's synthetic pages.

Run: ``python -m tests.bench.bench_enrich_parse [--rounds 5] [--profile 25]``. Prints JSON: median and p95 CPU
milliseconds (``time.process_time``) per page for each set, measured in this process without a network, so that
the figure says what extraction costs whatever the load on the machine does to wall time. ``--profile N`` also
prints the N functions with the most cumulative time (cProfile) to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.bench.bench_enrich_throughput import PAGES, page  # noqa: E402
from tests.standins import SHARED  # noqa: E402

STATIONS = SHARED / "corpus" / "stations"


def corpus_pages() -> list[tuple[str, str]]:
    """(html, url) of every HTML page of the station corpus (none when ../shared is absent)."""
    found = []
    for path in sorted(STATIONS.rglob("*")) if STATIONS.is_dir() else []:
        if path.suffix in (".html", ".php", ".htm") and path.is_file():
            rel = path.relative_to(STATIONS)
            found.append((path.read_text(errors="replace"), f"https://{rel.parts[0]}.example/{'/'.join(rel.parts[1:])}"))
    return found


def synthetic_pages() -> list[tuple[str, str]]:
    """(html, url) of the throughput bench's six pages of one site."""
    return [(page("site0", p).decode(), f"http://site0.bench.test{p}") for p in PAGES]


def cpu_ms(pages: list[tuple[str, str]], rounds: int) -> list[list[float]]:
    """The CPU milliseconds of each page's parses (``rounds`` of them)."""
    from totalaudio.services.enrich.extract import parse

    times: list[list[float]] = [[] for _ in pages]
    for _ in range(rounds):
        for i, (html, url) in enumerate(pages):
            started = time.process_time()
            parse(html, url)
            times[i].append((time.process_time() - started) * 1000)
    return times


def figures(times: list[list[float]]) -> dict:
    """Median, p95 and mean over all parses; the median of each page's fastest parse (what other processes on a
    busy machine add to CPU time through cache and frequency effects mostly leaves this one alone)."""
    ordered = sorted(t for page in times for t in page)
    return {"pages": len(times), "parses": len(ordered), "medianCpuMs": round(statistics.median(ordered), 3),
            "p95CpuMs": round(ordered[int(len(ordered) * .95)], 3), "meanCpuMs": round(statistics.fmean(ordered), 3),
            "medianOfFastestCpuMs": round(statistics.median(min(page) for page in times), 3)}


def profile(pages: list[tuple[str, str]], top: int) -> None:
    """cProfile of one round over the pages, the ``top`` functions by cumulative time, to stderr."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(cpu_ms, pages, 3)
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions to stderr")
    args = parser.parse_args()
    corpus, synthetic = corpus_pages(), synthetic_pages()
    cpu_ms(synthetic[:1], 1)  # imports and compiled patterns: a process start-up cost, not a per-page one
    if args.profile:
        profile(corpus + synthetic, args.profile)
    print(json.dumps({"benchmark": "enrich parse+extract CPU", "corpus": figures(cpu_ms(corpus, args.rounds)),
                      "synthetic": figures(cpu_ms(synthetic, args.rounds)),
                      "loadAverage1m": round(os.getloadavg()[0], 2), "cpus": os.cpu_count()}, indent=2))


if __name__ == "__main__":
    main()
