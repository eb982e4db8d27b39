"""``tap completion SHELL`` and the completions it drives: commands, options, and values from the local store."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from tests.cli.helpers import tap
from tests.standins import REPO


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_each_script_is_printed_and_names_tap(shell):
    result = tap("completion", shell)
    assert result.code == 0 and result.out.strip()
    assert "tap" in result.out and "_TAP_COMPLETE=complete_" + shell in result.out


def test_an_unknown_shell_is_a_usage_error():
    assert tap("completion", "ksh").code == 2


@pytest.fixture
def store(tap_home):
    """A store with contacts (from the example CSV), a campaign, and members synced to a Mailchimp audience."""
    from totalaudio.store.campaigns import CampaignStore
    from totalaudio.store.db import open_db
    from totalaudio.store.mailchimp import MemberMirror

    assert tap("contacts", "import", str(REPO / "examples" / "contacts.csv")).code == 0
    db = open_db(tap_home / "tap.db")
    with db.conn:
        CampaignStore(db).create({"id": "cmp_spring", "name": "Spring Single", "artist": "The Beats"})
        CampaignStore(db).create({"id": "cmp_autumn", "name": "Autumn EP", "list_id": "b7f3e2a1c9"})
        MemberMirror(db).upsert([{"list_id": "a1b2c3d4e5", "email_norm": f"x{i}@example.org", "subscriber_hash": "h",
                                  "contact_id": None, "status": "subscribed", "payload_hash": None} for i in range(3)])
    db.conn.close()
    return tap_home


@pytest.fixture
def offline(monkeypatch):
    """Any attempt to open a network connection fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("completion tried the network")
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def bash(monkeypatch, line: str, capsys=None) -> list[str]:
    """What bash would offer for ``line`` (the word under the cursor is its last, possibly empty, word), answered
    by the same ``complete()`` the console script calls."""
    import contextlib
    import io

    from totalaudio.cli.completion import COMPLETE_VAR, complete
    from totalaudio.cli.main import app

    words = line.split(" ")
    monkeypatch.setenv(COMPLETE_VAR, "complete_bash")
    monkeypatch.setenv("COMP_WORDS", line)
    monkeypatch.setenv("COMP_CWORD", str(len(words) - 1))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert complete(app) == 0
    return out.getvalue().rstrip("\n").splitlines()  # the line end the script prints after the candidates


def test_a_request_imports_only_the_group_typed():
    """Completing a group's name imports no group; completing inside one imports that one alone."""
    probe = ("import sys, os; from totalaudio.cli.main import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print('LOADED', sorted(m for m in sys.modules if m.startswith('totalaudio.cli.') and m.count('.') >= 3))")
    def loaded(line: str) -> str:
        env = {**os.environ, "_TAP_COMPLETE": "complete_bash", "COMP_WORDS": line,
               "COMP_CWORD": str(len(line.split(" ")) - 1)}
        done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120)
        return done.stdout.split("LOADED", 1)[1]
    names = loaded("tap ")
    assert "billing" not in names and "campaign" not in names and "airtable" not in names
    inside = loaded("tap billing inv")
    assert "totalaudio.cli.billing" in inside and "airtable" not in inside and "campaign" not in inside


def test_command_names_and_options(monkeypatch):
    assert {"airtable", "mailchimp", "contacts", "completion"} <= set(bash(monkeypatch, "tap "))
    assert bash(monkeypatch, "tap airtable s") == ["sync", "schema"]
    assert {"--only", "--check", "--min-score", "--fix"} <= set(bash(monkeypatch, "tap airtable audit --"))
    assert bash(monkeypatch, "tap completion ") == ["bash", "zsh", "fish"]


def test_values_tap_knows_come_from_the_store(store, monkeypatch, offline):
    assert set(bash(monkeypatch, "tap mailchimp campaign send ")) == {"cmp_spring", "cmp_autumn"}
    assert bash(monkeypatch, "tap mailchimp campaign report spr") == ["cmp_spring"]  # by its name too
    assert set(bash(monkeypatch, "tap mailchimp sync --list ")) == {"a1b2c3d4e5", "b7f3e2a1c9"}
    assert bash(monkeypatch, "tap mailchimp campaign list -l a1") == ["a1b2c3d4e5"]
    statuses = bash(monkeypatch, "tap contacts list --status ")
    assert {"opted-in", "unsubscribed", "bounced", "do-not-contact"} <= set(statuses)
    assert "radio" in bash(monkeypatch, "tap contacts export --type r")
    genres = bash(monkeypatch, "tap contacts list --genre ")
    assert {"Indie", "Folk", "Electronic"} <= set(genres) and genres[0] == "Indie"  # the most used first
    assert bash(monkeypatch, "tap airtable audit --only email.t") == ["email.typo"]
    assert bash(monkeypatch, "tap airtable sync --prefer ") == ["airtable", "local"]
    assert bash(monkeypatch, "tap status mail") == ["mailchimp"]
    assert bash(monkeypatch, "tap contacts show rosie.b") == ["rosie.barnes.dj@gmail.com", "rosie.barnes.dj@gmial.com"]


def test_audit_runs_to_undo_are_offered(store, monkeypatch):
    run_id = tap("airtable", "audit", "--fix", "--json").json()["fix"]["runId"]
    assert bash(monkeypatch, "tap airtable audit undo ") == [run_id]


def test_without_a_store_values_are_empty_and_nothing_is_created(tap_home, monkeypatch, offline):
    assert bash(monkeypatch, "tap mailchimp sync --list ") == []
    assert bash(monkeypatch, "tap contacts list --status p") == ["pending"]  # the fixed vocabulary still
    assert not (tap_home / "tap.db").exists()


def test_the_console_script_answers_a_shell(store):
    env = {**os.environ, "_TAP_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "tap mailchimp campaign test "}
    zsh = subprocess.run([sys.executable, "-m", "totalaudio"], env=env, capture_output=True, text=True, timeout=60)
    assert zsh.returncode == 0 and '"cmp_spring":"Spring Single (draft)"' in zsh.stdout
    env = {**os.environ, "_TAP_COMPLETE": "complete_fish", "_TYPER_COMPLETE_FISH_ACTION": "get-args",
           "_TYPER_COMPLETE_ARGS": "tap airtable "}
    fish = subprocess.run([sys.executable, "-m", "totalaudio"], env=env, capture_output=True, text=True, timeout=60)
    assert fish.returncode == 0 and {"sync", "audit", "schema"} <= {line.split("\t")[0] for line in fish.stdout.splitlines()}
