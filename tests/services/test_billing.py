"""Billing use cases against the stateful Stripe fake: plans by lookup key, customers linked to artists,
subscriptions (declines in words), links, campaign invoices, usage meter events and status."""

from dataclasses import replace
from datetime import date

import pytest

from tests.fakes.stripe_rig import CFG, add_contacts, bdb, on_day, pitched, sclient, stripe_fake  # noqa: F401
from totalaudio.errors import ConfigError, InputError, IntegrationError
from totalaudio.services.billing import customers, invoices, plans, status, subscriptions, usage
from totalaudio.services.billing.common import BillingConfig
from totalaudio.store.campaigns import CampaignStore


def _prices(fake):
    return fake.state.table("price")


def test_setup_creates_once_and_a_second_run_creates_nothing(stripe_fake, sclient, bdb):
    first = plans.setup(sclient, bdb, CFG)
    assert first["created"] == 3 + 4 + 1 + 1  # 3 products, 4 plan prices, the meter and its metered price
    keys = {p["lookup_key"]: p for p in _prices(stripe_fake).values()}
    assert keys["tap_artist_monthly"]["unit_amount"] == 2500 and keys["tap_agency_yearly"]["unit_amount"] == 99000
    assert keys["tap_usage_contact"]["recurring"]["usage_type"] == "metered"
    again = plans.setup(sclient, bdb, CFG)
    assert again["created"] == 0 and {p["action"] for p in again["prices"]} == {"found"}
    assert len(_prices(stripe_fake)) == 5 and len(stripe_fake.state.table("billing.meter")) == 1


def test_a_changed_amount_makes_a_new_price_and_moves_the_lookup_key(stripe_fake, sclient, bdb):
    plans.setup(sclient, bdb, CFG)
    old = next(p for p in _prices(stripe_fake).values() if p["lookup_key"] == "tap_artist_monthly")
    cfg = replace(CFG, amounts=tuple({**dict(CFG.amounts), "artist_monthly": "29.50"}.items()))
    dry = plans.setup(sclient, bdb, cfg, dry_run=True)
    assert [p["action"] for p in dry["prices"]].count("moved") == 1 and len(_prices(stripe_fake)) == 5
    result = plans.setup(sclient, bdb, cfg)
    moved = next(p for p in result["prices"] if p["action"] == "moved")
    assert moved["previousId"] == old["id"] and moved["unitAmount"] == 2950
    assert _prices(stripe_fake)[old["id"]]["lookup_key"] is None
    assert _prices(stripe_fake)[moved["id"]]["lookup_key"] == "tap_artist_monthly"
    post = stripe_fake.creates("/v1/prices")[-1]["params"]
    assert post["transfer_lookup_key"] == "true"


@pytest.mark.parametrize("amount, words", [("abc", "not a number"), ("-5", "positive"), ("0", "positive"),
                                           ("12.345", "at most 2 decimals"), ("nan", "positive"), ("inf", "positive"),
                                           ("1e309", "more than Stripe takes"), ("1000000.00", "more than Stripe")])
def test_a_bad_invoice_amount_is_refused_before_anything_is_looked_up(bdb, amount, words):
    with pytest.raises(InputError, match=words):  # no such customer or campaign: the amount is read first
        invoices.invoice(None, bdb, "nobody", "no campaign", amount, dry_run=True)


def test_the_largest_amount_stripe_takes_is_accepted():
    from totalaudio.services.billing.common import to_minor

    assert to_minor("999999.99", "gbp") == 99_999_999 and to_minor("99999999", "jpy") == 99_999_999


def test_bad_amounts_in_config_are_config_errors(tmp_path):
    from totalaudio.config import Settings
    from totalaudio.services.billing.common import config

    (tmp_path / "tap.toml").write_text('[billing]\nartist_monthly = "12.345"\n')
    with pytest.raises(ConfigError, match="artist_monthly"):
        config(Settings(environ={"TAP_HOME": str(tmp_path)}, cwd=tmp_path))


def test_customer_links_artists_both_ways_and_is_found_by_email(stripe_fake, sclient, bdb):
    CampaignStore(bdb).create({"name": "Spring", "artist": "Ann Arbor"})
    made = customers.add(sclient, bdb, "Arbor Records", "Bills@Arbor.example", ["Ann Arbor", "New Act"])
    remote = stripe_fake.state.table("customer")[made["id"]]
    assert remote["metadata"]["tap_artists"] == "Ann Arbor; New Act" and remote["metadata"]["tap_intent"]
    assert made["unknownArtists"] == ["New Act"]
    again = customers.add(sclient, bdb, "Arbor Records", "bills@arbor.example", ["Third"])
    assert again["id"] == made["id"] and again["action"] == "updated"
    assert stripe_fake.state.table("customer")[made["id"]]["metadata"]["tap_artists"] == "Ann Arbor; New Act; Third"
    assert len(stripe_fake.state.table("customer")) == 1
    assert customers.list_customers(bdb)[0]["artists"] == ["Ann Arbor", "New Act", "Third"]
    with pytest.raises(InputError):
        customers.add(sclient, bdb, "x", "not-an-email", [])


def test_a_customer_stripe_already_holds_is_adopted_not_duplicated(stripe_fake, sclient, bdb, tmp_path):
    from totalaudio.store.db import open_db

    made = customers.add(sclient, bdb, "Ann", "ann@example.com", ["Ann"])
    fresh = open_db(tmp_path / "other.db")  # another machine, or a new TAP_HOME
    again = customers.add(sclient, fresh, "Ann", "ann@example.com", ["Bo"])
    assert again["id"] == made["id"] and again["artists"] == ["Ann", "Bo"]
    assert len(stripe_fake.state.table("customer")) == 1


@pytest.fixture
def ready(stripe_fake, sclient, bdb):
    """Plans set up and one customer (artist Ann) with a card on file."""
    plans.setup(sclient, bdb, CFG)
    made = customers.add(sclient, bdb, "Ann", "ann@example.com", ["Ann"])
    stripe_fake.state.cards.add(made["id"])
    return made["id"]


def test_subscribe_with_trial_and_usage_price_then_refuses_a_second(stripe_fake, sclient, bdb, ready):
    result = subscriptions.subscribe(sclient, bdb, "ann@example.com", "agency", yearly=True, trial_days=14, cfg=CFG)
    assert result["status"] == "trialing" and result["interval"] == "year"
    sub = stripe_fake.state.table("subscription")[result["id"]]
    assert [i["price"]["lookup_key"] for i in sub["items"]["data"]] == ["tap_agency_yearly", "tap_usage_contact"]
    with pytest.raises(InputError, match="already has the agency plan"):
        subscriptions.subscribe(sclient, bdb, "Ann", "agency", cfg=CFG)


def test_a_declined_card_is_reported_in_words(stripe_fake, sclient, bdb, ready):
    stripe_fake.state.declines[ready] = "insufficient_funds"
    with pytest.raises(IntegrationError) as caught:
        subscriptions.subscribe(sclient, bdb, "Ann", "artist", cfg=CFG)
    assert "card declined: Your card was declined. (insufficient funds)" in caught.value.message
    assert caught.value.status == 402 and caught.value.exit_code == 4


def test_no_card_on_file_says_so(stripe_fake, sclient, bdb, ready):
    stripe_fake.state.cards.clear()
    with pytest.raises(IntegrationError, match="no attached payment source"):
        subscriptions.subscribe(sclient, bdb, "Ann", "artist", cfg=CFG)
    invoiced = subscriptions.subscribe(sclient, bdb, "Ann", "artist", invoice=True, cfg=CFG)
    assert stripe_fake.state.table("subscription")[invoiced["id"]]["collection_method"] == "send_invoice"


def test_subscribe_before_setup_is_a_config_error(sclient, bdb):
    customers.add(sclient, bdb, "Ann", "ann@example.com", [])
    with pytest.raises(ConfigError, match="no price in the local store") as caught:
        subscriptions.subscribe(sclient, bdb, "Ann", "artist")
    assert "tap billing setup" in caught.value.hint


def test_checkout_and_portal_links(stripe_fake, sclient, bdb, ready):
    link = subscriptions.checkout(sclient, bdb, "Ann", "artist", cfg=CFG)
    assert link["url"].startswith("https://checkout.stripe.com/")
    again = subscriptions.checkout(sclient, bdb, "Ann", "artist", cfg=CFG)
    assert again["id"] == link["id"]  # the same day's link: same key, same session
    sent = stripe_fake.creates("/v1/checkout/sessions")[0]["params"]
    assert sent["mode"] == "subscription" and sent["customer"] == ready
    assert not any("card" in k for k in sent)
    portal = subscriptions.portal(sclient, bdb, "Ann")
    assert portal["url"].startswith("https://billing.stripe.com/")
    with pytest.raises(ConfigError, match="success_url"):
        subscriptions.checkout(sclient, bdb, "Ann", "artist", cfg=BillingConfig())


def test_cancel_at_period_end_then_now(stripe_fake, sclient, bdb, ready):
    sub = subscriptions.subscribe(sclient, bdb, "Ann", "artist", cfg=CFG)
    later = subscriptions.cancel(sclient, bdb, "Ann", at_period_end=True)
    assert later["status"] == "active" and later["cancelAtPeriodEnd"] is True
    now = subscriptions.cancel(sclient, bdb, "Ann")
    assert now["status"] == "canceled" and stripe_fake.state.table("subscription")[sub["id"]]["status"] == "canceled"
    with pytest.raises(InputError, match="0 live subscriptions"):
        subscriptions.cancel(sclient, bdb, "Ann")


def test_campaign_invoice_once_then_listed_overdue_first(stripe_fake, sclient, bdb, ready):
    campaign = CampaignStore(bdb).create({"name": "Spring single", "artist": "Ann"})
    made = invoices.invoice(sclient, bdb, "Ann", "spring single", "250.00", due_days=7, send=True)
    inv = stripe_fake.state.table("invoice")[made["id"]]
    assert inv["status"] == "open" and inv["amount_due"] == 25000 and inv["metadata"]["tap_campaign"] == campaign
    assert made["sent"] and made["hostedInvoiceUrl"]
    with pytest.raises(InputError, match="already invoiced"):
        invoices.invoice(sclient, bdb, "Ann", campaign, "250")
    other = CampaignStore(bdb).create({"name": "Autumn", "artist": "Ann"})
    invoices.invoice(sclient, bdb, "Ann", other, "100", due_days=30)
    later = int(inv["due_date"]) + 86400
    rows = invoices.list_invoices(bdb, now=later)
    assert rows[0]["id"] == made["id"] and rows[0]["overdue"] and not rows[1]["overdue"]
    assert [r["id"] for r in invoices.list_invoices(bdb, "past_due", now=later)] == [made["id"]]
    with pytest.raises(InputError):
        invoices.invoice(sclient, bdb, "Ann", other, "12.345")


def test_usage_report_counts_whole_days_and_never_bills_twice(stripe_fake, sclient, bdb, ready):
    contacts = add_contacts(bdb, 5)
    pitched(bdb, "Ann", "Single", contacts[:3], "2026-11-20T10:00:00Z")
    pitched(bdb, "Ann", "Remix", contacts[2:], "2026-11-20T15:00:00Z")
    pitched(bdb, "Ann", "Later", contacts[:2], "2026-11-21T09:00:00Z")
    pitched(bdb, "Someone else", "Other", contacts, "2026-11-20T10:00:00Z")
    pitched(bdb, "Ann", "Today", contacts, "2026-11-22T09:00:00Z")
    today = date(2026, 11, 22)
    on_day(stripe_fake, today)
    dry = usage.report(sclient, bdb, CFG, today=today, dry_run=True)
    assert [(r["day"], r["value"]) for r in dry["sent"]] == [("2026-11-20", 5), ("2026-11-21", 2)]
    assert not stripe_fake.state.meter_events
    stripe_fake.state.clock = int(stripe_fake.state.clock)
    first = usage.report(sclient, bdb, CFG, today=today)
    assert first["total"] == 7 and len(stripe_fake.state.meter_events) == 2
    again = usage.report(sclient, bdb, CFG, today=today)
    assert again["sent"] == [] and len(again["alreadySent"]) == 2 and len(stripe_fake.creates(
        "/v1/billing/meter_events")) == 2
    shown = usage.show(bdb, "2026-11-01", today=today)
    assert {r["state"] for r in shown} == {"sent"}
    with pytest.raises(InputError, match="not a date"):
        usage.report(sclient, bdb, CFG, since="yesterday", today=today)


def test_status_counts_plans_mrr_and_past_due(stripe_fake, sclient, bdb, ready):
    subscriptions.subscribe(sclient, bdb, "Ann", "artist", cfg=CFG)
    other = customers.add(sclient, bdb, "Label", "label@example.com", ["B"])
    stripe_fake.state.cards.add(other["id"])
    sub = subscriptions.subscribe(sclient, bdb, "Label", "agency", yearly=True, cfg=BillingConfig())
    bdb.execute("UPDATE billing_subscriptions SET status = 'past_due' WHERE id = ?", [sub["id"]])
    result = status.status(bdb)
    assert {p["plan"]: p["active"] for p in result["plans"]} == {"artist": 1, "agency": 1}
    assert result["mrr"] == 2500 + 99000 // 12 and [p["id"] for p in result["pastDue"]] == [sub["id"]]
    refreshed = status.refresh(sclient, bdb)
    assert refreshed["subscriptions"] == 2


def test_a_fresh_store_neither_subscribes_nor_invoices_twice(stripe_fake, sclient, bdb, ready, tmp_path):
    from totalaudio.store.db import open_db

    subscriptions.subscribe(sclient, bdb, "Ann", "artist", cfg=CFG)
    CampaignStore(bdb).create({"id": "cmp_same", "name": "Single", "artist": "Ann"})
    invoices.invoice(sclient, bdb, "Ann", "cmp_same", "100")
    fresh = open_db(tmp_path / "fresh.db")
    plans.setup(sclient, fresh, CFG)
    customers.add(sclient, fresh, "Ann", "ann@example.com", ["Ann"])
    CampaignStore(fresh).create({"id": "cmp_same", "name": "Single", "artist": "Ann"})
    with pytest.raises(InputError, match="already has the artist plan"):
        subscriptions.subscribe(sclient, fresh, "Ann", "artist", cfg=CFG)
    with pytest.raises(InputError, match="already invoiced"):
        invoices.invoice(sclient, fresh, "Ann", "cmp_same", "100")
    assert len(stripe_fake.state.table("subscription")) == 1 and len(stripe_fake.state.table("invoice")) == 1


def test_usage_needs_usage_on_and_a_recent_since(sclient, bdb):
    with pytest.raises(InputError, match="usage billing is off"):
        usage.report(sclient, bdb, BillingConfig(), today=date(2026, 11, 22))
    with pytest.raises(InputError, match="more than 34 days ago"):
        usage.report(sclient, bdb, CFG, since="2026-09-01", today=date(2026, 11, 22))
    assert usage.show(bdb, "2026-09-01", today=date(2026, 11, 22)) == []
