"""One run's model calls: checked against the budget before, logged with tokens, cache use and cost after."""

from __future__ import annotations

import json
import time
from typing import Any

from totalaudio.errors import TapError
from totalaudio.services.llm.budget import Budget
from totalaudio.services.llm.prices import PriceTable
from totalaudio.store.llm import LLMLog


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(_text(b.get("text", b.get("content", ""))) if isinstance(b, dict) else str(b)
                         for b in content)
    return json.dumps(content, ensure_ascii=False)


class Session:
    """Model calls of one run through one client, each logged in llm_calls and kept within the budget."""

    def __init__(self, db: Any, client: Any, *, prices: PriceTable | None = None, budget: Budget | None = None,
                 run_id: str | None = None, service: str = "claude") -> None:
        self.db = db
        self.client = client
        self.prices = prices or PriceTable()
        self.budget = budget or Budget(run_id=run_id)
        self.run_id = run_id
        self.service = service

    def guard(self, purpose: str, estimate_tokens: Any, max_tokens: int, *, cached: bool = False) -> None:
        """Stop before a call that could go over a limit; ``estimate_tokens()`` is asked only when one is set."""
        if self.budget.active:
            cost = self.prices.estimate(self.client.model, int(estimate_tokens()), max_tokens, cached=cached)
            self.budget.check(self.db, self.service, purpose, cost)

    def record(self, purpose: str, *, system: Any, prompt: Any, started: float, reply: dict | None = None,
               error: str | None = None, batch_id: str | None = None) -> float:
        """Log one call (or its failure); returns its cost in USD."""
        usage = (reply or {}).get("usage") or {}
        model = (reply or {}).get("model") or self.client.model
        cost = (reply or {}).get("costUsd")
        if cost is None:
            cost = self.prices.cost(model, usage, batch=batch_id is not None) if reply else 0.0
        LLMLog(self.db).record(
            service=self.service, model=model, purpose=purpose, system=_text(system) if system else None,
            prompt=_text(prompt), response=None if reply is None else _text(reply.get("content")),
            input_tokens=usage.get("inputTokens"), output_tokens=usage.get("outputTokens"),
            cache_read_tokens=usage.get("cacheReadTokens"), cache_write_tokens=usage.get("cacheWriteTokens"),
            cost_usd=cost, duration_ms=round((time.perf_counter() - started) * 1000, 1), error=error,
            run_id=self.run_id, batch_id=batch_id)
        return cost

    def message(self, purpose: str, *, messages: list[dict], max_tokens: int, system: Any = None,
                tools: list[dict] | None = None, tool_choice: dict | None = None) -> dict[str, Any]:
        """One Claude Messages call, guarded and logged (failed calls are logged too)."""
        cached = any(isinstance(b, dict) and b.get("cache_control") for b in (system or []) if not isinstance(system, str))
        self.guard(purpose, lambda: self.client.count(messages=messages, system=system, tools=tools), max_tokens,
                   cached=cached)
        started = time.perf_counter()
        try:
            reply = self.client.message(messages=messages, max_tokens=max_tokens, system=system, tools=tools,
                                        tool_choice=tool_choice)
        except TapError as exc:
            self.record(purpose, system=system, prompt=messages, started=started, error=exc.message)
            raise
        reply["costUsd"] = self.record(purpose, system=system, prompt=messages, started=started, reply=reply)
        return reply
