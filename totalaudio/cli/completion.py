"""``tap completion bash|zsh|fish``: the shell script, and the values tap completes when the shell asks.

The scripts are Typer's (its vendored click machinery): the shell runs ``tap`` with ``_TAP_COMPLETE`` set and
the words typed so far, and ``main()`` answers through ``complete()`` here. Command names and options come
from the command tree; values come from what tap knows: its fixed vocabularies (statuses, contact types,
check ids, integrations) and the local store (campaigns, Mailchimp audience ids, genres, contacts, runs).
The store is opened read-only, never created or migrated, and nothing is fetched over the network.
The value completers are attached here by option name, only when the shell asks: they cost nothing on an
ordinary run, and every command that takes ``--genre`` or ``--list`` completes it the same way.
"""

from __future__ import annotations

import os
from enum import Enum
from typing import Any, Callable, Iterable

import typer

from totalaudio.cli.lazy import subcommands

COMPLETE_VAR = "_TAP_COMPLETE"
LIMIT = 50  # candidates a shell shows usefully; the store can hold thousands of contacts


class Shell(str, Enum):
    """The shells tap prints a completion script for."""

    bash = "bash"
    zsh = "zsh"
    fish = "fish"


def completion(shell: Shell = typer.Argument(..., help="bash, zsh or fish.", show_default=False)) -> None:
    """Print the shell completion script for bash, zsh or fish (the README says where to put it)."""
    from typer.completion import get_completion_script

    print(get_completion_script(prog_name="tap", complete_var=COMPLETE_VAR, shell=shell.value))


def requested() -> bool:
    """The shell is asking for completions (the scripts set _TAP_COMPLETE)."""
    return bool(os.environ.get(COMPLETE_VAR))


def complete(app: typer.Typer) -> int:
    """Answer the shell's request (instruction ``complete_bash`` etc.) on stdout; the exit code for the shell."""
    from typer.completion import completion_init, shell_complete

    from totalaudio.cli.lazy import LazyGroup

    completion_init()  # Typer's bash/zsh/fish classes, matching the scripts it prints
    command = typer.main.get_command(app)
    if isinstance(command, LazyGroup):  # the root's own options now, each group's when the words reach it
        attach(command, shallow=True)
        command.on_load = attach
    else:
        attach(command)
    return shell_complete(command, {}, "tap", COMPLETE_VAR, os.environ[COMPLETE_VAR])


def attach(command: Any, parent: str = "tap", *, shallow: bool = False) -> None:
    """Give every parameter tap knows values for its completer, through the command's tree (its own only when
    ``shallow``)."""
    for param in getattr(command, "params", []):
        completer = _completer_for(parent, param)
        if completer is not None:
            param._custom_shell_complete = completer  # click's hook for shell_complete=; see the module doc
    if not shallow:
        for name, sub in subcommands(command):
            attach(sub, name)


def _completer_for(parent: str, param: Any) -> Callable | None:
    if param.param_type_name == "option":
        return next((OPTIONS[o] for o in param.opts if o in OPTIONS), None)
    return ARGUMENTS.get((parent, param.name))


def _items(pairs: Iterable[tuple[str, str | None]], incomplete: str) -> list[Any]:
    """CompletionItems for the values starting with ``incomplete`` (or whose description does, for names)."""
    from typer._click.shell_completion import CompletionItem

    low, out, seen = incomplete.casefold(), [], set()
    for value, help_ in pairs:
        if value in seen or not (value.casefold().startswith(low) or (help_ or "").casefold().startswith(low)):
            continue
        seen.add(value)
        out.append(CompletionItem(value, help=help_))
    return out[:LIMIT]


def _rows(ctx: Any, sql: str, args: tuple = ()) -> list[tuple]:
    """Rows from the local store opened read-only; none when there is no store yet or it cannot be read."""
    import sqlite3

    from totalaudio.config import Settings
    from totalaudio.errors import TapError

    root = ctx.find_root().params
    flags = {"TAP_HOME": root.get("home"), "TAP_CONFIG": root.get("config")}
    try:
        path = Settings({k: str(v) for k, v in flags.items() if v}).db_path
        if not path.is_file():
            return []
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute(sql, args).fetchall()
    except (sqlite3.Error, TapError):  # a half-written tap.toml or an old store: no candidates, no traceback
        return []


def _fixed(values: Iterable[str], described: dict[str, str] | None = None) -> Callable:
    def complete_(ctx: Any, param: Any, incomplete: str) -> list[Any]:
        return _items(((v, (described or {}).get(v)) for v in values), incomplete)
    return complete_


def _statuses(ctx: Any, param: Any, incomplete: str) -> list[Any]:
    from totalaudio.models import CONTACT_STATUSES

    stored = _rows(ctx, "SELECT DISTINCT status FROM contacts WHERE status IS NOT NULL ORDER BY 1")
    return _items(((v, None) for v in [*CONTACT_STATUSES, *(r[0] for r in stored)]), incomplete)


def _types(ctx: Any, param: Any, incomplete: str) -> list[Any]:
    from totalaudio.models import CONTACT_TYPES

    stored = _rows(ctx, "SELECT DISTINCT contact_type FROM contacts WHERE contact_type IS NOT NULL ORDER BY 1")
    return _items(((v, None) for v in [*CONTACT_TYPES, *(r[0] for r in stored)]), incomplete)


def _genres(ctx: Any, param: Any, incomplete: str) -> list[Any]:
    rows = _rows(ctx, "SELECT g.value, COUNT(*) FROM contacts, json_each(contacts.genres) AS g "
                      "GROUP BY g.value ORDER BY COUNT(*) DESC, g.value")
    return _items(((str(g), f"{n} contacts") for g, n in rows), incomplete)


def _audiences(ctx: Any, param: Any, incomplete: str) -> list[Any]:
    rows = _rows(ctx, "SELECT list_id, COUNT(*) FROM mailchimp_members GROUP BY list_id "
                      "UNION ALL SELECT list_id, 0 FROM campaigns WHERE list_id IS NOT NULL")
    counts: dict[str, int] = {}
    for list_id, n in rows:
        counts[list_id] = counts.get(list_id, 0) + n
    return _items(((i, f"Mailchimp audience, {n} members synced") for i, n in counts.items()), incomplete)


def _campaigns(ctx: Any, param: Any, incomplete: str) -> list[Any]:
    rows = _rows(ctx, "SELECT id, name, status FROM campaigns ORDER BY created_at DESC, id")
    return _items(((cid, f"{name} ({status})") for cid, name, status in rows), incomplete)


def _contacts(ctx: Any, param: Any, incomplete: str) -> list[Any]:
    rows = _rows(ctx, "SELECT email, trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')) FROM contacts "
                      "WHERE email_norm LIKE ? ESCAPE '\\' ORDER BY email_norm LIMIT ?",
                 (_like(incomplete.lower()), LIMIT))
    return _items(((email, name or None) for email, name in rows), incomplete)


def _like(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _fix_runs(ctx: Any, param: Any, incomplete: str) -> list[Any]:
    rows = _rows(ctx, "SELECT id, command, started_at FROM runs WHERE command IN ('airtable audit', "
                      "'airtable domains') AND status = 'ok' ORDER BY started_at DESC LIMIT ?", (LIMIT,))
    return _items(((rid, f"{command} at {at}") for rid, command, at in rows), incomplete)


def _dead_letters(ctx: Any, param: Any, incomplete: str) -> list[Any]:
    rows = _rows(ctx, "SELECT id, service, operation FROM dead_letters ORDER BY id DESC LIMIT ?", (LIMIT,))
    return _items(((str(i), f"{service} {operation}") for i, service, operation in rows), incomplete)


def _integrations(ctx: Any, param: Any, incomplete: str) -> list[Any]:
    from totalaudio.integrations import REGISTRY

    return _items(((i.name, i.title) for i in REGISTRY), incomplete)


def _checks(ctx: Any, param: Any, incomplete: str) -> list[Any]:
    from totalaudio.services.audit.checks import CHECKS

    return _items(((c, None) for c in CHECKS), incomplete)


OPTIONS: dict[str, Callable] = {
    "--genre": _genres, "--status": _statuses, "--type": _types, "--list": _audiences,
    "--service": _integrations, "--only": _checks,
    "--prefer": _fixed(("airtable", "local"), {"airtable": "Airtable's value wins", "local": "the local value wins"}),
}
# (the command the argument belongs to, argument name) -> completer
ARGUMENTS: dict[tuple[str, str], Callable] = {
    ("test", "ref"): _campaigns, ("schedule", "ref"): _campaigns, ("send", "ref"): _campaigns,
    ("report", "ref"): _campaigns, ("show", "ref"): _contacts, ("undo", "run_id"): _fix_runs,
    ("status", "only"): _integrations, ("retry", "ids"): _dead_letters, ("drop", "ids"): _dead_letters,
}
