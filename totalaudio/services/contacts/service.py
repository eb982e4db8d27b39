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
from totalaudio.services.contacts.io import FORMULA_LEADS, MAX_CELL, Rejected, read_rows
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
TAP_ID = re.compile(r"c_[0-9a-f]{16}")


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


def cut_cell(value: Any, label: str, cut: list[str] | None) -> Any:
    """A value with every text longer than MAX_CELL cut to it; ``cut`` collects what was cut, for the report."""
    if isinstance(value, (list, tuple)):
        return [cut_cell(v, label, cut) for v in value]
    if isinstance(value, str) and len(value) > MAX_CELL:
        if cut is not None:
            cut.append(f"{label} cut to {MAX_CELL:,} characters (was {len(value):,})")
        return value[:MAX_CELL]
    return value


def row_to_values(row: dict[str, Any], cut: list[str] | None = None) -> dict[str, Any]:
    """Raw row fields -> typed contact values (unknown columns under ``extra``); oversized cells are cut the
    same way for every format and listed in ``cut``."""
    values: dict[str, Any] = {"extra": {}}
    for key, raw in row.items():
        raw = cut_cell(raw if isinstance(raw, (str, list, tuple)) or raw is None else str(raw), key, cut)
        if key.startswith("ignore:"):
            continue
        if key == "tap_id":
            if raw and not TAP_ID.fullmatch(str(raw).strip()):  # tap's own export id is tap's to set
                values["extra"]["ID"] = clean_text(raw)
        elif key.startswith("extra:"):
            if (text := clean_text(raw)) is not None:
                values["extra"][key[6:]] = text
        elif key in LIST_FIELDS:
            values[key] = clean_list(raw)
        elif key != "name":
            values[key] = clean_text(raw)
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
        self.truncated: list[Rejection] = []
        self.drafts: dict[str, Draft] = {}
        self.record_ids: dict[str, tuple[str, int]] = {}  # Airtable record id -> (email key, first row)
        self.rows = self.merged = self.skipped = 0

    def reject(self, row_no: int, email: str | None, reason: str) -> None:
        """Report a row that does not go in."""
        self.rejected.append(Rejection(row_no, email, reason))

    def add(self, row_no: int, row: dict[str, Any] | Rejected | None) -> None:
        """Validate one row and fold it into the plan."""
        self.rows += 1
        if row is None or isinstance(row, str):
            self.reject(row_no, None, str(row) if row else "not a JSON object")
            return
        if not any(str(v).strip() for v in row.values() if v is not None):
            self.skipped += 1
            return
        cut: list[str] = []
        try:
            values = row_to_values(row, cut)
        except RecursionError:
            self.reject(row_no, None, "a value nested too deeply to read")
            return
        raw_email = values.get("email") or ""
        if not raw_email:
            self.reject(row_no, None, "no email address")
            return
        try:
            values["email"] = validate_email_address(raw_email)
        except ValueError as exc:
            self.reject(row_no, raw_email, f"invalid email: {exc}")
            return
        if self._fold(row_no, values):
            self.truncated += [Rejection(row_no, values["email"], reason) for reason in cut]

    def _fold(self, row_no: int, values: dict[str, Any]) -> bool:
        key = normalise_email(values["email"])
        record = values.get("airtable_id")
        if record and record in self.record_ids and self.record_ids[record][0] != key:
            first = self.record_ids[record][1]
            self.reject(row_no, values["email"], f"Record ID {record} is already on row {first} with another "
                                                 "email; one Airtable record is one contact")
            return False
        if record:
            self.record_ids.setdefault(record, (key, row_no))
        if key in self.drafts:
            draft = self.drafts[key]
            draft.values = merge(draft.values, values, overwrite=False)
            draft.rows.append(row_no)
            self.merged += 1
        else:
            self.drafts[key] = Draft(values, [row_no])
        return True

    def plan(self) -> tuple[list[dict[str, Any]], list[tuple[dict[str, Any], dict[str, Any]]], int]:
        """(new rows, [(existing row, changes)], unchanged count) against what is stored.

        A row is matched to a stored contact by its Airtable record id first (the record's email may have
        changed in Airtable), else by its normalised email."""
        by_email = self.store.rows_by_email()
        by_record = {r["airtable_id"]: r for r in by_email.values() if r["airtable_id"]}
        new, updates, unchanged, claimed = [], [], 0, set()
        for key, draft in self.drafts.items():
            row = self._match(draft, by_email.get(key), by_record.get(draft.values.get("airtable_id") or ""))
            if row is False or (row is not None and not self._claim(draft, row, claimed)):
                continue
            if row is None:
                new.append(draft.values)
            elif changes := changes_from(row, draft.values):
                updates.append((row, changes))
            else:
                unchanged += 1
        return new, updates, unchanged

    def _match(self, draft: Draft, by_email: dict | None, by_record: dict | None) -> dict | None | bool:
        if by_email and by_record and by_email["id"] != by_record["id"]:
            self.reject(draft.rows[0], draft.values["email"],
                        f"Record ID {draft.values['airtable_id']} belongs to contact {by_record['email']} but the "
                        f"email to contact {by_email['id']}: merge or correct them first")
            return False
        return by_record or by_email

    def _claim(self, draft: Draft, row: dict, claimed: set[str]) -> bool:
        if row["id"] in claimed:
            self.reject(draft.rows[0], draft.values["email"], f"matches contact {row['id']} ({row['email']}) "
                                                              "that another row of this file already updates")
            return False
        claimed.add(row["id"])
        return True


def import_contacts(db: Any, path: Path, *, fmt: str | None = None, dry_run: bool = False,
                    run_id: str | None = None, text: str | None = None, data: bytes | None = None) -> ImportResult:
    """Read a contact file (or ``data``/``text`` given for it) and merge it into the store on the record id or
    the normalised email; InputError (exit 2) when no row of it can go in."""
    store = ContactStore(db)
    detected, rows = read_rows(path, fmt, text, data)
    importer = Importer(store)
    for row_no, row in rows:
        importer.add(row_no, row)
    new, updates, unchanged = importer.plan()
    _refuse_if_nothing_fits(path, importer, len(new) + len(updates) + unchanged)
    if not dry_run:
        _apply(db, store, run_id, new, updates)
    return ImportResult(source=str(path), rows=importer.rows, created=len(new), updated=len(updates),
                        merged=importer.merged, unchanged=unchanged, skipped=importer.skipped,
                        rejected=tuple(importer.rejected), dry_run=dry_run, run_id=None if dry_run else run_id,
                        format=detected, truncated=tuple(importer.truncated))


def _refuse_if_nothing_fits(path: Path, importer: Importer, accepted: int) -> None:
    if accepted or not importer.rejected:
        return
    first = "; ".join(f"row {r.row}: {r.reason}" for r in importer.rejected[:3])
    raise InputError(f"{path}: none of its {len(importer.rejected)} rows could be imported ({first})",
                     hint="check the file's format and encoding (tap reads UTF-8, UTF-16 and Windows-1252)",
                     rejected=[{"row": r.row, "email": r.email, "reason": r.reason} for r in importer.rejected[:50]])


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
