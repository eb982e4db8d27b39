"""``tap db``: where the store is, what it holds, and backups."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from totalaudio.cli import output
from totalaudio.cli.context import state

app = output.group("The local SQLite store: path, status and backups.")


@app.command("path")
def path(json_: bool = output.JSON) -> None:
    """Print the database path."""
    db_path = str(state().settings.db_path)
    output.emit({"path": db_path}, "json" if json_ else "text", lambda d: print(d["path"]))


@app.command("status")
def status(json_: bool = output.JSON) -> None:
    """Size, row counts per table and applied migrations."""
    from totalaudio.services import dbinfo

    st = state()
    report = dbinfo.status(st.db, st.settings.db_path)
    output.emit(report, "json" if json_ else "text", _render)


def _render(report) -> None:
    output.note(f"{report['path']}: {report['sizeBytes']:,} bytes, {len(report['migrations'])} migrations applied")
    output.table("Tables", ["Table", "Rows"], sorted(report["tables"].items()))


@app.command("backup")
def backup(to: Optional[Path] = typer.Option(None, "--to", help="Backup file (default: TAP_HOME/backups/...)."),
           json_: bool = output.JSON) -> None:
    """Write a consistent copy of the database (safe while tap runs)."""
    from totalaudio.services import dbinfo

    st = state()
    result = dbinfo.backup(st.db, st.settings.home, to)
    output.emit(result, "json" if json_ else "text", lambda r: print(f"backed up to {r['path']}"))


@app.command("runs")
def runs(limit: int = typer.Option(20, "--limit", "-n", min=1, help="How many runs, newest first."),
         json_: bool = output.JSON) -> None:
    """The run log: recent mutating runs with their status (ids for `tap airtable audit undo`)."""
    from totalaudio.services import dbinfo

    report = dbinfo.recent_runs(state().db, limit)
    output.emit(report, "json" if json_ else "text", lambda rows: output.table(
        f"{len(rows)} runs", ["Run", "Command", "Status", "Started", "Finished"],
        [(r["id"], r["command"], r["status"], r["startedAt"], r["finishedAt"]) for r in rows]))
