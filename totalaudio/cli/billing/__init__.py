"""``tap billing``: Stripe plans, customers, subscriptions, invoices, usage, status and event polling."""

from totalaudio.cli.billing.group import app

__all__ = ["app"]
