"""Kill -9 trials: start a mutating tap command in a child process, kill it mid-run, and check the store.

Used by tests/security/test_files_and_runs.py (a couple of trials) and tests/bench/bench_probe.py (many).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def contacts_csv(path: Path, n: int) -> Path:
    """A contact file of n valid rows."""
    lines = ["Email,First Name,Station,Genres,Notes"]
    lines += [f"dj{i}@station{i % 50}.example,DJ {i},Station {i % 50} FM,\"Indie, Rock\",note {i}" for i in range(n)]
    path.write_text("\n".join(lines) + "\n")
    return path


def start(home: Path, args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    """``tap ARGS`` in a child process with its own TAP_HOME."""
    full = {**os.environ, "TAP_HOME": str(home), **(env or {})}
    return subprocess.Popen([sys.executable, "-m", "totalaudio", *args], cwd=home.parent, env=full,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def kill_when_running(proc: subprocess.Popen, home: Path, delay: float, timeout: float = 30.0) -> bool:
    """Wait until the child has a `running` run in the store, wait ``delay`` more, then kill -9 it; False when
    it finished first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if running_runs(home):
            time.sleep(delay)
            break
        time.sleep(0.01)
    if proc.poll() is not None:
        return False
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return True


def running_runs(home: Path) -> list[str]:
    """Ids of runs marked running in the store (none when there is no store yet)."""
    db = home / "tap.db"
    if not db.exists():
        return []
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return [r[0] for r in conn.execute("SELECT id FROM runs WHERE status = 'running'")]
        finally:
            conn.close()
    except sqlite3.Error:
        return []


def check_store(home: Path, whole_sizes: set[int]) -> list[str]:
    """Half-states found: a failed integrity check, a contact count that is not one of ``whole_sizes`` (all or
    nothing of one file), journal entries without their contacts, runs still `running`."""
    conn = sqlite3.connect(home / "tap.db")
    try:
        problems = []
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            problems.append("integrity_check failed")
        count = conn.execute("SELECT count(*) FROM contacts").fetchone()[0]
        if count not in whole_sizes:
            problems.append(f"{count} contacts: a half-written import")
        orphans = conn.execute("SELECT count(*) FROM journal WHERE entity = 'contact' AND op = 'create' AND "
                               "entity_id NOT IN (SELECT id FROM contacts)").fetchone()[0]
        if orphans:
            problems.append(f"{orphans} journal entries without their contact")
        if stuck := [r[0] for r in conn.execute("SELECT id FROM runs WHERE status = 'running'")]:
            problems.append(f"runs still running: {stuck}")
        return problems
    finally:
        conn.close()


def import_trial(workdir: Path, rows: int, delay: float) -> dict:
    """Kill an import of ``rows`` contacts after ``delay`` seconds of running, then run a small import and
    check the store; returns {killed, problems, interrupted}."""
    home = workdir / "home"
    big = contacts_csv(workdir / "big.csv", rows)
    small = workdir / "small.csv"
    small.write_text("Email\nlate@x.example\n")
    killed = kill_when_running(start(home, ["contacts", "import", str(big)]), home, delay)
    after = subprocess.run([sys.executable, "-m", "totalaudio", "contacts", "import", str(small)],
                           env={**os.environ, "TAP_HOME": str(home)}, cwd=workdir, capture_output=True, text=True)
    problems = [] if after.returncode == 0 else [f"the next run failed: {after.stderr[-300:]}"]
    problems += check_store(home, {1, rows + 1})
    conn = sqlite3.connect(home / "tap.db")
    interrupted = conn.execute("SELECT count(*) FROM runs WHERE status = 'interrupted'").fetchone()[0]
    conn.close()
    if killed and interrupted != 1:
        problems.append(f"{interrupted} runs marked interrupted, expected 1")
    return {"killed": killed, "problems": problems, "interrupted": interrupted}


def _runs_left_running_after(home: Path, workdir: Path, args: list[str], env: dict[str, str]) -> list[str]:
    """Run ``tap ARGS`` to the end after a kill; problems: it failed, or a run is still marked running."""
    after = subprocess.run([sys.executable, "-m", "totalaudio", *args], env={**os.environ, "TAP_HOME": str(home),
                           **env}, cwd=workdir, capture_output=True, text=True, timeout=300)
    problems = [] if after.returncode in (0, 5) else [f"the next run failed ({after.returncode}): "
                                                      f"{after.stderr[-300:]}"]
    conn = sqlite3.connect(home / "tap.db")
    try:
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            problems.append("integrity_check failed")
        if stuck := [r[0] for r in conn.execute("SELECT id FROM runs WHERE status = 'running'")]:
            problems.append(f"runs still running: {stuck}")
    finally:
        conn.close()
    return problems


def audit_fix_trial(workdir: Path, rows: int, delay: float) -> dict:
    """Kill `airtable audit --fix` on a base with fixable slips, run it again, check the store."""
    home = workdir / "home"
    path = workdir / "slips.csv"
    lines = ["Email,First Name,Station"] + [f"dj{i}@gmial.com,  dj {i} ,station {i % 40} fm" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n")
    subprocess.run([sys.executable, "-m", "totalaudio", "contacts", "import", str(path)], check=True, cwd=workdir,
                   env={**os.environ, "TAP_HOME": str(home)}, capture_output=True)
    killed = kill_when_running(start(home, ["airtable", "audit", "--fix", "--json"]), home, delay)
    problems = _runs_left_running_after(home, workdir, ["airtable", "audit", "--fix", "--json"], {})
    return {"killed": killed, "problems": problems}


def sync_push_trial(workdir: Path, rows: int, delay: float) -> dict:
    """Kill `airtable sync --push` against the Airtable fake, push again, check nothing was created twice."""
    from tests.fakes.airtable_fake import AirtableFake, tap_base

    fake = AirtableFake(rate_limit=None).start()
    contacts, _ = tap_base(fake)
    home = workdir / "home"
    env = {"AIRTABLE_API_KEY": fake.token, "AIRTABLE_BASE_ID": fake.base_id, "TAP_AIRTABLE_BASE_URL": fake.url}
    try:
        big = contacts_csv(workdir / "big.csv", rows)
        subprocess.run([sys.executable, "-m", "totalaudio", "contacts", "import", str(big)], check=True,
                       cwd=workdir, env={**os.environ, "TAP_HOME": str(home)}, capture_output=True)
        killed = kill_when_running(start(home, ["airtable", "sync", "--push", "--json"], env), home, delay)
        problems = _runs_left_running_after(home, workdir, ["airtable", "sync", "--push", "--json"], env)
        emails = [r["fields"].get("Email") for r in contacts.records.values()]
        if len(emails) != len(set(emails)):
            problems.append(f"{len(emails) - len(set(emails))} contacts created twice in Airtable")
        if len(set(emails)) != rows:
            problems.append(f"{len(set(emails))} of {rows} contacts in Airtable after the second push")
    finally:
        fake.stop()
    return {"killed": killed, "problems": problems}
