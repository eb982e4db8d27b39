"""Gmail through google-api-python-client, with OAuth tokens kept encrypted under TAP_HOME."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from totalaudio import integrations
from totalaudio.clients._base import Caller, Failure, status_is_retryable
from totalaudio.config import Settings
from totalaudio import redact
from totalaudio.errors import ConfigError

INTEGRATION = integrations.get("gmail")
SCOPES = ("https://www.googleapis.com/auth/gmail.readonly", "https://www.googleapis.com/auth/gmail.send")
TOKEN_URI = "https://oauth2.googleapis.com/token"


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


class TokenStore:
    """OAuth tokens encrypted with a key of their own; both files are readable by the user only."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.token_path = directory / "gmail-token.enc"
        self.key_path = directory / "secret.key"

    def _fernet(self):
        from cryptography.fernet import Fernet

        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not self.key_path.exists():
            fd = os.open(self.key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(Fernet.generate_key())
        return Fernet(self.key_path.read_bytes())

    def save(self, token: dict[str, Any]) -> None:
        """Encrypt and write a token (refresh token, client id ...), mode 0600."""
        data = self._fernet().encrypt(json.dumps(token).encode())
        fd = os.open(self.token_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)

    def load(self) -> dict[str, Any] | None:
        """The stored token, or None when there is none."""
        if not self.token_path.exists():
            return None
        from cryptography.fernet import InvalidToken

        try:
            token = json.loads(self._fernet().decrypt(self.token_path.read_bytes()))
        except InvalidToken:
            raise ConfigError(f"{self.token_path}: cannot be decrypted with {self.key_path}",
                              hint="delete both files and authorise Gmail again") from None
        redact.register(*(v for k, v in token.items() if k in ("token", "refresh_token", "id_token")
                          and isinstance(v, str)))  # never printed or stored from here on
        return token


class GmailClient:
    """The Gmail API of the authorised mailbox."""

    def __init__(self, credentials: Any, api_endpoint: str | None = None, caller: Caller | None = None):
        from googleapiclient.discovery import build as build_service

        options = {"api_endpoint": api_endpoint} if api_endpoint else None
        self.service = build_service("gmail", "v1", credentials=credentials, static_discovery=True,
                                     cache_discovery=False, client_options=options)
        self.caller = caller or Caller(INTEGRATION, classify)

    def profile(self) -> dict[str, Any]:
        """users.getProfile: the address and message count of the mailbox."""
        return self.caller.call("get_profile", self.service.users().getProfile(userId="me").execute)


def credentials_from(token: dict[str, Any], client_id: str, client_secret: str) -> Any:
    """google-auth Credentials built by hand (from_authorized_user_info resets token_uri)."""
    from google.oauth2.credentials import Credentials

    return Credentials(token=token.get("token"), refresh_token=token.get("refresh_token"),
                       token_uri=token.get("token_uri", TOKEN_URI), client_id=client_id,
                       client_secret=client_secret, scopes=list(token.get("scopes", SCOPES)))


def build(settings: Settings) -> GmailClient:
    """A client from GOOGLE_CLIENT_ID/SECRET and the stored, encrypted token."""
    env = settings.require("gmail")
    token = TokenStore(settings.secrets_dir).load()
    if token is None:
        raise ConfigError("Gmail is configured but not authorised: no stored OAuth token",
                          hint=f"authorise once with the OAuth flow; the token is kept in {settings.secrets_dir}")
    creds = credentials_from(token, env["GOOGLE_CLIENT_ID"], env["GOOGLE_CLIENT_SECRET"])
    return GmailClient(creds, settings.base_url("gmail"))


def health(settings: Settings) -> str:
    """users.getProfile: cheap, authenticated, changes nothing."""
    profile = build(settings).profile()
    return f"mailbox {profile.get('emailAddress', '?')}"
