"""Connecting a Gmail account: the installed-app flow, importing an authorized-user file, status and logout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from totalaudio.clients import gmail as gmail_client
from totalaudio.config import Settings
from totalaudio.errors import ConfigError


@dataclass(frozen=True)
class AuthStatus:
    """The stored authorisation, without secrets."""

    authorised: bool
    account: str | None
    scopes: tuple[str, ...]
    expiry: str | None
    expired: bool | None
    has_refresh_token: bool
    key_source: str | None
    token_host: str | None
    project: str | None
    # Renewing the access token needs the refresh token and an OAuth client: the stored token's own, or else
    # GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET (the rule of clients.gmail.build).
    refresh_with: str | None = None  # "storedToken" or "environment"; None when it cannot be refreshed
    refresh_needs: tuple[str, ...] = ()  # what renewing it lacks: variable names, or "refresh token"


def scopes(labelling: bool) -> list[str]:
    """Reading and sending; modify only when labelling is turned on."""
    return list(gmail_client.SCOPES) + ([gmail_client.MODIFY_SCOPE] if labelling else [])


def _finish(settings: Settings, token: dict[str, Any]) -> AuthStatus:
    """Learn the account with users.getProfile (this also proves the token works), then store it encrypted."""
    creds = gmail_client.credentials_from(token)
    profile = gmail_client.GmailClient(creds, settings.base_url("gmail")).profile()
    token = {**token, **gmail_client.token_dict(creds), "account": profile.get("emailAddress")}
    gmail_client.token_store(settings).save(token)
    return status(settings)


def authorise(settings: Settings, *, port: int, open_browser: bool, labelling: bool = False) -> AuthStatus:
    """The browser flow with a loopback redirect (GOOGLE_CLIENT_ID/SECRET, GOOGLE_REDIRECT_URI when set)."""
    env = settings.require("gmail")
    token = gmail_client.run_installed_flow(env["GOOGLE_CLIENT_ID"], env["GOOGLE_CLIENT_SECRET"], scopes(labelling),
                                            port, open_browser, env.get("GOOGLE_REDIRECT_URI"))
    return _finish(settings, token)


def import_file(settings: Settings, text: str, source: str) -> AuthStatus:
    """Store an authorized-user JSON (refresh uses its own token_uri) after checking it against Gmail."""
    return _finish(settings, gmail_client.read_authorized_user(text, source))


def status(settings: Settings) -> AuthStatus:
    """What is stored: account, scopes, expiry, where the key lives; never a token."""
    store = gmail_client.token_store(settings)
    token = store.load()
    project = settings.get("GOOGLE_CLOUD_PROJECT")
    if not token:
        return AuthStatus(False, None, (), None, None, False, None, None, project)
    expiry = token.get("expiry")
    expired = None
    if expiry:
        moment = datetime.fromisoformat(str(expiry).replace("Z", "+00:00"))
        expired = (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)) < datetime.now(timezone.utc)
    host = (token.get("token_uri") or gmail_client.TOKEN_URI).split("/")[2]
    return AuthStatus(True, token.get("account"), tuple(token.get("scopes") or gmail_client.SCOPES), expiry, expired,
                      bool(token.get("refresh_token")), store.key_source(), host, project, *_refresh(settings, token))


def _refresh(settings: Settings, token: dict[str, Any]) -> tuple[str | None, tuple[str, ...]]:
    """(where the OAuth client for a refresh comes from, what is missing for one)."""
    needs = () if token.get("client_id") and token.get("client_secret") else settings.missing("gmail")
    needs = (() if token.get("refresh_token") else ("refresh token",)) + needs
    if needs:
        return None, needs
    return ("storedToken" if token.get("client_id") and token.get("client_secret") else "environment"), ()


def summary(auth: AuthStatus) -> str:
    """One line on the stored authorisation: account, expiry, and whether (or why not) it can be renewed."""
    when = f"token {'expired at' if auth.expired else 'valid until'} {auth.expiry}" if auth.expiry else "expiry unknown"
    if auth.refresh_with:
        how = {"storedToken": "the stored token's OAuth client", "environment": "GOOGLE_CLIENT_ID/SECRET"}
        return f"{auth.account or 'account unknown'}: {when}, refreshed with {how[auth.refresh_with]}"
    return f"{auth.account or 'account unknown'}: {when}; {cannot_refresh(auth)}"


def cannot_refresh(auth: AuthStatus) -> str:
    """Why the stored token cannot be renewed, naming exactly what is missing."""
    reasons = ["it has no refresh token"] if "refresh token" in auth.refresh_needs else []
    variables = [n for n in auth.refresh_needs if n != "refresh token"]
    if variables:
        reasons.append(f"it carries no OAuth client and {' and '.join(variables)} "
                       f"{'is' if len(variables) == 1 else 'are'} not set")
    return "it cannot be refreshed: " + "; ".join(reasons)


def logout(settings: Settings) -> dict[str, Any]:
    """Revoke the stored token at Google (when it can be read) and delete it."""
    store = gmail_client.token_store(settings)
    try:
        token = store.load()
    except ConfigError:
        token = None  # undecryptable: nothing to revoke with, but it must still go
    revoked = gmail_client.revoke(token) if token else False
    deleted = store.delete()
    return {"revoked": revoked, "deleted": deleted, "account": (token or {}).get("account")}


def client(settings: Settings) -> Any:
    """The Gmail client of the stored authorisation."""
    return gmail_client.build(settings)
