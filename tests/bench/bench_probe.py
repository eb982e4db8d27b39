"""The probe of issue 13, kept: fuzzed import files, the error-path secret scan over every command and every
answer mode, and kill -9 trials of mutating commands. Prints one JSON document of counts (inputs tried,
tracebacks, leaks, lost imports, half-states); every count but the inputs should be 0.

Run: python tests/bench/bench_probe.py [--seed N] [--fuzz 3000] [--seconds 600] [--kills 12]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.security import fuzz, killtrial, scan  # noqa: E402
from tests.security.echo import MODES, EchoServer  # noqa: E402


def fuzz_part(n: int, seed: int, deadline: float) -> dict:
    """Fuzz the importer with a fresh TAP_HOME."""
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp, "home")
        os.environ["TAP_HOME"] = str(home)
        return fuzz.run(n, seed, Path(tmp), home, deadline)


def scan_part() -> dict:
    """Every command of scan.COMMANDS in every answer mode of the echo server."""
    from totalaudio.clients import _base

    _base.time = scan.FakeTime()  # waits pass at once: this process only runs the probe
    counts = {"runs": 0, "unreached": 0, "tracebacks": 0, "leaks": 0}
    examples = []
    for case in scan.COMMANDS:
        for mode in MODES:
            secrets = scan.SHAPED if mode in ("json400", "json429") else scan.PLAIN
            text, requests, code = _scan_one(case, mode, secrets)
            leaked = scan.leaks(text, scan.needles(secrets))
            counts["runs"] += 1
            counts["unreached"] += requests == 0
            counts["tracebacks"] += code == 1
            counts["leaks"] += bool(leaked)
            if (leaked or code == 1) and len(examples) < 5:
                examples.append(f"{case.id} [{mode}]: exit {code}, leaked {leaked}")
    return {**counts, "examples": examples}


def _scan_one(case: scan.Case, mode: str, secrets: dict) -> tuple[str, int, int]:
    from totalaudio.clients import _base

    _base._LIMITERS.clear()
    saved = dict(os.environ)
    echo = EchoServer(mode).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            home = Path(tmp, "home")
            home.mkdir()
            os.environ.update({**scan.environment(echo.url, secrets), "TAP_HOME": str(home)})
            for need in case.needs:
                scan.SETUPS[need](home)
            result = fuzz._tap(*[a.replace("{echo}", echo.url) for a in case.args])
            return result.out + result.err + scan.stored_text(home), echo.requests, result.code
    finally:
        echo.stop()
        os.environ.clear()
        os.environ.update(saved)


def kill_part(trials: int) -> dict:
    """kill -9 trials of import, audit --fix and sync push, at different moments of each run."""
    kinds = [("import", killtrial.import_trial, 20_000), ("audit --fix", killtrial.audit_fix_trial, 3_000),
             ("sync push", killtrial.sync_push_trial, 300)]
    counts = {"trials": 0, "killedMidRun": 0, "halfStates": 0}
    examples = []
    for i in range(trials):
        name, trial, rows = kinds[i % len(kinds)]
        with tempfile.TemporaryDirectory() as tmp:
            result = trial(Path(tmp), rows, delay=0.05 * (i // len(kinds)))
        counts["trials"] += 1
        counts["killedMidRun"] += result["killed"]
        counts["halfStates"] += bool(result["problems"])
        if result["problems"] and len(examples) < 5:
            examples.append(f"{name}: {result['problems']}")
    return {**counts, "examples": examples}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--fuzz", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=600, help="time bound of the fuzzing")
    parser.add_argument("--kills", type=int, default=12)
    args = parser.parse_args()
    started = time.monotonic()
    report = {"seed": args.seed, "fuzz": fuzz_part(args.fuzz, args.seed, started + args.seconds)}
    report["secretScan"] = scan_part()
    report["kill9"] = kill_part(args.kills)
    report["seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
