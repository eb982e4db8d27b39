"""Issue 13, class 1: no command's error path puts a secret anywhere, whatever the server echoes back."""

from __future__ import annotations

import pytest

from tests.cli.helpers import tap
from tests.security import scan
from tests.security.echo import EchoServer


@pytest.fixture
def fast_clients(monkeypatch):
    """Client retries and rate limits without real waiting (every test has fresh limiters: tests/conftest.py)."""
    from totalaudio.clients import _base

    monkeypatch.setattr(_base, "time", scan.FakeTime())


def run_case(case: scan.Case, mode: str, secrets: dict[str, str], home, monkeypatch) -> tuple[str, int, int]:
    """Run one command against the echo server; (everything tap printed or stored, requests seen, exit code)."""
    echo = EchoServer(mode).start()
    try:
        for name, value in scan.environment(echo.url, secrets).items():
            monkeypatch.setenv(name, value)
        home.mkdir(parents=True, exist_ok=True)
        for need in case.needs:
            scan.SETUPS[need](home)
        release = home.parent / "release.md"
        release.write_text("The Band - Spring Single, out 1 March: an indie-pop song for late-night radio.\n")
        result = tap(*[a.replace("{echo}", echo.url).replace("{release}", str(release)) for a in case.args])
        return result.out + "\n" + result.err + "\n" + scan.stored_text(home), echo.requests, result.code
    finally:
        echo.stop()


# Every command in two modes (shaped secrets in a JSON error, shapeless ones in a text 500); the other modes
# (429 without Retry-After, 401) on one command per service. tests/bench/bench_probe.py runs every pair.
PAIRS = [(c, m) for c in scan.COMMANDS for m in ("json400", "text500")] + [
    (c, m) for c in scan.COMMANDS if "--json" in c.args and c.args[0] in ("status", "airtable", "mailchimp")
    and c.args[1] in ("status", "schema", "audiences", "enrich") or c.args == ("status", "--json")
    for m in ("json429", "json401")]


@pytest.mark.parametrize("case,mode", PAIRS, ids=lambda v: v.id if isinstance(v, scan.Case) else v)
def test_no_secret_leaks_from_an_error_path(case, mode, tap_home, monkeypatch, fast_clients):
    secrets = scan.SHAPED if mode in ("json400", "json429") else scan.PLAIN
    text, requests, code = run_case(case, mode, secrets, tap_home, monkeypatch)
    assert requests > 0, f"tap {' '.join(case.args)} never reached the server (exit {code}): nothing was tested"
    assert code != 1, text[-3000:]
    assert scan.leaks(text, scan.needles(secrets)) == []


def test_the_scan_finds_a_planted_leak(tap_home):
    """The scan itself works: each encoding of a secret written into the store is found."""
    import base64

    secret = scan.PLAIN["STRIPE_SECRET_KEY"]
    table = scan.needles(scan.PLAIN)
    for text in (secret, "Basic " + base64.b64encode(f"anystring:{secret}".encode()).decode(), secret[3:20]):
        assert scan.leaks(text, table) == ["STRIPE_SECRET_KEY"]
