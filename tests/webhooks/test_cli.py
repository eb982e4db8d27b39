"""tap webhooks serve | events | replay, through the real entry point (serve as a process of its own)."""

import datetime
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.cli.helpers import tap
from tests.webhooks.conftest import MAILCHIMP_SECRET, SECRETS, make_post
from tests.waiting import PATIENCE
from tests.webhooks.live import free_port, wait_until_serving
from totalaudio.errors import InputError
from totalaudio.server.run import check_binding, is_loopback


def test_events_lists_deliveries_newest_first(receiver):
    server = receiver()
    httpx.post(f"{server.url}/mailchimp/{MAILCHIMP_SECRET}", content=b"type=subscribe&data[email]=a@b.org")
    make_post(server.url, {"action": "audit.run", "data": {}}, msg_id="msg_cli1")
    rows = tap("webhooks", "events", "--json").json()
    assert [(r["source"], r["eventId"], r["type"], r["status"]) for r in rows] == [
        ("make", "msg_cli1", "audit.run", "processed"), ("mailchimp", rows[1]["eventId"], "subscribe", "processed")]
    assert {"id", "payload", "result", "receivedAt", "processedAt", "repeats", "attempts"} <= set(rows[0])
    assert [r["source"] for r in tap("webhooks", "events", "--source", "make", "--json").json()] == ["make"]
    assert tap("webhooks", "events", "--source", "paypal", "--json").code == 2
    text = tap("webhooks", "events")
    assert text.code == 0 and "msg_cli1" in text.out


def test_replay_runs_the_handler_again(receiver):
    server = receiver()
    httpx.post(f"{server.url}/mailchimp/{MAILCHIMP_SECRET}", content=b"type=cleaned&data[email]=a@b.org")
    make_post(server.url, {"action": "audit.run", "data": {"minScore": 101}}, msg_id="msg_replay")
    dry = tap("webhooks", "replay", "msg_replay", "--dry-run", "--json")
    assert dry.code == 0 and dry.json()["dryRun"] is True and dry.json()["source"] == "make"
    again = tap("webhooks", "replay", "msg_replay", "--json").json()
    assert again["status"] == "processed" and again["result"]["audit"]["failed"]
    assert again["notifications"] == [{"type": "audit.failed", "outcome": "off"}]  # Make.com is not configured
    [event] = [e for e in tap("webhooks", "events", "--json").json() if e["eventId"] == "msg_replay"]
    assert event["attempts"] == 2
    first = tap("webhooks", "events", "--source", "mailchimp", "--json").json()[0]
    assert tap("webhooks", "replay", str(first["id"]), "--json").json()["eventId"] == first["eventId"]
    missing = tap("webhooks", "replay", "evt_nope", "--json")
    assert missing.code == 2 and "no stored webhook event" in missing.err_json()["error"]["message"]


def test_non_loopback_without_tls_is_refused_with_the_reason():
    result = tap("webhooks", "serve", "--host", "0.0.0.0", "--port", "8787")
    assert result.code == 2 and "clear text" in result.err and "--behind-proxy" in result.err
    with pytest.raises(InputError, match="together"):
        check_binding("127.0.0.1", Path("cert.pem"), None, False)
    check_binding("0.0.0.0", None, None, True)  # a TLS-terminating proxy in front: allowed
    assert is_loopback("127.0.0.2") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("192.168.1.4") and not is_loopback("example.org")


def test_serve_without_any_secret_is_a_config_error():
    result = tap("webhooks", "serve", "--port", str(free_port()))
    assert result.code == 3 and "no webhook source is configured" in result.err


def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_serve_process_with_tls_answers_and_stops_on_ctrl_c(tmp_path):
    cert, key = self_signed(tmp_path)
    port = free_port()
    env = {**os.environ, **SECRETS}
    proc = subprocess.Popen([sys.executable, "-m", "totalaudio", "webhooks", "serve", "--port", str(port),
                             "--tls-cert", str(cert), "--tls-key", str(key)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = f"https://127.0.0.1:{port}"
        health = wait_until_serving(proc, url, verify=False)
        assert health.json()["sources"] == {"stripe": True, "mailchimp": True, "make": True}
        assert httpx.get(f"{url}/mailchimp/{MAILCHIMP_SECRET}", verify=False).text == "ok"
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=PATIENCE)
    assert proc.returncode == 130 and out == ""  # ended by Ctrl-C after a graceful shutdown: "interrupted"
    assert f"https://127.0.0.1:{port}" in err and '"GET /mailchimp/**** HTTP' not in err
    assert "/mailchimp/****" in err and MAILCHIMP_SECRET not in err and SECRETS["TAP_MAKE_TRIGGER_SECRET"] not in err
