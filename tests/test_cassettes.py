"""Recorded HTTP exchanges replayed offline (record_mode="none"): what tap did against each stand-in, and a
reported error exchange, stay regression tests; and no committed cassette holds a secret."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import tap
from tests.security import scan
from totalaudio.cli.recording import recorder
from totalaudio.redact import SHAPE_RE

HERE = Path(__file__).resolve().parent / "cassettes"
MANIFEST = json.loads((HERE / "cassettes.json").read_text())
VOLATILE = {"home", "latencyMs", "timestamp", "runId", "startedAt", "finishedAt", "at", "lastSyncedAt",
            "durationSeconds", "cursor", "createdAt",
            "contactId"}  # the local store's own ids and clocks: not part of the exchange


def stable(value):
    """A result without the fields that change from run to run."""
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_a_recorded_run_replays_to_the_same_result(name, monkeypatch, tap_home):
    entry = MANIFEST[name]
    for var, value in {**scan.PLAIN, **entry["env"], entry["baseUrlVar"]: entry["baseUrl"]}.items():
        monkeypatch.setenv(var, value)
    tap_home.mkdir(parents=True, exist_ok=True)
    for need in entry.get("setups", []):  # the home the recording had (a contact, a stored Gmail token)
        scan.SETUPS[need](tap_home)
    with recorder(HERE / f"{name}.yaml", record_mode="none") as cassette:
        result = tap(*entry["args"])
    assert result.code == entry["exitCode"], result.err
    assert cassette.play_count == len(cassette.data) > 0  # every recorded exchange, nothing from the network
    if entry["stdout"] is not None:
        assert stable(result.json()) == stable(entry["stdout"])


def test_every_service_with_a_stand_in_has_a_recorded_exchange():
    """One cassette at least per service the suite has a stand-in for (Make.com posts to the user's own URL)."""
    from totalaudio import integrations

    served = {i.base_url_env for i in integrations.REGISTRY if i.base_url_env}
    assert served <= {entry["baseUrlVar"] for entry in MANIFEST.values() if entry["exitCode"] == 0}


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_committed_cassettes_hold_no_secret(name):
    text = (HERE / f"{name}.yaml").read_text()
    assert scan.leaks(text, scan.needles(scan.SHAPED)) == [] and SHAPE_RE.search(text) is None


def test_record_http_writes_a_scrubbed_cassette(tmp_path, monkeypatch):
    from tests.security.echo import EchoServer

    echo = EchoServer("json400").start()
    try:
        for var, value in {**scan.PLAIN, "AIRTABLE_BASE_ID": "appX", "TAP_AIRTABLE_BASE_URL": echo.url}.items():
            monkeypatch.setenv(var, value)
        result = tap("--record-http", str(tmp_path / "cas"), "airtable", "schema", "--json")
    finally:
        echo.stop()
    [cassette] = (tmp_path / "cas").glob("tap-*-airtable.yaml")
    text = cassette.read_text()
    assert result.code == 4 and "interactions" in text and result.err_json()["error"]["status"] == 400
    assert scan.leaks(text, scan.needles(scan.PLAIN)) == []


def test_an_enrichment_run_is_recorded_and_replays_offline_to_the_same_record(tmp_path, monkeypatch, tap_home):
    """The crawler's own exchanges (aiohttp, one session per site) are in the cassette: robots.txt, the pages."""
    from tests.sites import Site

    site = Site(Path(__file__).resolve().parents[1] / "examples" / "sites" / "storm-fm")
    monkeypatch.setenv("TAP_ENRICH_ALLOW_PRIVATE", "1")
    Path("tap.toml").write_text("[enrich]\ndelay = 0\n")
    try:
        recorded = tap("--record-http", str(tmp_path / "cas"), "airtable", "enrich", "--url", site.url, "--json")
    finally:
        site.stop()  # the replay below has nothing to reach
    assert recorded.code == 0, recorded.err
    [path] = (tmp_path / "cas").glob("tap-*.yaml")
    text = path.read_text()
    assert f"uri: {site.url}robots.txt" in text and f"uri: {site.url}\n" in text
    monkeypatch.setenv("TAP_HOME", str(tmp_path / "fresh-home"))  # no page cache from the recording run
    with recorder(path, record_mode="none") as cassette:
        replayed = tap("airtable", "enrich", "--url", site.url, "--json")
    assert replayed.code == 0, replayed.err
    assert cassette.play_count == len(cassette.data) > 2
    assert stable(replayed.json()) == stable(recorded.json())
    assert "music@stormfm.co.uk" in {c["value"] for c in replayed.json()["scrapedData"]["additionalContacts"]}
