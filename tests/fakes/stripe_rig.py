"""Fixtures and helpers the billing tests share: the Stripe fake, a client on it that retries without sleeping,
a migrated store, and a store holding campaigns of two artists with sent events."""

from __future__ import annotations

import time
from datetime import date, datetime, timezone

import pytest

from tests.fakes.stripe_fake import StripeFake
from totalaudio.clients._base import Caller
from totalaudio.clients.stripe import INTEGRATION, StripeClient, classify
from totalaudio.services.billing.common import BillingConfig
from totalaudio.store.campaigns import CampaignStore
from totalaudio.store.db import open_db


def make_client(url: str) -> StripeClient:
    """A real StripeClient on a stand-in, its retries not sleeping."""
    return StripeClient("sk_test_fake", url, caller=Caller(INTEGRATION, classify, sleep=lambda s: None))


@pytest.fixture
def stripe_fake():
    """The Stripe fake on loopback."""
    with StripeFake() as server:
        yield server


@pytest.fixture
def sclient(stripe_fake):
    """A client pointed at the fake."""
    return make_client(stripe_fake.url)


@pytest.fixture
def bdb(tmp_path):
    """A migrated store file."""
    return open_db(tmp_path / "tap.db")


def on_day(fake: StripeFake, day: date) -> None:
    """Set the fake's clock to noon (UTC) of ``day``, moving on from there in real time: a test that reports usage
    "as of" a fixed day must not depend on how long ago that day is (Stripe refuses meter events over 35 days old,
    which put a fixed November date out of reach after Christmas)."""
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc).timestamp()
    started = time.time()
    fake.state.wall = lambda: noon + time.time() - started
    fake.state.clock = int(noon)


CFG = BillingConfig(usage=True, success_url="https://promo.example/thanks", cancel_url="https://promo.example/back")


def add_contacts(db, n: int, prefix: str = "c") -> list[str]:
    """n contacts in the store; their ids."""
    ids = [f"{prefix}{i}" for i in range(n)]
    now = "2026-01-01T00:00:00Z"
    db.table("contacts").insert_all([{"id": i, "email": f"{i}@radio.example", "email_norm": f"{i}@radio.example",
                                      "created_at": now, "updated_at": now} for i in ids], alter=False)
    return ids


def pitched(db, artist: str, name: str, contacts: list[str], at: str) -> str:
    """A campaign of ``artist`` sent to ``contacts`` at ``at`` (sent events, as the Mailchimp report records)."""
    store = CampaignStore(db)
    campaign_id = store.create({"name": name, "artist": artist, "status": "sent"}, contacts)
    store.add_events([{"email": f"{c}@radio.example", "contact_id": c, "campaign_id": campaign_id, "kind": "sent",
                       "source": "mailchimp", "at": at, "dedupe_key": f"sent:{campaign_id}:{c}"} for c in contacts])
    return campaign_id
