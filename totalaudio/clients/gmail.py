"""Gmail through google-api-python-client, with OAuth tokens kept encrypted under TAP_HOME.

The token file is Fernet-encrypted. Its key comes from the OS keyring when one is usable, else from
TAP_SECRET_KEY, else from a key file (mode 0600) beside the token; the file records which source it used so a
keyring that appears later does not orphan it. keyring on a headless Linux has no backend: that is a fallback,
never a crash.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from typing import Any, Callable, Mapping

from totalaudio import integrations
from totalaudio.clients._base import Caller, Failure, status_is_retryable
from totalaudio.config import Settings
from totalaudio import redact
from totalaudio.errors import ConfigError, InputError

INTEGRATION = integrations.get("gmail")
SCOPES = ("https://www.googleapis.com/auth/gmail.readonly", "https://www.googleapis.com/auth/gmail.send")
MODIFY_SCOPE = "https://www.googleapis.com/auth/gmail.modify"
TOKEN_URI = "https://oauth2.googleapis.com/token"
AUTH_URI = "https://accounts.google.com/o/oauth2/auth"
KEYRING_SERVICE, KEYRING_USER = "tap", "gmail-token-key"
REAUTH = "run `tap gmail auth` (or `tap gmail auth --import FILE`) to authorise Gmail again"
TIMEOUT = INTEGRATION.timeout_seconds


def classify(exc: BaseException) -> Failure | None:
    """googleapiclient's HttpError, google-auth refresh errors and transport errors."""
    from google.auth.exceptions import RefreshError, TransportError
    from googleapiclient.errors import HttpError

    if isinstance(exc, HttpError):
        status = int(exc.resp.status)
        return Failure(f"HTTP {status}: {exc.reason}", status=status, retryable=status_is_retryable(status))
    if isinstance(exc, RefreshError):
        return Failure(f"the stored OAuth token was refused: {exc}", status=401)
    if isinstance(exc, (TransportError, OSError)):
        return Failure(f"cannot reach Gmail: {exc.__class__.__name__}", retryable=True)
    return None


def _keyring_key(create: bool) -> bytes | None:
    """The key kept in the OS keyring (made when asked), or None when no keyring backend is usable."""
    try:
        import keyring
        from keyring.errors import KeyringError

        stored = keyring.get_password(KEYRING_SERVICE, KEYRING_USER)
        if stored is None and create:
            from cryptography.fernet import Fernet

            stored = Fernet.generate_key().decode()
            keyring.set_password(KEYRING_SERVICE, KEYRING_USER, stored)
            if keyring.get_password(KEYRING_SERVICE, KEYRING_USER) != stored:
                return None  # a backend that forgets (the null keyring): not usable
        return stored.encode() if stored else None
    except (ImportError, KeyringError, RuntimeError, OSError):
        return None


def _derived(secret: str) -> bytes:
    """A Fernet key from TAP_SECRET_KEY: used as is when it is one, else derived from it by SHA-256."""
    raw = secret.strip().encode()
    try:
        if len(base64.urlsafe_b64decode(raw)) == 32:
            return raw
    except ValueError:
        pass
    return base64.urlsafe_b64encode(hashlib.sha256(raw).digest())


class TokenStore:
    """OAuth tokens encrypted with a key of their own; both files are readable by the user only."""

    def __init__(self, directory: Path, environ: Mapping[str, str] | None = None,
                 keyring_key: Callable[[bool], bytes | None] | None = None) -> None:
        self.dir = directory
        self.token_path = directory / "gmail-token.enc"
        self.key_path = directory / "secret.key"
        self.environ = os.environ if environ is None else environ
        self.keyring_key = keyring_key or _keyring_key

    def _file_key(self) -> bytes:
        from cryptography.fernet import Fernet

        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not self.key_path.exists():
            fd = os.open(self.key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(Fernet.generate_key())
        return self.key_path.read_bytes().strip()

    def _key(self, source: str | None) -> tuple[str, bytes]:
        """(source, key): the recorded source when reading, the best available one when writing."""
        if source in (None, "keyring"):
            key = self.keyring_key(source is None)
            if key:
                return "keyring", key
            if source == "keyring":
                raise ConfigError("the Gmail token was encrypted with a key from the OS keyring, which is not "
                                  "available now", hint=REAUTH)
        secret = self.environ.get("TAP_SECRET_KEY")
        if source in (None, "env") and secret:
            return "env", _derived(secret)
        if source == "env":
            raise ConfigError("the Gmail token was encrypted with TAP_SECRET_KEY, which is not set", hint=REAUTH)
        return "file", self._file_key()

    def save(self, token: dict[str, Any]) -> str:
        """Encrypt and write a token (refresh token, client id ...), mode 0600; returns the key source used."""
        from cryptography.fernet import Fernet

        source, key = self._key(None)
        data = source.encode() + b":" + Fernet(key).encrypt(json.dumps(token).encode())
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.token_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return source

    def key_source(self) -> str | None:
        """Where the stored token's key comes from (keyring, env, file), or None without a token."""
        if not self.token_path.exists():
            return None
        head, sep, _ = self.token_path.read_bytes().partition(b":")
        return head.decode() if sep and head in (b"keyring", b"env", b"file") else "file"

    def load(self) -> dict[str, Any] | None:
        """The stored token, or None when there is none; ConfigError (exit 3) when it cannot be decrypted."""
        if not self.token_path.exists():
            return None
        from cryptography.fernet import Fernet, InvalidToken

        source = self.key_source()
        blob = self.token_path.read_bytes()
        blob = blob.split(b":", 1)[1] if blob.startswith(source.encode() + b":") else blob
        try:
            token = json.loads(Fernet(self._key(source)[1]).decrypt(blob))
        except (InvalidToken, ValueError):
            raise ConfigError(f"{self.token_path}: the stored Gmail token cannot be decrypted (its key, from "
                              f"{source}, changed or the file is damaged)", hint="run `tap gmail logout`, then "
                              "`tap gmail auth` to authorise again") from None
        redact.register(*(v for k, v in token.items() if k in ("token", "refresh_token", "id_token")
                          and isinstance(v, str)))  # never printed or stored from here on
        return token

    def delete(self) -> bool:
        """Remove the stored token; True when there was one."""
        if self.token_path.exists():
            self.token_path.unlink()
            return True
        return False


class GmailClient:
    """The Gmail API of the authorised mailbox: profile, messages, history, send."""

    def __init__(self, credentials: Any, api_endpoint: str | None = None, caller: Caller | None = None,
                 account: str | None = None):
        from googleapiclient.discovery import build as build_service

        self.account = account  # the mailbox address learnt at authorisation (saves a getProfile per send run)
        options = {"api_endpoint": api_endpoint} if api_endpoint else None
        self.service = build_service("gmail", "v1", credentials=credentials, static_discovery=True,
                                     cache_discovery=False, client_options=options)
        self.caller = caller or Caller(INTEGRATION, classify)

    def _run(self, operation: str, request: Any, caller: Caller | None = None) -> Any:
        """One API call through the Caller; a revoked or expired refresh token says how to re-authorise."""
        try:
            return (caller or self.caller).call(operation, request.execute, num_retries=0)
        except ConfigError as exc:
            if "invalid_grant" in exc.message or "refused the credentials" in exc.message:
                raise ConfigError("Gmail refused the stored authorisation (revoked or expired; an OAuth app left "
                                  "in Testing gets refresh tokens that die after 7 days)", hint="tap gmail auth",
                                  service="gmail", operation=operation) from None
            raise

    def profile(self) -> dict[str, Any]:
        """users.getProfile: the address, message count and current history id of the mailbox."""
        return self._run("get_profile", self.service.users().getProfile(userId="me"))

    def list_messages(self, query: str, page_token: str | None = None, max_results: int = 500) -> dict[str, Any]:
        """users.messages.list: one page of message ids matching a Gmail search."""
        return self._run("list_messages", self.service.users().messages().list(
            userId="me", q=query, pageToken=page_token, maxResults=max_results))

    def history(self, start_history_id: str, page_token: str | None = None) -> dict[str, Any]:
        """users.history.list: one page of added messages since a history id (HTTP 404 when it is too old)."""
        return self._run("list_history", self.service.users().history().list(
            userId="me", startHistoryId=start_history_id, historyTypes="messageAdded", pageToken=page_token,
            maxResults=500))

    def get_raw(self, message_id: str) -> dict[str, Any]:
        """users.messages.get in raw format: {id, threadId, labelIds, internalDate, raw (bytes)}."""
        data = self._run("get_message", self.service.users().messages().get(userId="me", id=message_id,
                                                                              format="raw"))
        data["raw"] = base64.urlsafe_b64decode(data.get("raw", "") + "=" * (-len(data.get("raw", "")) % 4))
        return data

    def send(self, raw: bytes, thread_id: str | None = None) -> dict[str, Any]:
        """users.messages.send: the RFC 5322 bytes, in a thread when given; returns {id, threadId}."""
        body: dict[str, Any] = {"raw": base64.urlsafe_b64encode(raw).decode()}
        if thread_id:
            body["threadId"] = thread_id
        # One attempt only: a 5xx may come after Gmail accepted the message, and a retry would send it twice.
        # The send ledger looks the Message-ID up in Sent on the next run instead.
        once = Caller(INTEGRATION, classify, max_attempts=1, limiter=self.caller.limiter)
        try:
            return self._run("send_message", self.service.users().messages().send(userId="me", body=body), once)
        finally:
            self.caller.calls += once.calls

    def find_sent(self, rfc822_id: str) -> dict[str, Any] | None:
        """The sent message carrying a Message-ID, or None (the look-up after a crash in doubt)."""
        page = self.list_messages(f"in:sent rfc822msgid:{rfc822_id.strip('<>')}", max_results=5)
        found = page.get("messages") or []
        return found[0] if found else None


def credentials_from(token: dict[str, Any], client_id: str | None = None, client_secret: str | None = None) -> Any:
    """google-auth Credentials built by hand (from_authorized_user_info resets token_uri to Google's)."""
    from google.oauth2.credentials import Credentials

    expiry = _expiry(token.get("expiry"))
    return Credentials(token=token.get("token"), refresh_token=token.get("refresh_token"),
                       token_uri=token.get("token_uri") or TOKEN_URI,
                       client_id=token.get("client_id") or client_id,
                       client_secret=token.get("client_secret") or client_secret,
                       scopes=list(token.get("scopes") or SCOPES), expiry=expiry)


def _expiry(value: Any) -> Any:
    """google-auth wants a naive UTC datetime."""
    from datetime import datetime, timezone

    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


def token_store(settings: Settings) -> TokenStore:
    """The token store under TAP_HOME, reading TAP_SECRET_KEY from the environment or .env."""
    environ = {**settings.dotenv, **settings.environ}
    return TokenStore(settings.secrets_dir, environ)


def build(settings: Settings) -> GmailClient:
    """A client from the stored, encrypted token (and GOOGLE_CLIENT_ID/SECRET when the token lacks its client)."""
    token = token_store(settings).load()
    if token is None:
        raise ConfigError("Gmail is not authorised: no stored OAuth token",
                          hint="run `tap gmail auth` once (with GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET set), or "
                               "`tap gmail auth --import FILE` with an authorized-user JSON")
    if not (token.get("client_id") and token.get("client_secret")):
        settings.require("gmail")
    creds = credentials_from(token, settings.get("GOOGLE_CLIENT_ID"), settings.get("GOOGLE_CLIENT_SECRET"))
    return GmailClient(creds, settings.base_url("gmail"), account=token.get("account"))


def health(settings: Settings) -> str:
    """users.getProfile: cheap, authenticated, changes nothing."""
    profile = build(settings).profile()
    project = settings.get("GOOGLE_CLOUD_PROJECT")
    return f"mailbox {profile.get('emailAddress', '?')}" + (f" (Google Cloud project {project})" if project else "")


def read_authorized_user(text: str, source: str) -> dict[str, Any]:
    """An authorized-user JSON (client_id, client_secret, refresh_token[, token, token_uri, expiry]) checked."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InputError(f"{source}: not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"{source}: expected an authorized-user JSON object")
    missing = [k for k in ("client_id", "client_secret", "refresh_token") if not data.get(k)]
    if missing:
        raise InputError(f"{source}: an authorized-user file needs {', '.join(missing)}",
                         hint="it is the JSON google-auth writes (`Credentials.to_json()`), type authorized_user")
    keys = ("client_id", "client_secret", "refresh_token", "token", "token_uri", "expiry", "scopes", "account")
    return {k: data[k] for k in keys if data.get(k)}


def run_installed_flow(client_id: str, client_secret: str, scopes: list[str], port: int, open_browser: bool,
                       redirect_uri: str | None = None) -> dict[str, Any]:
    """google-auth-oauthlib's installed-app flow on a loopback redirect; returns the token as a dict."""
    from google.auth.exceptions import GoogleAuthError
    from google_auth_oauthlib.flow import InstalledAppFlow
    from oauthlib.oauth2.rfc6749.errors import OAuth2Error

    config = {"installed": {"client_id": client_id, "client_secret": client_secret, "auth_uri": AUTH_URI,
                            "token_uri": TOKEN_URI, "redirect_uris": [redirect_uri or "http://localhost"]}}
    flow = InstalledAppFlow.from_client_config(config, scopes=scopes)
    try:
        creds = flow.run_local_server(host="localhost", port=port, open_browser=open_browser, timeout_seconds=300,
                                      authorization_prompt_message="Open this URL to authorise tap: {url}",
                                      success_message="tap is authorised; you can close this window.")
    except (OAuth2Error, GoogleAuthError, OSError, ValueError) as exc:  # OSError: port taken, network, requests
        raise ConfigError(f"the Gmail authorisation did not complete: {exc.__class__.__name__}",
                          hint="run `tap gmail auth` again; with --no-browser open the printed URL yourself")
    return token_dict(creds)


def token_dict(creds: Any) -> dict[str, Any]:
    """The parts of a Credentials object worth keeping (encrypted)."""
    expiry = creds.expiry.isoformat() + "Z" if getattr(creds, "expiry", None) else None
    return {"token": creds.token, "refresh_token": creds.refresh_token, "token_uri": creds.token_uri,
            "client_id": creds.client_id, "client_secret": creds.client_secret,
            "scopes": list(creds.scopes or SCOPES), "expiry": expiry}


def revoke(token: dict[str, Any]) -> bool:
    """Ask the authorisation server to revoke the refresh token (its /revoke beside token_uri); True when it did."""
    import httpx

    uri = (token.get("token_uri") or TOKEN_URI).rsplit("/", 1)[0] + "/revoke"
    value = token.get("refresh_token") or token.get("token")
    if not value:
        return False
    try:
        response = httpx.post(uri, data={"token": value}, timeout=TIMEOUT)
    except httpx.HTTPError:
        return False
    return response.status_code == 200
