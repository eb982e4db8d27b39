"""The contacts aggregate: rows of the local mirror of a plugger's contact base."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any, Iterator

import sqlite_utils

from totalaudio.errors import InputError, utc_now
from totalaudio.store.db import insert_rows, transaction
from totalaudio.models import Contact

MIGRATIONS = [
    ("0001_contacts", """
    CREATE TABLE contacts (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL DEFAULT '',
        email_norm TEXT NOT NULL DEFAULT '',
        first_name TEXT, last_name TEXT, station TEXT, show TEXT, contact_type TEXT, region TEXT,
        genres TEXT NOT NULL DEFAULT '[]',
        status TEXT, website TEXT, notes TEXT,
        tags TEXT NOT NULL DEFAULT '[]',
        phone TEXT,
        last_email_date TEXT, last_engagement TEXT, reply_status TEXT,
        enrichment_quality TEXT, enrichment_notes TEXT, last_enriched TEXT, contact_intelligence TEXT,
        airtable_id TEXT UNIQUE,
        extra TEXT NOT NULL DEFAULT '{}',
        raw TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX contacts_email_norm ON contacts(email_norm);
    CREATE INDEX contacts_station ON contacts(station COLLATE NOCASE);
    CREATE INDEX contacts_status ON contacts(status);
    CREATE INDEX contacts_updated ON contacts(updated_at)
    """),
]

# Columns a caller may set; list columns are stored as JSON arrays, extra/raw as JSON objects.
FIELDS = ("email", "first_name", "last_name", "station", "show", "contact_type", "region", "genres",
          "status", "website", "notes", "tags", "phone", "last_email_date", "last_engagement", "reply_status",
          "enrichment_quality", "enrichment_notes", "last_enriched", "contact_intelligence", "airtable_id", "extra")
LIST_FIELDS = ("genres", "tags")


def new_id() -> str:
    """A fresh local contact id."""
    return "c_" + secrets.token_hex(8)


def normalise_email(email: str) -> str:
    """The merge key of an address: trimmed, lower-cased (mailboxes are case-insensitive in practice)."""
    return email.strip().lower()


def to_row(values: dict[str, Any]) -> dict[str, Any]:
    """Typed values (lists, dicts) -> column values (JSON text)."""
    row = dict(values)
    for key in LIST_FIELDS:
        if key in row:
            row[key] = json.dumps(list(row[key] or []), ensure_ascii=False)
    for key in ("extra", "raw"):
        if key in row and row[key] is not None and not isinstance(row[key], str):
            row[key] = json.dumps(row[key], ensure_ascii=False)
    if "email" in row:
        row["email_norm"] = normalise_email(row["email"] or "")
    return row


def from_row(row: dict[str, Any]) -> Contact:
    """A stored row -> Contact."""
    return Contact(
        id=row["id"], email=row["email"], first_name=row["first_name"], last_name=row["last_name"],
        station=row["station"], show=row["show"], contact_type=row["contact_type"], region=row["region"],
        genres=tuple(json.loads(row["genres"] or "[]")), status=row["status"], website=row["website"],
        notes=row["notes"], tags=tuple(json.loads(row["tags"] or "[]")), phone=row["phone"],
        last_email_date=row["last_email_date"], last_engagement=row["last_engagement"],
        reply_status=row["reply_status"], enrichment_quality=row["enrichment_quality"],
        enrichment_notes=row["enrichment_notes"], last_enriched=row["last_enriched"],
        contact_intelligence=row["contact_intelligence"],
        airtable_id=row["airtable_id"], extra=json.loads(row["extra"] or "{}"),
        created_at=row["created_at"], updated_at=row["updated_at"],
    )


def values_of(contact: Contact) -> dict[str, Any]:
    """The settable values of a Contact, as a dict keyed by column."""
    return {f: getattr(contact, f) for f in FIELDS}


@dataclass(frozen=True)
class ContactFilter:
    """Filters of ``contacts list``/``export``; all given ones must match."""

    genre: str | None = None
    station: str | None = None
    contact_type: str | None = None
    status: str | None = None
    search: str | None = None
    limit: int | None = None

    def where(self) -> tuple[str, list[Any]]:
        """SQL WHERE clause and parameters."""
        clauses, params = ["1=1"], []
        if self.genre:
            clauses.append("EXISTS (SELECT 1 FROM json_each(contacts.genres) WHERE lower(value) = lower(?))")
            params.append(self.genre.strip())
        if self.station:
            clauses.append("station LIKE ? ESCAPE '\\'")
            params.append(f"%{_like(self.station.strip())}%")
        for column, value in (("contact_type", self.contact_type), ("status", self.status)):
            if value:
                clauses.append(f"lower({column}) = lower(?)")
                params.append(value.strip())
        if self.search:
            text = f"%{_like(self.search.strip())}%"
            cols = ("email", "first_name", "last_name", "station", "show", "notes", "region", "genres", "tags")
            clauses.append("(" + " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in cols) + ")")
            params.extend([text] * len(cols))
        return " AND ".join(clauses), params


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class ContactStore:
    """Reads and writes the contacts table."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def count(self) -> int:
        """How many contacts are stored."""
        return self.db.execute("SELECT count(*) FROM contacts").fetchone()[0]

    def rows_by_email(self) -> dict[str, dict[str, Any]]:
        """Every row keyed by normalised email (the oldest row wins where several share one)."""
        out: dict[str, dict[str, Any]] = {}
        for row in self.db.query("SELECT * FROM contacts ORDER BY created_at, rowid"):
            out.setdefault(row["email_norm"], row)
        return out

    def get_row(self, ref: str) -> dict[str, Any]:
        """The row for a local id, an Airtable record id or an email; InputError when none matches."""
        ref = ref.strip()
        # One indexed lookup per kind of key (an OR across the columns would scan the table).
        sql = ("SELECT * FROM (SELECT * FROM contacts WHERE id = ? UNION ALL SELECT * FROM contacts WHERE "
               "airtable_id = ? UNION ALL SELECT * FROM contacts WHERE email_norm = ?) ORDER BY created_at LIMIT 1")
        rows = list(self.db.query(sql, [ref, ref, normalise_email(ref)]))
        if not rows:
            raise InputError(f"no contact with id or email {ref!r}", hint="see `tap contacts list`")
        return rows[0]

    def get(self, ref: str) -> Contact:
        """The Contact for a local id, an Airtable record id or an email."""
        return from_row(self.get_row(ref))

    def iter_rows(self, flt: ContactFilter | None = None, order: str = "created_at, rowid") -> Iterator[dict]:
        """Stored rows matching a filter, in a stable order."""
        where, params = (flt or ContactFilter()).where()
        sql = f"SELECT * FROM contacts WHERE {where} ORDER BY {order}"
        if flt and flt.limit is not None:
            sql += f" LIMIT {int(flt.limit)}"
        return self.db.query(sql, params)

    def iter(self, flt: ContactFilter | None = None) -> Iterator[Contact]:
        """Contacts matching a filter."""
        return (from_row(r) for r in self.iter_rows(flt))

    def insert_many(self, rows: list[dict[str, Any]]) -> None:
        """Insert new contacts (typed values); ids and timestamps are filled where absent."""
        now = utc_now()
        defaults = {"genres": "[]", "tags": "[]", "extra": "{}", "created_at": now, "updated_at": now}
        insert_rows(self.db, "contacts", [{**defaults, "id": new_id(), **to_row(values)} for values in rows])

    def update(self, contact_id: str, changes: dict[str, Any], *, touch: bool = True) -> None:
        """Change some fields of one contact (typed values)."""
        row = to_row(changes)
        if touch:
            row["updated_at"] = utc_now()
        if not row:
            return
        assignments = ", ".join(f"[{column}] = ?" for column in row)
        with transaction(self.db):
            self.db.execute(f"UPDATE contacts SET {assignments} WHERE id = ?", [*row.values(), contact_id])

    def delete(self, contact_id: str) -> None:
        """Remove one contact."""
        with transaction(self.db):
            self.db.execute("DELETE FROM contacts WHERE id = ?", [contact_id])
