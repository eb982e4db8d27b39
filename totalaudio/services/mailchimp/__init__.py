"""Mailchimp: audience sync, campaigns to chosen contacts, and their reports."""
