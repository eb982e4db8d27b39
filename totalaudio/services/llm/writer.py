"""A ``(system, prompt) -> text`` writer over a Claude client for worker threads: every call logged with its run,
and checked before it is made against the run's spending limits, counting the calls still in flight."""

from __future__ import annotations

import threading
import time
from typing import Any

from totalaudio.errors import TapError
from totalaudio.services.llm.budget import Budget
from totalaudio.services.llm.prices import PriceTable
from totalaudio.store.llm import LLMLog

MAX_TOKENS = 600  # a contactIntelligence paragraph; also the output side of each call's cost estimate


class LoggedWriter:
    """Calls may come from several threads at once: ``db`` should be a connection of its own, and a lock keeps
    its writes and the budget's reservations one at a time. Once a limit stops a call, every later call stops."""

    def __init__(self, db: Any, client: Any, purpose: str, *, run_id: str | None = None,
                 budget: Budget | None = None, prices: PriceTable | None = None) -> None:
        self.db, self.client, self.purpose, self.run_id = db, client, purpose, run_id
        self.budget = budget or Budget(run_id=run_id)
        self.prices = prices or PriceTable()
        self.calls = 0
        self.cost = 0.0
        self._lock = threading.Lock()
        self._pending = 0.0
        self._stopped: TapError | None = None

    def close(self) -> None:
        """Close the writer's store connection (its own, opened for it) when the run that used it ends."""
        with self._lock:
            conn = getattr(self.db, "conn", None)
            if conn is not None:
                conn.close()

    def __enter__(self) -> "LoggedWriter":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __call__(self, system: str, prompt: str) -> str:
        """The reply's text; the call is logged (failed ones too) and its cost added to ``cost``."""
        estimate = self._reserve(system, prompt)
        started = time.perf_counter()
        call = {"service": "claude", "model": self.client.model, "purpose": self.purpose, "system": system,
                "prompt": prompt, "run_id": self.run_id}
        try:
            reply = self.client.create(prompt, system=system, max_tokens=MAX_TOKENS)
        except TapError as exc:
            self._settle(estimate, {**call, "error": exc.message, "duration_ms": _ms(started)}, None)
            raise
        cost = self.prices.cost(reply["model"], reply)
        self._settle(estimate, {**call, "model": reply["model"], "response": reply["text"],
                                "input_tokens": reply["inputTokens"], "output_tokens": reply["outputTokens"],
                                "cache_read_tokens": reply.get("cacheReadTokens"),
                                "cache_write_tokens": reply.get("cacheWriteTokens"), "cost_usd": cost,
                                "duration_ms": _ms(started)}, cost)
        return reply["text"]

    def _reserve(self, system: str, prompt: str) -> float:
        """The most this call can cost, set aside; raises the budget's IntegrationError when it would go over."""
        if self._stopped is not None:
            raise self._stopped
        if not self.budget.active:
            return 0.0
        tokens = self.client.count(messages=[{"role": "user", "content": prompt}], system=system)
        estimate = self.prices.estimate(self.client.model, int(tokens), MAX_TOKENS)
        with self._lock:
            if self._stopped is None:
                try:
                    self.budget.check(self.db, "claude", self.purpose, estimate, pending=self._pending)
                except TapError as exc:
                    self._stopped = exc
            if self._stopped is not None:
                raise self._stopped
            self._pending += estimate
        return estimate

    def _settle(self, estimate: float, row: dict[str, Any], cost: float | None) -> None:
        with self._lock:
            LLMLog(self.db).record(**row)
            self._pending -= estimate
            if cost is not None:
                self.calls += 1
                self.cost = round(self.cost + cost, 6)

    @property
    def stopped(self) -> TapError | None:
        """The spending limit that stopped the calls, if one did."""
        return self._stopped


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
