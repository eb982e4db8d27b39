"""The Stripe fake answers in Stripe's shapes: every field of every object it returns exists in the recorded
fixture of that object type (../shared/specs/stripe/fixtures3.json) with the same JSON type."""

import json

import pytest

from tests import standins
from tests.fakes.stripe_rig import CFG, bdb, sclient, stripe_fake  # noqa: F401
from totalaudio.services.billing import customers, invoices, plans, subscriptions
from totalaudio.store.campaigns import CampaignStore

NESTED = {("subscription", "items"): None, ("invoice", "lines"): None, ("event", "data"): None}
ITEM_TYPES = {"subscription_item", "line_item", "price"}


@pytest.fixture(scope="module")
def fixtures():
    path = standins.shared_file("specs/stripe/fixtures3.json")
    return json.loads(path.read_text())["resources"]


def kind(value):
    if value is None:
        return None
    return {bool: "bool", int: "number", float: "number", str: "str", list: "list", dict: "dict"}[type(value)]


def mismatches(obj: dict, model: dict, fixtures: dict, path: str) -> list[str]:
    """Fields of ``obj`` missing from ``model`` or of another JSON type; nested Stripe objects by their own type."""
    out = []
    for key, value in obj.items():
        if key not in model:
            out.append(f"{path}.{key} is not in the fixture")
            continue
        theirs = model[key]
        if kind(value) and kind(theirs) and kind(value) != kind(theirs):
            out.append(f"{path}.{key}: {kind(value)} where Stripe has {kind(theirs)}")
        elif isinstance(value, dict):
            out += _nested(value, theirs, fixtures, f"{path}.{key}")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            out += _nested(value[0], (theirs or [{}])[0] if isinstance(theirs, list) else {}, fixtures,
                           f"{path}.{key}[0]")
    return out


def _nested(value: dict, theirs, fixtures: dict, path: str) -> list[str]:
    own = value.get("object")
    if isinstance(own, str) and own in fixtures:
        return mismatches(value, fixtures[own], fixtures, path)
    if own == "list":
        return [m for item in value.get("data") or [] for m in mismatches(item, fixtures[item["object"]], fixtures,
                                                                          f"{path}.data[]")]
    if isinstance(theirs, dict) and theirs:
        return mismatches(value, theirs, fixtures, path)
    return []


def test_every_object_the_fake_returns_has_stripes_shape(fixtures, stripe_fake, sclient, bdb):
    seen = []
    stripe_fake_dispatch = stripe_fake.dispatch

    def recording(method, path, params, headers):
        status, body, extra = stripe_fake_dispatch(method, path, params, headers)
        if status == 200:
            seen.append(body)
        return status, body, extra
    stripe_fake.dispatch = recording
    plans.setup(sclient, bdb, CFG)
    made = customers.add(sclient, bdb, "Ann", "ann@example.com", ["Ann"])
    stripe_fake.state.cards.add(made["id"])
    subscriptions.subscribe(sclient, bdb, "Ann", "artist", cfg=CFG)
    subscriptions.checkout(sclient, bdb, "Ann", "agency", cfg=CFG)
    subscriptions.portal(sclient, bdb, "Ann")
    invoices.invoice(sclient, bdb, "Ann", CampaignStore(bdb).create({"name": "X", "artist": "Ann"}), "10", send=True)
    sclient.create_meter_event({"event_name": CFG.meter_event_name, "identifier": "i1",
                                "payload": {"stripe_customer_id": made["id"], "value": "3"}}, key="m1")
    sclient.subscriptions(status="all")
    sclient.events()
    objects = [o for body in seen for o in (body["data"] if body.get("object") == "list" else [body])]
    kinds = {o["object"] for o in objects}
    assert {"customer", "product", "price", "billing.meter", "billing.meter_event", "subscription", "invoice",
            "invoiceitem", "checkout.session", "billing_portal.session", "event"} <= kinds
    problems = [p for o in objects for p in mismatches(o, fixtures[o["object"]], fixtures, o["object"])]
    assert problems == []
