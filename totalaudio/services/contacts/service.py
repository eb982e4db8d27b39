"""Contact use cases: import with merge on the normalised email, list, show and export."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from totalaudio.errors import InputError
from totalaudio.models import Contact, ImportResult, Rejection
from totalaudio.services.contacts.io import MAX_CELL, read_rows
from totalaudio.store.contacts import LIST_FIELDS, ContactStore, normalise_email
from totalaudio.store.db import transaction
from totalaudio.store.runs import Journal, RunLog

STATUS_ALIASES = {
    "optedin": "opted-in", "subscribed": "opted-in", "active": "opted-in", "yes": "opted-in",
    "unsubscribed": "unsubscribed", "optedout": "unsubscribed", "unsub": "unsubscribed",
    "bounced": "bounced", "hardbounce": "bounced", "bounce": "bounced", "cleaned": "cleaned",
    "pending": "pending", "donotcontact": "do-not-contact", "dnc": "do-not-contact", "archived": "archived",
}
TYPE_ALIASES = {
    "radio": "radio", "station": "radio", "dj": "radio", "presenter": "radio", "producer": "radio",
    "press": "press", "journalist": "press", "magazine": "press", "newspaper": "press", "print": "press",
    "playlist": "playlist", "curator": "playlist", "blog": "blog", "blogger": "blog", "podcast": "podcast",
    "tv": "tv", "television": "tv", "label": "label", "other": "other",
}
NAME_PARTICLES = {"ó", "o'", "mac", "mc", "van", "von", "de", "da", "di", "du", "le", "la", "del", "der", "st", "st."}
SPLIT_LIST = re.compile(r"\s*[,;|\n]\s*")
CSV_COLUMNS = (("id", "ID"), ("email", "Email"), ("first_name", "First Name"), ("last_name", "Last Name"),
               ("station", "Station"), ("show", "Show"), ("contact_type", "Contact Type"),
               ("region", "Region / Country"), ("genres", "Genres"), ("status", "Status"), ("website", "Website"),
               ("notes", "Notes"), ("tags", "Tags"), ("phone", "Phone"), ("airtable_id", "Airtable Record ID"),
               ("created_at", "Created"), ("updated_at", "Updated"))
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def _slug(value: str) -> str:
    return re.sub(r"[^0-9a-z]", "", value.lower())


SPACES = re.compile(r"[ \t]{2,}|\t")


def clean_text(value: Any) -> str | None:
    """Trim, fold runs of spaces, NFC-normalise; empty -> None; lists joined."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value)
    text = str(value).strip()
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    if "  " in text or "\t" in text:
        text = SPACES.sub(" ", text)
    return text or None


def clean_list(value: Any) -> list[str]:
    """A comma/semicolon/pipe list (or a JSON list) -> distinct trimmed items, first spelling kept."""
    items = value if isinstance(value, (list, tuple)) else SPLIT_LIST.split(str(value or ""))
    seen: dict[str, str] = {}
    for item in items:
        text = clean_text(item)
        if text and text.lower() not in seen:
            seen[text.lower()] = text
    return list(seen.values())


def canonical(value: str | None, aliases: dict[str, str]) -> str | None:
    """A select value mapped to tap's vocabulary ('Opted-In' -> 'opted-in'); unknown ones slugged."""
    if not value:
        return None
    key = _slug(value)
    return aliases.get(key) or re.sub(r"[^0-9a-z]+", "-", value.lower()).strip("-") or None


def split_name(full: str) -> tuple[str | None, str | None]:
    """'Seán Ó Briain' -> ('Seán', 'Ó Briain'); one word is a first name."""
    parts = full.split()
    if len(parts) == 1:
        return parts[0], None
    cut = len(parts) - 1
    while cut > 1 and parts[cut - 1].lower() in NAME_PARTICLES:
        cut -= 1
    return " ".join(parts[:cut]), " ".join(parts[cut:])


SIMPLE_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_DOMAINS: dict[str, str] = {}


def validate_email_address(raw: str) -> str:
    """The normalised address, or ValueError with the reason (syntax only, no network).

    email-validator's domain checks (IDNA, UTS-46) dominate the cost, so a domain already found valid is
    remembered; a plain ASCII local part at such a domain needs only the dot-atom check.
    """
    local, _, domain = raw.rpartition("@")
    known = _DOMAINS.get(domain)
    if known and len(local) <= 64 and SIMPLE_LOCAL.fullmatch(local):
        return f"{local}@{known}"
    from email_validator import EmailNotValidError, validate_email

    try:
        result = validate_email(raw, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None
    _DOMAINS[domain] = result.domain
    return result.normalized


@dataclass
class Draft:
    """A contact being assembled from one or more input rows."""

    values: dict[str, Any]
    rows: list[int] = field(default_factory=list)


def row_to_values(row: dict[str, Any]) -> dict[str, Any]:
    """Raw row fields -> typed contact values (unknown columns under ``extra``)."""
    values: dict[str, Any] = {"extra": {}}
    for key, raw in row.items():
        if key.startswith("extra:"):
            if (text := clean_text(raw)) is not None:
                values["extra"][key[6:]] = text[:MAX_CELL]
        elif key in LIST_FIELDS:
            values[key] = clean_list(raw)
        elif key != "name":
            text = clean_text(raw)
            values[key] = text[:MAX_CELL] if text else None
    if row.get("name") and not (values.get("first_name") or values.get("last_name")):
        values["first_name"], values["last_name"] = split_name(clean_text(row["name"]) or "")
    values["status"] = canonical(values.get("status"), STATUS_ALIASES)
    values["contact_type"] = canonical(values.get("contact_type"), TYPE_ALIASES)
    return values


def merged_value(key: str, current: Any, value: Any, *, overwrite: bool) -> Any:
    """One field combined: lists united, extra merged, scalars filled (or replaced when overwrite)."""
    if key in LIST_FIELDS:
        return clean_list(list(current or []) + list(value or [])) if value else list(current or [])
    if key == "extra":
        return {**(current or {}), **value} if overwrite else {**value, **(current or {})}
    if value not in (None, "") and (overwrite or current in (None, "")):
        return value
    return current


def merge(base: dict[str, Any], incoming: dict[str, Any], *, overwrite: bool) -> dict[str, Any]:
    """Combine two value sets field by field (see merged_value)."""
    out = dict(base)
    for key, value in incoming.items():
        out[key] = merged_value(key, out.get(key), value, overwrite=overwrite)
    return out


def changes_from(row: dict[str, Any], incoming: dict[str, Any]) -> dict[str, Any]:
    """The fields a stored row would change to if ``incoming`` (newer, from a file) were merged in."""
    changes = {}
    for key, value in incoming.items():
        current = row_value(row, key)
        new = merged_value(key, current, value, overwrite=True)
        if _norm(new) != _norm(current):
            changes[key] = new
    return changes


def row_value(row: dict[str, Any], key: str) -> Any:
    """A typed value of a stored row (JSON columns decoded)."""
    raw = row.get(key)
    if key in LIST_FIELDS or key == "extra":
        return json.loads(raw) if raw else ([] if key != "extra" else {})
    return raw


def _norm(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else (value if value not in ("", None, [], {}) else None)


class Importer:
    """Plans and applies the import of one file."""

    def __init__(self, store: ContactStore) -> None:
        self.store = store
        self.rejected: list[Rejection] = []
        self.drafts: dict[str, Draft] = {}
        self.rows = self.merged = self.skipped = 0

    def add(self, row_no: int, row: dict[str, Any] | None) -> None:
        """Validate one row and fold it into the plan."""
        self.rows += 1
        if row is None:
            self.rejected.append(Rejection(row_no, None, "not a JSON object"))
            return
        if not any(str(v).strip() for v in row.values() if v is not None):
            self.skipped += 1
            return
        values = row_to_values(row)
        raw_email = values.get("email") or ""
        if not raw_email:
            self.rejected.append(Rejection(row_no, None, "no email address"))
            return
        try:
            values["email"] = validate_email_address(raw_email)
        except ValueError as exc:
            self.rejected.append(Rejection(row_no, raw_email, f"invalid email: {exc}"))
            return
        self._fold(row_no, values)

    def _fold(self, row_no: int, values: dict[str, Any]) -> None:
        key = normalise_email(values["email"])
        if key in self.drafts:
            draft = self.drafts[key]
            draft.values = merge(draft.values, values, overwrite=False)
            draft.rows.append(row_no)
            self.merged += 1
        else:
            self.drafts[key] = Draft(values, [row_no])

    def plan(self) -> tuple[list[dict[str, Any]], list[tuple[dict[str, Any], dict[str, Any]]], int]:
        """(new rows, [(existing row, changes)], unchanged count) against what is stored."""
        existing = self.store.rows_by_email()
        new, updates, unchanged = [], [], 0
        for key, draft in self.drafts.items():
            row = existing.get(key)
            if row is None:
                new.append(draft.values)
                continue
            changes = changes_from(row, draft.values)
            if changes:
                updates.append((row, changes))
            else:
                unchanged += 1
        return new, updates, unchanged


def import_contacts(db: Any, path: Path, *, fmt: str | None = None, dry_run: bool = False,
                    run_id: str | None = None, text: str | None = None) -> ImportResult:
    """Read a contact file (or ``text`` given for it) and merge it into the store on the normalised email."""
    store = ContactStore(db)
    detected, rows = read_rows(path, fmt, text)
    importer = Importer(store)
    for row_no, row in rows:
        importer.add(row_no, row)
    new, updates, unchanged = importer.plan()
    if not dry_run:
        _apply(db, store, run_id, new, updates)
    return ImportResult(source=str(path), rows=importer.rows, created=len(new), updated=len(updates),
                        merged=importer.merged, unchanged=unchanged, skipped=importer.skipped,
                        rejected=tuple(importer.rejected), dry_run=dry_run, run_id=None if dry_run else run_id,
                        format=detected)


def _apply(db: Any, store: ContactStore, run_id: str | None, new: list[dict], updates: list[tuple]) -> None:
    """Write the plan in one transaction, journaling every create and update."""
    from totalaudio.store.contacts import new_id

    journal = Journal(db)
    with transaction(db):
        for values in new:
            values["id"] = new_id()
        store.insert_many(new)
        for row, changes in updates:
            store.update(row["id"], changes)
        entries = [{"entity": "contact", "entity_id": v["id"], "op": "create", "after": v} for v in new]
        entries += [{"entity": "contact", "entity_id": row["id"], "op": "update",
                     "before": {k: row[k] for k in changes}, "after": changes} for row, changes in updates]
        journal.record_many(run_id, entries)


def start_run(db: Any, command: str, args: dict[str, Any]) -> str:
    """Open a run in the run log."""
    return RunLog(db).start(command, args)


def finish_run(db: Any, run_id: str, status: str, result: Any = None, error: str | None = None) -> None:
    """Close a run in the run log."""
    RunLog(db).finish(run_id, status, result, error)


def list_contacts(db: Any, flt: Any = None) -> Iterator[Contact]:
    """Contacts matching a ContactFilter, oldest first."""
    return ContactStore(db).iter(flt)


def get_contact(db: Any, ref: str) -> Contact:
    """A contact by local id, Airtable record id or email; InputError when unknown."""
    if not ref.strip():
        raise InputError("give a contact id or email")
    return ContactStore(db).get(ref)


def safe_cell(value: Any) -> str:
    """A CSV cell that spreadsheets will not run as a formula (OWASP: prefix a quote)."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_LEADS) else text


def write_csv(contacts: Iterable[Contact], out: io.TextIOBase) -> int:
    """Write contacts as formula-safe CSV with Airtable-style headers; returns the row count."""
    writer = csv.writer(out)
    writer.writerow([label for _, label in CSV_COLUMNS])
    count = 0
    for contact in contacts:
        writer.writerow([safe_cell(getattr(contact, attr)) for attr, _ in CSV_COLUMNS])
        count += 1
    return count
