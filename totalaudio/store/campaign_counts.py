"""Each campaign's counts (chosen, sent, delivered, opened by a person, ...), kept current as events are written.

How one contact's events in a campaign fold into their part of it (people, not machines: README, "Engagement
score and campaign facts") is defined here once, so the report's facts (services/reports/facts.py) and these
maintained counts are one computation. Every write to ``events``, whatever makes it, marks its (campaign,
contact) pair stale (a trigger); ``settle`` folds the stale pairs into ``campaign_members``, and triggers keep
``campaign_counts`` the sum of the chosen members' parts, also when contacts are chosen, dropped or merged.
``CampaignStore.add_events`` settles in the transaction of its insert, so a read finds nothing stale unless
events were written some other way (then the read settles them first).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Iterable

import sqlite_utils

from totalaudio.store.db import transaction

MACHINE_SECONDS = 120.0
POSITIVE_OUTCOMES = ("add", "play", "interview", "review", "feature")
# Column of a member's part (and of the campaign's sum) -> the name of the figure in the facts' totals.
COLUMNS = {"sent": "sent", "delivered": "delivered", "opened": "opened", "machine_opens": "machineOpensDiscounted",
           "clicked": "clicked", "replied": "replied", "auto_replies": "autoReplies", "bounced": "bounced",
           "hard_bounces": "hardBounces", "soft_bounces": "softBounces", "unsubscribed": "unsubscribed",
           "outcomes": "outcomes"}
WHOLE_CAMPAIGN = 64  # stale pairs of one campaign above which its events are read in one pass, not pair by pair


def _pair_is_chosen(ref: str) -> str:
    return (f"EXISTS (SELECT 1 FROM campaign_contacts cc WHERE cc.campaign_id = {ref}.campaign_id "
            f"AND cc.contact_id = {ref}.contact_id)")


def _add_row(ref: str, sign: str) -> str:
    """SQL adding (or taking away) the member row ``ref`` (NEW or OLD of campaign_members) to its campaign."""
    sets = ", ".join(f"{c} = {c} {sign} {ref}.{c}" for c in COLUMNS)
    return f"UPDATE campaign_counts SET {sets} WHERE campaign_id = {ref}.campaign_id"


def _add_member(ref: str, sign: str) -> str:
    """SQL adding (or taking away) the stored part of the pair ``ref`` (NEW or OLD of campaign_contacts)."""
    where = f"m.campaign_id = {ref}.campaign_id AND m.contact_id = {ref}.contact_id"
    values = ", ".join(f"campaign_counts.{c} {sign} m.{c}" for c in COLUMNS)
    return (f"UPDATE campaign_counts SET chosen = chosen {sign} 1, ({', '.join(COLUMNS)}) = (SELECT {values} FROM "
            f"campaign_members m WHERE {where}) WHERE campaign_id = {ref}.campaign_id AND EXISTS (SELECT 1 FROM "
            f"campaign_members m WHERE {where});\n"
            f"UPDATE campaign_counts SET chosen = chosen {sign} 1 WHERE campaign_id = {ref}.campaign_id AND NOT "
            f"EXISTS (SELECT 1 FROM campaign_members m WHERE {where})")


# Inserts in the triggers avoid conflicts rather than say OR IGNORE: an outer statement's conflict policy (or a
# foreign key action's) overrides a trigger's, so OR IGNORE could abort, or under OR REPLACE reset a row.
def _stale(ref: str) -> str:
    return (f"INSERT INTO campaign_stale (campaign_id, contact_id) SELECT {ref}.campaign_id, {ref}.contact_id "
            f"WHERE {ref}.campaign_id IS NOT NULL AND {ref}.contact_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
            f"campaign_stale s WHERE s.campaign_id = {ref}.campaign_id AND s.contact_id = {ref}.contact_id)")


def _counts_row(ref: str) -> str:
    return (f"INSERT INTO campaign_counts (campaign_id) SELECT {ref}.campaign_id WHERE NOT EXISTS (SELECT 1 FROM "
            f"campaign_counts k WHERE k.campaign_id = {ref}.campaign_id)")


_PARTS = ", ".join(f"{c} INTEGER NOT NULL DEFAULT 0" for c in COLUMNS)
MIGRATIONS = [
    ("1300_campaign_counts", f"""
    ALTER TABLE events ADD COLUMN proxy INTEGER;
    UPDATE events SET proxy = 0 WHERE kind IN ('open', 'click') AND instr(data, 'proxy') = 0
        AND instr(data, '\\u') = 0;
    CREATE TABLE campaign_members (
        campaign_id TEXT NOT NULL, contact_id TEXT NOT NULL, {_PARTS},
        PRIMARY KEY (campaign_id, contact_id)) WITHOUT ROWID;
    CREATE TABLE campaign_counts (
        campaign_id TEXT PRIMARY KEY REFERENCES campaigns(id) ON DELETE CASCADE,
        chosen INTEGER NOT NULL DEFAULT 0, {_PARTS});
    CREATE TABLE campaign_stale (
        campaign_id TEXT NOT NULL, contact_id TEXT NOT NULL,
        PRIMARY KEY (campaign_id, contact_id)) WITHOUT ROWID;
    INSERT INTO campaign_counts (campaign_id, chosen) SELECT campaign_id, count(*) FROM campaign_contacts
        WHERE campaign_id IN (SELECT id FROM campaigns) GROUP BY campaign_id;
    INSERT OR IGNORE INTO campaign_stale SELECT campaign_id, contact_id FROM events
        WHERE campaign_id IS NOT NULL AND contact_id IS NOT NULL;
    CREATE TRIGGER campaign_stale_added AFTER INSERT ON events BEGIN {_stale("NEW")}; END;
    CREATE TRIGGER campaign_stale_removed AFTER DELETE ON events BEGIN {_stale("OLD")}; END;
    CREATE TRIGGER campaign_stale_changed AFTER UPDATE OF id, contact_id, campaign_id, kind, at, data, proxy
        ON events BEGIN {_stale("OLD")}; {_stale("NEW")}; END;
    CREATE TRIGGER campaign_member_added AFTER INSERT ON campaign_members WHEN {_pair_is_chosen("NEW")}
        BEGIN {_add_row("NEW", "+")}; END;
    CREATE TRIGGER campaign_member_removed AFTER DELETE ON campaign_members WHEN {_pair_is_chosen("OLD")}
        BEGIN {_add_row("OLD", "-")}; END;
    CREATE TRIGGER campaign_member_changed AFTER UPDATE ON campaign_members WHEN {_pair_is_chosen("NEW")}
        BEGIN {_add_row("OLD", "-")}; {_add_row("NEW", "+")}; END;
    CREATE TRIGGER campaign_chosen_added AFTER INSERT ON campaign_contacts BEGIN
        {_counts_row("NEW")}; {_add_member("NEW", "+")}; END;
    CREATE TRIGGER campaign_chosen_removed AFTER DELETE ON campaign_contacts BEGIN {_add_member("OLD", "-")}; END;
    CREATE TRIGGER campaign_chosen_changed AFTER UPDATE ON campaign_contacts BEGIN {_add_member("OLD", "-")};
        {_counts_row("NEW")}; {_add_member("NEW", "+")}; END;
    DROP TRIGGER IF EXISTS campaign_totals_contact_added;
    DROP TRIGGER IF EXISTS campaign_totals_contact_removed;
    DROP TABLE IF EXISTS campaign_totals;
    DROP INDEX IF EXISTS events_campaign_id
    """),
]


def parse_time(text: str | None) -> datetime | None:
    """An ISO-8601 timestamp (with Z or an offset; a naive one is taken as UTC), or None."""
    return _parsed(text) if text else None


@lru_cache(maxsize=8192)  # a campaign's sends share a time, and a fold parses each send's and open's
def _parsed(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def event_data(event: dict[str, Any]) -> dict[str, Any]:
    """An event's data (stored JSON text or a dict) as a dict; {} when it is not a JSON object."""
    data = event.get("data") or {}
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            return {}
    return data if isinstance(data, dict) else {}


def proxy_flag(data: Any) -> int:
    """The ``proxy`` column of an event with this data: 1 when the source marked the open or click a proxy's."""
    return int(isinstance(data, dict) and bool(data.get("proxy")))


def is_machine(event: dict[str, Any], delivered: datetime | None) -> bool:
    """True for an open or click that a proxy or scanner made, not a person: one the source marks as a proxy's
    (the ``proxy`` column; older rows without it are read from their data), or one within MACHINE_SECONDS of the
    message reaching the contact."""
    if event["kind"] not in ("open", "click"):
        return False
    proxy = event.get("proxy")
    if proxy is None:
        proxy = proxy_flag(event_data(event))
    if proxy:
        return True
    at = parse_time(event.get("at")) if delivered else None
    return bool(at and 0 <= (at - delivered).total_seconds() <= MACHINE_SECONDS)


@dataclass
class MemberFold:
    """One contact's part in a campaign, folded from their events in it (in time order)."""

    sent: bool = False
    opened: bool = False
    machine_opens: int = 0
    clicked: bool = False
    replied: bool = False
    auto_replied: bool = False
    bounce: str | None = None
    unsubscribed: bool = False
    outcomes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def delivered(self) -> bool:
        """Sent and not bounced (a soft bounce may still arrive later; it is not counted delivered)."""
        return self.sent and self.bounce is None

    def parts(self) -> tuple[int, ...]:
        """The member's figures in the order of COLUMNS."""
        positive = sum(o.get("type") in POSITIVE_OUTCOMES for o in self.outcomes)
        return (int(self.sent), int(self.delivered), int(self.opened), self.machine_opens, int(self.clicked),
                int(self.replied), int(self.auto_replied), int(self.bounce is not None), int(self.bounce == "hard"),
                int(self.bounce == "soft"), int(self.unsubscribed), positive)


def fold(events: Iterable[dict[str, Any]], row: MemberFold | None = None) -> MemberFold:
    """Fold a contact's events in one campaign, oldest first, into ``row`` (a new MemberFold by default)."""
    row, delivered_at = row if row is not None else MemberFold(), None
    for event in events:
        kind = event["kind"]
        if kind == "sent":
            row.sent, delivered_at = True, parse_time(event.get("at"))
        elif kind in ("open", "click"):
            if is_machine(event, delivered_at):
                row.machine_opens += kind == "open"
                continue
            row.opened = True
            row.clicked = row.clicked or kind == "click"
        elif kind == "reply":
            row.replied = row.opened = True
        elif kind == "auto_reply":
            row.auto_replied = True
        elif kind.startswith("bounce_"):
            row.bounce = "hard" if kind == "bounce_hard" or row.bounce == "hard" else "soft"
        elif kind == "unsubscribe":
            row.unsubscribed = True
        elif kind == "outcome":
            row.outcomes.append({**event_data(event), "at": event.get("at")})
    return row


# What a fold reads of an event; the data only where the fold looks at it (outcomes, undecided proxies).
_FOLD_COLUMNS = ("contact_id, kind, at, proxy, CASE WHEN kind = 'outcome' OR (proxy IS NULL AND kind IN "
                 "('open', 'click')) THEN data END AS data")


class CampaignCounts:
    """Reads each campaign's maintained counts, and folds the pairs whose events changed."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def settle(self) -> int:
        """Fold every stale (campaign, contact) pair again; returns how many there were."""
        if self.db.execute("SELECT 1 FROM campaign_stale LIMIT 1").fetchone() is None:
            return 0
        with transaction(self.db):
            pairs: dict[str, list[str]] = defaultdict(list)
            for campaign_id, contact_id in self.db.execute("SELECT campaign_id, contact_id FROM campaign_stale"):
                pairs[campaign_id].append(contact_id)
            for campaign_id, contacts in pairs.items():
                self._store(campaign_id, self._fold(campaign_id, contacts))
            self.db.execute("DELETE FROM campaign_stale")
        return sum(len(c) for c in pairs.values())

    def _fold(self, campaign_id: str, contacts: list[str]) -> dict[str, MemberFold]:
        events: dict[str, list[dict[str, Any]]] = {c: [] for c in contacts}
        if len(contacts) > WHOLE_CAMPAIGN:
            rows = self.db.query(f"SELECT {_FOLD_COLUMNS} FROM events WHERE campaign_id = ? ORDER BY at, id",
                                 [campaign_id])
        else:
            marks = ", ".join("?" * len(contacts))
            rows = self.db.query(f"SELECT {_FOLD_COLUMNS} FROM events WHERE contact_id IN ({marks}) AND "
                                 "campaign_id = ? ORDER BY at, id", [*contacts, campaign_id])
        for row in rows:
            if row["contact_id"] in events:
                events[row["contact_id"]].append(row)
        return {contact: fold(evs) for contact, evs in events.items()}

    def _store(self, campaign_id: str, folds: dict[str, MemberFold]) -> None:
        names = ", ".join(COLUMNS)
        upsert = (f"INSERT INTO campaign_members (campaign_id, contact_id, {names}) VALUES "
                  f"(?, ?, {', '.join('?' * len(COLUMNS))}) ON CONFLICT (campaign_id, contact_id) DO UPDATE SET "
                  + ", ".join(f"{c} = excluded.{c}" for c in COLUMNS))
        parts = {contact: row.parts() for contact, row in folds.items()}
        self.db.conn.executemany(upsert, [(campaign_id, c, *p) for c, p in parts.items() if any(p)])
        self.db.conn.executemany("DELETE FROM campaign_members WHERE campaign_id = ? AND contact_id = ?",
                                 [(campaign_id, c) for c, p in parts.items() if not any(p)])

    def all_totals(self) -> dict[str, dict[str, int]]:
        """Every campaign's totals (the figures of the facts' ``totals``), by campaign id."""
        self.settle()
        sums = ", ".join(f"coalesce(k.{c}, 0) AS {c}" for c in ("chosen", *COLUMNS))
        rows = self.db.execute(f"SELECT c.id, {sums} FROM campaigns c LEFT JOIN campaign_counts k "
                               "ON k.campaign_id = c.id").fetchall()
        return {row[0]: _totals(row[1:]) for row in rows}

    def totals(self, campaign_id: str) -> dict[str, int]:
        """One campaign's totals (zeros for a campaign with no contacts)."""
        self.settle()
        row = self.db.execute(f"SELECT chosen, {', '.join(COLUMNS)} FROM campaign_counts WHERE campaign_id = ?",
                              [campaign_id]).fetchone()
        return _totals(row or (0,) * (len(COLUMNS) + 1))


def _totals(values: Iterable[int]) -> dict[str, int]:
    return dict(zip(("chosen", *COLUMNS.values()), values))
