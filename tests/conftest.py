"""Fixtures every test gets: a throwaway TAP_HOME, no integration variables, and the stand-ins."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import standins
from totalaudio import integrations

INTEGRATION_VARS = {v for i in integrations.REGISTRY for v in i.env_vars} | {"TAP_CONFIG", "TAP_LOCK_TIMEOUT",
                                                                                  "TAP_ENRICH_ALLOW_PRIVATE"}


@pytest.fixture(autouse=True)
def tap_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point TAP_HOME at a temporary directory, clear every integration variable, run in an empty cwd."""
    home = tmp_path / "home"
    monkeypatch.setenv("TAP_HOME", str(home))
    for var in INTEGRATION_VARS:
        monkeypatch.delenv(var, raising=False)
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("COLUMNS", "200")
    return home


@pytest.fixture(scope="session")
def prism_mailchimp():
    """Prism serving Mailchimp's official API description."""
    server = standins.start_prism("mailchimp")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def prism_anthropic():
    """Prism serving Anthropic's API description."""
    server = standins.start_prism("anthropic")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def prism_openai():
    """Prism serving the OpenAI chat-completions subset (Perplexity's shape)."""
    server = standins.start_prism("openai")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def localstripe_server():
    """localstripe on loopback."""
    server = standins.start_localstripe()
    yield server
    server.stop()


@pytest.fixture
def repo_root() -> Path:
    """The repository checkout."""
    return standins.REPO


@pytest.fixture
def examples_csv() -> Path:
    """The project's own sample contacts."""
    return standins.REPO / "examples" / "contacts.csv"
