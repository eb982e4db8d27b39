"""Audit of the contact base: checks, safe journaled clean-up with undo, and domain analysis."""
