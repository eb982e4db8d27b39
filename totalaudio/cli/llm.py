"""``tap llm``: the log of every model call (Claude and Perplexity) and what they cost."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

import typer

from totalaudio.cli import output
from totalaudio.cli.context import state
from totalaudio.errors import InputError

app = output.group("Every Claude and Perplexity call tap made: tokens, cache reads, cost and the run it was in.")

SINCE = typer.Option(None, "--since", help="Only calls at or after this date or time (ISO-8601, UTC).")


def _since(raw: Optional[str]) -> Optional[str]:
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"--since {raw!r} is not a date (use e.g. 2026-12-01 or 2026-12-01T09:00:00Z)") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _camel(row: dict[str, Any]) -> dict[str, Any]:
    names = {"input_tokens": "inputTokens", "output_tokens": "outputTokens", "cache_read_tokens": "cacheReadTokens",
             "cache_write_tokens": "cacheWriteTokens", "cost_usd": "costUsd", "duration_ms": "durationMs",
             "run_id": "runId", "batch_id": "batchId"}
    return {names.get(k, k): v for k, v in row.items()}


@app.command("log")
def log(purpose: Optional[str] = typer.Option(None, "--purpose", "-p", help="Only this purpose (prefix, e.g. claude)."),
        since: Optional[str] = SINCE,
        limit: int = typer.Option(50, "--limit", "-n", min=1, help="At most this many calls, newest first."),
        json_: bool = output.JSON) -> None:
    """The newest model calls: purpose, model, tokens, cache reads and writes, cost, time, run."""
    from totalaudio.store.llm import LLMLog

    rows = [_camel(r) for r in LLMLog(state().db).calls(purpose=purpose, since=_since(since), limit=limit)]
    output.emit(rows, "json" if json_ else "text", lambda data: output.table(
        f"{len(data)} calls", ["Id", "At", "Purpose", "Model", "In", "Out", "Cache read", "Cache write", "USD", "ms",
                               "Error"],
        [(r["id"], r["at"], _plain(r["purpose"]), _plain(r["model"]), r["inputTokens"], r["outputTokens"],
          r["cacheReadTokens"], r["cacheWriteTokens"], _usd(r["costUsd"]), r["durationMs"],
          _plain((r["error"] or "")[:60])) for r in data]))


def _plain(value: Any) -> str:
    """A cell as text (output.table prints every cell literally, never as markup)."""
    return "" if value is None else str(value)


def _usd(value: Any) -> str:
    return "" if value is None else f"{value:.4f}"


@app.command("costs")
def costs(by: str = typer.Option("purpose", "--by", help="Group by purpose, model, day, service or run."),
          since: Optional[str] = SINCE, json_: bool = output.JSON) -> None:
    """What the model calls cost (USD), with calls, tokens and cache reads, grouped."""
    from totalaudio.store.llm import GROUPS, LLMLog

    if by not in GROUPS:
        raise InputError(f"--by {by!r}: use one of {', '.join(GROUPS)}")
    rows = [_camel(r) for r in LLMLog(state().db).costs(by, _since(since))]
    data = {"by": by, "since": _since(since), "totalUsd": round(sum(r["costUsd"] for r in rows), 6), "groups": rows}
    output.emit(data, "json" if json_ else "text", lambda d: output.table(
        f"${d['totalUsd']:.4f} in all, by {by}", [by.title(), "Calls", "Failed", "In", "Out", "Cache read",
                                                  "Cache write", "USD"],
        [(_plain(r["name"]), r["calls"], r["failed"], r["inputTokens"], r["outputTokens"], r["cacheReadTokens"],
          r["cacheWriteTokens"], _usd(r["costUsd"])) for r in d["groups"]]))
