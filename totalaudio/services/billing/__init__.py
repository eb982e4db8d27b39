"""Billing through Stripe: plans, customers linked to artists, subscriptions, invoices, usage, and events."""
