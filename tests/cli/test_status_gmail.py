"""`tap status` judges Gmail by its stored token: an imported one needs no GOOGLE_* variables, and a token that
cannot be refreshed says exactly what is missing."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from tests.cli.helpers import tap
from tests.fakes.gmail_rig import fake, no_os_keyring  # noqa: F401 (fixtures)
from totalaudio.clients import gmail as gmail_client
from totalaudio.config import Settings


def gmail_line(*args: str) -> tuple[int, dict]:
    result = tap("status", "gmail", "--json", *args)
    return result.code, result.json()["integrations"][0]


def store_token(**token) -> None:
    """A token written as tap stores it (encrypted), as an older tap or another tool may have left it."""
    gmail_client.token_store(Settings()).save(token)


def iso(delta: timedelta) -> str:
    return (datetime.now(timezone.utc) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_an_imported_token_alone_is_connected(fake, monkeypatch):
    monkeypatch.setenv("TAP_GMAIL_BASE_URL", fake.url)
    monkeypatch.setenv("TAP_SECRET_KEY", "status-key")
    user = {"client_id": "cid", "client_secret": "csecret-123", "refresh_token": "r-123", "token_uri": fake.token_uri}
    assert tap("gmail", "auth", "--import", "-", stdin=json.dumps(user)).code == 0
    code, gmail = gmail_line("--check")
    assert code == 0 and gmail["configured"] is True and gmail["ok"] is True and gmail["missing"] == []
    assert gmail["auth"]["account"] == "jo@totalaudio.example" and gmail["auth"]["refreshWith"] == "storedToken"
    assert gmail["auth"]["expired"] is False and gmail["auth"]["expiry"]
    assert "mailbox jo@totalaudio.example" in gmail["detail"] and "stored token's OAuth client" in gmail["detail"]
    offline = gmail_line("--offline")[1]
    assert offline["configured"] is True and offline["checked"] is False and "not probed" in offline["detail"]
    text = tap("status", "gmail").out
    assert "jo@totalaudio.example" in text and "not configured" not in text
    assert "csecret-123" not in text and "r-123" not in text and "fresh-access" not in text


def test_a_token_without_its_client_names_the_missing_secret(monkeypatch):
    monkeypatch.setenv("TAP_SECRET_KEY", "status-key")
    monkeypatch.setenv("GOOGLE_CLIENT_ID", "cid")
    store_token(token="access", refresh_token="r-1", account="jo@totalaudio.example", expiry=iso(timedelta(hours=1)))
    code, gmail = gmail_line("--check")
    assert code == 0 and gmail["configured"] is True and gmail["ok"] is None
    assert gmail["missing"] == ["GOOGLE_CLIENT_SECRET"] and gmail["auth"]["refreshWith"] is None
    assert "GOOGLE_CLIENT_SECRET is not set" in gmail["detail"] and "valid until" in gmail["detail"]


def test_an_expired_token_that_cannot_be_refreshed_is_failing(monkeypatch):
    monkeypatch.setenv("TAP_SECRET_KEY", "status-key")
    store_token(token="access", refresh_token="r-1", account="jo@totalaudio.example", expiry=iso(-timedelta(hours=1)))
    code, gmail = gmail_line("--check")
    assert code == 5 and gmail["configured"] is True and gmail["ok"] is False
    assert gmail["missing"] == ["GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET"]
    assert "expired at" in gmail["detail"] and "GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET are not set" in gmail["detail"]
    shown = tap("gmail", "auth", "--status").out
    assert "(expired)" in shown and "it cannot be refreshed" in shown and "refreshed on next use" not in shown


def test_an_expired_token_without_a_refresh_token_says_so(monkeypatch):
    monkeypatch.setenv("TAP_SECRET_KEY", "status-key")
    store_token(token="access", client_id="cid", client_secret="cs", account="jo@totalaudio.example",
                expiry=iso(-timedelta(minutes=5)))
    code, gmail = gmail_line("--check")
    assert code == 5 and gmail["missing"] == [] and gmail["auth"]["refreshNeeds"] == ["refresh token"]
    assert "it has no refresh token" in gmail["detail"]


def test_no_token_and_no_client_is_not_configured():
    code, gmail = gmail_line("--check")
    assert code == 0 and gmail["configured"] is False and gmail["auth"] is None
    assert gmail["missing"] == ["GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET"]
