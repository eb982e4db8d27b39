"""The Stripe client through the real stripe SDK: against localstripe for customers, plan-shaped subscriptions,
invoices and events; against the fake for what localstripe lacks (idempotency keys, the pinned version)."""

import pytest

from tests.fakes.stripe_rig import make_client, stripe_fake  # noqa: F401
from totalaudio.clients import stripe as stripe_client
from totalaudio.clients.stripe import API_VERSION
from totalaudio.errors import IntegrationError


@pytest.fixture
def local(localstripe_server):
    return make_client(localstripe_server.url)


def test_customers_subscriptions_and_invoices_on_localstripe(local):
    customer = local.create_customer({"name": "Ann", "email": "ann@example.com",
                                      "metadata": {"tap_artists": "Ann"}}, key="ls-cus-1")
    assert customer["id"].startswith("cus_") and customer["metadata"]["tap_artists"] == "Ann"
    updated = local.update_customer(customer["id"], {"metadata": {"tap_artists": "Ann; Bo"}})
    assert local.customer(customer["id"])["metadata"]["tap_artists"] == updated["metadata"]["tap_artists"]
    plan = local.sdk.v1.plans.create(params={"id": "tap_ls_monthly", "amount": 2500, "currency": "gbp",
                                             "interval": "month", "product": {"name": "Artist plan"}})
    sub = local.create_subscription({"customer": customer["id"], "items": [{"plan": plan.id}],
                                     "trial_period_days": 7}, key="ls-sub-1")
    assert sub["customer"] == customer["id"] and sub["items"]["data"][0]["plan"]["amount"] == 2500
    assert [s["id"] for s in local.subscriptions(customer=customer["id"])] == [sub["id"]]
    local.create_invoice_item({"customer": customer["id"], "amount": 30000, "currency": "gbp",
                               "description": "Radio promotion"}, key="ls-ii-1")
    invoice = local.create_invoice({"customer": customer["id"], "description": "Campaign fee",
                                    "metadata": {"tap_campaign": "cmp_1"}}, key="ls-in-1")
    assert 30000 in [line["amount"] for line in invoice["lines"]["data"]]  # beside the next period's plan
    assert invoice["id"] in [i["id"] for i in local.invoices(customer=customer["id"])]
    ended = local.cancel_subscription(sub["id"])
    assert ended["status"] == "canceled"
    kinds = {e["type"] for e in local.events()}
    assert {"customer.created", "customer.subscription.created", "invoice.created"} <= kinds


def test_subscription_rows_read_localstripes_plan_shape(local, tmp_path):
    from totalaudio.services.billing.mirror import apply_subscription
    from totalaudio.store.billing import BillingStore
    from totalaudio.store.db import open_db

    customer = local.create_customer({"name": "Old"}, key="ls-cus-2")
    local.sdk.v1.plans.create(params={"id": "tap_ls_yearly", "amount": 25000, "currency": "gbp",
                                      "interval": "year", "product": {"name": "Agency plan"}})
    sub = local.create_subscription({"customer": customer["id"], "items": [{"plan": "tap_ls_yearly"}],
                                     "trial_period_days": 3}, key="ls-sub-2")
    db = open_db(tmp_path / "t.db")
    applied, row, _ = apply_subscription(BillingStore(db), sub)
    assert applied and (row["interval"], row["unit_amount"], row["currency"]) == ("year", 25000, "gbp")


def test_localstripe_card_decline_is_an_error_in_words(local):
    """localstripe declines this card when it is attached: a CardError, reported in words."""
    token = local.sdk.v1.tokens.create(params={"card": {"number": "4000000000000002", "exp_month": 12,
                                                        "exp_year": 2035, "cvc": "123"}})
    with pytest.raises(IntegrationError) as caught:
        local.create_customer({"name": "Declined", "source": token.id}, key="ls-cus-3")
    assert caught.value.status == 402
    assert caught.value.message == "stripe customers.create failed: card declined: Your card was declined. " \
                                   "(card declined)"


def test_every_request_pins_the_api_version_and_creates_carry_our_key(stripe_fake):
    client = make_client(stripe_fake.url)
    client.create_customer({"name": "Ann"}, key="tap_customer_abc")
    client.prices(["tap_artist_monthly"])
    assert {r["version"] for r in stripe_fake.requests} == {API_VERSION}
    assert stripe_fake.creates("/v1/customers")[0]["idempotencyKey"] == "tap_customer_abc"
    with pytest.raises(ValueError):
        client.create_customer({"name": "Ann"}, key="")


def test_same_key_other_params_is_an_idempotency_error_not_retried(stripe_fake):
    client = make_client(stripe_fake.url)
    first = client.create_customer({"name": "Ann"}, key="k1")
    assert client.create_customer({"name": "Ann"}, key="k1")["id"] == first["id"]
    with pytest.raises(IntegrationError) as caught:
        client.create_customer({"name": "Bob"}, key="k1")
    assert caught.value.status == 400 and "same parameters" in caught.value.message
    assert len(stripe_fake.creates("/v1/customers")) == 3 and len(stripe_fake.state.table("customer")) == 1


def test_bad_key_is_a_config_error(stripe_fake, tmp_path):
    from totalaudio.config import Settings
    from totalaudio.errors import ConfigError

    s = Settings(environ={"TAP_HOME": str(tmp_path), "STRIPE_SECRET_KEY": "rk_live_nope",
                          "TAP_STRIPE_BASE_URL": stripe_fake.url}, cwd=tmp_path)
    with pytest.raises(ConfigError, match="refused the credentials"):
        stripe_client.build(s).balance()


def test_a_409_key_in_use_is_retried_with_the_same_key(stripe_fake):
    stripe_fake.fail("POST", "/v1/customers", 409, times=1)
    client = make_client(stripe_fake.url)
    made = client.create_customer({"name": "Ann"}, key="k-409")
    posts = stripe_fake.creates("/v1/customers")
    assert [p["idempotencyKey"] for p in posts] == ["k-409", "k-409"] and made["id"].startswith("cus_")
