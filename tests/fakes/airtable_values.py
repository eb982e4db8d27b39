"""Tables of the Airtable fake: field types, cell values as Airtable coerces (typecast) or rejects them."""

from __future__ import annotations

import secrets
from datetime import datetime, timezone
from typing import Any

from tests.fakes.airtable_formula import parse_time

TEXT_TYPES = {"singleLineText", "multilineText", "richText", "email", "url", "phoneNumber"}
NUMBER_TYPES = {"number", "currency", "percent"}


class ValueRejected(Exception):
    """Airtable's 422 for a write: the error type and message."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind, self.message = kind, message


def new_id(prefix: str) -> str:
    """An Airtable-looking id: prefix + 14 characters."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return prefix + "".join(secrets.choice(alphabet) for _ in range(14))


def iso(moment: float) -> str:
    """Epoch seconds as Airtable writes times: 2026-11-25T20:30:00.000Z."""
    stamp = datetime.fromtimestamp(moment, timezone.utc)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def _cannot(field: str) -> ValueRejected:
    return ValueRejected("INVALID_VALUE_FOR_COLUMN", f'Field "{field}" cannot accept the provided value')


class FakeTable:
    """One table: typed fields and records ``{id, createdTime, fields, created, modified}``."""

    def __init__(self, name: str, fields: list, fake: Any) -> None:
        self.id, self.name, self.fake = new_id("tbl"), name, fake
        self.fields: dict[str, dict[str, Any]] = {}
        for spec in fields:
            fname, ftype, options = (*spec, {})[:3]
            self.fields[fname] = {"id": new_id("fld"), "name": fname, "type": ftype, "options": dict(options)}
            if ftype in ("singleSelect", "multipleSelects"):
                self.fields[fname]["options"].setdefault("choices", [])
        self.records: dict[str, dict[str, Any]] = {}

    def schema(self) -> dict[str, Any]:
        """The metadata API's shape of this table."""
        fields = [{k: v for k, v in f.items() if k != "options" or v} for f in self.fields.values()]
        return {"id": self.id, "name": self.name, "primaryFieldId": fields[0]["id"] if fields else None,
                "fields": fields, "views": [{"id": "viwFAKEgrid00001", "name": "Grid view", "type": "grid"}]}

    def public(self, record: dict[str, Any], only: list[str] | None = None) -> dict[str, Any]:
        """A record as the API returns it: empty cells left out."""
        cells = {k: v for k, v in record["fields"].items() if v not in (None, "", [], False)
                 and (only is None or k in only)}
        return {"id": record["id"], "createdTime": record["createdTime"], "fields": cells}

    def context(self, record: dict[str, Any]) -> dict[str, Any]:
        """What a formula sees of a record."""
        return {"id": record["id"], "created": parse_time(record["createdTime"]),
                "modified": datetime.fromtimestamp(record["modified"], timezone.utc),
                "field": lambda name: record["fields"].get(name)}

    def get(self, rid: str) -> dict[str, Any]:
        """A record by id; 404 when absent."""
        from tests.fakes.airtable_fake import error

        if rid not in self.records:
            raise error(404, "NOT_FOUND", f"Record {rid} not found")
        return self.records[rid]

    # --- writes ---------------------------------------------------------------------------------------
    def insert(self, fields: dict[str, Any], typecast: bool = True, at: float | None = None) -> dict[str, Any]:
        """A new record (test set-up or API create)."""
        now = self.fake.clock() if at is None else at
        record = {"id": new_id("rec"), "createdTime": iso(now), "fields": self.cells(fields, typecast),
                  "created": now, "modified": now}
        self.records[record["id"]] = record
        return record

    def edit(self, rid: str, fields: dict[str, Any], typecast: bool = True, replace: bool = False) -> bool:
        """Change some cells the way a person (or the API) does; True when something changed."""
        record = self.records[rid]
        new = {**({} if replace else record["fields"]), **self.cells(fields, typecast)}
        if new == record["fields"]:
            return False
        record["fields"] = new
        record["modified"] = self.fake.clock()
        return True

    def apply(self, items: list[dict], typecast: bool, create: bool, replace: bool,
              merge_on: list[str] | None) -> dict[str, Any]:
        """Validate every record, then write all of them (Airtable's batches are all or none)."""
        plan = [self._plan(item, typecast, create, merge_on) for item in items]
        created, updated, out = [], [], []
        for rid, fields in plan:
            if rid is None:
                record = self.insert(fields, typecast)
                created.append(record["id"])
            else:
                self.edit(rid, fields, typecast, replace)
                record = self.records[rid]
                updated.append(rid)
            out.append(self.public(record))
        if merge_on:
            return {"records": out, "createdRecords": created, "updatedRecords": updated}
        return {"records": out}

    def _plan(self, item: dict, typecast: bool, create: bool, merge_on: list[str] | None) -> tuple:
        fields = item.get("fields") or {}
        self.cells(fields, typecast)  # validates
        if create:
            return None, fields
        if item.get("id"):
            if item["id"] not in self.records:
                raise ValueRejected("ROW_DOES_NOT_EXIST", f"Record ID {item['id']} does not exist")
            return item["id"], fields
        if not merge_on:
            raise ValueRejected("INVALID_RECORDS", "Each record to update needs an id")
        return self._match(fields, merge_on), fields

    def _match(self, fields: dict[str, Any], merge_on: list[str]) -> str | None:
        missing = [f for f in merge_on if f not in fields]
        if missing:
            raise ValueRejected("INVALID_VALUE_FOR_COLUMN", f'Field "{missing[0]}" is required to merge on')
        wanted = self.cells({f: fields[f] for f in merge_on}, True)
        hits = [rid for rid, r in self.records.items() if all(r["fields"].get(f) == wanted[f] for f in merge_on)]
        if len(hits) > 1:
            raise ValueRejected("INVALID_VALUE_FOR_COLUMN", "Multiple records match the fields to merge on")
        return hits[0] if hits else None

    def cells(self, fields: dict[str, Any], typecast: bool) -> dict[str, Any]:
        """Cell values as stored, or ValueRejected naming the field."""
        out = {}
        for name, value in fields.items():
            if name not in self.fields:
                raise ValueRejected("UNKNOWN_FIELD_NAME", f'Unknown field name: "{name}"')
            out[name] = self._cell(self.fields[name], value, typecast)
        return out

    def _cell(self, field: dict[str, Any], value: Any, typecast: bool) -> Any:
        kind, name = field["type"], field["name"]
        if value is None or value == "" or value == []:
            return None
        if kind in TEXT_TYPES:
            if isinstance(value, str) or (typecast and isinstance(value, (int, float))):
                return str(value)
            raise _cannot(name)
        if kind in NUMBER_TYPES:
            return _number(value, name, typecast)
        if kind in ("date", "dateTime"):
            return _date(value, name, kind)
        if kind == "singleSelect":
            return self._choice(field, value, typecast)
        if kind == "multipleSelects":
            items = value if isinstance(value, list) else ([v.strip() for v in value.split(",")] if typecast else None)
            if items is None:
                raise _cannot(name)
            return [self._choice(field, v, typecast) for v in items]
        if kind == "multipleRecordLinks":
            return self._links(field, value)
        if kind == "checkbox":
            return bool(value)
        return value

    def _choice(self, field: dict[str, Any], value: Any, typecast: bool) -> str:
        if not isinstance(value, str):
            raise _cannot(field["name"])
        choices = field["options"]["choices"]
        if any(c["name"] == value for c in choices):
            return value
        if not typecast:
            raise ValueRejected("INVALID_MULTIPLE_CHOICE_OPTIONS",
                                f'Insufficient permissions to create new select option ""{value}""')
        choices.append({"id": new_id("sel"), "name": value, "color": "blueLight2"})
        return value

    def _links(self, field: dict[str, Any], value: Any) -> list[str]:
        target = self.fake.tables.get(field["options"].get("linkedTableId"))
        ids = value if isinstance(value, list) else [value]
        for rid in ids:
            if not isinstance(rid, str) or (target is not None and rid not in target.records):
                raise ValueRejected("ROW_DOES_NOT_EXIST", f"Record ID {rid} does not exist")
        return list(ids)


def _number(value: Any, name: str, typecast: bool) -> Any:
    if isinstance(value, bool):
        raise _cannot(name)
    if isinstance(value, (int, float)):
        return value
    if typecast:
        try:
            number = float(str(value).strip())
            return int(number) if number.is_integer() else number
        except ValueError:
            pass
    raise _cannot(name)


def _date(value: Any, name: str, kind: str) -> str:
    moment = parse_time(value) if isinstance(value, str) else None
    if moment is None:
        raise _cannot(name)
    if kind == "date":
        return moment.date().isoformat()
    return iso(moment.timestamp())
