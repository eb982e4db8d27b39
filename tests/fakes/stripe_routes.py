"""The Stripe fake's resources: what each endpoint checks, stores and answers (see stripe_fake.py)."""

from __future__ import annotations

import copy
import re
from typing import Any, Callable

DAY = 86400


class StripeFail(Exception):
    """An error answer in Stripe's shape."""

    def __init__(self, status: int, message: str, kind: str = "invalid_request_error", **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"error": {"type": kind, "message": message, **extra}}


def _bool(value: Any) -> bool:
    return str(value).lower() == "true"


def _int(params: dict, key: str, default: Any = None) -> Any:
    if key not in params:
        return default
    try:
        return int(params[key])
    except (TypeError, ValueError):
        raise StripeFail(400, f"Invalid integer: {params[key]}", param=key) from None


def _need(params: dict, *keys: str) -> None:
    for key in keys:
        if params.get(key) in (None, ""):
            raise StripeFail(400, f"Missing required param: {key}.", param=key)


class Routes:
    """Handlers by (method, path pattern)."""

    def __init__(self, state: Any) -> None:
        self.s = state
        self.table: list[tuple[str, re.Pattern, Callable[..., Any]]] = [
            (m, re.compile(p), h) for m, p, h in (
                ("GET", r"/v1/balance", lambda p: {"object": "balance", "available": [], "livemode": False,
                                                   "pending": []}),
                ("POST", r"/v1/customers", self.create_customer),
                ("GET", r"/v1/customers", lambda p: self.page("customer", p, email=p.get("email"))),
                ("GET", r"/v1/customers/(cus_\w+)", lambda p, i: self.get("customer", i)),
                ("POST", r"/v1/customers/(cus_\w+)", self.update_customer),
                ("POST", r"/v1/products", self.create_product),
                ("GET", r"/v1/products/([\w-]+)", lambda p, i: self.get("product", i)),
                ("GET", r"/v1/prices", self.list_prices),
                ("POST", r"/v1/prices", self.create_price),
                ("GET", r"/v1/billing/meters", lambda p: self.page("billing.meter", p, status=p.get("status"))),
                ("POST", r"/v1/billing/meters", self.create_meter),
                ("POST", r"/v1/billing/meter_events", self.create_meter_event),
                ("POST", r"/v1/subscriptions", self.create_subscription),
                ("GET", r"/v1/subscriptions", self.list_subscriptions),
                ("POST", r"/v1/subscriptions/(sub_\w+)", self.update_subscription),
                ("DELETE", r"/v1/subscriptions/(sub_\w+)", self.cancel_subscription),
                ("POST", r"/v1/invoiceitems", self.create_invoice_item),
                ("POST", r"/v1/invoices", self.create_invoice),
                ("GET", r"/v1/invoices", lambda p: self.page("invoice", p, customer=p.get("customer"),
                                                            status=p.get("status"))),
                ("GET", r"/v1/invoices/(in_\w+)", lambda p, i: self.get("invoice", i)),
                ("POST", r"/v1/invoices/(in_\w+)/finalize", self.finalize_invoice),
                ("POST", r"/v1/invoices/(in_\w+)/send", self.send_invoice),
                ("POST", r"/v1/checkout/sessions", self.create_checkout),
                ("POST", r"/v1/billing_portal/sessions", self.create_portal),
                ("GET", r"/v1/events", self.list_events),
            )]

    def handle(self, method: str, path: str, params: dict) -> Any:
        for m, pattern, handler in self.table:
            match = pattern.fullmatch(path)
            if m == method and match:
                return copy.deepcopy(handler(params, *match.groups()))
        raise StripeFail(404, f"Unrecognized request URL ({method}: {path}).")

    # --- storage helpers -------------------------------------------------------------------------------------

    def get(self, kind: str, object_id: str) -> dict:
        obj = self.s.table(kind).get(object_id)
        if obj is None:
            raise StripeFail(404, f"No such {kind.split('.')[-1]}: '{object_id}'", code="resource_missing")
        return obj

    def put(self, obj: dict) -> dict:
        self.s.table(obj["object"])[obj["id"]] = obj
        return obj

    def page(self, kind: str, params: dict, items: list[dict] | None = None, **filters: Any) -> dict:
        """A list answer, newest first, paged by limit and starting_after."""
        rows = items if items is not None else list(self.s.table(kind).values())
        rows = [r for r in rows if all(v is None or r.get(k) == v for k, v in filters.items())]
        rows.sort(key=lambda r: (r.get("created", 0), r["id"]), reverse=True)
        if params.get("starting_after"):
            ids = [r["id"] for r in rows]
            rows = rows[ids.index(params["starting_after"]) + 1:] if params["starting_after"] in ids else []
        limit = _int(params, "limit", 10)
        return {"object": "list", "data": rows[:limit], "has_more": len(rows) > limit, "url": f"/v1/{kind}s"}

    # --- customers and catalogue -----------------------------------------------------------------------------

    def create_customer(self, p: dict) -> dict:
        now = self.s.now()
        obj = self.put({"id": self.s.new_id("cus"), "object": "customer", "address": None, "balance": 0,
                        "created": now, "currency": None, "default_source": None, "delinquent": False,
                        "description": p.get("description"), "email": p.get("email"), "invoice_prefix": "TAP0001",
                        "invoice_settings": {"custom_fields": None, "default_payment_method": None, "footer": None,
                                             "rendering_options": None},
                        "livemode": False, "metadata": p.get("metadata") or {}, "name": p.get("name"),
                        "next_invoice_sequence": 1, "phone": None, "preferred_locales": [], "shipping": None,
                        "tax_exempt": "none", "test_clock": None})
        self.s.emit("customer.created", obj)
        return obj

    def update_customer(self, p: dict, customer_id: str) -> dict:
        obj = self.get("customer", customer_id)
        obj["metadata"] = {**obj["metadata"], **(p.get("metadata") or {})}
        obj.update({k: p[k] for k in ("name", "email", "description") if k in p})
        self.s.emit("customer.updated", obj)
        return obj

    def create_product(self, p: dict) -> dict:
        _need(p, "name")
        product_id = p.get("id") or self.s.new_id("prod")
        if product_id in self.s.table("product"):
            raise StripeFail(400, "Product already exists.", code="resource_already_exists")
        now = self.s.now()
        return self.put({"id": product_id, "object": "product", "active": True, "created": now,
                         "default_price": None, "description": None, "images": [], "livemode": False,
                         "marketing_features": [], "metadata": p.get("metadata") or {}, "name": p["name"],
                         "package_dimensions": None, "shippable": None, "statement_descriptor": None,
                         "tax_code": None, "unit_label": None, "updated": now, "url": None, "type": "service"})

    def list_prices(self, p: dict) -> dict:
        keys = p.get("lookup_keys")
        rows = [r for r in self.s.table("price").values()
                if (keys is None or r["lookup_key"] in keys) and ("active" not in p or r["active"] == _bool(p["active"]))]
        return self.page("price", p, rows)

    def create_price(self, p: dict) -> dict:
        _need(p, "currency", "product")
        self.get("product", p["product"])
        if "unit_amount" not in p and "unit_amount_decimal" not in p:
            raise StripeFail(400, "Missing required param: unit_amount.", param="unit_amount")
        key = p.get("lookup_key")
        holder = next((r for r in self.s.table("price").values() if key and r["lookup_key"] == key), None)
        if holder and not _bool(p.get("transfer_lookup_key")):
            raise StripeFail(400, f"A price (`{holder['id']}`) already uses that lookup key.", param="lookup_key")
        if holder:
            holder["lookup_key"] = None
        return self.put(self._price(p, key))

    def _price(self, p: dict, key: str | None) -> dict:
        recurring = p.get("recurring") or {}
        amount = _int(p, "unit_amount")
        meter = recurring.get("meter")
        if meter:
            self.get("billing.meter", meter)
        return {"id": self.s.new_id("price"), "object": "price", "active": True, "billing_scheme": "per_unit",
                "created": self.s.now(), "currency": p["currency"], "custom_unit_amount": None, "livemode": False,
                "lookup_key": key, "metadata": p.get("metadata") or {}, "nickname": None, "product": p["product"],
                "recurring": {"interval": recurring.get("interval", "month"), "interval_count": 1, "meter": meter,
                              "usage_type": recurring.get("usage_type", "licensed"), "trial_period_days": None}
                if recurring else None,
                "tax_behavior": "unspecified", "tiers_mode": None, "transform_quantity": None,
                "type": "recurring" if recurring else "one_time", "unit_amount": amount,
                "unit_amount_decimal": p.get("unit_amount_decimal") or str(amount)}

    def create_meter(self, p: dict) -> dict:
        _need(p, "display_name", "event_name", "default_aggregation")
        if any(m["event_name"] == p["event_name"] for m in self.s.table("billing.meter").values()):
            raise StripeFail(400, f"An active meter with event_name `{p['event_name']}` already exists.")
        now = self.s.now()
        return self.put({"id": self.s.new_id("mtr"), "object": "billing.meter", "created": now,
                         "customer_mapping": p.get("customer_mapping") or {"event_payload_key": "stripe_customer_id",
                                                                           "type": "by_id"},
                         "default_aggregation": p["default_aggregation"], "display_name": p["display_name"],
                         "event_name": p["event_name"], "event_time_window": None, "livemode": False,
                         "status": "active", "status_transitions": {"deactivated_at": None}, "updated": now,
                         "value_settings": p.get("value_settings") or {"event_payload_key": "value"}})

    def create_meter_event(self, p: dict) -> dict:
        _need(p, "event_name", "payload")
        meter = next((m for m in self.s.table("billing.meter").values() if m["event_name"] == p["event_name"]), None)
        if meter is None:
            raise StripeFail(400, f"No active meter was found for event_name `{p['event_name']}`.")
        payload = p["payload"]
        self.get("customer", payload.get("stripe_customer_id", ""))
        if not re.fullmatch(r"\d+(\.\d+)?", str(payload.get("value", ""))):
            raise StripeFail(400, "The payload value must be a number.", param="payload[value]")
        stamp = _int(p, "timestamp", self.s.now())
        if stamp < self.s.now() - 35 * DAY or stamp > self.s.now() + 300:
            raise StripeFail(400, "Timestamp must be within the past 35 days and at most 5 minutes in the future.")
        identifier = p.get("identifier") or self.s.new_id("ident")
        event = {"object": "billing.meter_event", "created": self.s.now(), "event_name": p["event_name"],
                 "identifier": identifier, "livemode": False, "payload": payload, "timestamp": stamp}
        self.s.meter_events.setdefault(identifier, event)  # a repeated identifier is not counted again
        return event

    # --- subscriptions ---------------------------------------------------------------------------------------

    def create_subscription(self, p: dict) -> dict:
        _need(p, "customer", "items")
        customer = self.get("customer", p["customer"])
        prices = [self.get("price", item.get("price", "")) for item in p["items"]]
        automatic = p.get("collection_method", "charge_automatically") == "charge_automatically"
        trial = _int(p, "trial_period_days")
        if automatic and not trial:
            self._charge(customer, p.get("payment_behavior"))
        now = self.s.now()
        sub_id = self.s.new_id("sub")
        items = [{"id": self.s.new_id("si"), "object": "subscription_item", "created": now,
                  "current_period_end": now + (trial or 30) * DAY, "current_period_start": now, "discounts": [],
                  "metadata": {}, "price": price, "quantity": 1, "subscription": sub_id, "tax_rates": []}
                 for price in prices]
        obj = self.put({"id": sub_id, "object": "subscription", "application": None, "billing_cycle_anchor": now,
                        "cancel_at": None, "cancel_at_period_end": False, "canceled_at": None,
                        "collection_method": "charge_automatically" if automatic else "send_invoice",
                        "created": now, "currency": prices[0]["currency"], "customer": customer["id"],
                        "days_until_due": _int(p, "days_until_due"), "default_payment_method": None,
                        "description": None, "ended_at": None,
                        "items": {"object": "list", "data": items, "has_more": False,
                                  "url": f"/v1/subscription_items?subscription={sub_id}"},
                        "latest_invoice": None, "livemode": False, "metadata": p.get("metadata") or {},
                        "start_date": now, "status": "trialing" if trial else "active",
                        "trial_end": now + trial * DAY if trial else None, "trial_start": now if trial else None})
        self.s.emit("customer.subscription.created", obj)
        return obj

    def _charge(self, customer: dict, behavior: str | None) -> None:
        """An automatic first charge: a declined card or no card at all refuses the subscription."""
        decline = self.s.declines.get(customer["id"])
        if decline:
            raise StripeFail(402, "Your card was declined.", "card_error", code="card_declined",
                             decline_code=decline)
        if customer["id"] not in self.s.cards and behavior == "error_if_incomplete":
            raise StripeFail(400, "This customer has no attached payment source or default payment method. Please "
                                  "consider adding a default payment method.")

    def list_subscriptions(self, p: dict) -> dict:
        status = p.get("status")
        rows = [r for r in self.s.table("subscription").values()
                if (status == "all" or (status is None and r["status"] != "canceled") or r["status"] == status)
                and p.get("customer") in (None, r["customer"])]
        return self.page("subscription", p, rows)

    def update_subscription(self, p: dict, sub_id: str) -> dict:
        obj = self.get("subscription", sub_id)
        if obj["status"] == "canceled":
            raise StripeFail(400, "A canceled subscription can only update its cancellation_details and metadata.")
        if "cancel_at_period_end" in p:
            obj["cancel_at_period_end"] = _bool(p["cancel_at_period_end"])
            obj["cancel_at"] = obj["items"]["data"][0]["current_period_end"] if obj["cancel_at_period_end"] else None
        obj["metadata"] = {**obj["metadata"], **(p.get("metadata") or {})}
        self.s.emit("customer.subscription.updated", obj)
        return obj

    def cancel_subscription(self, p: dict, sub_id: str) -> dict:
        obj = self.get("subscription", sub_id)
        if obj["status"] == "canceled":
            raise StripeFail(404, f"No such subscription: '{sub_id}'", code="resource_missing")
        now = self.s.now()
        obj.update(status="canceled", canceled_at=now, ended_at=now)
        self.s.emit("customer.subscription.deleted", obj)
        return obj

    # --- invoices --------------------------------------------------------------------------------------------

    def create_invoice(self, p: dict) -> dict:
        customer = self.get("customer", p.get("customer", ""))
        method = p.get("collection_method", "charge_automatically")
        if method == "send_invoice" and "days_until_due" not in p:
            raise StripeFail(400, "Missing required param: days_until_due.", param="days_until_due")
        now = self.s.now()
        inv_id = self.s.new_id("in")
        obj = self.put({"id": inv_id, "object": "invoice", "account_country": "GB", "amount_due": 0,
                        "amount_paid": 0, "amount_remaining": 0, "attempt_count": 0, "attempted": False,
                        "auto_advance": _bool(p.get("auto_advance", "false")), "billing_reason": "manual",
                        "collection_method": method, "created": now, "currency": p.get("currency", "gbp"),
                        "customer": customer["id"], "customer_email": customer["email"],
                        "customer_name": customer["name"], "description": p.get("description"),
                        "due_date": now + _int(p, "days_until_due", 0) * DAY if method == "send_invoice" else None,
                        "hosted_invoice_url": None, "invoice_pdf": None,
                        "lines": {"object": "list", "data": [], "has_more": False, "url": f"/v1/invoices/{inv_id}/lines"},
                        "livemode": False, "metadata": p.get("metadata") or {}, "next_payment_attempt": None,
                        "number": None, "status": "draft", "subtotal": 0, "total": 0,
                        "status_transitions": {"finalized_at": None, "marked_uncollectible_at": None,
                                               "paid_at": None, "voided_at": None}})
        self.s.emit("invoice.created", obj)
        return obj

    def create_invoice_item(self, p: dict) -> dict:
        _need(p, "customer", "amount", "currency")
        self.get("customer", p["customer"])
        amount = _int(p, "amount")
        now = self.s.now()
        item = self.put({"id": self.s.new_id("ii"), "object": "invoiceitem", "amount": amount,
                         "currency": p["currency"], "customer": p["customer"], "date": now,
                         "description": p.get("description"), "discountable": True, "invoice": p.get("invoice"),
                         "livemode": False, "metadata": p.get("metadata") or {},
                         "period": {"end": now, "start": now}, "proration": False, "quantity": 1})
        if p.get("invoice"):
            self._add_line(self.get("invoice", p["invoice"]), item)
        return item

    def _add_line(self, inv: dict, item: dict) -> None:
        if inv["status"] != "draft":
            raise StripeFail(400, "You cannot add invoice items to an invoice that is no longer a draft.")
        inv["lines"]["data"].append({"id": self.s.new_id("il"), "object": "line_item", "amount": item["amount"],
                                     "currency": item["currency"], "description": item["description"],
                                     "livemode": False, "metadata": item["metadata"], "period": item["period"],
                                     "quantity": 1})
        total = sum(line["amount"] for line in inv["lines"]["data"])
        inv.update(amount_due=total, amount_remaining=total, subtotal=total, total=total)

    def finalize_invoice(self, p: dict, inv_id: str) -> dict:
        inv = self.get("invoice", inv_id)
        if inv["status"] != "draft":
            raise StripeFail(400, "This invoice is already finalized, you can't re-finalize a non-draft invoice.")
        now = self.s.now()
        inv.update(status="open", number=f"TAP0001-{len(self.s.table('invoice')):04d}",
                   hosted_invoice_url=f"https://invoice.stripe.com/i/acct_fake/test_{inv_id}")
        inv["status_transitions"]["finalized_at"] = now
        self.s.emit("invoice.finalized", inv)
        return inv

    def fail_payment(self, inv_id: str, decline: str = "insufficient_funds") -> dict:
        """A collection attempt on an open invoice failed (tests call this; Stripe retries on its schedule)."""
        inv = self.get("invoice", inv_id)
        inv.update(attempt_count=inv["attempt_count"] + 1, attempted=True,
                   next_payment_attempt=self.s.now() + 3 * DAY)
        self.s.emit("invoice.payment_failed", inv)
        return inv

    def send_invoice(self, p: dict, inv_id: str) -> dict:
        inv = self.get("invoice", inv_id)
        if inv["status"] != "open" or inv["collection_method"] != "send_invoice":
            raise StripeFail(400, "You can only send open invoices with collection_method send_invoice.")
        self.s.emit("invoice.sent", inv)
        return inv

    # --- sessions and events ---------------------------------------------------------------------------------

    def create_checkout(self, p: dict) -> dict:
        _need(p, "mode", "line_items", "success_url")
        for item in p["line_items"]:
            price = self.get("price", item.get("price", ""))
            if p["mode"] == "subscription" and not price["recurring"]:
                raise StripeFail(400, "You must provide at least one recurring price in `subscription` mode.")
        if p.get("customer"):
            self.get("customer", p["customer"])
        now = self.s.now()
        session_id = "cs_test_" + self.s.new_id("a").replace("_", "")
        return self.put({"id": session_id, "object": "checkout.session", "cancel_url": p.get("cancel_url"),
                         "client_reference_id": None, "created": now, "currency": None,
                         "customer": p.get("customer"), "expires_at": now + DAY, "livemode": False,
                         "metadata": p.get("metadata") or {}, "mode": p["mode"], "payment_status": "unpaid",
                         "status": "open", "success_url": p["success_url"],
                         "url": f"https://checkout.stripe.com/c/pay/{session_id}"})

    def create_portal(self, p: dict) -> dict:
        _need(p, "customer")
        self.get("customer", p["customer"])
        session_id = self.s.new_id("bps")
        return self.put({"id": session_id, "object": "billing_portal.session", "configuration": "bpc_fake",
                         "created": self.s.now(), "customer": p["customer"], "flow": None, "livemode": False,
                         "locale": None, "on_behalf_of": None, "return_url": p.get("return_url"),
                         "url": f"https://billing.stripe.com/p/session/test_{session_id}"})

    def list_events(self, p: dict) -> dict:
        created = p.get("created") or {}
        gte, gt = _int(created, "gte", 0), _int(created, "gt", -1)
        rows = [e for e in self.s.events if e["created"] >= gte and e["created"] > gt
                and p.get("type") in (None, e["type"])]
        return self.page("event", p, rows)
