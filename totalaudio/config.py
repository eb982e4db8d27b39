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
    """A setting: its environment name, its key in tap.toml (None: not allowed there), default, secrecy."""

    env: str
    toml: str | None
    default: str | None = None
    secret: bool = False
    help: str = ""


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
        SettingSpec("TAP_HOME", None, None, help="data directory (database, tokens, logs)"),
        SettingSpec("TAP_CONFIG", None, None, help="path of tap.toml (default: ./tap.toml, then TAP_HOME/tap.toml)"),
        SettingSpec("TAP_LOCK_TIMEOUT", "lock_timeout", "30", help="seconds a mutating run waits for another"),
        SettingSpec("TAP_ENRICH_ALLOW_PRIVATE", "enrich.allow_private", "0",
                    help="let the crawler fetch private/loopback addresses (local testing only)"),
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
                                     help=f"{integ.title} endpoint (proxy, sandbox, stand-in)"))
    return specs


SPECS: dict[str, SettingSpec] = {s.env: s for s in _general_specs() + _integration_specs()}


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
        self.toml_path = self._find_toml()
        self.toml = _read_toml(self.toml_path) if self.toml_path else {}
        self._resolved = {env: self._resolve(spec) for env, spec in SPECS.items()}

    def _load_dotenv(self) -> dict[str, str]:
        path = self.cwd / ".env"
        if not path.is_file():
            return {}
        from dotenv import dotenv_values

        return {k: v for k, v in dotenv_values(path).items() if v is not None}

    def _early(self, env: str) -> str | None:
        return self.flags.get(env) or self.environ.get(env) or self.dotenv.get(env)

    def _find_toml(self) -> Path | None:
        explicit = self._early("TAP_CONFIG")
        if explicit:
            path = Path(explicit).expanduser()
            if not path.is_file():
                raise ConfigError(f"{path}: config file not found (from TAP_CONFIG or --config)")
            return path
        for candidate in (self.cwd / "tap.toml", self.home / "tap.toml"):
            if candidate.is_file():
                return candidate
        return None

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
