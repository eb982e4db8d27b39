"""Frozen dataclasses shared by every layer, and their camelCase JSON form."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

CONTACT_TYPES = ("radio", "press", "playlist", "blog", "podcast", "tv", "label", "other")
CONTACT_STATUSES = ("opted-in", "pending", "unsubscribed", "bounced", "cleaned", "do-not-contact", "archived")
INACTIVE_STATUSES = frozenset({"unsubscribed", "bounced", "cleaned", "do-not-contact", "archived"})


SCALARS = (str, int, float, bool, type(None))


@lru_cache(maxsize=None)
def camel(name: str) -> str:
    """snake_case -> camelCase (``airtable_id`` -> ``airtableId``)."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@lru_cache(maxsize=None)
def _json_fields(cls: type) -> tuple[tuple[str, str], ...]:
    return tuple((f.name, camel(f.name)) for f in dataclasses.fields(cls))


def json_default(value: Any) -> Any:
    """``json.dumps(default=...)`` hook: a dataclass becomes a camelCase dict (the encoder recurses)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {key: getattr(value, name) for name, key in _json_fields(type(value))}
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return str(value)


def to_json(value: Any) -> Any:
    """Turn dataclasses (recursively) into plain JSON data with camelCase keys."""
    if isinstance(value, SCALARS):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {key: to_json(getattr(value, name)) for name, key in _json_fields(type(value))}
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    return value


@dataclass(frozen=True)
class Contact:
    """A radio, press, playlist, blog or podcast contact as the local store keeps it."""

    id: str
    email: str
    first_name: str | None = None
    last_name: str | None = None
    station: str | None = None
    show: str | None = None
    contact_type: str | None = None
    region: str | None = None
    genres: tuple[str, ...] = ()
    status: str | None = None
    website: str | None = None
    notes: str | None = None
    tags: tuple[str, ...] = ()
    phone: str | None = None
    last_email_date: str | None = None
    last_engagement: str | None = None
    reply_status: str | None = None
    enrichment_quality: str | None = None
    enrichment_notes: str | None = None
    last_enriched: str | None = None
    contact_intelligence: str | None = None
    airtable_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    created_at: str | None = None
    updated_at: str | None = None

    @property
    def name(self) -> str:
        """The full name, or '' when neither part is known."""
        return " ".join(p for p in (self.first_name, self.last_name) if p)


@dataclass(frozen=True)
class Rejection:
    """An input row that was not imported, with its 1-based row number and the reason."""

    row: int
    email: str | None
    reason: str


@dataclass(frozen=True)
class ImportResult:
    """What ``contacts import`` did (or would do, with dry_run)."""

    source: str
    rows: int
    created: int
    updated: int
    merged: int
    unchanged: int
    skipped: int
    rejected: tuple[Rejection, ...]
    dry_run: bool
    run_id: str | None = None
    format: str = "csv"
    truncated: tuple[Rejection, ...] = ()  # cells cut to the size limit: {row, email, reason}


@dataclass(frozen=True)
class DeadLetter:
    """A call that still failed after retries, kept so that ``tap queue retry`` can replay it."""

    id: int
    service: str
    operation: str
    error: dict[str, Any]
    payload: dict[str, Any]
    status: str
    attempts: int
    created_at: str
    last_tried_at: str | None = None


@dataclass(frozen=True)
class HealthResult:
    """One integration's line in ``tap status``."""

    name: str
    title: str
    configured: bool
    missing: tuple[str, ...]
    checked: bool
    ok: bool | None
    latency_ms: float | None = None
    detail: str | None = None
    error: dict[str, Any] | None = None
    # For an integration authorised by a stored OAuth token (Gmail): account, expiry, expired, refreshWith,
    # refreshNeeds. The token, not the environment, is what makes it configured.
    auth: dict[str, Any] | None = None
