"""Which local column goes to which Airtable field, and how values convert between the two sides.

The defaults fit the base a plugger runs; tap.toml overrides any name::

    [airtable]
    contacts_table = "Contacts"
    campaigns_table = "Campaigns"      # "" turns campaign sync off
    [airtable.contacts_fields]
    region = "Country"                  # "" leaves a column out of the sync
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from totalaudio.config import Settings
from totalaudio.errors import ConfigError

# Airtable field types each kind accepts (metadata API names); the first is what a new field should be.
EXPECTED_TYPES = {
    "text": ("singleLineText", "multilineText", "richText", "phoneNumber"),
    "longtext": ("multilineText", "richText", "singleLineText"),
    "email": ("email", "singleLineText"),
    "url": ("url", "singleLineText"),
    "select": ("singleSelect", "singleLineText"),
    "multi": ("multipleSelects",),
    "date": ("date", "dateTime", "singleLineText"),
    "number": ("number", "currency", "percent"),
    "link": ("multipleRecordLinks",),
}
SPECIAL_LABELS = {"do-not-contact": "Do Not Contact", "tv": "TV"}


@dataclass(frozen=True)
class FieldMap:
    """One mapped column: local name, Airtable field name and the kind of value."""

    local: str
    airtable: str
    kind: str = "text"

    def to_airtable(self, value: Any) -> Any:
        """A canonical local value as Airtable should receive it (None clears the cell)."""
        value = canonical(self.kind, value)
        if value is None:
            return [] if self.kind in ("multi", "link") else None
        return select_label(value) if self.kind == "select" else value

    def from_airtable(self, value: Any) -> Any:
        """A cell value from Airtable as the canonical local value."""
        if self.kind == "select" and isinstance(value, str):
            value = select_value(value)
        return canonical(self.kind, value)


@dataclass(frozen=True)
class TableMap:
    """One synced table: its Airtable name, its mapped fields, and the column new records merge on."""

    key: str
    name: str
    fields: tuple[FieldMap, ...]
    merge_on: str

    def field(self, local: str) -> FieldMap:
        """The mapping of a local column."""
        return next(f for f in self.fields if f.local == local)

    @property
    def merge_field(self) -> FieldMap:
        """The mapping of the merge column (Email for contacts)."""
        return self.field(self.merge_on)

    def from_record(self, record: dict[str, Any]) -> dict[str, Any]:
        """An Airtable record's fields as canonical local values (absent cells are None)."""
        cells = record.get("fields", {})
        return {f.local: f.from_airtable(cells.get(f.airtable)) for f in self.fields}

    def to_fields(self, values: dict[str, Any]) -> dict[str, Any]:
        """Canonical local values (some columns) as an Airtable ``fields`` payload."""
        return {f.airtable: f.to_airtable(values[f.local]) for f in self.fields if f.local in values}


CONTACT_FIELDS = (
    FieldMap("email", "Email", "email"), FieldMap("first_name", "First Name"), FieldMap("last_name", "Last Name"),
    FieldMap("station", "Station"), FieldMap("show", "Show"), FieldMap("contact_type", "Contact Type", "select"),
    FieldMap("region", "Region / Country"), FieldMap("genres", "Genres", "multi"),
    FieldMap("status", "Status", "select"), FieldMap("website", "Website", "url"),
    FieldMap("notes", "Notes", "longtext"), FieldMap("tags", "Tags", "multi"),
    FieldMap("last_email_date", "Last Email Date", "date"), FieldMap("last_engagement", "Last Engagement", "date"),
    FieldMap("reply_status", "Reply Status"), FieldMap("enrichment_quality", "Enrichment Quality"),
    FieldMap("enrichment_notes", "Enrichment Notes", "longtext"), FieldMap("last_enriched", "Last Enriched", "date"),
    FieldMap("contact_intelligence", "Contact Intelligence", "longtext"),
)
CAMPAIGN_FIELDS = (
    FieldMap("name", "Name"), FieldMap("artist", "Artist"), FieldMap("release", "Release"),
    FieldMap("status", "Status", "select"), FieldMap("start_date", "Start Date", "date"),
    FieldMap("contacts", "Contacts", "link"), FieldMap("sent", "Sent", "number"),
    FieldMap("opens", "Opens", "number"), FieldMap("clicks", "Clicks", "number"),
    FieldMap("replies", "Replies", "number"), FieldMap("notes", "Notes", "longtext"),
)


def _slug(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


def select_label(value: str) -> str:
    """A canonical lower-case value as its Airtable option label: 'opted-in' -> 'Opted-In', 'radio' -> 'Radio'."""
    if value in SPECIAL_LABELS:
        return SPECIAL_LABELS[value]
    if value != value.lower():
        return value
    return "-".join(part[:1].upper() + part[1:] for part in value.split("-"))


def select_value(label: str) -> str:
    """An Airtable option label as the canonical value: 'Opted-In' -> 'opted-in', 'Do Not Contact' -> ..."""
    for value, special in SPECIAL_LABELS.items():
        if _slug(special) == _slug(label):
            return value
    return re.sub(r"\s+", "-", label.strip().lower())


def canonical(kind: str, value: Any) -> Any:
    """The comparable form of a value: empty is None, lists are lists, numbers are numbers, text is trimmed."""
    if value is None or value == "" or value == [] or value == ():
        return None
    if kind in ("multi", "link"):
        items = value if isinstance(value, (list, tuple)) else [value]
        items = [str(v).strip() for v in items if str(v).strip()]
        return (sorted(items) if kind == "link" else items) or None
    if kind == "number":
        return _number(value)
    text = str(value).strip()
    return text or None


def _number(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return int(value) if float(value).is_integer() else value
    try:
        number = float(str(value).strip())
    except ValueError:
        return str(value)  # left as text so Airtable can reject it with a reason
    return int(number) if number.is_integer() else number


def _override(defaults: tuple[FieldMap, ...], names: dict[str, Any], section: str) -> tuple[FieldMap, ...]:
    known = {f.local for f in defaults}
    unknown = sorted(set(names) - known)
    if unknown:
        raise ConfigError(f"tap.toml [{section}]: unknown column(s) {', '.join(unknown)}",
                          hint=f"known: {', '.join(sorted(known))}")
    out = []
    for fmap in defaults:
        name = names.get(fmap.local, fmap.airtable)
        if not isinstance(name, str):
            raise ConfigError(f"tap.toml [{section}] {fmap.local} must be a field name (text)")
        if name.strip():
            out.append(replace(fmap, airtable=name.strip()))
    return tuple(out)


def load_mapping(settings: Settings) -> list[TableMap]:
    """The synced tables (contacts first), with tap.toml's overrides applied."""
    section = settings.section("airtable")
    contacts = TableMap("contacts", str(section.get("contacts_table", "Contacts")),
                        _override(CONTACT_FIELDS, settings.section("airtable.contacts_fields"),
                                  "airtable.contacts_fields"), "email")
    tables = [contacts]
    campaigns_name = str(section.get("campaigns_table", "Campaigns"))
    if campaigns_name.strip():
        fields = _override(CAMPAIGN_FIELDS, settings.section("airtable.campaigns_fields"), "airtable.campaigns_fields")
        tables.append(TableMap("campaigns", campaigns_name.strip(), fields, "name"))
    for table in tables:
        if table.merge_on not in {f.local for f in table.fields}:
            raise ConfigError(f"tap.toml: the {table.key} column {table.merge_on!r} cannot be left out of the sync",
                              hint="new records are matched on it")
    return tables


def check_schema(schema: dict[str, Any], tables: list[TableMap]) -> list[dict[str, Any]]:
    """Each mapped table and field against the base's schema: ok, missing, or of a type the sync cannot use."""
    by_name = {t["name"]: t for t in schema.get("tables", [])}
    out = []
    for tmap in tables:
        found = by_name.get(tmap.name)
        types = {f["name"]: f.get("type") for f in (found or {}).get("fields", [])}
        fields = [_field_check(fmap, types, found is not None) for fmap in tmap.fields]
        out.append({"key": tmap.key, "table": tmap.name, "found": found is not None,
                    "tableId": (found or {}).get("id"), "fields": fields,
                    "problems": sum(1 for f in fields if f["status"] != "ok") + (0 if found else 1)})
    return out


def _field_check(fmap: FieldMap, types: dict[str, str | None], table_found: bool) -> dict[str, Any]:
    expected = EXPECTED_TYPES[fmap.kind]
    actual = types.get(fmap.airtable)
    if not table_found or fmap.airtable not in types:
        status = "missing"
    else:
        status = "ok" if actual in expected else "wrong-type"
    return {"local": fmap.local, "field": fmap.airtable, "kind": fmap.kind, "expected": list(expected),
            "actual": actual, "status": status}
