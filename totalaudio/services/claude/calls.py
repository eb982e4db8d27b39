"""The Claude session of a run: the client from settings, the price table, the budget."""

from __future__ import annotations

from typing import Any

from totalaudio.services.llm.budget import budget_from
from totalaudio.services.llm.prices import price_table
from totalaudio.services.llm.session import Session


def session_for(db: Any, settings: Any, *, run_id: str | None = None, max_cost: float | None = None,
                client: Any = None) -> Session:
    """A logged, budgeted Claude session (the client from ANTHROPIC_API_KEY and [claude] model unless given)."""
    if client is None:
        from totalaudio.clients.anthropic import build

        client = build(settings)
    return Session(db, client, prices=price_table(settings), budget=budget_from(settings, max_cost, run_id),
                   run_id=run_id, service="claude")
