"""Record the committed cassettes: one tap command against each stand-in the suite runs (Prism for Mailchimp
and Anthropic, localstripe, the Airtable fake) and one error exchange, through ``tap --record-http``.

    python -m tests.cassettes.record      # rewrites tests/cassettes/*.yaml and cassettes.json

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


RECORDINGS = [  # name, base URL variable, how to start the stand-in, tap arguments
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
]


def record(name: str, url_var: str, starter, args: list[str]) -> dict:
    """Run one command under --record-http and keep its cassette as tests/cassettes/NAME.yaml."""
    server, extra = starter()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, **scan.SHAPED, **extra, url_var: server.url, "TAP_HOME": f"{tmp}/home"}
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
    return {"args": args, "baseUrlVar": url_var, "baseUrl": origin, "env": extra, "exitCode": run.returncode,
            "stdout": json.loads(run.stdout) if run.stdout.strip() else None}


def main() -> None:
    manifest = {name: record(name, var, starter, args) for name, var, starter, args in RECORDINGS}
    (HERE / "cassettes.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(json.dumps({name: m["exitCode"] for name, m in manifest.items()}))


if __name__ == "__main__":
    main()
