"""The root group loads a command group's module only when that group is invoked (click's LazyGroup pattern).

``tap --help`` lists every group from its name and one-line help alone; ``tap GROUP ...`` imports that one
module. Building all ~20 groups (their modules, their Typer trees) on every call tripled ``tap --help``.
Anything that walks the whole tree (test_meta, completion) goes through ``subcommands()``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any, Callable, Iterator

import typer
from typer._click.exceptions import UsageError  # click, vendored by typer
from typer.core import TyperGroup


@dataclass(frozen=True)
class Entry:
    """A top-level command: its name, ``module:attr`` (a Typer app or a command function) and one-line help."""

    name: str
    target: str
    help: str


class LazyGroup(TyperGroup):
    """A Typer group whose subcommands in ``entries`` are imported on first use and kept.

    ``on_load``, when set, is called with each command's name and click command as it is imported (shell
    completion gives a group its value completers then, so a completion request imports only the group typed).
    """

    entries: tuple[Entry, ...] = ()
    on_load: Callable[[Any, str], None] | None = None

    def list_commands(self, ctx: Any) -> list[str]:
        """Every command in the entries' order, then any added eagerly, without importing anything."""
        names = [e.name for e in self.entries]
        return [*names, *(n for n in super().list_commands(ctx) if n not in names)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """The named command, importing its module the first time it is asked for."""
        if cmd_name not in self.commands:
            entry = next((e for e in self.entries if e.name == cmd_name), None)
            if entry is None:
                return None
            self.commands[cmd_name] = load(entry, self.rich_markup_mode)
            if self.on_load is not None:
                self.on_load(self.commands[cmd_name], cmd_name)
        return self.commands[cmd_name]

    def shell_complete(self, ctx: Any, incomplete: str) -> list[Any]:
        """Command names with their one-line help from the entries (nothing imported), then the options."""
        from typer._click.shell_completion import CompletionItem

        names = [n for n in self.list_commands(ctx) if n.startswith(incomplete)
                 and not getattr(self.commands.get(n), "hidden", False)]
        results = [CompletionItem(n, help=self._short_help(n, 45)) for n in names]
        return results + super(TyperGroup, self).shell_complete(ctx, incomplete)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The Commands section as click prints it, from the entries' help for the commands not imported."""
        names = [n for n in self.list_commands(ctx) if not getattr(self.commands.get(n), "hidden", False)]
        if names:
            limit = formatter.width - 6 - max(map(len, names))
            with formatter.section("Commands"):
                formatter.write_dl([(name, self._short_help(name, limit)) for name in names])

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """As Typer's, with its "Did you mean" drawn from the commands not imported yet too."""
        try:
            return super().resolve_command(ctx, args)
        except UsageError as exc:
            matches = get_close_matches(args[0], self.list_commands(ctx)) if args else []
            if matches and "Did you mean" not in exc.message:
                exc.message = f"{exc.message.rstrip('.')}. Did you mean {', '.join(map(repr, matches))}?"
            raise

    def _short_help(self, name: str, limit: int) -> str:
        if name in self.commands:
            return self.commands[name].get_short_help_str(limit)
        return short(next(e.help for e in self.entries if e.name == name), limit)


def short(help_: str, limit: int) -> str:
    """Click's one-line rendering of a help text in ``limit`` characters."""
    from typer._click.utils import make_default_short_help

    return make_default_short_help(help_, limit)


def load(entry: Entry, rich_markup_mode: Any = None) -> Any:
    """The click command of an entry, built as ``app.add_typer``/``app.command`` would have built it."""
    module, _, attr = entry.target.partition(":")
    target = getattr(importlib.import_module(module), attr)
    holder = typer.Typer(rich_markup_mode=rich_markup_mode, add_completion=False)
    holder.callback()(_group)  # a callback makes the holder a group, so the entry is found by its name
    if isinstance(target, typer.Typer):
        holder.add_typer(target, name=entry.name)
    else:
        holder.command(entry.name)(target)
    return typer.main.get_group(holder).commands[entry.name]


def _group() -> None:
    """Holder of one lazily loaded command."""


def subcommands(command: Any) -> Iterator[tuple[str, Any]]:
    """A group's (name, command) pairs, loading lazy ones; nothing for a plain command."""
    if not isinstance(command, TyperGroup):
        return
    ctx = typer.Context(command)
    for name in command.list_commands(ctx):
        sub = command.get_command(ctx, name)
        if sub is not None:
            yield name, sub
