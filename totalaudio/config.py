"""Settings resolved flags > environment > .env > tap.toml > defaults, and the paths under TAP_HOME."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from totalaudio import integrations
from totalaudio.errors import ConfigError

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


@dataclass(frozen=True)
class SettingSpec:
    """A setting: its environment name, its key in tap.toml (None: not allowed there), default, secrecy.

    ``guarded``: the setting redirects credentials or turns a safety check off, so it is read only from a flag,
    the environment or TAP_HOME's own tap.toml, never from a tap.toml or .env in the working directory."""

    env: str
    toml: str | None
    default: str | None = None
    secret: bool = False
    help: str = ""
    guarded: bool = False


@dataclass(frozen=True)
class Key:
    """One key of tap.toml: its type and default. Types: str, int, number, bool, list[str], table (any keys:
    a section read by its own code) and table[str] (a name -> text mapping)."""

    type: str
    default: Any = None
    help: str = ""


# The one schema of tap.toml, keyed by dotted key; checked on load (a wrong type is exit 3, an unknown key a
# warning, so a capability landing later never breaks an older tap). A module adds its keys with one entry here.
SCHEMA: dict[str, Key] = {
    "lock_timeout": Key("number", 30, "seconds a mutating run waits for another"),
    "airtable.base_id": Key("str"), "airtable.contacts_table": Key("str", "Contacts"),
    "airtable.campaigns_table": Key("str", "Campaigns"), "airtable.cooldown_after_429": Key("number", 30),
    "airtable.overlap_seconds": Key("number", 300), "airtable.full_every_hours": Key("number", 24),
    "airtable.contacts_fields": Key("table[str]"), "airtable.campaigns_fields": Key("table[str]"),
    "audit.required": Key("list[str]"), "audit.stale_days": Key("int", 365), "audit.typo_share": Key("int", 4),
    "audit.min_score": Key("number"), "audit.dns_timeout": Key("number", 4.0), "audit.dns_workers": Key("int", 16),
    "enrich.allow_private": Key("bool", False), "enrich.concurrency": Key("int", 16), "enrich.per_host": Key("int", 2),
    "enrich.delay": Key("number", 0.5), "enrich.connect_timeout": Key("number", 5.0),
    "enrich.read_timeout": Key("number", 10.0), "enrich.site_timeout": Key("number", 60.0),
    "enrich.page_budget": Key("int", 8), "enrich.fresh_days": Key("number", 7), "enrich.render": Key("str", "auto"),
    "mailchimp.server_prefix": Key("str"), "mailchimp.merge_fields": Key("table[str]"),
    "mailchimp.from_name": Key("str"), "mailchimp.reply_to": Key("str"),
    "claude.model": Key("str"), "perplexity.model": Key("str"),
    "gmail.client_id": Key("str"), "gmail.redirect_uri": Key("str"), "gmail.cloud_project": Key("str"),
    "billing.currency": Key("str", "gbp"), "billing.artist_monthly": Key("number", 25),
    "billing.artist_yearly": Key("number", 250), "billing.agency_monthly": Key("number", 99),
    "billing.agency_yearly": Key("number", 990), "billing.usage": Key("bool", False),
    "billing.meter_event_name": Key("str", "contacts_pitched"), "billing.usage_unit_amount": Key("number", 0.05),
    "billing.due_days": Key("int", 14), "billing.success_url": Key("str"), "billing.cancel_url": Key("str"),
    "billing.portal_return_url": Key("str"),
    "llm.monthly_cap": Key("number", None, "USD a calendar month; no limit when absent"),
    "llm.prices": Key("table", None, "per model: input, output (USD per million tokens), request"),
    "make.events": Key("list[str]", None, "notification types to send (default: all six)"),
    "webhooks.max_body": Key("int", 1048576), "webhooks.rate_limit": Key("int", 100), "webhooks.burst": Key("int", 200),
    "webhooks.client_rate_limit": Key("int", 20, "requests a second per source and client address"),
    "webhooks.client_burst": Key("int", 40), "webhooks.trusted_proxies": Key(
        "list[str]", None, "addresses or networks whose X-Forwarded-For is believed with --behind-proxy (loopback)"),
    "campaign.enrich_days": Key("number", 30), "campaign.template_id": Key("int"),
    "gmail.daily_cap": Key("int", 400), "gmail.per_second": Key("number", 1.0), "gmail.sender_name": Key("str"),
    "gmail.unsubscribe_url": Key("str"), "gmail.lookback_days": Key("number", 30), "gmail.labelling": Key("bool", False),
    "mailchimp.list_id": Key("str"),
}


@dataclass(frozen=True)
class Resolved:
    """A setting's effective value and where it came from (flag, env, .env, tap.toml, default)."""

    spec: SettingSpec
    value: str | None
    source: str

    def shown(self) -> str | None:
        """The value as it may be printed: secrets masked to their last four characters."""
        if self.value is None or not self.spec.secret:
            return self.value
        return "****" + self.value[-4:] if len(self.value) >= 12 else "****"


def _general_specs() -> list[SettingSpec]:
    return [
        SettingSpec("TAP_HOME", None, None, help="data directory (database, tokens, logs)", guarded=True),
        SettingSpec("TAP_CONFIG", None, None, help="path of tap.toml (default: ./tap.toml, then TAP_HOME/tap.toml)",
                    guarded=True),
        SettingSpec("TAP_LOCK_TIMEOUT", "lock_timeout", "30", help="seconds a mutating run waits for another"),
        SettingSpec("TAP_ENRICH_ALLOW_PRIVATE", "enrich.allow_private", "0",
                    help="let the crawler fetch private/loopback addresses (local testing only)", guarded=True),
        SettingSpec("TAP_CHROMIUM", None, None,
                    help="path of headless Chromium (enrich --render, report --pdf); default: chromium on PATH"),
        SettingSpec("TAP_SECRET_KEY", None, None, secret=True,
                    help="key that encrypts stored OAuth tokens when the OS keyring is unusable (else a key file)"),
        SettingSpec("TAP_MAILCHIMP_WEBHOOK_SECRET", None, None, secret=True,
                    help="the secret path part of the Mailchimp webhook URL (/mailchimp/<secret>)"),
        SettingSpec("TAP_MAKE_TRIGGER_SECRET", None, None, secret=True,
                    help="Standard Webhooks secret (whsec_...) Make.com scenarios sign POST /make triggers with"),
    ]


def _integration_specs() -> list[SettingSpec]:
    specs: list[SettingSpec] = []
    for integ in integrations.REGISTRY:
        for var in integ.required + integ.optional:
            secret = var in integ.secrets
            key = None if secret else f"{integ.name}.{var.split('_', 1)[1].lower()}"
            specs.append(SettingSpec(var, key, None, secret, help=f"{integ.title}"))
        if integ.base_url_env:
            specs.append(SettingSpec(integ.base_url_env, f"{integ.name}.base_url", integ.default_base_url,
                                     help=f"{integ.title} endpoint (proxy, sandbox, stand-in)", guarded=True))
    return specs


SPECS: dict[str, SettingSpec] = {s.env: s for s in _general_specs() + _integration_specs()}
for _spec in SPECS.values():
    if _spec.toml and _spec.toml not in SCHEMA:  # base URLs: one per integration
        SCHEMA[_spec.toml] = Key("str", _spec.default, _spec.help)


def default_home() -> Path:
    """The platform's user data directory for tap."""
    import platformdirs

    return Path(platformdirs.user_data_dir("tap", appauthor=False))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: malformed TOML: {exc}", hint="fix the file or move it away") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    try:
        float(value)
        return isinstance(value, str)
    except (TypeError, ValueError):
        return False


def _is_int(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, str)
                                                                         and value.strip().lstrip("-").isdigit())


TYPES: dict[str, tuple[Any, str, str]] = {  # type -> (check, what it must be, an example)
    "str": (lambda v: isinstance(v, str), "text", '"value"'),
    "int": (_is_int, "a whole number", "4"),
    "number": (_is_number, "a number", "2.5"),
    "bool": (lambda v: isinstance(v, bool) or str(v).strip().lower() in TRUE_WORDS | FALSE_WORDS, "true or false",
             "true"),
    "list[str]": (lambda v: isinstance(v, list) and all(isinstance(i, str) for i in v), "a list of text",
                  '["email", "station"]'),
    "table": (lambda v: isinstance(v, dict), "a table", "[section]"),
    "table[str]": (lambda v: isinstance(v, dict) and all(isinstance(i, str) for i in v.values()),
                   "a table of text values", 'name = "Field"'),
}


def validate_toml(data: Mapping[str, Any], path: Path) -> list[str]:
    """Check tap.toml against SCHEMA: a wrong type is a ConfigError naming the key and the expected type;
    unknown keys come back as warnings."""
    warnings: list[str] = []
    _validate(data, "", path, warnings)
    return warnings


def _validate(node: Mapping[str, Any], prefix: str, path: Path, warnings: list[str]) -> None:
    for name, value in node.items():
        dotted = f"{prefix}{name}"
        key = SCHEMA.get(dotted)
        if key is not None:
            check, what, example = TYPES[key.type]
            if not check(value):
                raise ConfigError(f"{path}: {dotted} = {value!r} is not {what}",
                                  hint=f"write it as {dotted.rsplit('.', 1)[-1]} = {example}")
        elif isinstance(value, dict) and any(k.startswith(dotted + ".") for k in SCHEMA):
            _validate(value, dotted + ".", path, warnings)
        else:
            warnings.append(f"{path}: unknown setting {dotted} (ignored; a typo, or a newer tap's setting?)")


def _layer(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """``top`` over ``base``, tables merged key by key."""
    out = dict(base)
    for key, value in top.items():
        out[key] = _layer(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _dig(data: Mapping[str, Any], dotted: str) -> Any:
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


class Settings:
    """The effective configuration of one tap invocation."""

    def __init__(self, flags: Mapping[str, str | None] | None = None, environ: Mapping[str, str] | None = None,
                 cwd: Path | None = None) -> None:
        self.flags = {k: v for k, v in (flags or {}).items() if v is not None}
        self.environ = dict(os.environ if environ is None else environ)
        self.cwd = Path.cwd() if cwd is None else cwd
        self.dotenv = self._load_dotenv()
        self._refuse_guarded(".env", {k for k in self.dotenv if k in SPECS and SPECS[k].guarded}, self.cwd / ".env")
        self.warnings: list[str] = []
        self.toml: dict[str, Any] = {}
        self.toml_path: Path | None = None
        for path, trusted in self._toml_files():
            self._load_toml(path, trusted)
        self._resolved = {env: self._resolve(spec) for env, spec in SPECS.items()}

    def _load_toml(self, path: Path, trusted: bool) -> None:
        """Read, check and layer one tap.toml over those read before it (the working directory's wins)."""
        data = _read_toml(path)
        self.warnings += validate_toml(data, path)
        if not trusted:
            found = {s.env for s in SPECS.values() if s.guarded and s.toml and _dig(data, s.toml) is not None}
            self._refuse_guarded("tap.toml", found, path)
        self.toml = _layer(self.toml, data)
        self.toml_path = path

    def _refuse_guarded(self, kind: str, names: set[str], path: Path) -> None:
        if not names:
            return
        shown = sorted(f"{n} ({SPECS[n].toml})" if kind == "tap.toml" and SPECS[n].toml else n for n in names)
        raise ConfigError(
            f"{path}: refused {', '.join(shown)}: a {kind} in the working directory may not redirect credentials "
            "or turn a safety check off (a cloned repository or shared folder could set it)",
            hint=f"set it in the environment, in {self.home / 'tap.toml'}, or by a flag")

    def _load_dotenv(self) -> dict[str, str]:
        path = self.cwd / ".env"
        if not path.is_file():
            return {}
        from dotenv import dotenv_values

        return {k: v for k, v in dotenv_values(path).items() if v is not None}

    def _early(self, env: str) -> str | None:
        return self.flags.get(env) or self.environ.get(env) or self.dotenv.get(env)

    def _toml_files(self) -> list[tuple[Path, bool]]:
        """(path, trusted) of the tap.toml files to read: the one named by TAP_CONFIG/--config alone, else
        TAP_HOME's (trusted) and then the working directory's (not trusted with guarded settings)."""
        explicit = self._early("TAP_CONFIG")
        if explicit:
            path = Path(explicit).expanduser()
            if not path.is_file():
                raise ConfigError(f"{path}: config file not found (from TAP_CONFIG or --config)")
            return [(path, True)]
        home, cwd = self.home / "tap.toml", self.cwd / "tap.toml"
        files = [(home, True)] if home.is_file() else []
        if cwd.is_file() and not (home.is_file() and cwd.resolve() == home.resolve()):
            files.append((cwd, False))
        return files

    def _resolve(self, spec: SettingSpec) -> Resolved:
        for source, table in (("flag", self.flags), ("env", self.environ), (".env", self.dotenv)):
            if table.get(spec.env):
                return Resolved(spec, table[spec.env], source)
        if spec.toml and (value := _dig(self.toml, spec.toml)) is not None:
            return Resolved(spec, str(value), "tap.toml")
        return Resolved(spec, spec.default, "default")

    def get(self, env: str) -> str | None:
        """The value of a registered setting, by its environment variable name."""
        return self._resolved[env].value

    def resolved(self) -> list[Resolved]:
        """Every registered setting with its value and source, in registry order."""
        return list(self._resolved.values())

    def get_bool(self, env: str) -> bool:
        """A setting read as a boolean (1/true/yes/on); anything else is a ConfigError."""
        raw = (self.get(env) or "").strip().lower()
        if raw in TRUE_WORDS or raw in FALSE_WORDS:
            return raw in TRUE_WORDS
        raise ConfigError(f"{env}={raw!r} is not a boolean", hint="use 1/0, true/false, yes/no or on/off")

    def get_float(self, env: str) -> float:
        """A setting read as a number; a non-number is a ConfigError naming the setting."""
        raw = self.get(env)
        try:
            return float(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ConfigError(f"{env}={raw!r} is not a number") from None

    def section(self, dotted: str) -> dict[str, Any]:
        """A table of tap.toml (``"airtable.fields"``), or {} when absent."""
        value = _dig(self.toml, dotted)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ConfigError(f"{self.toml_path}: [{dotted}] must be a table")
        return value

    def missing(self, name: str) -> tuple[str, ...]:
        """The required variables of an integration that are not set."""
        return tuple(v for v in integrations.get(name).required if not self.get(v))

    def require(self, name: str) -> dict[str, str | None]:
        """The variables of a configured integration; ConfigError says which are missing and how to fix it."""
        integ = integrations.get(name)
        if missing := self.missing(name):
            raise ConfigError(
                f"{integ.title} is not configured: {', '.join(missing)} not set",
                hint=f"set {', '.join(missing)} in the environment or .env (see .env.example). {integ.docs}",
            )
        return {v: self.get(v) for v in integ.env_vars}

    def base_url(self, name: str) -> str | None:
        """The endpoint override or default for an integration."""
        integ = integrations.get(name)
        return self.get(integ.base_url_env) if integ.base_url_env else None

    @property
    def home(self) -> Path:
        """TAP_HOME, or the platform's user data directory."""
        raw = self._early("TAP_HOME")
        return Path(raw).expanduser() if raw else default_home()

    @property
    def db_path(self) -> Path:
        """The SQLite store."""
        return self.home / "tap.db"

    @property
    def lock_path(self) -> Path:
        """The write lock taken by mutating commands."""
        return self.home / "tap.lock"

    @property
    def secrets_dir(self) -> Path:
        """Where OAuth tokens live, encrypted, readable by the user only."""
        return self.home / "secrets"
