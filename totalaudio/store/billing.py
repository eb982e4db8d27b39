"""Billing mirrors of Stripe (customers linked to artists, plans, subscriptions, invoices, meter events), the
Stripe events seen (each once), and the intents whose idempotency keys make every create happen once."""

from __future__ import annotations

import json
import secrets
from typing import Any, Iterable

import sqlite_utils

from totalaudio.errors import InputError, utc_now

MIGRATIONS = [
    ("0800_billing", """
    CREATE TABLE billing_customers (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        email TEXT,
        email_norm TEXT,
        deleted INTEGER NOT NULL DEFAULT 0,
        raw TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX billing_customers_email ON billing_customers(email_norm);
    CREATE TABLE billing_customer_artists (
        customer_id TEXT NOT NULL REFERENCES billing_customers(id) ON DELETE CASCADE,
        artist TEXT NOT NULL,
        PRIMARY KEY (customer_id, artist)
    );
    CREATE INDEX billing_customer_artists_artist ON billing_customer_artists(artist);
    CREATE TABLE billing_prices (
        lookup_key TEXT PRIMARY KEY,
        price_id TEXT NOT NULL,
        product_id TEXT NOT NULL,
        plan TEXT NOT NULL,
        interval TEXT,
        unit_amount INTEGER,
        currency TEXT NOT NULL,
        raw TEXT,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE billing_subscriptions (
        id TEXT PRIMARY KEY,
        customer_id TEXT NOT NULL,
        status TEXT NOT NULL,
        plan TEXT,
        price_id TEXT,
        interval TEXT,
        unit_amount INTEGER,
        currency TEXT,
        cancel_at_period_end INTEGER NOT NULL DEFAULT 0,
        current_period_end INTEGER,
        version INTEGER NOT NULL DEFAULT 0,
        raw TEXT,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX billing_subscriptions_customer ON billing_subscriptions(customer_id, status);
    CREATE TABLE billing_invoices (
        id TEXT PRIMARY KEY,
        customer_id TEXT,
        status TEXT,
        campaign_id TEXT,
        description TEXT,
        amount_due INTEGER,
        amount_remaining INTEGER,
        currency TEXT,
        due_date INTEGER,
        created INTEGER,
        hosted_url TEXT,
        version INTEGER NOT NULL DEFAULT 0,
        raw TEXT,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX billing_invoices_status ON billing_invoices(status, due_date);
    CREATE TABLE billing_meter_events (
        identifier TEXT PRIMARY KEY,
        customer_id TEXT NOT NULL,
        artist TEXT NOT NULL,
        day TEXT NOT NULL,
        value INTEGER NOT NULL,
        state TEXT NOT NULL,
        created_at TEXT NOT NULL,
        sent_at TEXT
    );
    CREATE TABLE stripe_events (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        created INTEGER NOT NULL,
        via TEXT NOT NULL,
        object_id TEXT,
        effects TEXT NOT NULL DEFAULT '[]',
        raw TEXT NOT NULL,
        received_at TEXT NOT NULL
    );
    CREATE INDEX stripe_events_created ON stripe_events(created);
    CREATE TABLE billing_intents (
        id TEXT PRIMARY KEY,
        subject TEXT NOT NULL,
        kind TEXT NOT NULL,
        params TEXT NOT NULL,
        state TEXT NOT NULL,
        object_id TEXT,
        run_id TEXT,
        created_at TEXT NOT NULL,
        done_at TEXT
    );
    CREATE INDEX billing_intents_subject ON billing_intents(subject, created_at)
    """),
]


VERSIONED = ("billing_subscriptions", "billing_invoices")


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


class Intents:
    """What tap is about to create upstream, committed before the call: its id is the idempotency key."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def latest(self, subject: str) -> dict[str, Any] | None:
        """The newest intent for a subject (``customer:ann@example.com``), or None."""
        rows = list(self.db.query("SELECT * FROM billing_intents WHERE subject = ? ORDER BY created_at DESC, "
                                  "rowid DESC LIMIT 1", [subject]))
        return {**rows[0], "params": json.loads(rows[0]["params"])} if rows else None

    def begin(self, subject: str, kind: str, params: dict[str, Any], run_id: str | None = None,
              reuse_done: bool = False) -> dict[str, Any]:
        """The pending intent for this subject (a crashed run's, same params) or a new one, committed now;
        ``reuse_done`` also reuses a finished one with the same params (Stripe then replays its answer)."""
        pending = self.latest(subject)
        if pending and reuse_done and pending["state"] == "done" and _dump(pending["params"]) == _dump(params):
            return pending
        if pending and pending["state"] == "pending":
            if _dump(pending["params"]) != _dump(params):
                raise InputError(f"an interrupted run was creating {subject} with other values "
                                 f"({_changed(pending['params'], params)})",
                                 hint="run it again with the same values so it completes exactly once")
            return pending
        row = {"id": f"tap_{kind}_{secrets.token_hex(8)}", "subject": subject, "kind": kind,
               "params": _dump(params), "state": "pending", "run_id": run_id, "created_at": utc_now()}
        with self.db.conn:
            self.db.table("billing_intents").insert(row)
        return {**row, "params": params}

    def done(self, intent_id: str, object_id: str | None) -> None:
        """Record the upstream object the intent created."""
        with self.db.conn:
            self.db.table("billing_intents").update(intent_id, {"state": "done", "object_id": object_id,
                                                                "done_at": utc_now()})

    def confirm(self, intent_id: str, object_id: str) -> None:
        """A pending intent's object turned up upstream: it is done."""
        self.db.execute("UPDATE billing_intents SET state = 'done', object_id = ?, done_at = ? WHERE id = ? AND "
                        "state = 'pending'", [object_id, utc_now(), intent_id])

    def settle(self, intent_id: str, state: str) -> None:
        """Mark an intent failed (Stripe refused it: a re-run starts a new one) or complete (every step after
        the create is done too)."""
        with self.db.conn:
            self.db.table("billing_intents").update(intent_id, {"state": state, "done_at": utc_now()})

    def pending(self) -> list[dict[str, Any]]:
        """Intents whose call may or may not have reached Stripe."""
        return list(self.db.query("SELECT * FROM billing_intents WHERE state = 'pending' ORDER BY created_at"))


def _changed(old: dict[str, Any], new: dict[str, Any]) -> str:
    keys = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    return "differs in " + ", ".join(keys)


class BillingStore:
    """Reads and writes the billing mirror tables."""

    def __init__(self, db: sqlite_utils.Database, event: tuple[dict[str, Any], str] | None = None) -> None:
        self.db = db
        # (the Stripe event being applied, its JSON text): a row whose raw is that event's data.object is stored
        # from the text by SQLite (json_extract) instead of being encoded again in Python
        self.event = event

    def one(self, sql: str, params: Iterable[Any] = ()) -> dict[str, Any] | None:
        """The first row of a query, or None."""
        rows = list(self.db.query(sql, list(params)))
        return rows[0] if rows else None

    def save_customer(self, customer: dict[str, Any], artists: Iterable[str] | None = None) -> None:
        """Mirror a Stripe customer; with ``artists``, replace its artist links."""
        now = utc_now()
        email = customer.get("email")
        row = {"id": customer["id"], "name": customer.get("name") or customer.get("email") or customer["id"],
               "email": email, "email_norm": (email or "").strip().lower() or None,
               "deleted": int(bool(customer.get("deleted"))), "raw": _dump(customer), "updated_at": now}
        with self.db.conn:
            existing = self.one("SELECT created_at FROM billing_customers WHERE id = ?", [customer["id"]])
            self.db.table("billing_customers").upsert({**row, "created_at": existing["created_at"] if existing
                                                       else now}, pk="id")
            if artists is not None:
                self.db.execute("DELETE FROM billing_customer_artists WHERE customer_id = ?", [customer["id"]])
                self.db.table("billing_customer_artists").insert_all(
                    [{"customer_id": customer["id"], "artist": a} for a in dict.fromkeys(artists)], ignore=True)

    def customers(self) -> list[dict[str, Any]]:
        """Every mirrored customer with its artists, by name."""
        rows = list(self.db.query("SELECT * FROM billing_customers WHERE deleted = 0 ORDER BY name, id"))
        return [{**r, "artists": self.artists_of(r["id"])} for r in rows]

    def artists_of(self, customer_id: str) -> list[str]:
        """The artists linked to a customer."""
        rows = self.db.execute("SELECT artist FROM billing_customer_artists WHERE customer_id = ? ORDER BY artist",
                               [customer_id]).fetchall()
        return [r[0] for r in rows]

    def find_customer(self, ref: str) -> dict[str, Any]:
        """A customer by Stripe id, email, name or linked artist; InputError when none or several match."""
        ref = ref.strip()
        rows = list(self.db.query(
            "SELECT DISTINCT c.* FROM billing_customers c LEFT JOIN billing_customer_artists a ON a.customer_id = "
            "c.id WHERE c.deleted = 0 AND (c.id = ? OR c.email_norm = ? OR lower(c.name) = ? OR lower(a.artist) = ?)",
            [ref, ref.lower(), ref.lower(), ref.lower()]))
        if not rows:
            raise InputError(f"no billing customer matches {ref!r}", hint="see `tap billing customers list`")
        if len(rows) > 1:
            raise InputError(f"{ref!r} matches {len(rows)} customers: {', '.join(r['id'] for r in rows)}",
                             hint="name the customer by its Stripe id (cus_...)")
        return {**rows[0], "artists": self.artists_of(rows[0]["id"])}

    def save_price(self, lookup_key: str, plan: str, price: dict[str, Any]) -> None:
        """Mirror the price a lookup key points at."""
        recurring = price.get("recurring") or {}
        self.db.table("billing_prices").upsert(
            {"lookup_key": lookup_key, "price_id": price["id"], "product_id": price.get("product"), "plan": plan,
             "interval": recurring.get("interval"), "unit_amount": price.get("unit_amount"),
             "currency": price.get("currency"), "raw": _dump(price), "updated_at": utc_now()}, pk="lookup_key")

    def price(self, lookup_key: str) -> dict[str, Any] | None:
        """The mirrored price of a lookup key."""
        return self.one("SELECT * FROM billing_prices WHERE lookup_key = ?", [lookup_key])

    def price_by_id(self, price_id: str) -> dict[str, Any] | None:
        """The mirrored price with this Stripe id."""
        return self.one("SELECT * FROM billing_prices WHERE price_id = ?", [price_id])

    def save_versioned(self, table: str, row: dict[str, Any]) -> None:
        """Insert or replace a subscription or invoice row (the caller has checked it is newer)."""
        if table not in VERSIONED:
            raise ValueError(table)
        from_event = self.event is not None and row.get("raw") is self.event[0]["data"]["object"]
        row = {**row, "raw": self.event[1] if from_event else _dump(row.get("raw")), "updated_at": utc_now()}
        # one statement, not sqlite-utils' upsert: this runs for every Stripe event the receiver takes, and the
        # table introspection upsert does each time was most of the receiver's cost
        columns = ", ".join(row)
        values = ", ".join("json_extract(?, '$.data.object')" if c == "raw" and from_event else "?" for c in row)
        updates = ", ".join(f"{c} = excluded.{c}" for c in row if c != "id")
        self.db.execute(f"INSERT INTO {table} ({columns}) VALUES ({values}) ON CONFLICT (id) DO UPDATE SET {updates}",
                        list(row.values()))

    def get(self, table: str, object_id: str) -> dict[str, Any] | None:
        """A subscription or invoice row by id."""
        if table not in ("billing_subscriptions", "billing_invoices"):
            raise ValueError(table)
        return self.one(f"SELECT * FROM {table} WHERE id = ?", [object_id])

    def subscriptions(self, customer_id: str | None = None) -> list[dict[str, Any]]:
        """Mirrored subscriptions, newest change first."""
        where, args = ("WHERE customer_id = ?", [customer_id]) if customer_id else ("", [])
        return list(self.db.query(f"SELECT * FROM billing_subscriptions {where} ORDER BY version DESC, id", args))

    def invoices(self, status: str | None = None, customer_id: str | None = None) -> list[dict[str, Any]]:
        """Mirrored invoices, optionally of one status and customer."""
        clauses, args = [], []
        for column, value in (("status", status), ("customer_id", customer_id)):
            if value:
                clauses.append(f"{column} = ?")
                args.append(value)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        return list(self.db.query(f"SELECT * FROM billing_invoices {where} ORDER BY created DESC, id", args))


class EventLog:
    """Stripe events, each stored once by its id."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def add(self, event: dict[str, Any], via: str, object_id: str | None, raw: str | None = None) -> bool:
        """Store an event (``raw``: its JSON text when the caller has it); False (and nothing changed) when its
        id was seen before."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO stripe_events (id, type, created, via, object_id, raw, received_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [event["id"], event["type"], int(event["created"]), via, object_id, raw or _dump(event), utc_now()])
        return cursor.rowcount == 1

    def set_effects(self, event_id: str, effects: list[str]) -> None:
        """Record what applying the event changed."""
        self.db.execute("UPDATE stripe_events SET effects = ? WHERE id = ?", [_dump(effects), event_id])

    def get(self, event_id: str) -> dict[str, Any] | None:
        """One stored event row."""
        rows = list(self.db.query("SELECT * FROM stripe_events WHERE id = ?", [event_id]))
        return rows[0] if rows else None

    def count(self) -> int:
        """How many events are stored."""
        return self.db.execute("SELECT count(*) FROM stripe_events").fetchone()[0]


class MeterLedger:
    """Usage counts tap reported (or is about to report) as meter events, by identifier."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def get(self, identifier: str) -> dict[str, Any] | None:
        """The ledger row of an identifier."""
        rows = list(self.db.query("SELECT * FROM billing_meter_events WHERE identifier = ?", [identifier]))
        return rows[0] if rows else None

    def intend(self, row: dict[str, Any]) -> None:
        """Record a meter event about to be sent (committed before the call)."""
        with self.db.conn:
            self.db.table("billing_meter_events").insert({**row, "state": "pending", "created_at": utc_now()},
                                                         ignore=True)

    def sent(self, identifier: str) -> None:
        """Stripe accepted the meter event."""
        with self.db.conn:
            self.db.table("billing_meter_events").update(identifier, {"state": "sent", "sent_at": utc_now()})

    def rows(self, since: str | None = None) -> list[dict[str, Any]]:
        """Ledger rows, newest day first."""
        return list(self.db.query("SELECT * FROM billing_meter_events WHERE day >= ? ORDER BY day DESC, "
                                  "customer_id, artist", [since or ""]))
