"""One redaction for every text that leaves tap or is stored: configured secrets in each encoding they travel
in, and the token shapes of every service tap talks to.

The edges call it (errors, the CLI's output streams, the store's run log, journal, dead letters and model-call
log, cassettes, notifications), so code that raises a TapError or prints never has to. ``redact(text)`` and
``redact_obj(obj)`` are there for anything else. The journal's record images are the user's own data, written
back by an undo: in them only the configured secrets are masked (``Redactor.known``), never token shapes.
"""

from __future__ import annotations

import base64
import json
import os
import re
import threading
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import quote, quote_plus, urlsplit

from totalaudio import integrations

MASK = "<redacted>"
MIN_SECRET = 6  # shorter values (a flag like "0") are not worth a search and would mask ordinary text
# Settings outside the registry that are secret too (kept here so the registry stays about services).
EXTRA_SECRET_ENV: tuple[str, ...] = ()
# Keys whose values are credentials wherever they appear: headers, JSON bodies, query strings, form fields.
SECRET_KEYS = ("authorization", "proxy-authorization", "x-api-key", "x-make-apikey", "api-key", "api_key",
               "apikey", "access_token", "refresh_token", "id_token", "client_secret", "password", "secret",
               "token", "cookie", "set-cookie", "stripe-signature", "webhook-signature", "x-goog-api-key")
KEY_TRIGGERS = ("auth", "key", "token", "secret", "pass", "cookie", "signature")  # one is in every SECRET_KEYS name
_KEY_ALT = "|".join(re.escape(k) for k in sorted(SECRET_KEYS, key=len, reverse=True))
# The shapes of each service's credentials (documented prefixes and lengths), each with a literal that any
# match contains: a pattern runs only on text holding its literal (a scan of every position costs 50x more).
SHAPES = [
    ("pat", r"\bpat[A-Za-z0-9]{8,}\.[A-Za-z0-9]{16,}"),  # Airtable personal access token
    ("key", r"\bkey(?=[A-Za-z0-9]{14}\b)(?=[A-Za-z0-9]*[0-9])(?=[A-Za-z0-9]*[A-Z])[A-Za-z0-9]{14}\b"),  # API key
    ("sk-ant-", r"\bsk-ant-[A-Za-z0-9_\-]{8,}"),  # Anthropic
    ("_live_", r"\b(?:sk|rk)_live_[A-Za-z0-9]{8,}"),  # Stripe secret and restricted keys
    ("_test_", r"\b(?:sk|rk)_test_[A-Za-z0-9]{8,}"),
    ("whsec_", r"\bwhsec_[A-Za-z0-9+/=]{8,}"),  # Stripe webhook signing secret
    ("ya29.", r"\bya29\.[A-Za-z0-9_\-.]{8,}"),  # Google OAuth access token
    ("1//", r"(?<![A-Za-z0-9])1//[A-Za-z0-9_\-]{16,}"),  # Google OAuth refresh token
    ("GOCSPX-", r"\bGOCSPX-[A-Za-z0-9_\-]{8,}"),  # Google OAuth client secret
    ("pplx-", r"\bpplx-[A-Za-z0-9]{8,}"),  # Perplexity
    ("-us", r"\b[0-9a-f]{32}-us[0-9]{1,2}\b"),  # Mailchimp API key
    (".make.com/", r"\bhook\.[a-z0-9]+\.make\.com/[A-Za-z0-9_\-]{8,}"),  # Make.com webhook (the URL is the secret)
    ("eyJ", r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"),  # JWTs (id tokens)
]
SHAPE_RES = [(literal, re.compile(pattern)) for literal, pattern in SHAPES]
SHAPE_RE = re.compile("|".join(pattern for _, pattern in SHAPES))  # all shapes at once, for checks
# `Bearer x`, `Basic x`, `key: value` / `key=value` (headers, query strings, forms), `"key": "value"` (JSON, also
# JSON inside a JSON string), and the password of a URL's userinfo. A bare JSON value (true, 12) is left alone,
# so redacted JSON stays JSON.
_VALUE = r"((?:bearer|basic)\s+)?(?!" + re.escape(MASK) + r")(?!(?:bearer|basic)\s)[^\s\"'&,;}\\<]{4,}"
CONTEXTS = [  # (lower-case literals of which one must occur, pattern, replacement)
    (("bearer", "basic"),
     re.compile(r"(?i)\b(bearer|basic)(\s+)(?=[A-Za-z0-9._~+/=\-]*[0-9+/=])[A-Za-z0-9._~+/=\-]{8,}"),
     r"\1\2" + MASK),
    (KEY_TRIGGERS, re.compile(rf"(?i)(?<![A-Za-z0-9_\-\"'])({_KEY_ALT})(\s*[:=]\s*)(?![\"'\\])" + _VALUE),
     r"\1\2\3" + MASK),
    (KEY_TRIGGERS, re.compile(rf"(?i)(\\?[\"'])({_KEY_ALT})(\\?[\"']\s*:\s*\\?[\"'])" + _VALUE),
     r"\1\2\3\4" + MASK),
    (("://",), re.compile(r"(://[^/\s:@]*:)[^/\s@]{3,}@"), r"\1" + MASK + "@"),
]
B64_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-=")


def secret_names() -> tuple[str, ...]:
    """Every setting that holds a secret (the registry's secrets and EXTRA_SECRET_ENV)."""
    return _REGISTRY_SECRETS + EXTRA_SECRET_ENV


_REGISTRY_SECRETS = tuple(v for i in integrations.REGISTRY for v in i.secrets)


def plain_forms(secret: str) -> set[str]:
    """The textual forms a secret travels in: as is, URL-encoded, JSON-escaped."""
    forms = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1],
             json.dumps(secret, ensure_ascii=False)[1:-1], secret.replace("/", "\\/")}
    if "://" in secret:  # a secret URL (Make's webhook) travels as its path too: in request lines and logs
        path = urlsplit(secret).path.strip("/")
        forms |= {path, path.rsplit("/", 1)[-1]} if len(path.rsplit("/", 1)[-1]) >= 12 else {path}
    return {f for f in forms if len(f) >= MIN_SECRET}


def base64_cores(secret: str) -> set[str]:
    """The base64 text of the secret inside any ``user:secret`` (Basic auth), whatever the user part: one core
    per byte alignment, standard and URL-safe alphabets."""
    cores: set[str] = set()
    raw = secret.encode("utf-8")
    for pad in range(3):
        enc = base64.b64encode(b"\0" * pad + raw).decode()
        # Keep the characters of the 3-byte groups made of the secret's bytes alone: not the first group when
        # it mixes with a prefix, nor the last when it mixes with whatever follows.
        core = enc[4 if pad else 0:((pad + len(raw)) // 3) * 4]
        if len(core) >= 8:
            cores |= {core, core.replace("+", "-").replace("/", "_")}
    return cores


def encodings(secret: str) -> set[str]:
    """Every form of a secret that redaction masks (plain forms and base64 cores)."""
    return plain_forms(secret) | base64_cores(secret)


class Redactor:
    """Masks a set of known secret values (all their encodings) and every token shape."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = frozenset(s for s in secrets if s and len(s) >= MIN_SECRET)
        self.plain = _alternation({f for s in self.secrets for f in plain_forms(s)})
        self.b64 = _alternation({f for s in self.secrets for f in base64_cores(s)})

    @staticmethod
    def _widened(pattern: re.Pattern, text: str) -> str:
        # A base64 match is widened to the whole run of base64 around it: the rest of a header value or token.
        spans: list[list[int]] = []
        for match in pattern.finditer(text):
            start, end = match.span()
            while start > 0 and text[start - 1] in B64_CHARS:
                start -= 1
            while end < len(text) and text[end] in B64_CHARS:
                end += 1
            if spans and start <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], end)
            else:
                spans.append([start, end])
        for start, end in reversed(spans):
            text = text[:start] + MASK + text[end:]
        return text

    def known(self, text: str) -> str:
        """``text`` with the known secrets masked (every encoding), but not token shapes or credential contexts:
        for the user's own records, where a random-looking note or a "password: ..." line is data."""
        if not text:
            return text
        if self.plain is not None:
            text = self.plain.sub(MASK, text)
        if self.b64 is not None:
            text = self._widened(self.b64, text)
        return text

    def __call__(self, text: str) -> str:
        """``text`` with every known secret and token shape masked."""
        if not text:
            return text
        text = self.known(text)
        for literal, pattern in SHAPE_RES:
            if literal in text:
                text = pattern.sub(MASK, text)
        lower = text.lower()
        for literals, pattern, replacement in CONTEXTS:
            for word in literals:
                if word in lower:
                    text = pattern.sub(replacement, text)
                    break
        return text


def _alternation(forms: set[str]) -> re.Pattern | None:
    ordered = sorted(forms, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, ordered))) if ordered else None


_LOCK = threading.Lock()
_REGISTERED: set[str] = set()
_CACHE: dict[str, Any] = {"key": None, "redactor": Redactor()}


def register(*values: str | None) -> None:
    """Make values secret for the rest of the process (a token read from a file, a key given by flag)."""
    with _LOCK:
        _REGISTERED.update(v for v in values if v and len(v) >= MIN_SECRET)


_DOTENV: dict[Any, dict[str, str]] = {}


def _dotenv_secrets(names: tuple[str, ...]) -> dict[str, str]:
    try:
        path = os.path.join(os.getcwd(), ".env")
        info = os.stat(path)
    except OSError:
        return {}
    key = (path, info.st_mtime_ns, info.st_size, names)
    if key not in _DOTENV:
        try:
            from dotenv import dotenv_values

            values = dotenv_values(Path(path))
        except (OSError, ValueError, UnicodeDecodeError):
            values = {}
        _DOTENV.clear()
        _DOTENV[key] = {k: v for k, v in values.items() if k in names and v}
    return _DOTENV[key]


def configured() -> set[str]:
    """The secret values configured now: environment, ./.env and registered ones."""
    names = secret_names()
    found = {os.environ[n] for n in names if os.environ.get(n)}
    found |= set(_dotenv_secrets(names).values())
    return found | _REGISTERED


def current() -> Redactor:
    """The redactor for the secrets configured now (rebuilt only when they change)."""
    names = secret_names()
    try:
        dotenv = os.stat(".env").st_mtime_ns
    except OSError:
        dotenv = None
    key = (tuple(os.environ.get(n) for n in names), os.getcwd(), dotenv, len(_REGISTERED))
    if _CACHE["key"] != key:
        redactor = Redactor(configured())
        with _LOCK:
            _CACHE["key"], _CACHE["redactor"] = key, redactor
    return _CACHE["redactor"]


def registered_count() -> int:
    """How many values were registered (a cheap check that a held redactor is still complete)."""
    return len(_REGISTERED)


def redact(text: str) -> str:
    """``text`` with every configured secret (in any encoding) and every service token shape masked."""
    if not isinstance(text, str) or not text:
        return text
    return current()(text)


def redact_obj(obj: Any) -> Any:
    """A copy of a JSON-like value with every string redacted and the values of credential keys masked."""
    redactor = current()
    return _walk(obj, redactor, 0)


def _walk(obj: Any, redactor: Redactor, depth: int) -> Any:
    if isinstance(obj, str):
        return redactor(obj)
    if depth > 200:  # deeper than any payload tap builds: flatten rather than recurse further
        return redactor(repr(obj)[:10_000])
    if isinstance(obj, dict):
        return {k: (MASK if isinstance(k, str) and k.lower() in SECRET_KEYS and v else _walk(v, redactor, depth + 1))
                for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_walk(v, redactor, depth + 1) for v in obj) if isinstance(obj, list) else \
            tuple(_walk(v, redactor, depth + 1) for v in obj)
    return obj
