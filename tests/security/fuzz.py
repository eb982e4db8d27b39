"""Fuzzed contact files: seeds in CSV, JSON and JSON Lines, mutated by a seeded random generator with the
hostile shapes issue 13 found (deep nesting, huge numbers, lone surrogates, stray bytes, UTF-16, NULs, reused
record ids, formula cells, oversized cells) plus blind byte-level damage; and the check of one import."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

from tests.cli.helpers import Result

SEED_ROWS = [
    {"Email": "ann@storm.example", "First Name": "Ann", "Station": "Storm FM", "Record ID": "recAAAAAAAAAAAAA1",
     "Genres": "Indie, Rock", "Phone": "+44 20 7946 0000", "Notes": "likes vinyl"},
    {"Email": "bob@wave.example", "First Name": "Bob", "Station": "Wave 98", "Record ID": "recBBBBBBBBBBBBB1",
     "Genres": "Folk", "Phone": "", "Notes": ""},
    {"Email": "-dj@station.example", "First Name": "Dee", "Station": "=Station FM", "Record ID": "",
     "Genres": "", "Phone": "-1", "Notes": "@mention"},
]
HOSTILE_VALUES = ["[" * 1200 + "]" * 1200, "9" * 5000, "\\udc80", "\\ud800x", "'=SUM(A1)", "'+44", "\x00",
                  "x" * 120_000, "recAAAAAAAAAAAAA1", "ann@storm.example", "[/]", "[bold]", "\u202e", "é" * 10,
                  '"', "\r\n", ",,,", "{\"a\":", "\xff"]


def seed_text(fmt: str, rows: list[dict]) -> str:
    """One seed file in a format."""
    if fmt == "json":
        return json.dumps(rows)
    if fmt == "jsonl":
        return "\n".join(json.dumps(r) for r in rows)
    header = list(rows[0])
    lines = [",".join(header)] + [",".join(_csv_cell(str(r.get(h, ""))) for h in header) for r in rows]
    return "\n".join(lines) + "\n"


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text


def mutate(rng: random.Random, fmt: str) -> bytes:
    """One mutated file: structured hostility first, then (sometimes) blind byte damage and re-encoding."""
    rows = [dict(r) for r in rng.sample(SEED_ROWS, rng.randint(1, len(SEED_ROWS)))]
    for _ in range(rng.randint(0, 3)):
        row = rng.choice(rows)
        row[rng.choice(list(row))] = rng.choice(HOSTILE_VALUES)
    if rng.random() < 0.3:
        rows.append(dict(rng.choice(rows), Email=f"x{rng.randint(0, 9)}@dup.example"))  # a reused record id
    text = seed_text(fmt, rows)
    if fmt != "csv" and rng.random() < 0.3:
        text = text.replace('"Notes": ', '"Notes": ' + "[" * 1100, 1)  # raw deep nesting, not a string
    data = text.encode("utf-8", "surrogatepass")
    for _ in range(rng.choice([0, 0, 1, 3, 10])):
        pos = rng.randrange(len(data) + 1)
        data = data[:pos] + bytes([rng.randrange(256)]) * rng.randint(1, 4) + data[pos + 1:]
    if rng.random() < 0.1:
        data = data[: rng.randrange(len(data) + 1)]
    if rng.random() < 0.1:
        data = b"\xff\xfe" + data.decode("utf-8", "replace").encode("utf-16-le")
    return data


def check_import(path: Path, home: Path) -> dict:
    """Import one file through the CLI; what went wrong: traceback (exit 1), invalid UTF-8/JSON output,
    contacts reported created but not stored (lost), or a changed store after exit 2."""
    before = _count(home)
    result = _tap("contacts", "import", str(path), "--json")
    after = _count(home)
    problems = []
    if result.code not in (0, 2):
        problems.append(f"exit {result.code}: {result.err[-400:]}")
    stream = result.out if result.code == 0 else result.err
    try:
        doc = json.loads(stream.encode("utf-8"))
    except (UnicodeEncodeError, ValueError):
        problems.append("output is not valid UTF-8 JSON")
        doc = None
    if result.code == 0 and isinstance(doc, dict) and after - before != doc.get("created"):
        problems.append(f"lost: {doc.get('created')} reported created, {after - before} stored")
    if result.code == 2 and after != before:
        problems.append("exit 2 but the store changed")
    return {"code": result.code, "problems": problems}


_COMMAND: list = []


def _tap(*args: str) -> Result:
    """``tap ARGS`` through the CLI's one error path, with the click command built once (typer rebuilds it
    on every call, which would cost more than the import being fuzzed)."""
    import io
    from contextlib import redirect_stderr, redirect_stdout

    import typer

    from totalaudio.cli.errors import run
    from totalaudio.cli.main import app

    if not _COMMAND:
        _COMMAND.append(typer.main.get_command(app))
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = run(_COMMAND[0], list(args))
    return Result(code, out.getvalue(), err.getvalue())


def _count(home: Path) -> int:
    db = home / "tap.db"
    if not db.exists():
        return 0
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM contacts").fetchone()[0]
    finally:
        conn.close()


def run(n: int, seed: int, workdir: Path, home: Path, deadline: float | None = None) -> dict:
    """Fuzz ``n`` files (or until ``deadline``, a time.monotonic value); counts and the first problems."""
    import time

    rng = random.Random(seed)
    counts = {"inputs": 0, "tracebacks": 0, "badOutput": 0, "lost": 0, "exit0": 0, "exit2": 0}
    examples: list[str] = []
    for i in range(n):
        if deadline is not None and time.monotonic() > deadline:
            break
        fmt = rng.choice(["csv", "json", "jsonl"])
        path = workdir / f"f{i % 5}.{fmt}"
        path.write_bytes(mutate(rng, fmt))
        outcome = check_import(path, home)
        counts["inputs"] += 1
        counts[f"exit{outcome['code']}"] = counts.get(f"exit{outcome['code']}", 0) + 1
        for problem in outcome["problems"]:
            key = "tracebacks" if problem.startswith("exit") else "lost" if problem.startswith(("lost", "exit 2"))\
                else "badOutput"
            counts[key] += 1
            if len(examples) < 5:
                examples.append(f"input {i} ({fmt}): {problem}")
    return {**counts, "examples": examples}
