"""Many requests at once through the Message Batches API (half price, results within 24 hours): submitted with
their purpose and options kept in the store, collected later by batch id (a crashed or closed run resumes)."""

from __future__ import annotations

import json
import time
from typing import Any

from totalaudio.errors import InputError
from totalaudio.services.claude.structured import tool_input
from totalaudio.services.llm.prices import BATCH
from totalaudio.store.llm import BatchStore


def submit(db: Any, session: Any, purpose: str, requests: list[dict[str, Any]], options: dict[str, Any]) -> dict:
    """Check the budget for the whole batch, start it, and remember it; returns ``{id, status, counts}``."""
    if session.budget.active:
        tokens = sum(len(json.dumps(r["params"])) // 3 for r in requests)
        most = sum(r["params"]["max_tokens"] for r in requests)
        estimate = session.prices.estimate(session.client.model, tokens, most) * BATCH
        session.budget.check(db, session.service, purpose, estimate)
    batch = session.client.batch_create(requests)
    prompts = {r["custom_id"]: r["params"]["messages"][0]["content"] for r in requests}
    with db.conn:
        BatchStore(db).add(batch["id"], purpose, session.client.model, prompts, options, session.run_id)
    return batch


def collect(db: Any, session: Any, batch_id: str, tool_name: str) -> dict[str, Any]:
    """A batch's state; once ended, each result's tool input by custom id (None when it failed), each logged
    at the batch price. Once the caller has written the results it calls ``finished``; collecting a finished
    batch again is refused."""
    kept = BatchStore(db).get(batch_id)
    if kept is None:
        raise InputError(f"batch {batch_id!r} was not started by tap here", hint="see tap llm log for batch ids")
    if kept["status"] == "collected":
        raise InputError(f"batch {batch_id} was already collected")
    state = session.client.batch_get(batch_id)
    if state["status"] != "ended":
        return {"batch": state, "kept": kept, "results": None}
    results = {}
    logged = db.execute("SELECT COUNT(*) FROM llm_calls WHERE batch_id = ?", [batch_id]).fetchone()[0] > 0
    for item in session.client.batch_results(batch_id):
        message = item["message"]
        results[item["customId"]] = tool_input(message, tool_name) if message else None
        if not logged:  # a resumed collection after a crash logs nothing twice
            session.record(kept["purpose"], system=None, prompt=kept["requests"].get(item["customId"], ""),
                           started=time.perf_counter(), reply=message, batch_id=batch_id,
                           error=None if message else f"batch result {item['type']}")
    return {"batch": state, "kept": kept, "results": results}


def finished(db: Any, batch_id: str) -> None:
    """Mark a batch's results written."""
    BatchStore(db).finish(batch_id, "collected")
