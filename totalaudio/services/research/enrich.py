"""The enrichment's research step (``tap airtable enrich --research``): Perplexity fills what a contact's website
did not say (format, genres, submission guidelines, shows), and the cited answer joins the contact intelligence
that the sync pushes to Airtable."""

from __future__ import annotations

import json
from typing import Any

from totalaudio.errors import IntegrationError
from totalaudio.services.research.service import research, subject_for
from totalaudio.store.contacts import ContactStore

MARK = "Research (Perplexity"
GAPS = {"format": "the station's format", "genres": "the genres it plays",
        "submissionGuidelines": "how it takes submissions", "showInfo": "its shows and presenters"}
ENOUGH_CONFIDENCE = 70


def gaps(db: Any, contact_id: str) -> list[str]:
    """What the contact's latest crawl did not find (everything when it was never crawled)."""
    row = next(iter(db.query("SELECT record FROM enrichment_results WHERE contact_id = ? ORDER BY id DESC LIMIT 1",
                             [contact_id])), None)
    if row is None:
        return list(GAPS.values())
    record = json.loads(row["record"])
    scraped = record.get("scrapedData") or {}
    missing = [label for k, label in GAPS.items() if not scraped.get(k)]
    return missing if missing or record.get("confidence", 0) < ENOUGH_CONFIDENCE else []


def note(result: dict[str, Any]) -> str:
    """The research as a paragraph of contact intelligence, with its sources."""
    sources = ", ".join(c["url"] for c in result.get("citations", [])[:5])
    return f"{MARK}, {result['createdAt'][:10]}): {result.get('summary') or ''}".strip() + \
        (f" Sources: {sources}" if sources else "")


def merged(intelligence: str | None, paragraph: str) -> str:
    """The intelligence with tap's earlier research paragraph replaced by this one."""
    kept = [p for p in (intelligence or "").split("\n\n") if p.strip() and not p.startswith(MARK)]
    return "\n\n".join([*kept, paragraph])


def fill(db: Any, session: Any, contact_ids: list[str], *, refresh: bool = False) -> dict[str, Any]:
    """Research the contacts whose websites left gaps; returns counts and the failures (one failure does not
    stop the others, except a budget or configuration stop, which is raised)."""
    out: dict[str, Any] = {"researched": 0, "reused": 0, "skipped": 0, "failed": []}
    store = ContactStore(db)
    for contact_id in contact_ids:
        if not gaps(db, contact_id):
            out["skipped"] += 1
            continue
        try:
            result = research(db, session, subject_for("contact", db, contact_id), refresh=refresh)
        except IntegrationError as exc:
            if exc.operation == "budget":
                raise
            out["failed"].append({"contactId": contact_id, "error": exc.message})
            continue
        out["reused" if result["reused"] else "researched"] += 1
        with db.conn:
            store.update(contact_id, {"contact_intelligence": merged(store.get(contact_id).contact_intelligence,
                                                                     note(result))})
    return out
