"""``tap demo``: a walk through what tap does offline, on the bundled example contacts.

Each capability adds a Step; steps run in order on a throwaway store and each returns a short summary.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from totalaudio.config import Settings
from totalaudio.services.audit import demo as audit_demo


@dataclass
class DemoContext:
    """What the steps share: settings for the throwaway home, its store, and the example file."""

    settings: Settings
    db: Any
    contacts_file: Path
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """One demo step: a title, the command it stands for, and the function that runs it."""

    title: str
    command: str
    run: Callable[[DemoContext], str]


def example_contacts() -> Path:
    """examples/contacts.csv of a checkout, else the copy packaged in the wheel."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[2] / "examples" / "contacts.csv", here.parents[1] / "_examples" / "contacts.csv"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("examples/contacts.csv is missing from this installation")


def step_import(ctx: DemoContext) -> str:
    """Import the example CSV (an Airtable export with the usual problems)."""
    from totalaudio.services.contacts.service import import_contacts, start_run

    result = import_contacts(ctx.db, ctx.contacts_file, run_id=start_run(ctx.db, "demo import", {}))
    ctx.data["import"] = result
    return (f"{result.rows} rows: {result.created} contacts created, {result.merged} duplicates merged, "
            f"{len(result.rejected)} rejected (e.g. {result.rejected[0].reason if result.rejected else 'none'})")


def step_filter(ctx: DemoContext) -> str:
    """Choose contacts by genre, the way a campaign starts."""
    from totalaudio.services.contacts.service import list_contacts
    from totalaudio.store.contacts import ContactFilter

    indie = list(list_contacts(ctx.db, ContactFilter(genre="indie", status="opted-in")))
    stations = sorted({c.station for c in indie if c.station})
    return f"{len(indie)} opted-in indie contacts at {len(stations)} stations (e.g. {', '.join(stations[:3])})"


def step_export(ctx: DemoContext) -> str:
    """Export to CSV with formula-injection protection."""
    from totalaudio.services.contacts.service import list_contacts, write_csv

    buffer = io.StringIO()
    count = write_csv(list_contacts(ctx.db), buffer)
    guarded = sum(1 for line in buffer.getvalue().splitlines() if ",'=" in line or ",\"'=" in line)
    return f"{count} contacts exported as CSV; {guarded} formula-like cells neutralised"


def step_status(ctx: DemoContext) -> str:
    """Show which integrations are configured (no calls are made in the demo)."""
    from totalaudio.services.status import check_all

    results = check_all(ctx.settings, probe=False)
    configured = [r.title for r in results if r.configured]
    return f"{len(configured)} of {len(results)} integrations configured; the demo stays offline"


def step_store(ctx: DemoContext) -> str:
    """Show what the local store holds."""
    from totalaudio.services.dbinfo import tables

    counts = tables(ctx.db)
    return f"{counts.get('contacts', 0)} contacts, {counts.get('journal', 0)} journal entries, {counts.get('runs', 0)} runs"


def step_enrich(ctx: DemoContext) -> str:
    """Enrich contacts from the example station sites, served on loopback (offline)."""
    from totalaudio.services.enrich.demo import enrich_examples

    return enrich_examples(ctx.db)


def _sync_plan(ctx: DemoContext) -> str:
    """Plan the first push of the store to Airtable, offline (a dry run with no cursor makes no request)."""
    from totalaudio.services.airtable.demo import step_sync_plan

    return step_sync_plan(ctx)


def _campaign(ctx: DemoContext) -> str:
    """Run a release as one campaign, every step offline, ending in the artist's report."""
    from totalaudio.services.campaigns.demo import run_campaign

    return run_campaign(ctx.db, ctx.settings, ctx.data.get("write_report"))


STEPS: list[Step] = [
    Step("Import the example contacts", "tap contacts import examples/contacts.csv", step_import),
    Step("Pick a campaign's contacts", "tap contacts list --genre indie --status opted-in", step_filter),
    Step("Export safely", "tap contacts export -o contacts.csv", step_export),
    Step("Audit, fix and undo", "tap airtable audit --fix; tap airtable audit undo RUN_ID", audit_demo.step_audit),
    Step("Analyse email domains", "tap airtable domains", audit_demo.step_domains),
    Step("Enrich from station websites", "tap airtable enrich (example sites on loopback)", step_enrich),
    Step("Plan the Airtable sync", "tap airtable sync --push --dry-run", _sync_plan),
    Step("Run a campaign", "tap campaign new ...; tap campaign run ... --yes; tap report ...", _campaign),
    Step("Check integrations", "tap status --offline", step_status),
    Step("Inspect the store", "tap db status", step_store),
]


def run_steps(ctx: DemoContext, steps: list[Step] | None = None):
    """Run each step; yield (step, ok, summary). A step that reports a tap error is shown as failed and the
    demo goes on; a bug propagates (exit 1) so that the test of the demo catches it."""
    from totalaudio.errors import TapError

    for step in steps or STEPS:
        try:
            yield step, True, step.run(ctx)
        except TapError as exc:
            yield step, False, exc.message
