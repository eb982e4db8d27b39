"""``tap billing setup``: the Artist and Agency products, their monthly and yearly prices found or created by
lookup key (a changed amount makes a new price and moves the key: prices are immutable), and a usage meter."""

from __future__ import annotations

from typing import Any

from totalaudio.services.billing.common import (INTERVALS, PLAN_NAMES, PLANS, USAGE_LOOKUP_KEY, BillingConfig,
                                                create_once, lookup_key, to_minor)
from totalaudio.store.billing import BillingStore


def wanted_prices(cfg: BillingConfig) -> list[dict[str, Any]]:
    """The plan prices the configuration asks for: plan, cadence, lookup key, minor amount, interval."""
    return [{"plan": plan, "cadence": cadence, "lookupKey": lookup_key(plan, cadence), "interval": interval,
             "unitAmount": int(to_minor(cfg.amount(plan, cadence), cfg.currency))}
            for plan in PLANS for cadence, interval in INTERVALS.items()]


def _matches(price: dict[str, Any] | None, want: dict[str, Any], currency: str) -> bool:
    recurring = (price or {}).get("recurring") or {}
    return bool(price) and price.get("unit_amount") == want["unitAmount"] and price.get("currency") == currency \
        and recurring.get("interval") == want["interval"]


def setup(client: Any, db: Any, cfg: BillingConfig, *, dry_run: bool = False,
          run_id: str | None = None) -> dict[str, Any]:
    """Make Stripe hold exactly the configured plans; returns what was found, created or moved."""
    store = BillingStore(db)
    wanted = wanted_prices(cfg)
    existing = {p.get("lookup_key"): p for p in client.prices([w["lookupKey"] for w in wanted] + [USAGE_LOOKUP_KEY])}
    products = {plan: _product(client, db, plan, dry_run, run_id) for plan in PLANS + (("usage",) if cfg.usage else ())}
    prices = [_price(client, store, db, w, existing.get(w["lookupKey"]), products[w["plan"]], cfg, dry_run, run_id)
              for w in wanted]
    meter = _meter(client, db, store, cfg, existing.get(USAGE_LOOKUP_KEY), dry_run, run_id) if cfg.usage else None
    created = sum(p["action"] in ("created", "moved") for p in prices) + sum(
        p["action"] == "created" for p in products.values()) + sum(
        bool(meter) and meter.get(k) in ("created", "moved") for k in ("action", "priceAction"))
    return {"currency": cfg.currency, "products": list(products.values()), "prices": prices, "meter": meter,
            "created": created, "dryRun": dry_run, "runId": run_id}


def _product(client: Any, db: Any, plan: str, dry_run: bool, run_id: str | None) -> dict[str, Any]:
    """The plan's product, by its fixed id (tap_artist), created when absent."""
    product_id = f"tap_{plan}"
    found = client.product(product_id)
    if found or dry_run:
        return {"plan": plan, "id": product_id, "action": "found" if found else "created"}
    params = {"id": product_id, "name": PLAN_NAMES[plan], "metadata": {"tap_plan": plan}}
    create_once(db, f"product:{product_id}", "product", params, client.create_product, lambda obj: None, run_id)
    return {"plan": plan, "id": product_id, "action": "created"}


def _price(client: Any, store: BillingStore, db: Any, want: dict[str, Any], current: dict[str, Any] | None,
           product: dict[str, Any], cfg: BillingConfig, dry_run: bool, run_id: str | None) -> dict[str, Any]:
    """Keep the price that matches; otherwise create one holding the lookup key (moving it if another had it)."""
    out = {"lookupKey": want["lookupKey"], "plan": want["plan"], "interval": want["interval"],
           "unitAmount": want["unitAmount"], "currency": cfg.currency}
    if _matches(current, want, cfg.currency):
        store.save_price(want["lookupKey"], want["plan"], current)
        return {**out, "id": current["id"], "action": "found"}
    action = "moved" if current else "created"
    if dry_run:
        return {**out, "id": None, "action": action, "previousId": (current or {}).get("id")}
    params = {"product": product["id"], "currency": cfg.currency, "unit_amount": want["unitAmount"],
              "recurring": {"interval": want["interval"]}, "lookup_key": want["lookupKey"],
              "transfer_lookup_key": True, "metadata": {"tap_plan": want["plan"]}}
    subject = f"price:{want['lookupKey']}:{cfg.currency}:{want['unitAmount']}"
    price = create_once(db, subject, "price", params, client.create_price,
                        lambda obj: store.save_price(want["lookupKey"], want["plan"], obj), run_id)
    return {**out, "id": price["id"], "action": action, "previousId": (current or {}).get("id")}


def _meter(client: Any, db: Any, store: BillingStore, cfg: BillingConfig, usage_price: dict[str, Any] | None,
           dry_run: bool, run_id: str | None) -> dict[str, Any]:
    """The usage meter (sum of contacts pitched per customer) and its metered price per contact."""
    found = next((m for m in client.meters() if m.get("event_name") == cfg.meter_event_name), None)
    out = {"eventName": cfg.meter_event_name, "id": (found or {}).get("id"), "action": "found" if found else "created"}
    if dry_run:
        same = bool(found) and _usage_matches(usage_price, found["id"], _usage_amount(cfg))
        return {**out, "priceId": (usage_price or {}).get("id") if same else None,
                "priceAction": "found" if same else "moved" if usage_price else "created"}
    if not found:
        params = {"display_name": "Contacts pitched", "event_name": cfg.meter_event_name,
                  "default_aggregation": {"formula": "sum"},
                  "customer_mapping": {"type": "by_id", "event_payload_key": "stripe_customer_id"},
                  "value_settings": {"event_payload_key": "value"}}
        found = create_once(db, f"meter:{cfg.meter_event_name}", "meter", params, client.create_meter,
                            lambda obj: None, run_id, tag=False)
    out["id"] = found["id"]
    out["priceId"], out["priceAction"] = _usage_price(client, db, store, cfg, found["id"], usage_price, run_id)
    return out


def _usage_amount(cfg: BillingConfig) -> str:
    """The configured price per contact pitched, in minor units (fractions allowed: 0.05 GBP is 5)."""
    return format(to_minor(cfg.usage_unit_amount, cfg.currency, what="[billing] usage_unit_amount",
                           fractional=True).normalize(), "f")  # 2500, never 2.5E+3


def _usage_matches(current: dict[str, Any] | None, meter_id: str, amount: str) -> bool:
    recurring = (current or {}).get("recurring") or {}
    return bool(current) and recurring.get("meter") == meter_id and str(current.get("unit_amount_decimal")) == amount


def _usage_price(client: Any, db: Any, store: BillingStore, cfg: BillingConfig, meter_id: str,
                 current: dict[str, Any] | None, run_id: str | None) -> tuple[str, str]:
    """A metered monthly price per contact pitched on the meter, found or created by its lookup key."""
    amount = _usage_amount(cfg)
    if _usage_matches(current, meter_id, amount):
        store.save_price(USAGE_LOOKUP_KEY, "usage", current)
        return current["id"], "found"
    params = {"product": "tap_usage", "currency": cfg.currency, "unit_amount_decimal": amount,
              "recurring": {"interval": "month", "usage_type": "metered", "meter": meter_id},
              "lookup_key": USAGE_LOOKUP_KEY, "transfer_lookup_key": True, "metadata": {"tap_plan": "usage"}}
    price = create_once(db, f"price:{USAGE_LOOKUP_KEY}:{cfg.currency}:{amount}:{meter_id}", "price", params,
                        client.create_price, lambda obj: store.save_price(USAGE_LOOKUP_KEY, "usage", obj), run_id)
    return price["id"], "moved" if current else "created"
