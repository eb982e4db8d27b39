"""Spending limits: a per-run ``--max-cost`` and a monthly cap (``[llm] monthly_cap`` in tap.toml), checked before
each call against the most it can cost, so no call is made that would go over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from totalaudio.errors import ConfigError, InputError, IntegrationError
from totalaudio.store.llm import LLMLog


@dataclass
class Budget:
    """The limits of one run; ``None`` means no limit."""

    max_cost: float | None = None
    monthly_cap: float | None = None
    run_id: str | None = None

    @property
    def active(self) -> bool:
        """Whether any limit applies (only then is the prompt counted before a call)."""
        return self.max_cost is not None or self.monthly_cap is not None

    def check(self, db: Any, service: str, purpose: str, estimate: float, now: datetime | None = None,
              pending: float = 0.0) -> None:
        """Raise IntegrationError (exit 4) naming what was spent when a call costing up to ``estimate`` would go
        over a limit; ``pending`` is the most the calls still in flight (not logged yet) can cost."""
        log = LLMLog(db)
        flight = f" (and up to ${pending:.4f} in calls under way)" if pending else ""
        if self.max_cost is not None:
            spent = log.spent(run_id=self.run_id) if self.run_id else 0.0
            if spent + pending + estimate > self.max_cost:
                raise _over(service, purpose, f"this run has spent ${spent:.4f}{flight} of --max-cost "
                                              f"${self.max_cost:.4f}", estimate, "raise --max-cost")
        if self.monthly_cap is not None:
            spent = log.spent(since=month_start(now))
            if spent + pending + estimate > self.monthly_cap:
                raise _over(service, purpose, f"this month has spent ${spent:.4f}{flight} of the monthly cap "
                                              f"${self.monthly_cap:.4f}", estimate, "raise [llm] monthly_cap in tap.toml")


def _over(service: str, purpose: str, spent: str, estimate: float, hint: str) -> IntegrationError:
    return IntegrationError(service, "budget", f"{spent}; the next call ({purpose}) may cost up to ${estimate:.4f}, "
                            "so it was not made", hint=hint)


def month_start(now: datetime | None = None) -> str:
    """The first second of the current UTC month, ISO-8601."""
    now = now or datetime.now(timezone.utc)
    return now.strftime("%Y-%m-01T00:00:00Z")


def budget_from(settings: Any, max_cost: float | None, run_id: str | None) -> Budget:
    """The limits of a run: ``--max-cost`` and ``[llm] monthly_cap`` (USD)."""
    raw = settings.section("llm").get("monthly_cap") if settings is not None else None
    try:
        cap = float(raw) if raw not in (None, "", 0) else None
    except (TypeError, ValueError):
        raise ConfigError(f"[llm] monthly_cap = {raw!r} is not a number of US dollars") from None
    if max_cost is not None and max_cost < 0:
        raise InputError("--max-cost must be zero or more (US dollars)")
    return Budget(max_cost, cap, run_id)
