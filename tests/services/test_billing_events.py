"""Stripe events into the mirror: each once by id, the object's own time and state winning over arrival order,
notifications for failed payments and subscription changes, polling with the same effects, and a fuzz test."""

import copy
import random

import pytest

from tests.fakes.stripe_rig import CFG, bdb, make_client, sclient, stripe_fake  # noqa: F401
from totalaudio.errors import InputError
from totalaudio.services.billing import customers, plans, subscriptions, sync
from totalaudio.services.billing.events import ingest_stripe_event
from totalaudio.store.billing import BillingStore, EventLog


def sub_event(event_id, kind, created, status, *, cancel=False, sub_id="sub_1", customer="cus_1"):
    price = {"id": "price_1", "object": "price", "currency": "gbp", "unit_amount": 2500,
             "recurring": {"interval": "month"}, "metadata": {"tap_plan": "artist"}}
    return {"id": event_id, "object": "event", "type": kind, "created": created,
            "data": {"object": {"id": sub_id, "object": "subscription", "customer": customer, "status": status,
                                "cancel_at_period_end": cancel, "items": {"data": [{"price": price,
                                                                                     "current_period_end": 1800000000}]}}}}


def invoice_event(event_id, kind, created, status, invoice_id="in_1"):
    return {"id": event_id, "object": "event", "type": kind, "created": created,
            "data": {"object": {"id": invoice_id, "object": "invoice", "customer": "cus_1", "status": status,
                                "amount_due": 9900, "amount_remaining": 9900, "currency": "gbp",
                                "attempt_count": 2, "next_payment_attempt": 1800000000,
                                "hosted_invoice_url": "https://invoice.stripe.com/i/x", "due_date": None}}}


def test_a_repeated_event_id_is_acknowledged_and_changes_nothing(bdb):
    first = ingest_stripe_event(bdb, sub_event("evt_1", "customer.subscription.created", 100, "active"), "webhook")
    assert first["duplicate"] is False and first["notifications"][0]["type"] == "subscription.changed"
    bdb.execute("UPDATE billing_subscriptions SET status = 'marker'")
    again = ingest_stripe_event(bdb, sub_event("evt_1", "customer.subscription.created", 100, "active"), "poll")
    assert again == {"eventId": "evt_1", "type": "customer.subscription.created", "duplicate": True, "effects": [],
                     "notifications": []}
    assert BillingStore(bdb).get("billing_subscriptions", "sub_1")["status"] == "marker"
    assert EventLog(bdb).count() == 1 and EventLog(bdb).get("evt_1")["via"] == "webhook"


def test_an_older_update_arriving_later_does_not_overwrite_a_newer_one(bdb):
    ingest_stripe_event(bdb, sub_event("evt_new", "customer.subscription.updated", 200, "past_due"), "webhook")
    late = ingest_stripe_event(bdb, sub_event("evt_old", "customer.subscription.updated", 150, "active"), "webhook")
    assert "older than the stored past_due" in late["effects"][0] and late["notifications"] == []
    assert BillingStore(bdb).get("billing_subscriptions", "sub_1")["status"] == "past_due"
    newer = ingest_stripe_event(bdb, sub_event("evt_newer", "customer.subscription.updated", 250, "active"), "poll")
    assert newer["notifications"][0]["data"]["previousStatus"] == "past_due"
    assert BillingStore(bdb).get("billing_subscriptions", "sub_1")["status"] == "active"


def test_a_canceled_subscription_never_comes_back_even_at_the_same_second(bdb):
    ingest_stripe_event(bdb, sub_event("evt_d", "customer.subscription.deleted", 300, "canceled"), "webhook")
    same = ingest_stripe_event(bdb, sub_event("evt_u", "customer.subscription.updated", 300, "active"), "webhook")
    assert same["notifications"] == []
    assert BillingStore(bdb).get("billing_subscriptions", "sub_1")["status"] == "canceled"


def test_payment_failed_notifies_with_the_customer_and_artists(bdb):
    BillingStore(bdb).save_customer({"id": "cus_1", "name": "Ann Label", "email": "a@x.example"}, ["Ann"])
    out = ingest_stripe_event(bdb, invoice_event("evt_f", "invoice.payment_failed", 100, "open"), "webhook")
    note = out["notifications"]
    assert note[0]["type"] == "payment.failed"
    assert note[0]["data"] == {"invoiceId": "in_1", "customerId": "cus_1", "customerName": "Ann Label",
                               "artists": ["Ann"], "amountDue": 9900, "currency": "gbp", "attemptCount": 2,
                               "nextPaymentAttempt": "2027-01-15T08:00:00Z",
                               "hostedInvoiceUrl": "https://invoice.stripe.com/i/x", "campaignId": None,
                               "eventId": "evt_f"}


def test_a_paid_invoice_is_not_reopened_by_a_late_failure(bdb):
    ingest_stripe_event(bdb, invoice_event("evt_p", "invoice.paid", 200, "paid"), "webhook")
    late = ingest_stripe_event(bdb, invoice_event("evt_f", "invoice.payment_failed", 210, "open"), "webhook")
    assert late["notifications"] == [] and "ignored" in late["effects"][0]
    assert BillingStore(bdb).get("billing_invoices", "in_1")["status"] == "paid"


def test_unknown_types_are_stored_and_bad_via_is_refused(bdb):
    out = ingest_stripe_event(bdb, {"id": "evt_x", "type": "charge.refunded", "created": 5,
                                    "data": {"object": {"id": "ch_1"}}}, "poll")
    assert out["effects"] == ["charge.refunded: stored, nothing to apply"] and EventLog(bdb).count() == 1
    with pytest.raises(InputError):
        ingest_stripe_event(bdb, {"id": "evt_y", "type": "x", "created": 5, "data": {"object": {}}}, "email")


def test_a_malformed_known_event_stores_nothing(bdb):
    bad = sub_event("evt_bad", "customer.subscription.updated", 5, "active")
    del bad["data"]["object"]["customer"]
    with pytest.raises(InputError, match="no status or customer"):
        ingest_stripe_event(bdb, bad, "webhook")
    assert EventLog(bdb).count() == 0


def _mutate(rng: random.Random, value):
    """A random corruption of a JSON-ish value."""
    junk = [None, True, 0, -1, 2**70, 1.5, float("nan"), "", "x" * 300, [], {}, [1, {"a": None}], {"id": 5},
            b"bytes", ("t",), {1: "int key"}, "evt_\x00", object()]
    if isinstance(value, dict) and value and rng.random() < 0.7:
        key = rng.choice(list(value))
        if rng.random() < 0.2:
            return {k: v for k, v in value.items() if k != key}
        return {**value, key: _mutate(rng, value[key])}
    if isinstance(value, list) and value and rng.random() < 0.5:
        i = rng.randrange(len(value))
        return value[:i] + [_mutate(rng, value[i])] + value[i + 1:]
    return rng.choice(junk)


def test_fuzz_random_and_malformed_events_raise_only_input_error(bdb):
    rng = random.Random(20261202)
    seeds = [sub_event("evt_s", "customer.subscription.updated", 100, "active"),
             invoice_event("evt_i", "invoice.payment_failed", 100, "open"),
             {"id": "evt_c", "type": "customer.updated", "created": 100,
              "data": {"object": {"id": "cus_1", "metadata": {"tap_artists": "A; B"}, "name": "N"}}}]
    outcomes = {"ok": 0, "input": 0}
    for i in range(1500):
        event = copy.deepcopy(rng.choice(seeds))
        for _ in range(rng.randint(1, 4)):
            event = _mutate(rng, event)
        if isinstance(event, dict) and rng.random() < 0.5:
            event["id"] = f"evt_fuzz{i}"
        try:
            result = ingest_stripe_event(bdb, event, "webhook")
            assert set(result) == {"eventId", "type", "duplicate", "effects", "notifications"}
            outcomes["ok"] += 1
        except InputError:
            outcomes["input"] += 1
    assert outcomes["ok"] > 50 and outcomes["input"] > 50


def test_sync_polls_events_once_and_notifies(stripe_fake, sclient, bdb):
    plans.setup(sclient, bdb, CFG)
    made = customers.add(sclient, bdb, "Ann", "ann@example.com", ["Ann"])
    stripe_fake.state.cards.add(made["id"])
    sub = subscriptions.subscribe(sclient, bdb, "Ann", "artist", cfg=CFG)
    sent = []
    first = sync.sync(sclient, bdb, lambda kind, data: sent.append((kind, data)))
    assert first["new"] == first["seen"] >= 2 and first["notified"] == 1
    assert sent[0][0] == "subscription.changed" and sent[0][1]["subscriptionId"] == sub["id"]
    stripe_fake.state.emit("customer.subscription.deleted", {**stripe_fake.state.table("subscription")[sub["id"]],
                                                             "status": "canceled"})
    dry = sync.sync(sclient, bdb, None, dry_run=True)
    assert dry["new"] == 1 and BillingStore(bdb).get("billing_subscriptions", sub["id"])["status"] == "active"
    second = sync.sync(sclient, bdb, lambda kind, data: sent.append((kind, data)))
    assert second["new"] == 1 and len(sent) == 2 and sent[1][1]["status"] == "canceled"
    assert BillingStore(bdb).get("billing_subscriptions", sub["id"])["status"] == "canceled"
    third = sync.sync(sclient, bdb, None)
    assert third["new"] == 0 and third["applied"] == []


def test_sync_against_localstripe_events(localstripe_server, bdb):
    client = make_client(localstripe_server.url)
    customer = client.create_customer({"name": "Loc", "email": "loc@example.com",
                                       "metadata": {"tap_artists": "Loc Act"}}, key="k-loc-1")
    result = sync.sync(client, bdb, None)
    applied = [a for a in result["applied"] if customer["id"] in " ".join(a["effects"])]
    assert applied and BillingStore(bdb).find_customer("Loc Act")["id"] == customer["id"]
    assert sync.sync(client, bdb, None)["applied"] == []
