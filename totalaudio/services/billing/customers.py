"""``tap billing customers``: Stripe customers linked to the store's artists, with the artists in the customer's
metadata and the customer id beside each artist locally (metadata both ways)."""

from __future__ import annotations

from typing import Any

from totalaudio.errors import InputError
from totalaudio.services.billing.common import create_once
from totalaudio.store.billing import BillingStore, Intents

ARTIST_SEPARATOR = "; "
METADATA_LIMIT = 500  # Stripe's limit on a metadata value


def known_artists(db: Any) -> set[str]:
    """Artists named on the store's campaigns."""
    return {r[0] for r in db.execute("SELECT DISTINCT artist FROM campaigns WHERE artist IS NOT NULL AND "
                                     "artist != ''").fetchall()}


def _metadata(artists: list[str]) -> dict[str, str]:
    value = ARTIST_SEPARATOR.join(artists)
    if len(value) > METADATA_LIMIT:
        raise InputError(f"the artist names are {len(value)} characters together; Stripe keeps at most "
                         f"{METADATA_LIMIT} in one metadata value")
    return {"tap_artists": value}


def _view(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "name": row["name"], "email": row.get("email"), "artists": row.get("artists") or []}


def add(client: Any, db: Any, name: str, email: str, artists: list[str], *, dry_run: bool = False,
        run_id: str | None = None) -> dict[str, Any]:
    """Create (or find, by email) the customer and link the artists; a known customer gains the new artists."""
    name, email = name.strip(), email.strip()
    if not name or "@" not in email or any(c.isspace() for c in email):
        raise InputError(f"a customer needs a name and an email address, got {name!r} and {email!r}")
    artists = list(dict.fromkeys(a.strip() for a in artists if a.strip()))
    store = BillingStore(db)
    existing = store.one("SELECT * FROM billing_customers WHERE email_norm = ? AND deleted = 0", [email.lower()])
    unknown = sorted(set(artists) - known_artists(db))
    if existing is None and client is not None:
        existing = _adopt(client, store, email)
    if existing:
        return _link(client, store, existing, artists, unknown, dry_run, run_id)
    result = {"id": None, "name": name, "email": email, "artists": artists, "action": "created",
              "unknownArtists": unknown, "dryRun": dry_run, "runId": run_id}
    if dry_run:
        return result
    params = {"name": name, "email": email, "metadata": _metadata(artists)}
    customer = create_once(db, f"customer:{email.lower()}", "customer", params, client.create_customer,
                           lambda obj: store.save_customer(obj, artists), run_id)
    return {**result, "id": customer["id"]}


def _adopt(client: Any, store: BillingStore, email: str) -> dict[str, Any] | None:
    """A customer Stripe already holds for this address (made by tap from another machine, or by hand)."""
    found = [c for c in client.customers(email) if not c.get("deleted")]
    if not found:
        return None
    with store.db.conn:
        store.save_customer(found[0], artists_from_metadata(found[0]) or [])
        made_by = (found[0].get("metadata") or {}).get("tap_intent")
        if made_by:  # a killed run of ours made it: its intent is done
            Intents(store.db).confirm(made_by, found[0]["id"])
    return store.one("SELECT * FROM billing_customers WHERE id = ?", [found[0]["id"]])


def _link(client: Any, store: BillingStore, row: dict[str, Any], artists: list[str], unknown: list[str],
          dry_run: bool, run_id: str | None) -> dict[str, Any]:
    """Add artists to a known customer, in Stripe's metadata and locally."""
    current = store.artists_of(row["id"])
    merged = current + [a for a in artists if a not in current]
    action = "updated" if merged != current else "found"
    result = {**_view({**row, "artists": merged}), "action": action, "unknownArtists": unknown, "dryRun": dry_run,
              "runId": run_id}
    if action == "updated" and not dry_run:
        customer = client.update_customer(row["id"], {"metadata": _metadata(merged)})
        store.save_customer(customer, merged)
    return result


def list_customers(db: Any) -> list[dict[str, Any]]:
    """Every mirrored customer with its artists."""
    return [_view(r) for r in BillingStore(db).customers()]


def artists_from_metadata(customer: dict[str, Any]) -> list[str] | None:
    """The artists a Stripe customer's metadata names (None when it names none)."""
    value = (customer.get("metadata") or {}).get("tap_artists") if isinstance(customer.get("metadata"), dict) \
        else None
    if not isinstance(value, str):
        return None
    return [a.strip() for a in value.split(ARTIST_SEPARATOR.strip()) if a.strip()]
