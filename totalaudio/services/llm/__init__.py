"""Model calls that leave a record: every completion is logged to the store with its prompt, reply and cost.

``session`` holds the guarded, logged calls of a run; ``prices`` the price table; ``budget`` the spending limits.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

from totalaudio.errors import TapError
from totalaudio.services.llm.prices import PriceTable
from totalaudio.store.llm import LLMLog


def logged_writer(db: Any, client: Any, purpose: str, run_id: str | None = None) -> Callable[[str, str], str]:
    """A ``(system, prompt) -> text`` function over a Claude client that logs every call, failed ones too.

    It may be called from worker threads at once, so ``db`` should be a connection of its own; a lock keeps its
    writes one at a time.
    """
    lock = threading.Lock()
    prices = PriceTable()

    def log(**row: Any) -> None:
        with lock:
            LLMLog(db).record(**row)

    def write(system: str, prompt: str) -> str:
        started = time.perf_counter()
        call = {"service": "claude", "model": client.model, "purpose": purpose, "system": system,
                "prompt": prompt, "run_id": run_id}
        try:
            reply = client.create(prompt, system=system)
        except TapError as exc:
            log(**call, error=exc.message, duration_ms=_ms(started))
            raise
        log(**{**call, "model": reply["model"]}, response=reply["text"], input_tokens=reply["inputTokens"],
            output_tokens=reply["outputTokens"], cache_read_tokens=reply.get("cacheReadTokens"),
            cache_write_tokens=reply.get("cacheWriteTokens"), cost_usd=prices.cost(reply["model"], reply),
            duration_ms=_ms(started))
        return reply["text"]
    return write


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
