"""A test rig for the Airtable sync: the fake on loopback, a store, a client and the default mapping."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tests.fakes.airtable_fake import AirtableFake, tap_base
from totalaudio.clients._base import RateLimiter
from totalaudio.clients.airtable import INTEGRATION, AirtableClient, make_caller
from totalaudio.config import Settings
from totalaudio.services.airtable.mapping import load_mapping
from totalaudio.services.airtable.run import SyncOptions, SyncResult
from totalaudio.services.airtable.sync import run_sync
from totalaudio.store.db import open_db

WRITES = ("POST", "PATCH", "PUT", "DELETE")


class FakeClock:
    """A clock the tests move: sleeping advances it instantly."""

    def __init__(self, start: float | None = None) -> None:
        self.now = time.time() if start is None else start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(1e-6, seconds)  # a real clock always moves on


class Rig:
    """Everything a sync test touches, with helpers to edit either side and look at both."""

    def __init__(self, home: Path, *, clock: FakeClock | None = None, fake_rate: float | None = None,
                 client_rate: float | None = None, settings: Settings | None = None) -> None:
        self.clock = clock or FakeClock()
        self.fake = AirtableFake(clock=self.clock, rate_limit=fake_rate).start()
        self.contacts, self.campaigns = tap_base(self.fake)
        home.mkdir(parents=True, exist_ok=True)
        self.db = open_db(home / "tap.db")
        self.limiter = RateLimiter(client_rate, 5, clock=self.clock, sleep=self.clock.sleep,
                                   period=INTEGRATION.rate_period)
        caller = make_caller(limiter=self.limiter, sleep=self.clock.sleep, scope=self.fake.base_id)
        self.client = AirtableClient(self.fake.token, self.fake.base_id, self.fake.url, caller)
        self.tables = load_mapping(settings or Settings(environ={}))

    def seed(self, n: int, **fields: Any) -> list[dict[str, Any]]:
        """n contacts in Airtable, last modified an hour ago."""
        at = self.clock() - 3600
        return [self.contacts.insert({"Email": f"dj{i}@station{i % 7}.example", "First Name": f"DJ {i}",
                                      "Station": f"Station {i % 7} FM", "Status": "Opted-In",
                                      "Contact Type": "Radio", "Genres": ["Indie"], **fields}, at=at)
                for i in range(n)]

    def sync(self, **options: Any) -> SyncResult:
        """One run at the fake clock's time."""
        now = lambda: datetime.fromtimestamp(self.clock(), timezone.utc)  # noqa: E731
        return run_sync(self.db, self.client, self.tables, SyncOptions(**options), run_id=None, now=now)

    def local(self, email: str) -> dict[str, Any]:
        """The local contact row with that email."""
        return dict(next(iter(self.db.query("SELECT * FROM contacts WHERE email_norm = ?", [email.lower()]))))

    def set_local(self, email: str, **columns: Any) -> None:
        """Change local columns the way imports, audits or enrichment do."""
        from totalaudio.store.contacts import ContactStore

        with self.db.conn:
            ContactStore(self.db).update(self.local(email)["id"], columns)

    def remote(self, email: str) -> dict[str, Any]:
        """The Airtable record with that email (exactly one, or the test fails)."""
        hits = [r for r in self.contacts.records.values() if r["fields"].get("Email") == email]
        assert len(hits) == 1, f"{len(hits)} Airtable records with {email}"
        return hits[0]

    def edit_remote(self, email: str, **cells: Any) -> None:
        """A person edits cells in Airtable (a second later, on the fake clock)."""
        self.clock.now += 1
        self.contacts.edit(self.remote(email)["id"], cells)

    def writes(self) -> list[dict[str, Any]]:
        """The write requests the fake received."""
        return [e for e in self.fake.log if e["method"] in WRITES and e["status"] == 200]

    def close(self) -> None:
        """Stop the fake and close the store."""
        self.fake.stop()
        self.db.conn.close()
