"""``tap gmail watch``: read what arrived since the last run, sort what is about tap's mail, act on it once.

The first run looks back with messages.list (default 30 days); later runs read users.history.list from the
stored history id, one call when nothing happened. Gmail answers 404 for a history id too old (they can expire
within hours): then a bounded re-read by messages.list from the last run (less a day), never further back than
the look-back. A message is acted on once, ever: processed ids are kept, and events carry a dedupe key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from totalaudio.errors import IntegrationError
from totalaudio.services.gmail.classify import KINDS, classify_parsed
from totalaudio.services.gmail.effects import Incoming, apply
from totalaudio.services.gmail.match import match
from totalaudio.services.gmail.mime import parse
from totalaudio.services.mailchimp.audience import StatusChange
from totalaudio.store.gmail import ProcessedMessages
from totalaudio.store.syncstate import SyncState

HISTORY_KEY, LAST_RUN_KEY = "gmail.history_id", "gmail.last_watch"
DEFAULT_LOOKBACK_DAYS = 30
MAX_PAGES = 40  # 40 pages of 500: a bound on one look-back, whatever the mailbox holds
OWN_LABELS = {"SENT", "DRAFT", "CHAT"}


@dataclass(frozen=True)
class MessageResult:
    """One sorted message, as ``watch`` and ``classify`` print it."""

    message_id: str | None
    thread_id: str | None
    received_at: str | None
    from_: str | None
    contact_id: str | None
    campaign_id: str | None
    kind: str
    bounced_recipient: str | None
    permanent: bool | None
    snippet: str


@dataclass(frozen=True)
class WatchResult:
    """What one ``watch`` pass did."""

    mode: str
    messages: tuple[MessageResult, ...]
    summary: dict[str, int]
    fetched: int
    ignored: int
    already_processed: int
    api_calls: int
    history_id: str | None
    status_changes: tuple[StatusChange, ...] = ()
    dry_run: bool = False
    run_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def iso(moment: datetime) -> str:
    """ISO-8601 UTC, second precision."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def lookback(client: Any, since: datetime) -> tuple[list[str], str | None]:
    """Message ids received since a moment (newest first), and the history id to continue from."""
    history_id = str(client.profile().get("historyId") or "") or None
    query = f"after:{int(since.timestamp())} -in:sent -in:drafts -in:chats"
    ids, token = [], None
    for _ in range(MAX_PAGES):
        page = client.list_messages(query, token)
        ids += [m["id"] for m in page.get("messages") or []]
        token = page.get("nextPageToken")
        if not token:
            break
    return ids, history_id


def history_ids(client: Any, start: str) -> tuple[list[str], str]:
    """Ids of messages added since a history id, not sent by the mailbox itself; and the new history id."""
    ids, token, latest = [], None, start
    for _ in range(MAX_PAGES):
        page = client.history(start, token)
        latest = str(page.get("historyId") or latest)
        for record in page.get("history") or []:
            for added in record.get("messagesAdded") or []:
                msg = added.get("message") or {}
                if msg.get("id") and not OWN_LABELS & set(msg.get("labelIds") or []):
                    ids.append(msg["id"])
        token = page.get("nextPageToken")
        if not token:
            break
    return list(dict.fromkeys(ids)), latest


def _reread_since(state: SyncState, floor: datetime) -> datetime:
    last = state.get(LAST_RUN_KEY)
    if not last:
        return floor
    return max(floor, datetime.fromisoformat(last.replace("Z", "+00:00")) - timedelta(days=1))


def changed_ids(client: Any, state: SyncState, floor: datetime) -> tuple[str, list[str], str | None]:
    """(mode, ids, next history id): history when a cursor exists, else (or on 404) a bounded look-back."""
    start = state.get(HISTORY_KEY)
    if not start:
        return ("lookback", *lookback(client, floor))
    try:
        return ("history", *history_ids(client, start))
    except IntegrationError as exc:
        if exc.status != 404:
            raise
    return ("reread", *lookback(client, _reread_since(state, floor)))


def _received(data: dict[str, Any], parsed_date: Any) -> str:
    millis = data.get("internalDate")
    if millis:
        return iso(datetime.fromtimestamp(int(millis) / 1000, timezone.utc))
    return iso(parsed_date) if parsed_date else iso(datetime.now(timezone.utc))


def result_of(item: Incoming) -> MessageResult:
    """The printed shape of a processed message."""
    v = item.verdict
    return MessageResult(item.gmail_id, item.thread_id, item.received_at, item.sender, item.match.contact_id,
                         item.match.campaign_id, v.kind, v.bounced_recipient, v.permanent, v.snippet)


def examine(client: Any, db: Any, gmail_id: str) -> Incoming | None:
    """Fetch, sort and match one message; None when it is about nothing tap knows."""
    data = client.get_raw(gmail_id)
    if OWN_LABELS & set(data.get("labelIds") or []):
        return None
    parsed = parse(data["raw"])
    verdict = classify_parsed(parsed)
    found = match(db, parsed, verdict, data.get("threadId"), data["raw"])
    if found is None:
        return None
    return Incoming(gmail_id, data.get("threadId"), _received(data, parsed.date), parsed.sender, verdict, found)


def watch(client: Any, db: Any, *, since: datetime | None = None, dry_run: bool = False, run_id: str | None = None,
          on_message: Callable[[MessageResult], None] | None = None) -> WatchResult:
    """One pass: read what changed, act on each new matched message once, move the cursor."""
    state, calls = SyncState(db), client.caller.calls
    now = datetime.now(timezone.utc)
    mode, ids, history_id = changed_ids(client, state, since or now - timedelta(days=DEFAULT_LOOKBACK_DAYS))
    seen = ProcessedMessages(db).seen(ids)
    results, changes, ignored = [], [], 0
    for gmail_id in (i for i in ids if i not in seen):
        item = examine(client, db, gmail_id)
        if item is None:
            ignored += 1
            continue
        fresh, changed = (True, []) if dry_run else apply(db, run_id, item)
        if fresh:
            results.append(result_of(item))
            changes += changed
            if on_message:
                on_message(results[-1])
    if not dry_run:
        state.set(HISTORY_KEY, history_id)
        state.set(LAST_RUN_KEY, iso(now))
    summary = {kind: sum(1 for r in results if r.kind == kind) for kind in KINDS}
    return WatchResult(mode, tuple(results), summary, len(ids) - len(seen), ignored, len(seen),
                       client.caller.calls - calls, history_id, tuple(changes), dry_run, run_id)
