"""A run killed at any point and run again creates each customer, subscription, invoice and meter event exactly
once: the intent (its idempotency key) is committed before the call, and the re-run sends the same key."""

import os
import signal
import subprocess
import sys
from datetime import date

import pytest

from tests.cli.helpers import tap
from tests.fakes.stripe_rig import (CFG, add_contacts, bdb, make_client, on_day, pitched, sclient,  # noqa: F401
                                    stripe_fake)
from tests.waiting import PATIENCE, eventually
from totalaudio.clients._base import Caller
from totalaudio.clients.stripe import INTEGRATION, StripeClient, classify
from totalaudio.errors import IntegrationError
from totalaudio.services.billing import customers, invoices, plans, status, subscriptions, usage
from totalaudio.store.billing import Intents
from totalaudio.store.campaigns import CampaignStore
from totalaudio.store.db import open_db


class Killed(BaseException):
    """The process dying at this point (nothing after it runs)."""


def die_before(monkeypatch, client, method):
    """The next call of ``method`` dies before anything is sent."""
    real = getattr(client, method)

    def dead(*args, **kwargs):
        monkeypatch.setattr(client, method, real)
        raise Killed()
    monkeypatch.setattr(client, method, dead)


def die_after(monkeypatch, client, method):
    """The next call of ``method`` reaches Stripe, then the process dies before it hears the answer."""
    real = getattr(client, method)

    def dead(*args, **kwargs):
        monkeypatch.setattr(client, method, real)
        real(*args, **kwargs)
        raise Killed()
    monkeypatch.setattr(client, method, dead)


@pytest.mark.parametrize("die", [die_before, die_after])
def test_customer_created_once_whenever_the_run_dies(monkeypatch, stripe_fake, sclient, bdb, die):
    die(monkeypatch, sclient, "create_customer")
    with pytest.raises(Killed):
        customers.add(sclient, bdb, "Ann", "ann@example.com", ["Ann"])
    assert [i["state"] for i in Intents(bdb).pending()] == ["pending"]
    assert status.status(bdb)["unconfirmedCreates"][0]["subject"] == "customer:ann@example.com"
    made = customers.add(sclient, bdb, "Ann", "ann@example.com", ["Ann"])
    assert list(stripe_fake.state.table("customer")) == [made["id"]]
    keys = {r["idempotencyKey"] for r in stripe_fake.creates("/v1/customers")}
    assert len(keys) == 1 and Intents(bdb).pending() == []


@pytest.mark.parametrize("die", [die_before, die_after])
def test_subscription_created_once_whenever_the_run_dies(monkeypatch, stripe_fake, sclient, bdb, die):
    plans.setup(sclient, bdb, CFG)
    made = customers.add(sclient, bdb, "Ann", "ann@example.com", [])
    stripe_fake.state.cards.add(made["id"])
    die(monkeypatch, sclient, "create_subscription")
    with pytest.raises(Killed):
        subscriptions.subscribe(sclient, bdb, "Ann", "artist", cfg=CFG)
    sub = subscriptions.subscribe(sclient, bdb, "Ann", "artist", cfg=CFG)
    assert list(stripe_fake.state.table("subscription")) == [sub["id"]]


@pytest.mark.parametrize("step", ["create_invoice", "create_invoice_item", "finalize_invoice", "send_invoice"])
def test_invoice_resumes_after_dying_at_any_step(monkeypatch, stripe_fake, sclient, bdb, step):
    plans.setup(sclient, bdb, CFG)
    customers.add(sclient, bdb, "Ann", "ann@example.com", [])
    campaign = CampaignStore(bdb).create({"name": "Single", "artist": "Ann"})
    die_after(monkeypatch, sclient, step)
    with pytest.raises(Killed):
        invoices.invoice(sclient, bdb, "Ann", campaign, "300", send=True)
    done = invoices.invoice(sclient, bdb, "Ann", campaign, "300", send=True)
    assert list(stripe_fake.state.table("invoice")) == [done["id"]] and done["status"] == "open"
    assert len(stripe_fake.state.table("invoiceitem")) == 1
    assert stripe_fake.state.table("invoice")[done["id"]]["amount_due"] == 30000


def test_setup_creates_each_price_once_after_dying(monkeypatch, stripe_fake, sclient, bdb):
    die_after(monkeypatch, sclient, "create_price")
    with pytest.raises(Killed):
        plans.setup(sclient, bdb, CFG)
    plans.setup(sclient, bdb, CFG)
    keys = [p["lookup_key"] for p in stripe_fake.state.table("price").values()]
    assert sorted(keys) == sorted(set(keys)) and len(keys) == 5


@pytest.mark.parametrize("die", [die_before, die_after])
def test_meter_events_sent_once_after_dying(monkeypatch, stripe_fake, sclient, bdb, die):
    plans.setup(sclient, bdb, CFG)
    customers.add(sclient, bdb, "Ann", "ann@example.com", ["Ann"])
    pitched(bdb, "Ann", "Single", add_contacts(bdb, 4), "2026-11-20T10:00:00Z")
    on_day(stripe_fake, date(2026, 11, 22))
    die(monkeypatch, sclient, "create_meter_event")
    with pytest.raises(Killed):
        usage.report(sclient, bdb, CFG, today=date(2026, 11, 22))
    again = usage.report(sclient, bdb, CFG, today=date(2026, 11, 22))
    assert len(again["sent"]) == 1 and len(stripe_fake.state.meter_events) == 1
    assert len({r["idempotencyKey"] for r in stripe_fake.creates("/v1/billing/meter_events")}) == 1


def test_a_retried_create_reuses_its_key(stripe_fake, bdb):
    """Caller retries a 500 whose work was done: the same key makes Stripe answer with the first object."""
    stripe_fake.fail("POST", "/v1/customers", 500, times=1, after_effect=True)
    client = make_client(stripe_fake.url)
    made = customers.add(client, bdb, "Ann", "ann@example.com", [])
    posts = stripe_fake.creates("/v1/customers")
    assert len(posts) == 2 and posts[0]["idempotencyKey"] == posts[1]["idempotencyKey"]
    assert list(stripe_fake.state.table("customer")) == [made["id"]]


def test_an_unknown_outcome_keeps_the_intent_for_the_rerun(stripe_fake, bdb):
    once = StripeClient("sk_test_x", stripe_fake.url,
                        caller=Caller(INTEGRATION, classify, max_attempts=1, sleep=lambda s: None))
    stripe_fake.fail("POST", "/v1/customers", 503, times=1, after_effect=True)
    with pytest.raises(IntegrationError):
        customers.add(once, bdb, "Ann", "ann@example.com", [])
    made = customers.add(once, bdb, "Ann", "ann@example.com", [])
    assert list(stripe_fake.state.table("customer")) == [made["id"]]


def test_killed_process_mid_request_then_rerun_creates_once(stripe_fake, tmp_path, monkeypatch):
    """A real `tap` process killed (SIGKILL) while Stripe is creating the customer; the re-run gets that customer."""
    env = {**os.environ, "TAP_HOME": str(tmp_path / "home"), "STRIPE_SECRET_KEY": "sk_test_kill",
           "TAP_STRIPE_BASE_URL": stripe_fake.url}
    release = stripe_fake.hold("/v1/customers")
    proc = subprocess.Popen([sys.executable, "-m", "totalaudio", "billing", "customers", "add", "Ann", "--email",
                             "ann@example.com", "--json"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert eventually(lambda: stripe_fake.creates("/v1/customers"))
    proc.send_signal(signal.SIGKILL)
    proc.wait(PATIENCE)
    release.set()
    # the fake finishes the creation nobody waits for (a fixed 0.3 s was not always enough on a loaded machine)
    assert eventually(lambda: stripe_fake.state.table("customer"))
    assert len(stripe_fake.state.table("customer")) == 1
    monkeypatch.setenv("TAP_HOME", env["TAP_HOME"])
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_kill")
    monkeypatch.setenv("TAP_STRIPE_BASE_URL", stripe_fake.url)
    monkeypatch.delenv("TAP_LOCK_TIMEOUT", raising=False)
    result = tap("billing", "customers", "add", "Ann", "--email", "ann@example.com", "--json")
    assert result.code == 0, result.err
    assert list(stripe_fake.state.table("customer")) == [result.json()["id"]]
    keys = {r["idempotencyKey"] for r in stripe_fake.creates("/v1/customers")}
    assert len(keys) == 1  # the re-run found the customer by email (or replayed the key): one customer
    assert Intents(open_db(tmp_path / "home" / "tap.db")).pending() == []
