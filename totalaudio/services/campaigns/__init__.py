"""Campaigns as the unit of work: the seven-step workflow, its status, outcomes, quotes and follow-ups."""
