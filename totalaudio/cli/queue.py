"""``tap queue``: calls that still failed after retries: list, retry, drop."""

from __future__ import annotations

from typing import List, Optional

import typer

from totalaudio.cli import output
from totalaudio.cli.context import state

app = output.group("The dead-letter queue of failed external calls.")


@app.command("list")
def list_(all_: bool = typer.Option(False, "--all", help="Include resolved and dropped letters."),
          service: Optional[str] = typer.Option(None, "--service", help="Only this integration."),
          json_: bool = output.JSON) -> None:
    """List open dead letters (calls that failed after retries)."""
    from totalaudio.store.deadletters import DeadLetterStore

    letters = DeadLetterStore(state().db).list(None if all_ else "open", service)
    output.emit(letters, "json" if json_ else "text", _render)


def _render(letters) -> None:
    rows = [(d.id, d.service, d.operation, d.status, d.attempts, d.error.get("error", ""), d.created_at)
            for d in letters]
    output.table(f"{len(letters)} dead letters", ["Id", "Service", "Operation", "Status", "Tries", "Error", "Since"],
                 rows)


@app.command("retry")
def retry(ids: Optional[List[int]] = typer.Argument(None, help="Dead-letter ids (default with --all: every open one)."),
          all_: bool = typer.Option(False, "--all", help="Retry every open dead letter."),
          dry_run: bool = output.DRY_RUN, json_: bool = output.JSON) -> None:
    """Replay dead letters; those that go through are marked resolved. With --all, notifications a stopped
    webhook server left in its outbox are sent first."""
    from totalaudio.errors import InputError
    from totalaudio.services import queue as svc
    from totalaudio.services.notify import outbox

    if not ids and not all_:
        raise InputError("name dead-letter ids, or give --all")
    st = state()
    with st.mutating("queue retry", {"ids": ids}, dry_run=dry_run):
        held = [] if ids else outbox.preview(st.db) if dry_run else outbox.drain(st.settings, st.db)
        results = svc.retry(st.db, st.settings, ids or None, dry_run=dry_run)
    report = {"dryRun": dry_run, "retried": len(results), "resolved": sum(1 for r in results if r["ok"]),
              "results": results, "outbox": held}
    output.emit(report, "json" if json_ else "text",
                lambda r: print(f"{r['resolved']} of {r['retried']} dead letters resolved"))


@app.command("drop")
def drop(ids: List[int] = typer.Argument(..., help="Dead-letter ids to give up on."),
         dry_run: bool = output.DRY_RUN, json_: bool = output.JSON) -> None:
    """Give up on dead letters (they stay in the table, marked dropped)."""
    from totalaudio.services import queue as svc

    st = state()
    with st.mutating("queue drop", {"ids": ids}, dry_run=dry_run):
        dropped = svc.drop(st.db, ids, dry_run=dry_run)
    output.emit({"dryRun": dry_run, "dropped": dropped}, "json" if json_ else "text",
                lambda r: print(f"dropped {len(r['dropped'])} dead letters"))
