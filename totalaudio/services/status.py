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
    missing = settings.missing(integ.name)
    base = dict(name=integ.name, title=integ.title, configured=not missing, missing=missing)
    if missing:
        return HealthResult(**base, checked=False, ok=None, detail="not configured")
    if not (probe and integ.health_call):
        why = "configuration only (a call would cost money or set something off)" if probe else "not probed"
        return HealthResult(**base, checked=False, ok=None, detail=why)
    health = importlib.import_module(f"totalaudio.clients.{integ.client}").health
    started = time.perf_counter()
    try:
        detail = health(settings)
    except (IntegrationError, ConfigError) as exc:
        latency = round((time.perf_counter() - started) * 1000, 1)
        return HealthResult(**base, checked=True, ok=False, latency_ms=latency, detail=exc.message,
                            error=exc.to_dict())
    latency = round((time.perf_counter() - started) * 1000, 1)
    return HealthResult(**base, checked=True, ok=True, latency_ms=latency, detail=detail)


def check_all(settings: Settings, names: list[str] | None = None, probe: bool = True) -> list[HealthResult]:
    """Every (or the named) integration's health, checked in parallel, in registry order."""
    chosen = [integrations.get(n) for n in names] if names else list(integrations.REGISTRY)
    with ThreadPoolExecutor(max_workers=len(chosen) or 1) as pool:
        return list(pool.map(lambda integ: check_one(settings, integ, probe), chosen))


def failing(results: list[HealthResult]) -> list[HealthResult]:
    """Configured integrations whose check failed (what ``--check`` exits 5 for)."""
    return [r for r in results if r.configured and r.ok is False]
