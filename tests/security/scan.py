"""The error-path secret scan: every command that calls a service, run against the echo server with every
secret set to a distinctive value, and every place tap writes searched for those secrets in any encoding.

Adding a command's error path is one line in COMMANDS: ``Case(args, needs)``, where ``needs`` names the
setups in SETUPS it relies on (contacts in the store, a stored Gmail token, a dead letter); ``{echo}`` in an
argument becomes the echo server's URL and ``{release}`` a release description file.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import quote, quote_plus

# Two sets: one in each service's real token shape, one shapeless (only the literal redaction can catch it).
SHAPED = {
    "AIRTABLE_API_KEY": "patSCANshaped0001.0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "MAILCHIMP_API_KEY": "0123456789abcdef0123456789abcdef-us21",
    "ANTHROPIC_API_KEY": "sk-ant-api03-SCANshapedAnthropicKey0123456789abcdefXYZ",
    "PERPLEXITY_API_KEY": "pplx-SCANshapedPerplexityKey0123456789abcdef",
    "STRIPE_SECRET_KEY": "sk_test_SCANshapedStripeKey0123456789abcdef",
    "STRIPE_WEBHOOK_SECRET": "whsec_SCANshapedWebhookSecret0123456789",
    "GOOGLE_CLIENT_SECRET": "GOCSPX-SCANshapedGoogleSecret0123",
    "MAKE_API_KEY": "SCANmakeApiKey0123456789abcdefghij",
}
PLAIN = {
    "AIRTABLE_API_KEY": "yWlOujOaRuit61lkOKVumxBm",
    "MAILCHIMP_API_KEY": "WFQUgthx8AtRrYnyqLOO6xxk-us21",
    "ANTHROPIC_API_KEY": "6PeBSf87HZp0PoLnds3A7t2p",
    "PERPLEXITY_API_KEY": "dO4CDjysCN7HCyWAFuZ6EcSk",
    "STRIPE_SECRET_KEY": "737b56tsktJnqP7aGlGwCR1C",
    "STRIPE_WEBHOOK_SECRET": "aWXmfLbEHCewCk7E1rRZnEOz",
    "GOOGLE_CLIENT_SECRET": "495399cbfptzan0JxpFQxK2z",
    "MAKE_API_KEY": "d4yye57ALcwtfzjCc1xQSjxB",
}
GMAIL_TOKEN = {"token": "ya29.SCANgmailAccessToken0123456789abcdef", "refresh_token": "1//SCANgmailRefreshToken0123456789"}
MAKE_HOOK_PATH = "ej64H0XyRDt0yJR7qiQbo6uY"
WINDOW = 14  # a run of this many characters of a secret (or its encoding) found anywhere is a leak


@dataclass(frozen=True)
class Case:
    """One command whose error path calls a service."""

    args: tuple[str, ...]
    needs: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return " ".join(a for a in self.args if not a.startswith("--json"))[:60]


COMMANDS = [
    Case(("status", "--json"), ("gmail",)),
    Case(("status",), ("gmail",)),
    Case(("mailchimp", "audiences", "--json")),
    Case(("mailchimp", "audiences")),
    Case(("mailchimp", "sync", "--list", "list1", "--json"), ("contacts",)),
    Case(("mailchimp", "campaign", "create", "--list", "list1", "--subject", "Hi", "--template-id", "1", "--json"),
         ("contacts",)),
    Case(("mailchimp", "campaign", "list", "--json")),
    Case(("mailchimp", "campaign", "test", "cmp1", "--emails", "a@b.example", "--json")),
    Case(("mailchimp", "campaign", "report", "cmp1", "--json")),
    Case(("airtable", "schema", "--json")),
    Case(("airtable", "sync", "--json"), ("contacts",)),
    Case(("airtable", "sync"), ("contacts",)),
    Case(("airtable", "enrich", "--url", "{echo}/station", "--ai", "--json")),
    Case(("airtable", "enrich", "--url", "{echo}/station", "--ai")),
    Case(("queue", "retry", "--all", "--json"), ("dead_letter",)),
    Case(("queue", "retry", "--all", "--json"), ("outbox",)),
    Case(("billing", "setup", "--json")),
    Case(("billing", "setup")),
    Case(("billing", "customers", "add", "Ann Artist", "--email", "ann@artist.example", "--json")),
    Case(("billing", "sync", "--json")),
    Case(("billing", "status", "--refresh", "--json")),
    Case(("claude", "pitch", "--contact", "dj@station.example", "--release", "{release}", "-o", "{release}.d", "--json"),
         ("contacts",)),
    Case(("claude", "social", "--release", "{release}", "--json")),
    Case(("research", "industry", "college radio in 2026", "--json")),
    Case(("research", "contact", "dj@station.example", "--json"), ("contacts",)),
    Case(("research", "contact", "dj@station.example"), ("contacts",)),
    Case(("gmail", "watch", "--once", "--json"), ("gmail",)),
    Case(("gmail", "watch", "--once"), ("gmail",)),
    Case(("gmail", "send", "--template", "{release}", "--subject", "Hi", "--to", "dj@station.example", "--yes",
          "--json"), ("contacts", "gmail")),
    Case(("notify", "test", "--json")),
    Case(("notify", "test")),
]


class FakeTime:
    """Stands in for the clients' clock (``clients._base.time``): waits (backoff, 429 cool-downs) pass at once."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 1e-6)


def environment(echo_url: str, secrets: dict[str, str]) -> dict[str, str]:
    """Every secret set, every base URL pointed at the echo server."""
    from totalaudio import integrations

    env = dict(secrets)
    env.update({i.base_url_env: echo_url for i in integrations.REGISTRY if i.base_url_env})
    env.update({"AIRTABLE_BASE_ID": "appSCANbase000001", "GOOGLE_CLIENT_ID": "scan-client.apps.example",
                "MAKE_WEBHOOK_URL": f"{echo_url}/hook/{MAKE_HOOK_PATH}", "TAP_ENRICH_ALLOW_PRIVATE": "1"})
    return env


def _contacts(home: Path) -> None:
    from totalaudio.services.contacts.service import import_contacts
    from totalaudio.store.db import open_db

    csv = home.parent / "seed.csv"
    csv.write_text("Email,First Name,Station,Status,Website\ndj@station.example,Ann,Echo FM,Opted-In,"
                   "https://station.example\n")
    import_contacts(open_db(home / "tap.db"), csv)


def _gmail_token(home: Path) -> None:
    from totalaudio.clients.gmail import TokenStore

    TokenStore(home / "secrets").save(GMAIL_TOKEN)


def _dead_letter(home: Path) -> None:
    from totalaudio.store.db import open_db
    from totalaudio.store.deadletters import DeadLetterStore

    DeadLetterStore(open_db(home / "tap.db")).add("make", "trigger", {"message": "earlier failure"},
                                                  {"event": "campaign.sent", "data": {"id": "c1"}})


def _outbox(home: Path) -> None:
    """A notification a stopped webhook server left undelivered."""
    from totalaudio.services.notify.messages import new_message
    from totalaudio.store.db import open_db
    from totalaudio.store.outbox import Outbox

    db = open_db(home / "tap.db")
    with db.conn:
        Outbox(db).add(new_message("payment.failed", {"invoice": "in_scan"}), "stripe")


SETUPS: dict[str, Callable[[Path], None]] = {"contacts": _contacts, "gmail": _gmail_token,
                                             "dead_letter": _dead_letter, "outbox": _outbox}


def forms(secret: str) -> set[str]:
    """The encodings a secret could leak in, written independently of totalaudio.redact."""
    out = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}
    for user in ("anystring", "user", "", "apikey"):
        out.add(base64.b64encode(f"{user}:{secret}".encode()).decode().rstrip("="))
    out.add(base64.b64encode(f"{secret}:".encode()).decode().rstrip("="))
    return out


def needles(secrets: dict[str, str]) -> dict[str, str]:
    """Every WINDOW-long run of every form of every secret -> the name of the secret it belongs to."""
    values = {**secrets, "GMAIL_ACCESS_TOKEN": GMAIL_TOKEN["token"], "GMAIL_REFRESH_TOKEN": GMAIL_TOKEN["refresh_token"],
              "MAKE_WEBHOOK_URL": MAKE_HOOK_PATH}
    found: dict[str, str] = {}
    for name, value in values.items():
        plain = {value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1]}
        for form in forms(value):
            # base64 of "user:" + secret starts with the user part's encoding, shared by every secret: skip it
            start = 0 if form in plain else 16
            for i in range(start, max(start, len(form) - WINDOW) + 1):
                found.setdefault(form[i:i + WINDOW], name)
    return found


def leaks(text: str, table: dict[str, str]) -> list[str]:
    """Names of the secrets some part of which appears in ``text``."""
    return sorted({name for needle, name in table.items() if needle in text})


def stored_text(home: Path) -> str:
    """Everything under TAP_HOME as text: every row of every table of the store, and every file's bytes."""
    parts = []
    db = home / "tap.db"
    if db.exists():
        conn = sqlite3.connect(db)
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            parts += [repr(row) for row in conn.execute(f"SELECT * FROM [{table}]")]
        conn.close()
    for path in home.rglob("*"):
        if path.is_file() and path.suffix not in (".enc", ".key"):
            parts.append(path.read_bytes().decode("latin-1"))
    return "\n".join(parts)
