"""The dead-letter queue: record calls that failed after retries, list them, replay or drop them."""

from __future__ import annotations

import importlib
from typing import Any, Callable

from totalaudio.config import Settings
from totalaudio.errors import InputError, IntegrationError
from totalaudio.store.deadletters import DeadLetterStore

# "service.operation" -> replay(settings, payload). Service modules register their replayable writes.
HANDLERS: dict[str, Callable[[Settings, dict[str, Any]], Any]] = {}
HANDLER_MODULES = ("totalaudio.services.notify",)


def handler(key: str) -> Callable:
    """Register the function that replays a dead-lettered ``service.operation``."""
    def register(fn: Callable) -> Callable:
        HANDLERS[key] = fn
        return fn
    return register


def _load_handlers() -> None:
    for name in HANDLER_MODULES:
        importlib.import_module(name)


def record(db: Any, error: IntegrationError, run_id: str | None = None) -> int | None:
    """Keep a failed call that can be replayed (it has a payload); returns the dead letter's id."""
    if error.payload is None:
        return None
    return DeadLetterStore(db).add(error.service, error.operation, error.to_dict(), error.payload, run_id)


def retry(db: Any, settings: Settings, ids: list[int] | None, *, dry_run: bool = False) -> list[dict[str, Any]]:
    """Replay open dead letters (all, or the given ids); each result says whether it went through."""
    _load_handlers()
    store = DeadLetterStore(db)
    letters = [_open_letter(store, i) for i in ids] if ids else store.list("open")
    results = []
    for letter in letters:
        key = f"{letter.service}.{letter.operation}"
        replay = HANDLERS.get(key)
        if replay is None:
            results.append({"id": letter.id, "operation": key, "ok": False, "error": f"no replay for {key}"})
            continue
        if dry_run:
            results.append({"id": letter.id, "operation": key, "ok": None})
            continue
        results.append(_replay(store, letter, key, replay, settings))
    return results


def _replay(store: DeadLetterStore, letter: Any, key: str, replay: Callable, settings: Settings) -> dict:
    try:
        replay(settings, letter.payload)
    except IntegrationError as exc:
        store.tried(letter.id, ok=False, error=exc.to_dict())
        return {"id": letter.id, "operation": key, "ok": False, "error": exc.message}
    store.tried(letter.id, ok=True)
    return {"id": letter.id, "operation": key, "ok": True}


def _open_letter(store: DeadLetterStore, letter_id: int) -> Any:
    letter = store.get(letter_id)
    if letter is None:
        raise InputError(f"no dead letter with id {letter_id}", hint="see `tap queue list --all`")
    if letter.status != "open":
        raise InputError(f"dead letter {letter_id} is already {letter.status}")
    return letter


def drop(db: Any, ids: list[int], *, dry_run: bool = False) -> list[int]:
    """Mark open dead letters dropped (kept for the record); unknown or settled ids are an InputError."""
    store = DeadLetterStore(db)
    for letter_id in ids:
        _open_letter(store, letter_id)
    if not dry_run:
        for letter_id in ids:
            store.drop(letter_id)
    return ids
