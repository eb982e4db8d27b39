"""``tap airtable enrich``: pick contacts, crawl their stations' sites, store results and update the contacts.

Local updates never overwrite what a person entered: genres and website are filled only when empty. The
enrichment fields (quality, notes, last enriched, intelligence) are the enrichment's own. Every change is
journaled; records are stored as each site finishes, so Ctrl-C keeps what was done and a re-run resumes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from totalaudio.config import Settings
from totalaudio.clients.web import CrawlPolicy
from totalaudio.errors import ConfigError, InputError, utc_now
from totalaudio.models import Contact, to_json
from totalaudio.services.enrich.record import quality
from totalaudio.services.enrich.runner import EnrichOptions, Target
from totalaudio.services.enrich.website import website_for
from totalaudio.store.contacts import ContactStore, from_row
from totalaudio.store.enrichment import EnrichmentStore
from totalaudio.store.runs import Journal

MAX_GENRES_SET = 5


@dataclass
class EnrichResult:
    """What a run did: counts, the records (unless streamed) and contacts without a website."""

    dry_run: bool
    run_id: str | None = None
    selected: int = 0
    enriched: int = 0
    reused: int = 0
    failed: int = 0
    updated: int = 0
    interrupted: bool = False
    pages: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)
    records: list[Any] = field(default_factory=list)
    pushed: dict[str, Any] | None = None
    ai: dict[str, Any] | None = None  # with --ai: {calls, costUsd, maxCost} of this run's Claude calls


def policy_from(settings: Settings, concurrency: int | None = None) -> CrawlPolicy:
    """Crawl limits from tap.toml ``[enrich]`` (and --concurrency), TAP_ENRICH_ALLOW_PRIVATE for local tests."""
    section = settings.section("enrich")
    base = CrawlPolicy()
    return CrawlPolicy(
        concurrency=int(concurrency or section.get("concurrency", base.concurrency)),
        per_host=int(section.get("per_host", base.per_host)), delay=float(section.get("delay", base.delay)),
        connect_timeout=float(section.get("connect_timeout", base.connect_timeout)),
        read_timeout=float(section.get("read_timeout", base.read_timeout)),
        site_timeout=float(section.get("site_timeout", base.site_timeout)),
        allow_private=settings.get_bool("TAP_ENRICH_ALLOW_PRIVATE"))


def options_from(settings: Settings, refresh: bool = False, render: str | None = None) -> EnrichOptions:
    """Page budget, freshness and JavaScript rendering from tap.toml ``[enrich]`` (``--render`` wins)."""
    section = settings.section("enrich")
    mode = render or str(section.get("render", "auto"))
    if mode not in ("auto", "always", "never"):
        raise ConfigError(f"tap.toml [enrich] render = {mode!r}: give auto, always or never")
    return EnrichOptions(budget=int(section.get("page_budget", 8)),
                         fresh_seconds=float(section.get("fresh_days", 7)) * 86400, refresh=refresh, render=mode)


def select(db, *, limit: int | None = None, only_missing: bool = False) -> tuple[list[tuple[Contact, Target]], list[dict]]:
    """Contacts to enrich with their targets, and those skipped with the reason."""
    if limit is not None and limit < 1:
        raise InputError("--limit must be at least 1")
    chosen, skipped = [], []
    for row in ContactStore(db).iter_rows():
        contact = from_row(row)
        if only_missing and contact.last_enriched:
            continue
        url, source = website_for(contact)
        if url is None:
            skipped.append({"id": contact.id, "email": contact.email, "reason": source})
            continue
        chosen.append((contact, Target(url, contact.id, contact.email, contact.station)))
        if limit is not None and len(chosen) >= limit:
            break
    return chosen, skipped


def notes(record: dict[str, Any]) -> str:
    """Enrichment Notes: when, what was found, what went wrong (short)."""
    data = record["scrapedData"]
    found = [f"{len([c for c in data['additionalContacts'] if c['type'] == 'email'])} emails"]
    found += ["submission guidelines"] if data["submissionGuidelines"] else []
    found += [f"{len(data['contactForms'])} forms"] if data["contactForms"] else []
    found += [f"{len(data['socialMedia'])} profiles"] if data["socialMedia"] else []
    found += [f"{len(data['showInfo'])} shows"] if data["showInfo"] else []
    text = f"{utc_now()[:10]} from {record['websiteUrl']}: {', '.join(found)}"
    if record["errors"]:
        text += f"; {len(record['errors'])} problem(s): {record['errors'][0][:160]}"
    return text


def contact_changes(contact: Contact, record: dict[str, Any]) -> dict[str, Any]:
    """The contact fields to change: enrichment fields always, genres and website only when empty."""
    changes: dict[str, Any] = {"enrichment_quality": quality(record["confidence"]), "enrichment_notes": notes(record),
                               "last_enriched": utc_now()}
    if record["confidence"] > 0:
        changes["contact_intelligence"] = record["contactIntelligence"]
        genres = record["scrapedData"]["genres"]
        if not contact.genres and genres:
            changes["genres"] = list(genres[:MAX_GENRES_SET])
        if not (contact.website or "").strip() and record.get("websiteUrl"):
            changes["website"] = record["websiteUrl"]
    return changes


class Applier:
    """The runner's ``on_record``: store the result, update the contact, journal it, collect the output."""

    def __init__(self, db, run_id: str | None, contacts: dict[str, Contact], *, dry_run: bool,
                 result: EnrichResult, sink: Callable[[dict], None] | None = None) -> None:
        self.db, self.run_id, self.contacts, self.dry_run = db, run_id, contacts, dry_run
        self.result, self.sink = result, sink
        self.history = EnrichmentStore(db)

    def __call__(self, target: Target, record: Any) -> None:
        """Handle one finished record."""
        data = record if isinstance(record, dict) else to_json(record)
        self._count(data, reused=isinstance(record, dict))
        if not self.dry_run:
            self._store(target, data)
        if self.sink is not None:
            self.sink(data)
        else:
            self.result.records.append(data)

    def _count(self, data: dict, reused: bool) -> None:
        self.result.reused += reused
        self.result.enriched += (not reused) and data["confidence"] > 0
        self.result.failed += data["confidence"] == 0

    def _store(self, target: Target, data: dict) -> None:
        with self.db.conn:
            self.history.save(data, website=target.website, contact_id=target.contact_id, run_id=self.run_id,
                              quality=quality(data["confidence"]))
            contact = self.contacts.get(target.contact_id or "")
            if contact is None:
                return
            changes = contact_changes(contact, data)
            before = {k: getattr(contact, k) for k in changes}
            ContactStore(self.db).update(contact.id, changes)
            Journal(self.db).record(self.run_id, "contact", contact.id, "enrich", before, changes)
            self.result.updated += 1


def ai_writer(settings: Settings, log: bool = True, *, run_id: str | None = None,
              max_cost: float | None = None) -> Callable[[str, str], str]:
    """A contactIntelligence writer backed by Claude (ConfigError without ANTHROPIC_API_KEY); every call is
    logged in the store's llm_calls with ``run_id``, through a connection of its own (the writer runs in worker
    threads), and none is made that could take the run over ``max_cost`` or ``[llm] monthly_cap``."""
    from totalaudio.clients import anthropic as claude

    client = claude.build(settings)
    if not log:
        return lambda system, prompt: client.complete(prompt, system=system)
    from totalaudio.services.llm import logged_writer
    from totalaudio.services.llm.budget import budget_from
    from totalaudio.services.llm.prices import price_table
    from totalaudio.store.db import open_db

    return logged_writer(open_db(settings.db_path), client, "enrich.contactIntelligence", run_id,
                         budget=budget_from(settings, max_cost, run_id), prices=price_table(settings))


def push(db, settings: Settings, run_id: str | None) -> dict[str, Any]:
    """Send the local changes to Airtable through the sync (push only); its counts."""
    from totalaudio.clients import airtable as client_mod
    from totalaudio.services.airtable.mapping import load_mapping
    from totalaudio.services.airtable.sync import SyncOptions, run_sync

    synced = run_sync(db, client_mod.build(settings), load_mapping(settings), SyncOptions(pull=False, push=True),
                      run_id=run_id)
    return {"pushed": synced.pushed, "created": synced.created, "rejected": len(synced.rejected),
            "apiCalls": synced.api_calls}
