"""The sync's demo step: what a first push of the example contacts would send, computed offline (dry run)."""

from __future__ import annotations

from typing import Any

from totalaudio.clients.airtable import BATCH, AirtableClient
from totalaudio.services.airtable.mapping import load_mapping
from totalaudio.services.airtable.run import SyncOptions
from totalaudio.services.airtable.sync import run_sync

OFFLINE_URL = "http://127.0.0.1:9"  # never called: a dry push with no cursor makes no request


def step_sync_plan(ctx: Any) -> str:
    """Plan the first push of the store to an empty base, as `tap airtable sync --push --dry-run` does."""
    tables = load_mapping(ctx.settings)[:1]
    client = AirtableClient("demo-token", "appDEMO", OFFLINE_URL)
    result = run_sync(ctx.db, client, tables, SyncOptions(pull=False, dry_run=True))
    batches = -(-result.created // BATCH)
    return (f"{result.created} contacts would be created in {batches} upsert requests of {BATCH} merged on Email "
            f"(naive: {result.created} requests), {len(result.rejected)} held back (no or duplicate email); "
            f"{result.api_calls} requests made")
