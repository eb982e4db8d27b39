"""The output contract: results on stdout (JSON, JSON Lines, CSV, table or text), everything else on stderr."""

from __future__ import annotations

import json
import sys
from typing import Any, Iterable

import typer

from totalaudio.errors import InputError
from totalaudio.models import json_default

JSON = typer.Option(False, "--json", help="Print the result as one JSON document.")
JSONL = typer.Option(False, "--jsonl", help="Stream one JSON object a line.")
CSV = typer.Option(False, "--csv", help="Print CSV (cells protected against formula injection).")
DRY_RUN = typer.Option(False, "--dry-run", help="Show what would change; change nothing, anywhere.")
MAX_COST = typer.Option(None, "--max-cost", min=0.0, help="Stop before a model call that would take this run over "
                        "this many US dollars (exit 4).")


def group(help_text: str) -> typer.Typer:
    """A command group with tap's settings (plain help rendering keeps ``--help`` from importing rich)."""
    return typer.Typer(help=help_text, no_args_is_help=True, rich_markup_mode=None, add_completion=False)


def pick_format(json_: bool = False, jsonl: bool = False, csv: bool = False) -> str:
    """'json', 'jsonl', 'csv' or 'text'; two at once is a usage error."""
    chosen = [name for name, on in (("json", json_), ("jsonl", jsonl), ("csv", csv)) if on]
    if len(chosen) > 1:
        raise InputError(f"choose one output format, not {' and '.join('--' + c for c in chosen)}")
    return chosen[0] if chosen else "text"


def dumps(data: Any) -> str:
    """Compact JSON text (the C encoder) with camelCase keys for dataclasses, UTF-8 kept."""
    return json.dumps(data, ensure_ascii=False, default=json_default)


def print_json(data: Any) -> None:
    """Exactly one JSON document on stdout."""
    sys.stdout.write(dumps(data) + "\n")
    sys.stdout.flush()


def print_jsonl(items: Iterable[Any]) -> int:
    """One compact JSON object a line, flushed as each is written; returns the count."""
    count = 0
    for item in items:
        sys.stdout.write(dumps(item) + "\n")
        sys.stdout.flush()
        count += 1
    return count


# Markup is off on tap's consoles: what they print carries text from outside (records, pages, emails, service
# errors), and "[/]" or "[link=...]" in it must print as itself. Code that styles passes markup=True and
# escapes what it interpolates (rich.markup.escape).
def stdout_console():
    """A rich console on stdout for tables and text results (markup off)."""
    from rich.console import Console

    return Console(soft_wrap=False, markup=False)


def err_console():
    """A rich console on stderr for progress, counts, warnings and hints (markup off)."""
    from rich.console import Console

    return Console(stderr=True, markup=False)


def note(message: str) -> None:
    """A status line on stderr, printed as plain text."""
    err_console().print(message, highlight=False, markup=False)


def plain(value: Any):
    """A table cell or title as literal text (never parsed as markup)."""
    from rich.text import Text

    return Text("" if value is None else str(value))


def table(title: str | None, columns: list[str], rows: Iterable[Iterable[Any]]) -> None:
    """A rich table of the result on stdout; every cell, header and the title print as literal text."""
    from rich.table import Table

    tbl = Table(title=plain(title) if title is not None else None, show_lines=False, header_style="bold")
    for column in columns:
        tbl.add_column(plain(column), overflow="fold")
    for row in rows:
        tbl.add_row(*[plain(cell) for cell in row])
    stdout_console().print(tbl)


def emit(data: Any, fmt: str, render) -> None:
    """Print a result as JSON (``--json``) or through ``render(data)`` for humans; a mutating run's result is
    also kept in the run log."""
    from totalaudio.cli.context import state

    state().record_result(data)
    if fmt == "json":
        print_json(data)
    else:
        render(data)
