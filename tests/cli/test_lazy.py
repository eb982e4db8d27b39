"""The root group imports a command's module only when that command runs, and lists all of them without it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import typer

from tests.cli.helpers import tap
from totalaudio.cli.lazy import load, short
from totalaudio.cli.main import Commands

MODULES = sorted({e.target.partition(":")[0] for e in Commands.entries})
PROBE = ("import sys, json, io, contextlib\nfrom totalaudio.cli.errors import run\nfrom totalaudio.cli.main import app\n"
         "with contextlib.redirect_stdout(io.StringIO()): code = run(app, {args!r})\n"
         "print(json.dumps([code, [m for m in {modules!r} if m in sys.modules]]))\n")


def imported(args: list[str]) -> tuple[int, list[str]]:
    """Exit code of ``tap ARGS`` in a fresh interpreter, and which command modules it imported."""
    out = subprocess.run([sys.executable, "-c", PROBE.format(args=args, modules=MODULES)], capture_output=True,
                         text=True, check=True).stdout
    code, modules = json.loads(out.strip().splitlines()[-1])
    return code, modules


def test_help_imports_no_command_module():
    assert imported(["--help"]) == (0, [])


@pytest.mark.parametrize("group", ["contacts", "gmail", "status"])
def test_a_group_imports_only_its_own_module(group):
    assert imported([group, "--help"]) == (0, [f"totalaudio.cli.{group}"])


def test_help_lists_every_command_with_its_own_help():
    out = tap("--help").out
    listed = out.split("Commands:")[1]
    for entry in Commands.entries:
        line = next(l for l in listed.splitlines() if l.split()[:1] == [entry.name])
        assert line.split(None, 1)[1].rstrip(".").rstrip() in short(entry.help, 200)


@pytest.mark.parametrize("entry", Commands.entries, ids=lambda e: e.name)
def test_entry_help_is_the_commands_own(entry):
    """The one-line help kept beside the import path says what the command itself says, in every width."""
    command = load(entry)
    assert command.name == entry.name
    for limit in (45, 80, 500):
        assert short(entry.help, limit) == command.get_short_help_str(limit)


def test_unknown_command_suggests_a_lazy_one():
    result = tap("contcts", "list")
    assert result.code == 2 and "Did you mean 'contacts'?" in result.err


def test_a_command_added_eagerly_still_runs_after_the_lazy_ones():
    from totalaudio.cli.main import app

    extra = typer.Typer()
    extra.command("ping")(lambda: print("pong"))
    app.add_typer(extra, name="zz-extra")
    try:
        assert tap("zz-extra", "ping").out == "pong\n"
        assert tap("--help").out.rstrip().splitlines()[-1].split()[0] == "zz-extra"
    finally:
        app.registered_groups.pop()
