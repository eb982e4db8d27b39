"""The receiver and the billing service together: a signed Stripe event reaches the billing mirror once, in the
object's own order, notifies, and `tap webhooks replay` applies it again."""

import json

from tests.services.test_billing_events import invoice_event, sub_event
from tests.webhooks.conftest import MAKE_ON, RecordingMake, held, stripe_post
from totalaudio.services.webhooks import replay
from totalaudio.services.webhooks.stripe import billing_handler
from totalaudio.store.billing import BillingStore
from totalaudio.store.db import open_db


def test_signed_failed_payment_lands_in_the_mirror_once_and_notifies(receiver, settings_for):
    server = receiver(stripe_handler=billing_handler, make_client=RecordingMake(), **MAKE_ON)
    failed = invoice_event("evt_pf", "invoice.payment_failed", 1_700_000_000, "open")
    first, again = stripe_post(server.url, failed), stripe_post(server.url, failed)
    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json()["duplicate"] is False and again.json()["duplicate"] is True
    invoice = BillingStore(open_db(settings_for().db_path)).get("billing_invoices", "in_1")
    assert invoice["status"] == "open"
    assert json.loads(invoice["raw"]) == failed["data"]["object"]  # taken from the body's text by SQLite
    assert [n["type"] for n in held(settings_for())] == ["payment.failed"]


def test_out_of_order_subscription_events_keep_the_newest_state(receiver, settings_for):
    server = receiver(stripe_handler=billing_handler)
    newer = sub_event("evt_new", "customer.subscription.updated", 2_000, "past_due")
    older = sub_event("evt_old", "customer.subscription.updated", 1_000, "active")
    for event in (newer, older):
        assert stripe_post(server.url, event).status_code == 200
    sub = BillingStore(open_db(settings_for().db_path)).get("billing_subscriptions", "sub_1")
    assert sub["status"] == "past_due"


def test_replay_applies_a_stored_stripe_event_again(receiver, settings_for):
    server = receiver(stripe_handler=billing_handler)
    assert stripe_post(server.url, invoice_event("evt_r", "invoice.paid", 1_700_000_000, "paid")).status_code == 200
    settings = settings_for()
    outcome = replay.replay(open_db(settings.db_path), settings, "evt_r")
    assert outcome.status == "processed" and outcome.result["duplicate"] is False
