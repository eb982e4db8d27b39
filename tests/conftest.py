"""Fixtures every test gets: a throwaway TAP_HOME, no integration variables, and the stand-ins."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import standins
from totalaudio import integrations
from totalaudio.clients import _base

INTEGRATION_VARS = {v for i in integrations.REGISTRY for v in i.env_vars} | {"TAP_CONFIG", "TAP_LOCK_TIMEOUT",
                                                                                  "TAP_ENRICH_ALLOW_PRIVATE"}


@pytest.fixture(autouse=True)
def tap_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point TAP_HOME at a temporary directory, clear every integration variable, run in an empty cwd, with no
    rate limiter left over from another test."""
    home = tmp_path / "home"
    monkeypatch.setenv("TAP_HOME", str(home))
    for var in INTEGRATION_VARS:
        monkeypatch.delenv(var, raising=False)
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("COLUMNS", "200")
    # each test starts with fresh process-wide rate limiters: an earlier test's calls (or a 429's pause of up to
    # 120 s) must not hold up a later one, whatever the order
    monkeypatch.setattr(_base, "_LIMITERS", {})
    return home


def _server_fixture(start, *args):
    """A session-scoped fixture that starts a stand-in once and stops it at the end."""
    @pytest.fixture(scope="session")
    def fixture():
        server = start(*args)
        yield server
        server.stop()
    return fixture


prism_mailchimp = _server_fixture(standins.start_prism, "mailchimp")  # Mailchimp's official API description
prism_anthropic = _server_fixture(standins.start_prism, "anthropic")  # Anthropic's API description
prism_openai = _server_fixture(standins.start_prism, "openai")  # OpenAI chat completions (Perplexity's shape)
localstripe_server = _server_fixture(standins.start_localstripe)  # localstripe on loopback


@pytest.fixture
def repo_root() -> Path:
    """The repository checkout."""
    return standins.REPO


@pytest.fixture
def examples_csv() -> Path:
    """The project's own sample contacts."""
    return standins.REPO / "examples" / "contacts.csv"
