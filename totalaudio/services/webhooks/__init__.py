"""Receiving webhooks (Stripe, Mailchimp, Make.com): signatures, parsing, stored-once deliveries and their handlers."""
