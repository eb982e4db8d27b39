"""What a command needs, built only when it asks: settings, the store, the write lock, the run log."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:  # imported when first needed: `tap --help` reads no configuration
    from totalaudio.config import Settings


class State:
    """Per-invocation state on the root click context; everything is lazy."""

    def __init__(self, flags: dict[str, str | None] | None = None) -> None:
        self.flags = flags or {}
        self._settings: Settings | None = None
        self._db: Any = None
        self.run_ids: list[str] = []

    @property
    def settings(self) -> Settings:
        """Settings from flags > env > .env > tap.toml > defaults."""
        if self._settings is None:
            from totalaudio.config import Settings

            self._settings = Settings(self.flags)
            for warning in self._settings.warnings:
                sys.stderr.write(f"warning: {warning}\n")
        return self._settings

    @property
    def db(self) -> Any:
        """The store under TAP_HOME, opened and migrated on first use."""
        if self._db is None:
            from totalaudio.store.db import open_db

            self._db = open_db(self.settings.db_path)
        return self._db

    @contextmanager
    def mutating(self, command: str, args: dict[str, Any] | None = None, *, dry_run: bool = False) -> Iterator[str | None]:
        """Hold the write lock and a run-log entry while a command changes data (nothing for dry runs)."""
        if dry_run:
            yield None
            return
        from totalaudio.store.lock import WriteLock
        from totalaudio.store.runs import RunLog

        settings = self.settings
        with WriteLock(settings.lock_path, command, timeout=settings.get_float("TAP_LOCK_TIMEOUT")):
            runs = RunLog(self.db)
            runs.reap(holding_lock=True)
            run_id = runs.start(command, args)
            self.run_ids.append(run_id)
            try:
                yield run_id
            except KeyboardInterrupt:
                runs.finish(run_id, "interrupted")
                raise
            except Exception as exc:
                runs.finish(run_id, "failed", error=str(exc))
                raise
            runs.finish(run_id, "ok")

    def record_result(self, data: Any) -> None:
        """Keep the printed result of this invocation's mutating run in the run log (``tap db runs``)."""
        if not self.run_ids:
            return
        from totalaudio.models import to_json
        from totalaudio.store.runs import RunLog

        RunLog(self.db).set_result(self.run_ids[-1], to_json(data))


_CURRENT: ContextVar[State | None] = ContextVar("tap_state", default=None)


def set_state(new: State) -> None:
    """Install the State of this invocation (the root callback does this)."""
    _CURRENT.set(new)


def state() -> State:
    """The State of the running command (a default one when the root callback did not run)."""
    current = _CURRENT.get()
    if current is None:
        current = State()
        _CURRENT.set(current)
    return current
