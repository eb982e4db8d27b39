"""The local side of the Airtable sync: contacts and campaigns read and written as canonical values."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from totalaudio.services.airtable.mapping import TableMap, canonical
from totalaudio.store.campaigns import CampaignStore
from totalaudio.store.contacts import LIST_FIELDS, ContactStore, normalise_email

RID = "_rid"  # key of the Airtable record id inside a snapshot row


class LocalTable:
    """What the sync engine needs from a local aggregate; subclasses know the columns."""

    def __init__(self, db: sqlite_utils.Database, tmap: TableMap) -> None:
        self.db = db
        self.tmap = tmap

    def _canonical(self, row: dict[str, Any]) -> dict[str, Any]:
        out = {f.local: canonical(f.kind, self._raw(row, f.local)) for f in self.tmap.fields}
        out[RID] = row.get("airtable_id")
        return out

    def _raw(self, row: dict[str, Any], column: str) -> Any:
        value = row.get(column)
        return json.loads(value or "[]") if column in LIST_FIELDS and isinstance(value, str) else value

    def merge_key(self, values: dict[str, Any]) -> str:
        """The value new records are matched on, compared case-insensitively."""
        return normalise_email(str(values.get(self.tmap.merge_on) or ""))


class ContactsTable(LocalTable):
    """Contacts: one row per Airtable record of the Contacts table."""

    def snapshot(self) -> dict[str, dict[str, Any]]:
        """Every contact's mapped values by local id (plus its record id under ``_rid``)."""
        return {r["id"]: self._canonical(r) for r in self.db.query("SELECT * FROM contacts")}

    def _typed(self, values: dict[str, Any]) -> dict[str, Any]:
        typed = {k: v for k, v in values.items() if k != RID}
        for key in LIST_FIELDS:
            if key in typed:
                typed[key] = list(typed[key] or [])
        if "email" in typed:
            typed["email"] = typed["email"] or ""
        return typed

    def update(self, local_id: str, values: dict[str, Any]) -> None:
        """Write some canonical values to one contact."""
        ContactStore(self.db).update(local_id, self._typed(values))

    def insert(self, values: dict[str, Any], record_id: str) -> str:
        """A new contact from pulled values; returns its local id."""
        from totalaudio.store.contacts import new_id

        local_id = new_id()
        ContactStore(self.db).insert_many([{**self._typed(values), "id": local_id, "airtable_id": record_id}])
        return local_id

    def delete(self, local_id: str) -> None:
        """Remove one contact."""
        ContactStore(self.db).delete(local_id)

    def link(self, local_id: str, record_id: str | None) -> None:
        """Store (or clear) the Airtable record id of a contact."""
        self.db.execute("UPDATE contacts SET airtable_id = ? WHERE id = ?", [record_id, local_id])


class CampaignsTable(LocalTable):
    """Campaigns: their linked contacts travel as the contacts' Airtable record ids."""

    def snapshot(self) -> dict[str, dict[str, Any]]:
        """Every campaign's mapped values by local id, ``contacts`` as sorted record ids."""
        links: dict[str, list[str]] = {}
        sql = ("SELECT cc.campaign_id, c.airtable_id FROM campaign_contacts cc JOIN contacts c ON c.id = cc.contact_id "
               "WHERE c.airtable_id IS NOT NULL")
        for campaign_id, record_id in self.db.execute(sql).fetchall():
            links.setdefault(campaign_id, []).append(record_id)
        rows = self.db.query("SELECT * FROM campaigns")
        return {r["id"]: self._canonical({**r, "contacts": links.get(r["id"], [])}) for r in rows}

    def _split(self, values: dict[str, Any]) -> tuple[dict[str, Any], list[str] | None]:
        typed = {k: v for k, v in values.items() if k not in (RID, "contacts")}
        for counter in ("sent", "opens", "clicks", "replies"):
            if counter in typed:
                typed[counter] = typed[counter] if isinstance(typed[counter], int) else 0
        if "name" in typed:
            typed["name"] = typed["name"] or ""
        if "status" in typed:
            typed["status"] = typed["status"] or "draft"
        return typed, (self._contact_ids(values["contacts"]) if "contacts" in values else None)

    def _contact_ids(self, record_ids: list[str] | None) -> list[str]:
        ids = list(record_ids or [])
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(f"SELECT id FROM contacts WHERE airtable_id IN ({marks})", ids).fetchall()
        return [r[0] for r in rows]

    def update(self, local_id: str, values: dict[str, Any]) -> None:
        """Write some canonical values to one campaign (its contact list included)."""
        typed, contact_ids = self._split(values)
        store = CampaignStore(self.db)
        if typed:
            store.update(local_id, typed)
        if contact_ids is not None:
            store.set_contacts(local_id, contact_ids)

    def insert(self, values: dict[str, Any], record_id: str) -> str:
        """A new campaign from pulled values; returns its local id."""
        typed, contact_ids = self._split({"name": None, **values})
        return CampaignStore(self.db).create({**typed, "airtable_id": record_id}, contact_ids or [])

    def delete(self, local_id: str) -> None:
        """Remove one campaign (its contact links go with it)."""
        self.db.execute("DELETE FROM campaigns WHERE id = ?", [local_id])

    def link(self, local_id: str, record_id: str | None) -> None:
        """Store (or clear) the Airtable record id of a campaign."""
        self.db.execute("UPDATE campaigns SET airtable_id = ? WHERE id = ?", [record_id, local_id])


def local_table(db: sqlite_utils.Database, tmap: TableMap) -> LocalTable:
    """The local side of a mapped table."""
    return {"contacts": ContactsTable, "campaigns": CampaignsTable}[tmap.key](db, tmap)
