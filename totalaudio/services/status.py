"""Health of every integration: configured or not, and a cheap authenticated call for configured ones."""

from __future__ import annotations

import importlib
import time
from concurrent.futures import ThreadPoolExecutor

from totalaudio import integrations
from totalaudio.config import Settings
from totalaudio.errors import ConfigError, IntegrationError
from totalaudio.integrations import Integration
from totalaudio.models import HealthResult


def check_one(settings: Settings, integ: Integration, probe: bool = True) -> HealthResult:
    """One integration's health; ``probe=False`` checks configuration only (no network)."""
    if integ.name in TOKEN_CHECKS:
        token_based = TOKEN_CHECKS[integ.name](settings, integ, probe)
        if token_based is not None:
            return token_based
    missing = settings.missing(integ.name)
    base = dict(name=integ.name, title=integ.title, configured=not missing, missing=missing)
    if missing:
        return HealthResult(**base, checked=False, ok=None, detail="not configured")
    if not (probe and integ.health_call):
        why = "configuration only (a call would cost money or set something off)" if probe else "not probed"
        return HealthResult(**base, checked=False, ok=None, detail=why)
    return _probe(settings, integ, base)


def _probe(settings: Settings, integ: Integration, base: dict, suffix: str = "") -> HealthResult:
    """The integration's cheap authenticated call, timed; ``suffix`` is added to its detail."""
    health = importlib.import_module(f"totalaudio.clients.{integ.client}").health
    started = time.perf_counter()
    try:
        detail = health(settings)
    except (IntegrationError, ConfigError) as exc:
        latency = round((time.perf_counter() - started) * 1000, 1)
        return HealthResult(**base, checked=True, ok=False, latency_ms=latency, detail=exc.message + suffix,
                            error=exc.to_dict())
    latency = round((time.perf_counter() - started) * 1000, 1)
    return HealthResult(**base, checked=True, ok=True, latency_ms=latency, detail=detail + suffix)


def _gmail(settings: Settings, integ: Integration, probe: bool) -> HealthResult | None:
    """Gmail from its stored token (an imported one needs no GOOGLE_* variables); None when there is none."""
    from totalaudio.services.gmail import auth

    base = dict(name=integ.name, title=integ.title, configured=True, missing=())
    try:
        stored = auth.status(settings)
    except ConfigError as exc:  # a token that cannot be decrypted: present, and unusable until re-authorised
        return HealthResult(**base, checked=False, ok=False, detail=exc.message, error=exc.to_dict())
    if not stored.authorised:
        return None
    base["missing"] = tuple(n for n in stored.refresh_needs if n != "refresh token")
    base["auth"] = {"account": stored.account, "expiry": stored.expiry, "expired": stored.expired,
                    "refreshWith": stored.refresh_with, "refreshNeeds": list(stored.refresh_needs)}
    summary = auth.summary(stored)
    if not stored.refresh_with and stored.expired is not False:  # expired (or of unknown age) and not renewable
        return HealthResult(**base, checked=False, ok=False, detail=summary)
    if not probe or base["missing"]:  # a probe would stop at the missing client before calling Gmail
        return HealthResult(**base, checked=False, ok=None, detail=summary if probe else f"{summary} (not probed)")
    return _probe(settings, integ, base, f" ({summary})")


TOKEN_CHECKS = {"gmail": _gmail}  # integrations whose stored token, not the environment, makes them configured


def check_all(settings: Settings, names: list[str] | None = None, probe: bool = True) -> list[HealthResult]:
    """Every (or the named) integration's health, checked in parallel, in registry order."""
    chosen = [integrations.get(n) for n in names] if names else list(integrations.REGISTRY)
    with ThreadPoolExecutor(max_workers=len(chosen) or 1) as pool:
        return list(pool.map(lambda integ: check_one(settings, integ, probe), chosen))


def failing(results: list[HealthResult]) -> list[HealthResult]:
    """Configured integrations whose check failed (what ``--check`` exits 5 for)."""
    return [r for r in results if r.configured and r.ok is False]
