"""Model calls that leave a record: every completion is logged to the store with its prompt, reply and cost.

``session`` holds the guarded, logged calls of a run; ``writer`` the same for plain completions made from worker
threads (enrichment); ``prices`` the price table; ``budget`` the spending limits.
"""

from __future__ import annotations

from typing import Any

from totalaudio.services.llm.budget import Budget
from totalaudio.services.llm.prices import PriceTable
from totalaudio.services.llm.writer import LoggedWriter


def logged_writer(db: Any, client: Any, purpose: str, run_id: str | None = None, *, budget: Budget | None = None,
                  prices: PriceTable | None = None) -> LoggedWriter:
    """A ``(system, prompt) -> text`` function over a Claude client that logs every call, failed ones too, with
    ``run_id``, and stops before a call that would take the run over ``budget`` (see writer.py)."""
    return LoggedWriter(db, client, purpose, run_id=run_id, budget=budget, prices=prices)
