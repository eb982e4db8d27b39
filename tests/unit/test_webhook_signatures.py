"""Our signature code agrees with stripe-python and the standardwebhooks package, both ways, and refuses the rest."""

import base64
import json
import time
from datetime import datetime, timezone

import pytest
import stripe
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from totalaudio.errors import ConfigError
from totalaudio.services.webhooks.signatures import (SignatureError, standard_headers, standard_key,
                                                     stripe_signature, verify_standard, verify_stripe)

SECRET = "whsec_test_secret"
STD_SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
BODY = json.dumps({"id": "evt_1", "type": "invoice.paid", "name": "Zoë"})


def test_stripe_headers_from_the_sdk_verify():
    header = stripe.WebhookSignature.generate_signature_header(BODY, SECRET)
    assert verify_stripe(BODY.encode(), header, SECRET) == int(header.split(",")[0][2:])


def test_our_stripe_signature_passes_the_sdk_check():
    now = int(time.time())
    header = f"t={now},v1={stripe_signature(SECRET, now, BODY.encode())}"
    assert stripe.WebhookSignature.verify_header(BODY, header, SECRET, tolerance=300)


def test_stripe_rolled_secrets_any_v1_matches():
    now = int(time.time())
    header = f"t={now},v1={'0' * 64},v1={stripe_signature(SECRET, now, BODY.encode())},v0=old"
    assert verify_stripe(BODY.encode(), header, SECRET) == now


@pytest.mark.parametrize("header", [None, "", "garbage", "t=abc,v1=00", "v1=00", "t=1,t=2,v1=00", "t=1",
                                    "t=١٢,v1=ü", "t=99999999999999999999999,v1=zz"])
def test_malformed_stripe_headers_are_refused(header):
    with pytest.raises(SignatureError):
        verify_stripe(BODY.encode(), header, SECRET)


def test_stripe_tampered_stale_and_future_are_refused():
    header = stripe.WebhookSignature.generate_signature_header(BODY, SECRET)
    with pytest.raises(SignatureError, match="matches"):
        verify_stripe(BODY.encode() + b" ", header, SECRET)
    with pytest.raises(SignatureError, match="matches"):
        verify_stripe(BODY.encode(), header, "whsec_other")
    # The clock is read once and handed to the check: a stamp truncated to whole seconds 301 s ahead is only
    # 300.0x s ahead of a clock that has moved on a few hundredths, which is inside the tolerance.
    now = time.time()
    for offset in (-301, 301):
        old = stripe.WebhookSignature.generate_signature_header(BODY, SECRET, round(now) + offset)
        with pytest.raises(SignatureError, match="tolerance"):
            verify_stripe(BODY.encode(), old, SECRET, now=round(now))
    inside = stripe.WebhookSignature.generate_signature_header(BODY, SECRET, int(time.time()) - 290)
    assert verify_stripe(BODY.encode(), inside, SECRET)


def test_standard_webhooks_package_signatures_verify():
    stamp = datetime.now(timezone.utc)
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(int(stamp.timestamp())),
               "webhook-signature": "v1,bogus " + Webhook(STD_SECRET).sign("msg_1", stamp, BODY)}
    assert verify_standard(BODY.encode(), headers, standard_key(STD_SECRET)) == "msg_1"


def test_our_standard_headers_pass_the_package_check():
    headers = standard_headers(standard_key(STD_SECRET), "msg_2", int(time.time()), BODY.encode())
    assert Webhook(STD_SECRET).verify(BODY, headers)["id"] == "evt_1"
    with pytest.raises(WebhookVerificationError):
        Webhook(STD_SECRET).verify(BODY + " ", headers)


def test_standard_refusals():
    key = standard_key(STD_SECRET)
    good = standard_headers(key, "msg_3", int(time.time()), BODY.encode())
    for broken in ({**good, "webhook-id": "msg_4"}, {**good, "webhook-signature": "v2,xyz"},
                   {k: v for k, v in good.items() if k != "webhook-signature"}, {**good, "webhook-timestamp": "x"},
                   standard_headers(key, "msg_3", int(time.time()) - 400, BODY.encode())):
        with pytest.raises(SignatureError):
            verify_standard(BODY.encode(), broken, key)


def test_unsigned_headers_without_a_key():
    assert set(standard_headers(None, "msg_5", 1, b"{}")) == {"webhook-id", "webhook-timestamp"}


@pytest.mark.parametrize("secret", ["whsec_", "whsec_not base64!", "whsec_" + base64.b64encode(b"short").decode()])
def test_bad_standard_secret_is_a_config_error(secret):
    with pytest.raises(ConfigError, match="whsec_"):
        standard_key(secret)
