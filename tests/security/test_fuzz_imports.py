"""Issue 13, class 3 and the probe: a few hundred fuzzed import files, no traceback, no invalid output, no
lost rows (tests/bench/bench_probe.py runs thousands)."""

from __future__ import annotations

import time


def test_fuzzed_imports_never_trace_back_or_lose_rows(tap_home, tmp_path):
    report = __import__("tests.security.fuzz", fromlist=["run"]).run(
        200, seed=13, workdir=tmp_path, home=tap_home, deadline=time.monotonic() + 25)
    assert report["inputs"] >= 60
    assert (report["tracebacks"], report["badOutput"], report["lost"]) == (0, 0, 0), report["examples"]
    assert report["exit0"] > 0 and report["exit2"] > 0  # both the accepting and the refusing paths ran
