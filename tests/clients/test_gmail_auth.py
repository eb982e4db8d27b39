"""Gmail authorisation: encrypted token store (keyring, TAP_SECRET_KEY, key file), import, status, logout,
invalid_grant, and the client's calls through the real SDK against the loopback fake."""

import json

import pytest

from tests.cli.helpers import tap
from tests.fakes.gmail_rig import fake, no_os_keyring, client_for  # noqa: F401 (fake is a fixture)
from totalaudio.clients import gmail
from totalaudio.errors import ConfigError


REAL_KEYRING_KEY = gmail._keyring_key  # taken before the autouse fixture replaces it


def no_keyring(_create):
    return None


class DictKeyring:
    """A keyring backend held in memory."""

    def __init__(self):
        self.key = None

    def __call__(self, create):
        if self.key is None and create:
            from cryptography.fernet import Fernet

            self.key = Fernet.generate_key()
        return self.key


def authorized_user(fake, refresh="r-123"):
    return json.dumps({"type": "authorized_user", "client_id": "cid.apps.googleusercontent.com",
                       "client_secret": "csecret", "refresh_token": refresh, "token_uri": fake.token_uri})


def test_headless_keyring_falls_back_to_a_0600_key_file(tmp_path):
    store = gmail.TokenStore(tmp_path / "s", {}, no_keyring)
    assert store.save({"refresh_token": "r"}) == "file"
    assert oct(store.key_path.stat().st_mode & 0o777) == "0o600" and store.load() == {"refresh_token": "r"}


@pytest.mark.parametrize("backend", ["fail", "null"])
def test_real_keyring_module_without_usable_backend_falls_back(tmp_path, backend):
    import keyring
    from keyring.backends import fail, null

    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring() if backend == "fail" else null.Keyring())
    try:
        store = gmail.TokenStore(tmp_path / "s", {}, REAL_KEYRING_KEY)
        assert store.save({"refresh_token": "r"}) == "file" and store.load() == {"refresh_token": "r"}
    finally:
        keyring.set_keyring(before)


def test_keyring_then_env_key_sources(tmp_path):
    ring = DictKeyring()
    store = gmail.TokenStore(tmp_path / "a", {}, ring)
    assert store.save({"token": "t"}) == "keyring" and not store.key_path.exists()
    assert b'"token"' not in store.token_path.read_bytes() and store.load() == {"token": "t"}
    env_store = gmail.TokenStore(tmp_path / "b", {"TAP_SECRET_KEY": "correct horse battery"}, no_keyring)
    assert env_store.save({"token": "t"}) == "env" and env_store.load() == {"token": "t"}
    other = gmail.TokenStore(tmp_path / "b", {"TAP_SECRET_KEY": "another key"}, no_keyring)
    with pytest.raises(ConfigError) as info:
        other.load()
    assert info.value.exit_code == 3 and "tap gmail auth" in info.value.hint


def test_damaged_token_is_exit_3_with_the_way_back(tmp_path, monkeypatch):
    monkeypatch.setenv("TAP_SECRET_KEY", "k1")
    result = tap("gmail", "auth", "--status", "--json")
    assert result.code == 0 and result.json()["authorised"] is False
    store = gmail.TokenStore(tmp_path / "home" / "secrets", {"TAP_SECRET_KEY": "k1"}, no_keyring)
    store.save({"refresh_token": "r"})
    store.token_path.write_bytes(b"env:garbage")
    result = tap("gmail", "auth", "--status", "--json")
    assert result.code == 3 and "tap gmail auth" in result.err_json()["error"]["hint"]


def test_import_refreshes_at_the_files_token_uri_and_status_has_no_secrets(fake, monkeypatch):
    monkeypatch.setenv("TAP_GMAIL_BASE_URL", fake.url)
    monkeypatch.setenv("TAP_SECRET_KEY", "test-key")
    result = tap("gmail", "auth", "--import", "-", "--json", stdin=authorized_user(fake))
    assert result.code == 0, result.err
    status = result.json()
    assert status["account"] == "jo@totalaudio.example" and status["tokenHost"].startswith("127.0.0.1")
    assert "/token" in fake.mailbox.calls  # refreshed at the file's token_uri, not Google's
    shown = tap("gmail", "auth", "--status", "--json").out
    assert "csecret" not in shown and "r-123" not in shown and "fresh-access" not in shown
    out = tap("gmail", "logout", "--json")
    assert out.json() == {"revoked": True, "deleted": True, "account": "jo@totalaudio.example"}
    assert "/revoke" in fake.mailbox.calls and tap("gmail", "auth", "--status", "--json").json()["authorised"] is False


def test_revoked_refresh_token_is_exit_3_hint_tap_gmail_auth(fake, monkeypatch):
    monkeypatch.setenv("TAP_GMAIL_BASE_URL", fake.url)
    monkeypatch.setenv("TAP_SECRET_KEY", "test-key")
    result = tap("gmail", "auth", "--import", "-", "--json", stdin=authorized_user(fake, refresh="revoked"))
    error = result.err_json()["error"]
    assert result.code == 3 and error["hint"] == "tap gmail auth" and "revoked or expired" in error["message"]


def test_bad_import_file_is_exit_2(tmp_path):
    path = tmp_path / "user.json"
    path.write_text(json.dumps({"client_id": "x"}))
    result = tap("gmail", "auth", "--import", str(path), "--json")
    assert result.code == 2 and "refresh_token" in result.err_json()["error"]["message"]


def test_client_calls_fit_the_discovery_document(fake):
    client = client_for(fake)
    fake.mailbox.add(b"From: a@b.example\r\nSubject: hi\r\n\r\nbody")
    assert client.profile()["emailAddress"] == "jo@totalaudio.example"
    listed = client.list_messages("after:0 -in:sent")
    assert client.get_raw(listed["messages"][0]["id"])["raw"].startswith(b"From: a@b.example")
    assert client.history("1")["history"] and client.find_sent("<nothing@x>") is None
    sent = client.send(b"From: jo@totalaudio.example\r\nTo: x@y.example\r\nMessage-ID: <tap.00ff00ff@x>\r\n\r\nhi")
    assert client.find_sent("<tap.00ff00ff@x>")["id"] == sent["id"]
    assert set(fake.mailbox.calls) == {"gmail.users.getProfile", "gmail.users.messages.list",
                                       "gmail.users.messages.get", "gmail.users.history.list",
                                       "gmail.users.messages.send"}


def test_fake_refuses_what_the_document_lacks(fake):
    import httpx

    response = httpx.get(fake.url + "gmail/v1/users/me/messages", params={"query": "x"})
    assert response.status_code == 400 and fake.mailbox.refused
    fake.mailbox.refused.clear()


def test_browser_flow_on_loopback(fake, monkeypatch):
    """The installed-app flow end to end: the 'browser' follows the consent URL back to tap's loopback server."""
    import threading
    import webbrowser
    from urllib.parse import parse_qs, urlparse

    import httpx

    class Browser:
        def open(self, url, new=0, autoraise=True):
            query = parse_qs(urlparse(url).query)
            assert query["scope"][0].split() == list(gmail.SCOPES) and query["redirect_uri"][0].startswith(
                "http://localhost:")
            back = f"{query['redirect_uri'][0]}?state={query['state'][0]}&code=the-code&scope={query['scope'][0]}"
            threading.Thread(target=lambda: httpx.get(back, timeout=10), daemon=True).start()
            return True

    monkeypatch.setattr(webbrowser, "get", lambda *_a, **_k: Browser())
    monkeypatch.setattr(gmail, "TOKEN_URI", fake.token_uri)
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the fake token endpoint is plain http on loopback
    for key, value in {"GOOGLE_CLIENT_ID": "cid", "GOOGLE_CLIENT_SECRET": "cs", "TAP_GMAIL_BASE_URL": fake.url,
                       "TAP_SECRET_KEY": "k"}.items():
        monkeypatch.setenv(key, value)
    result = tap("gmail", "auth", "--json")
    assert result.code == 0, result.err
    assert result.json()["account"] == "jo@totalaudio.example" and fake.mailbox.codes == ["the-code"]
    assert "first-refresh" not in result.out + result.err
