"""The one redaction: configured secrets in every encoding, token shapes, JSON kept JSON, edges wired."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest

from totalaudio import redact as r

SECRET = "Zq7UnshapedSecretValue4x9Wm"


@pytest.fixture(autouse=True)
def configured(monkeypatch):
    monkeypatch.setenv("AIRTABLE_API_KEY", SECRET)


@pytest.mark.parametrize("text", [
    SECRET, f"x{SECRET}y", quote(SECRET), json.dumps(SECRET),
    base64.b64encode(f"anystring:{SECRET}".encode()).decode(),
    base64.b64encode(f"u:{SECRET}".encode()).decode(), base64.b64encode(f"{SECRET}:".encode()).decode(),
    base64.urlsafe_b64encode(f"ab:{SECRET}".encode()).decode(),
])
def test_a_configured_secret_is_masked_in_every_encoding(text):
    out = r.redact(text)
    assert r.MASK in out and SECRET[4:18] not in out and text.strip('"')[4:-4] not in out


@pytest.mark.parametrize("token", [
    "patAbCdEfGh12345678.0123456789abcdef0123456789abcdef", "keyAbcdEF1234ghij", "sk-ant-api03-abcdefghijk123",
    "sk_live_abcdefghijklmnop123", "rk_test_abcdefghijkl123", "whsec_abcdefghijklmnop", "ya29.a0AfH6SMBxyz123",
    "1//0gAbCdEfGhIjKlMnOpQrStUv", "GOCSPX-abcdefghijkl123", "pplx-abcdefghijklmnop", "0123456789abcdef0123456789abcdef-us21",
    "https://hook.eu1.make.com/abcdefghijklmnop",
])
def test_every_service_token_shape_is_masked(token):
    assert token not in r.redact(f"error: {token} refused")


@pytest.mark.parametrize("text,kept", [
    ("Authorization: Bearer abc123def456", "Authorization: Bearer "),
    ("GET /x?api_key=abcd1234&page=2", "&page=2"),
    ("https://user:hunter22@proxy.example/", "https://user:"),
])
def test_credentials_in_context_are_masked(text, kept):
    out = r.redact(text)
    assert kept in out and r.MASK in out


@pytest.mark.parametrize("text", ["Token counting: 12 tokens", "basic settings", "keyboardshortcuts", "inputTokens",
                                  "ann@storm.example", "secret: no", "+44 20 7946 0000"])
def test_ordinary_text_is_left_alone(text):
    assert r.redact(text) == text


def test_redacted_json_stays_json():
    doc = {"secret": True, "token": "abcd1234", "nested": {"authorization": "Bearer x", "n": SECRET}}
    out = json.loads(r.redact(json.dumps(doc)))
    assert out["secret"] is True and SECRET not in json.dumps(out) and out["token"] == r.MASK
    assert r.redact_obj(doc)["nested"] == {"authorization": r.MASK, "n": r.MASK}


def test_errors_are_redacted_where_they_are_made():
    from totalaudio.errors import ConfigError, IntegrationError

    exc = IntegrationError("airtable", "list", f"HTTP 400: echo Bearer {SECRET}")
    assert SECRET not in str(exc) and SECRET not in json.dumps(exc.to_dict())
    assert SECRET not in ConfigError(f"bad {SECRET}", hint=SECRET, detail=SECRET).to_dict().__repr__()


def test_secrets_from_dotenv_and_registered_values(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("STRIPE_SECRET_KEY=DotenvSecretValue77q\n")
    r.register("RegisteredTokenValue99z")
    assert r.redact("a DotenvSecretValue77q b RegisteredTokenValue99z") == f"a {r.MASK} b {r.MASK}"


def test_store_writers_redact(tmp_path):
    from totalaudio.store.db import open_db
    from totalaudio.store.deadletters import DeadLetterStore
    from totalaudio.store.llm import LLMLog
    from totalaudio.store.runs import Journal, RunLog

    db = open_db(tmp_path / "t.db")
    run = RunLog(db).start("x", {"key": SECRET})
    RunLog(db).finish(run, "failed", result={"a": SECRET}, error=SECRET)
    Journal(db).record(run, "contact", "c1", "update", before={"n": SECRET}, after=SECRET)
    DeadLetterStore(db).add("make", "trigger", {"message": SECRET}, {"data": SECRET})
    LLMLog(db).record(service="claude", purpose="t", prompt=SECRET, response=SECRET)
    dump = "\n".join(str(row) for t in ("runs", "journal", "dead_letters", "llm_calls") for row in db[t].rows)
    assert SECRET not in dump and dump.count(r.MASK) >= 8


def test_the_output_gate_redacts_and_writes_only_valid_utf8():
    import io

    from totalaudio.cli.errors import Redacting

    buffer = io.StringIO()
    gate = Redacting(buffer)
    assert gate.write(f"key {SECRET} and a lone \udc80 surrogate\n") > 0
    text = buffer.getvalue()
    assert SECRET not in text and "\ufffd" in text and text.encode("utf-8")
