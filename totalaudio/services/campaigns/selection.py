"""Which contacts a campaign is for: the filters given at ``campaign new``, applied to the store."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from totalaudio.models import Contact
from totalaudio.store.campaign_runs import plan_of
from totalaudio.store.campaigns import CampaignStore
from totalaudio.store.contacts import ContactFilter, ContactStore, from_row

# Never chosen for a pitch: they asked not to be contacted or cannot receive mail.
NOT_CHOSEN = frozenset({"unsubscribed", "do-not-contact", "bounced", "cleaned"})
FILTER_KEYS = ("genre", "station", "contact_type", "status", "search", "limit")


def matching(db: Any, filters: dict[str, Any]) -> list[Contact]:
    """The contacts the filters pick, leaving out those who opted out or bounced."""
    flt = ContactFilter(**{k: filters.get(k) for k in FILTER_KEYS})
    rows = ContactStore(db).iter_rows(replace(flt, limit=None))
    picked = [from_row(r) for r in rows if (r.get("status") or "").lower() not in NOT_CHOSEN]
    return picked[:flt.limit] if flt.limit else picked


def chosen_contacts(db: Any, campaign_id: str) -> list[Contact]:
    """The campaign's contacts, in the order they were chosen."""
    rows = db.query("SELECT c.* FROM campaign_contacts cc JOIN contacts c ON c.id = cc.contact_id "
                    "WHERE cc.campaign_id = ? ORDER BY cc.rowid", [campaign_id])
    return [from_row(r) for r in rows]


def reselect(db: Any, campaign: dict[str, Any]) -> int:
    """Add contacts that match the campaign's filters now (after an Airtable pull); returns how many were added."""
    filters = plan_of(campaign).get("filters")
    if not filters:
        return 0
    store = CampaignStore(db)
    current = store.contact_ids(campaign["id"])
    new = [c.id for c in matching(db, filters) if c.id not in set(current)]
    if filters.get("limit"):
        new = new[:max(0, int(filters["limit"]) - len(current))]
    if new:
        store.set_contacts(campaign["id"], current + new)
    return len(new)
