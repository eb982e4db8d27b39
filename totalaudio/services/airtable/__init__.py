"""Airtable: bidirectional contact and campaign sync, its field mapping and crash-safe push."""
