"""Reading contact files (CSV, Airtable CSV exports, JSON, JSON Lines) into raw rows with row numbers."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any, Iterator

from totalaudio.errors import InputError

# Normalised header (lower-case, letters and digits only) -> contact field.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "email": ("email", "emailaddress", "mail", "contactemail", "emailaddr", "emails"),
    "first_name": ("firstname", "first", "givenname", "forename"),
    "last_name": ("lastname", "last", "surname", "familyname"),
    "name": ("name", "fullname", "contactname", "contact", "presenter", "djname"),
    "station": ("station", "stationname", "outlet", "company", "organisation", "organization", "publication",
                "mediaoutlet", "media", "radiostation"),
    "show": ("show", "showname", "programme", "program", "programmename", "programname"),
    "contact_type": ("contacttype", "type", "category", "mediatype", "outlettype"),
    "region": ("region", "country", "regioncountry", "location", "territory", "market"),
    "genres": ("genres", "genre", "musicgenres"),
    "status": ("status", "subscriptionstatus", "optinstatus", "emailstatus"),
    "website": ("website", "url", "web", "site", "homepage", "websiteurl", "stationwebsite"),
    "notes": ("notes", "note", "comments", "comment"),
    "tags": ("tags", "tag", "labels"),
    "phone": ("phone", "telephone", "tel", "mobile", "phonenumber"),
    "airtable_id": ("recordid", "airtableid", "airtablerecordid"),
}
ALIAS_TO_FIELD = {alias: fieldname for fieldname, aliases in HEADER_ALIASES.items() for alias in aliases}
MAX_CELL = 100_000  # a cell larger than this is cut (and reported) rather than stored whole


def header_key(header: str) -> str:
    """'Region / Country' -> 'regioncountry'; 'E-mail' -> 'email'."""
    return re.sub(r"[^0-9a-z]", "", header.strip().lower())


def map_headers(headers: list[str]) -> dict[str, str]:
    """Header -> field for known columns; unknown headers map to themselves (kept as extra data)."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        target = ALIAS_TO_FIELD.get(header_key(header))
        if target and target not in taken:
            mapping[header] = target
            taken.add(target)
        else:
            mapping[header] = f"extra:{header.strip()}"
    return mapping


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows still writes cp1252 CSVs.
        return raw.decode("cp1252", errors="replace")


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=counts.get) if any(counts.values()) else ","


def read_csv(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(spreadsheet row number, {field: value}) per data row; the header is row 1."""
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(first_line))
    try:
        headers = next(reader)
    except StopIteration:
        raise InputError(f"{path}: the file is empty") from None
    except csv.Error as exc:
        raise InputError(f"{path}: line 1: not valid CSV: {exc}") from None
    mapping = map_headers(headers)
    if "email" not in mapping.values():
        raise InputError(f"{path}: no email column (headers: {', '.join(h for h in headers if h) or 'none'})",
                         hint="name a column Email, E-mail or Email Address")
    return _csv_rows(path, reader, headers, mapping)


def _csv_rows(path: Path, reader: Any, headers: list[str], mapping: dict[str, str]):
    try:
        for cells in reader:
            row = {mapping[h]: c for h, c in zip(headers, cells) if h.strip() or c.strip()}
            if len(cells) > len(headers):
                row["extra:_overflow"] = cells[len(headers):]
            yield reader.line_num, row
    except csv.Error as exc:
        raise InputError(f"{path}: line {reader.line_num}: not valid CSV: {exc}") from None


def _object_row(obj: Any) -> dict[str, Any] | None:
    """A JSON object -> row; Airtable API records ``{"id", "fields"}`` are unwrapped."""
    if not isinstance(obj, dict):
        return None
    if isinstance(obj.get("fields"), dict):
        fields = dict(obj["fields"])
        if isinstance(obj.get("id"), str) and obj["id"].startswith("rec"):
            fields.setdefault("Record ID", obj["id"])
        obj = fields
    mapping = map_headers(list(obj))
    return {mapping[k]: v for k, v in obj.items()}


def read_json(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """(item number, row) for a JSON array, ``{"contacts": [...]}`` or ``{"records": [...]}``."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: line {exc.lineno} column {exc.colno}: not valid JSON: {exc.msg}") from None
    if isinstance(data, dict):
        data = data.get("contacts", data.get("records", [data]))
    if not isinstance(data, list):
        raise InputError(f"{path}: expected a JSON array of contact objects")
    return ((i, _object_row(obj)) for i, obj in enumerate(data, start=1))


def read_jsonl(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """(line number, row) per non-blank line; a malformed line yields None (rejected, not fatal)."""
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield lineno, _object_row(json.loads(line))
        except json.JSONDecodeError:
            yield lineno, None


def detect_format(path: Path, text: str) -> str:
    """csv, json or jsonl from the extension, else from the content."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".json":
        return "json"
    head = text.lstrip()[:1]
    if head == "[":
        return "json"
    if head == "{":
        return "jsonl" if "\n{" in text.strip() else "json"
    return "csv"


def read_rows(path: Path, fmt: str | None = None,
              text: str | None = None) -> tuple[str, Iterator[tuple[int, dict[str, Any] | None]]]:
    """The detected format and the rows of a contact file (or of ``text`` already read, e.g. from stdin);
    InputError for unreadable or unusable input."""
    text = _read_text(path) if text is None else text.lstrip("\ufeff")
    fmt = fmt or detect_format(path, text)
    readers = {"csv": read_csv, "json": read_json, "jsonl": read_jsonl}
    if fmt not in readers:
        raise InputError(f"unknown format {fmt!r}; use csv, json or jsonl")
    return fmt, readers[fmt](path, text)
