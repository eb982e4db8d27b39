"""Record the committed cassettes: one tap command against each stand-in the suite runs (Prism for Mailchimp,
Anthropic and the OpenAI shape Perplexity uses, localstripe, our Stripe, Airtable and Gmail fakes) and one error
exchange, through ``tap --record-http``. A recording may need the home set up first (``setups``: names from
tests/security/scan.py's SETUPS, e.g. a contact or a stored Gmail token); the replay sets it up the same way.

    python -m tests.cassettes.record [NAME ...]   # rewrites tests/cassettes/*.yaml and cassettes.json (all or NAMEs)

Secrets are set to the scan's distinctive values; the script refuses to keep a cassette in which any part of
one is found. tests/test_cassettes.py replays every cassette with record_mode="none".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests import standins
from tests.security import scan
from tests.security.echo import EchoServer

HERE = Path(__file__).resolve().parent


def _airtable_fake():
    from tests.fakes.airtable_fake import AirtableFake, tap_base

    fake = AirtableFake(token=scan.SHAPED["AIRTABLE_API_KEY"]).start()
    contacts, _ = tap_base(fake)
    contacts.insert({"Email": "dj@station.example", "First Name": "Ann", "Station": "Echo FM"})
    return fake, {"AIRTABLE_BASE_ID": fake.base_id}


class _Started:
    """A stand-in used as a context manager (our Stripe fake), with the ``url``/``stop()`` of the others."""

    def __init__(self, server) -> None:
        self.server = server.__enter__()
        self.url = server.url

    def stop(self) -> None:
        self.server.__exit__(None, None, None)


def _stripe_fake():
    from tests.fakes.stripe_fake import StripeFake

    return _Started(StripeFake()), {}


def _gmail_fake():
    from tests.fakes.gmail_fake import GmailFake

    return GmailFake(), {"GOOGLE_CLIENT_ID": "cassette-client.apps.example"}


RECORDINGS = [  # name, base URL variable, how to start the stand-in, tap arguments[, setups]
    ("mailchimp-audiences", "TAP_MAILCHIMP_BASE_URL", lambda: (standins.start_prism("mailchimp"), {}),
     ["mailchimp", "audiences", "--json"]),
    ("anthropic-status", "TAP_ANTHROPIC_BASE_URL", lambda: (standins.start_prism("anthropic"), {}),
     ["status", "claude", "--json"]),
    ("stripe-status", "TAP_STRIPE_BASE_URL", lambda: (standins.start_localstripe(), {}),
     ["status", "stripe", "--json"]),
    ("airtable-sync-pull", "TAP_AIRTABLE_BASE_URL", _airtable_fake, ["airtable", "sync", "--pull", "--json"]),
    ("airtable-echo-error", "TAP_AIRTABLE_BASE_URL", lambda: (EchoServer("json400").start(), {"AIRTABLE_BASE_ID":
                                                                                             "appECHObase00001"}),
     ["airtable", "schema", "--json"]),
    ("perplexity-research", "TAP_PERPLEXITY_BASE_URL", lambda: (standins.start_prism("openai"), {}),
     ["research", "contact", "dj@station.example", "--json"], ("contacts",)),
    ("stripe-fake-setup", "TAP_STRIPE_BASE_URL", _stripe_fake, ["billing", "setup", "--json"]),
    ("gmail-status", "TAP_GMAIL_BASE_URL", _gmail_fake, ["status", "gmail", "--json"], ("gmail",)),
]


def set_up(home: Path, setups: tuple[str, ...], env: dict[str, str]) -> None:
    """Prepare a home as a recording needs it, with ``env`` in the environment meanwhile (a stored token is
    encrypted with the key the run will read)."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        home.mkdir(parents=True, exist_ok=True)
        for need in setups:
            scan.SETUPS[need](home)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def record(name: str, url_var: str, starter, args: list[str], setups: tuple[str, ...] = ()) -> dict:
    """Run one command under --record-http and keep its cassette as tests/cassettes/NAME.yaml."""
    server, extra = starter()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, **scan.SHAPED, **extra, url_var: server.url, "TAP_HOME": f"{tmp}/home"}
            set_up(Path(tmp, "home"), setups, env)
            run = subprocess.run([sys.executable, "-m", "totalaudio", "--record-http", f"{tmp}/cas", *args],
                                 env=env, cwd=tmp, capture_output=True, text=True, timeout=120)
            [cassette] = Path(tmp, "cas").glob("*.yaml")
            text = cassette.read_text()
    finally:
        server.stop()
    if leaked := scan.leaks(text + run.stdout + run.stderr, scan.needles(scan.SHAPED)):
        raise SystemExit(f"{name}: secrets in the cassette or output: {leaked}")
    (HERE / f"{name}.yaml").write_text(text)
    origin = json.loads(json.dumps(server.url))
    return {"args": args, "baseUrlVar": url_var, "baseUrl": origin, "env": extra, "setups": list(setups),
            "exitCode": run.returncode, "stdout": json.loads(run.stdout) if run.stdout.strip() else None}


def main() -> None:
    wanted = set(sys.argv[1:])  # names to record again; the others keep their cassettes
    old = json.loads((HERE / "cassettes.json").read_text()) if (HERE / "cassettes.json").exists() else {}
    manifest = {r[0]: record(*r) if not wanted or r[0] in wanted else old[r[0]] for r in RECORDINGS}
    (HERE / "cassettes.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(json.dumps({name: m["exitCode"] for name, m in manifest.items()}))


if __name__ == "__main__":
    main()
