"""Foundation benchmarks: `tap --help` against a minimal Typer app with as many groups, SDK imports,
and `contacts import` / `contacts list --json` on 50,000 contacts. Prints one JSON document.

Run: python tests/bench/bench_foundation.py
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.bench.synth import write_contacts  # noqa: E402

SDKS = ("pyairtable", "anthropic", "stripe", "googleapiclient", "mailchimp_marketing")
# tap's settings (plain help, no rich), so the baseline is what Typer itself costs with that many groups.
BASELINE = """
import typer
app = typer.Typer(add_completion=False, rich_markup_mode=None)
for i in range({groups}):
    sub = typer.Typer(rich_markup_mode=None)
    @sub.command()
    def cmd():
        "A command."
    app.add_typer(sub, name=f"group{{i}}")
app()
"""


def wall(cmd: list[str], env: dict, runs: int = 7) -> tuple[float, float]:
    """Median wall seconds and median CPU seconds (user + system, of the child) of a command."""
    walls, cpus = [], []
    for _ in range(runs):
        before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def group_count() -> int:
    """The number of top-level commands tap lists (the root imports them lazily: list, do not load)."""
    import typer

    from totalaudio.cli.main import app

    root = typer.main.get_command(app)
    return len(root.list_commands(typer.Context(root)))


def help_figures(env: dict) -> dict:
    groups = group_count()
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as fh:
        fh.write(BASELINE.format(groups=groups))
    runs = {"baselineHelp": [fh.name, "--help"], "tapHelp": ["-m", "totalaudio", "--help"],
            "baselineGroupHelp": [fh.name, "group0", "--help"], "tapContactsHelp": ["-m", "totalaudio", "contacts", "--help"]}
    seconds = {name: wall([sys.executable, *args], env) for name, args in runs.items()}
    figures: dict = {"groups": groups, "load": os.getloadavg()[0]}
    for name, (wall_s, cpu_s) in seconds.items():
        figures[f"{name}Seconds"], figures[f"{name}CpuSeconds"] = round(wall_s, 4), round(cpu_s, 4)
    for ratio, (tap, base) in {"ratioHelp": ("tapHelp", "baselineHelp"),
                               "ratioContactsHelp": ("tapContactsHelp", "baselineGroupHelp")}.items():
        figures[ratio] = round(seconds[tap][0] / seconds[base][0], 2)
        figures[ratio + "Cpu"] = round(seconds[tap][1] / seconds[base][1], 2)
    return {**figures, "target": "<= 1.3x"}


def sdk_imports(env: dict, args: list[str]) -> list[str]:
    code = ("import sys, io, contextlib\nfrom totalaudio.cli.errors import run\nfrom totalaudio.cli.main import app\n"
            f"with contextlib.redirect_stdout(io.StringIO()): run(app, {args!r})\n"
            f"print(','.join(m for m in {SDKS!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True).stdout.strip()
    return [m for m in out.splitlines()[-1].split(",") if m] if out else []


def timed(cmd: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def data_figures(env: dict, n: int = 50_000) -> dict:
    tmp = Path(tempfile.mkdtemp())
    path = write_contacts(tmp / "contacts.csv", n)
    env = {**env, "TAP_HOME": str(tmp / "home")}
    tap = [sys.executable, "-m", "totalaudio"]
    imported = timed(tap + ["contacts", "import", str(path), "--json"], env)
    reimport = timed(tap + ["contacts", "import", str(path), "--json"], env)
    listed = timed(tap + ["contacts", "list", "--json"], env)
    return {"contacts": n, "importSeconds": round(imported, 2), "reimportUnchangedSeconds": round(reimport, 2),
            "listJsonSeconds": round(listed, 2), "targets": {"import": "< 5 s", "listJson": "< 2 s"}}


def main() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRTABLE", "STRIPE", "MAILCHIMP"))}
    report = {"help": help_figures(env),
              "sdkImports": {"--help": sdk_imports(env, ["--help"]),
                             "contacts list": sdk_imports(env, ["contacts", "list", "--json"])},
              "data": data_figures(env)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
