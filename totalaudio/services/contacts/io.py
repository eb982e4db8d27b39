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
    # tap's own export columns: the local id and timestamps are tap's to set, never imported as data
    "ignore:tap": ("created", "updated", "createdat", "updatedat"),
    "tap_id": ("id",),
}
ALIAS_TO_FIELD = {alias: fieldname for fieldname, aliases in HEADER_ALIASES.items() for alias in aliases}
MAX_CELL = 100_000  # a cell larger than this is cut (and reported) rather than stored whole
MAX_FILE_BYTES = 256 * 1024 * 1024  # reading stops here: `tap contacts import /dev/zero` ends, not MemoryError
MAX_INT_DIGITS = 4300  # Python's int() limit: longer JSON numbers are kept as their digits, as text
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")  # what export protects with a leading ' (OWASP)


class Rejected(str):
    """A row that cannot be read (bad JSON line, text that is not Unicode): the reason, in place of the row."""


def header_key(header: str) -> str:
    """'Region / Country' -> 'regioncountry'; 'E-mail' -> 'email'."""
    return re.sub(r"[^0-9a-z]", "", header.strip().lower())


def map_headers(headers: list[str]) -> dict[str, str]:
    """Header -> field for known columns; unknown headers map to themselves (kept as extra data)."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        target = ALIAS_TO_FIELD.get(header_key(header))
        if target and target.startswith("ignore:"):
            mapping[header] = target
        elif target and target not in taken:
            mapping[header] = target
            taken.add(target)
        else:
            mapping[header] = f"extra:{header.strip()}"
    return mapping


def read_bounded(handle: Any, name: str, limit: int | None = None) -> bytes:
    """At most ``limit`` bytes from a binary handle; a larger input is an InputError, never a MemoryError, and
    binary data (NUL bytes at both even and odd offsets, which no text encoding has) is refused at its start."""
    limit = MAX_FILE_BYTES if limit is None else limit
    head = handle.read(min(limit + 1, 65536))
    if _binary(head):
        raise InputError(f"{name}: binary data, not a contact file", hint="give a CSV, JSON or JSON Lines file")
    raw = head + (handle.read(limit + 1 - len(head)) if len(head) <= limit else b"")
    if len(raw) > limit:
        raise InputError(f"{name}: larger than {limit // (1024 * 1024) or limit} "
                         f"{'MB' if limit >= 1024 * 1024 else 'bytes'}: not a contact file tap will read whole",
                         hint="split the file, or check that it is the file you meant")
    return raw


def _binary(head: bytes) -> bool:
    sample = head[:4096]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    return len(sample) >= 64 and even > len(sample) // 8 and odd > len(sample) // 8


def _read_file(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return read_bounded(handle, str(path))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None


def _utf16(raw: bytes) -> str | None:
    """The byte order of UTF-16 text without a BOM (Excel's "Unicode Text" has one; some tools do not)."""
    sample = raw[:400]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > len(sample) // 4 and even == 0:
        return "utf-16-le"
    if even > len(sample) // 4 and odd == 0:
        return "utf-16-be"
    return None


def decode(raw: bytes) -> str:
    """Text of a contact file: UTF-8 (BOM or not), UTF-16 (BOM, or its telltale zero bytes), else Windows-1252."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    if encoding := _utf16(raw):
        return raw.decode(encoding, errors="replace")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows still writes cp1252 CSVs.
        return raw.decode("cp1252", errors="replace")


def unquote_formula(cell: str) -> str:
    """Undo export's formula protection: ``'=x`` -> ``=x``, only where export would have added the quote."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_LEADS) else cell


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=counts.get) if any(counts.values()) else ","


def read_csv(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(spreadsheet row number, {field: value}) per data row; the header is row 1."""
    if "\0" in text:
        raise InputError(f"{path}: contains NUL bytes: not a text file", hint="export it again as CSV (UTF-8)")
    csv.field_size_limit(MAX_FILE_BYTES)  # big cells are read, then cut and reported like JSON's
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
            row = {mapping[h]: unquote_formula(c) for h, c in zip(headers, cells) if h.strip() or c.strip()}
            if len(cells) > len(headers):
                row["extra:_overflow"] = cells[len(headers):]
            yield reader.line_num, row
    except csv.Error as exc:
        raise InputError(f"{path}: line {reader.line_num}: not valid CSV: {exc}") from None


def _object_row(obj: Any) -> dict[str, Any] | Rejected:
    """A JSON object -> row; Airtable API records ``{"id", "fields"}`` are unwrapped."""
    if not isinstance(obj, dict):
        return Rejected("not a JSON object")
    if _has_lone_surrogate(obj):
        return Rejected("text that is not valid Unicode (a lone surrogate escape such as \\udc80)")
    if isinstance(obj.get("fields"), dict):
        fields = dict(obj["fields"])
        if isinstance(obj.get("id"), str) and obj["id"].startswith("rec"):
            fields.setdefault("Record ID", obj["id"])
        obj = fields
    mapping = map_headers(list(obj))
    return {mapping[k]: v for k, v in obj.items()}


def _has_lone_surrogate(value: Any, depth: int = 0) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
            return False
        except UnicodeEncodeError:
            return True
    if depth > 50:
        return False
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    return any(_has_lone_surrogate(k, depth) or _has_lone_surrogate(v, depth + 1) for k, v in items)


def _int_or_digits(digits: str) -> int | str:
    return int(digits) if len(digits.lstrip("-")) <= MAX_INT_DIGITS else digits


def parse_json(text: str) -> Any:
    """json.loads that never raises past JSONDecodeError/ValueError: huge integers stay text, and nesting too
    deep for the parser is a ValueError naming it."""
    try:
        return json.loads(text, parse_int=_int_or_digits)
    except RecursionError:
        raise ValueError("nested too deeply to read") from None


def read_json(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any] | Rejected]]:
    """(item number, row) for a JSON array, ``{"contacts": [...]}`` or ``{"records": [...]}``."""
    try:
        data = parse_json(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: line {exc.lineno} column {exc.colno}: not valid JSON: {exc.msg}") from None
    except ValueError as exc:
        raise InputError(f"{path}: not valid JSON: {exc}") from None
    if isinstance(data, dict):
        data = data.get("contacts", data.get("records", [data]))
    if not isinstance(data, list):
        raise InputError(f"{path}: expected a JSON array of contact objects")
    return ((i, _object_row(obj)) for i, obj in enumerate(data, start=1))


def read_jsonl(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any] | Rejected]]:
    """(line number, row) per non-blank line; a malformed line is rejected with its reason, not fatal."""
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            yield lineno, _object_row(parse_json(line))
        except json.JSONDecodeError:
            yield lineno, Rejected("not a JSON object")
        except ValueError as exc:
            yield lineno, Rejected(f"not a JSON object: {exc}")


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


def read_rows(path: Path, fmt: str | None = None, text: str | None = None,
              data: bytes | None = None) -> tuple[str, Iterator[tuple[int, dict[str, Any] | Rejected]]]:
    """The detected format and the rows of a contact file (or of ``data``/``text`` already read, e.g. from
    stdin); InputError for unreadable or unusable input."""
    if text is None:
        text = decode(_read_file(path) if data is None else data)
    text = text.lstrip("\ufeff")
    fmt = fmt or detect_format(path, text)
    readers = {"csv": read_csv, "json": read_json, "jsonl": read_jsonl}
    if fmt not in readers:
        raise InputError(f"unknown format {fmt!r}; use csv, json or jsonl")
    return fmt, readers[fmt](path, text)
