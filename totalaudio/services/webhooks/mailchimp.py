"""Mailchimp audience webhooks: form-encoded ``type=...&data[email]=...`` posts that change local contacts.

unsubscribe and cleaned set the contact's status (never back to active), upemail moves the address, profile
copies the merge fields tap maps (FNAME, LNAME, STATION, SHOW); every change is journaled (under the server's run
or a replay's) and touches ``updated_at``, so the next Airtable sync carries it on. Other types are stored and ignored.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Callable
from urllib.parse import parse_qsl

from totalaudio.errors import InputError
from totalaudio.services.contacts.service import clean_text, validate_email_address
from totalaudio.services.mailchimp.audience import apply_gone
from totalaudio.services.mailchimp.plan import MERGE_TAGS
from totalaudio.services.webhooks.inbox import Delivery
from totalaudio.store.contacts import ContactStore, normalise_email
from totalaudio.store.runs import Journal

MAX_FIELDS = 200
MAX_DEPTH = 6
KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
HANDLED = ("unsubscribe", "cleaned", "upemail", "profile")


def parse_form(raw: bytes) -> dict[str, Any]:
    """``type=x&data[merges][FNAME]=y`` -> {"type": "x", "data": {"merges": {"FNAME": "y"}}}; InputError if not a form."""
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=True, max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"not a Mailchimp form post: {exc.__class__.__name__}") from None
    out: dict[str, Any] = {}
    for key, value in pairs:
        match = KEY.match(key)
        if not match:
            raise InputError("not a Mailchimp form post: malformed field name")
        path = [match.group(1)] + re.findall(r"\[([^\[\]]*)\]", match.group(2))
        if len(path) > MAX_DEPTH:  # Mailchimp's deepest is data[merges][GROUPINGS][0][name]
            raise InputError("not a Mailchimp form post: a field nested too deeply")
        _put(out, path, value)
    return out


def _put(tree: dict[str, Any], path: list[str], value: str) -> None:
    node = tree
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[path[-1]] = value


def delivery(raw: bytes) -> Delivery:
    """A Mailchimp post as a delivery; Mailchimp sends no event id, so the body's hash is its id."""
    form = parse_form(raw)
    kind = form.get("type")
    if not isinstance(kind, str) or not kind or not isinstance(form.get("data", {}), dict):
        raise InputError("not a Mailchimp webhook: no type, or data is not a table")
    return Delivery("mailchimp", "mc_" + hashlib.sha256(raw).hexdigest()[:32], kind, form)


def handler(run_id: str | None) -> Callable[[Any, dict[str, Any], str], dict[str, Any]]:
    """The handler of Mailchimp events, journaling under ``run_id`` (the server's run, or a replay's)."""
    def handle(db: Any, payload: dict[str, Any], via: str) -> dict[str, Any]:
        kind, data = payload.get("type"), payload.get("data") or {}
        if kind not in HANDLED:
            return {"ignored": f"{kind} events change nothing locally", "changes": []}
        return {"runId": run_id, "changes": _apply(db, kind, data, run_id)}
    return handle


def _apply(db: Any, kind: str, data: dict[str, Any], run_id: str | None) -> list[dict[str, Any]]:
    if kind in ("unsubscribe", "cleaned"):
        status = "unsubscribed" if kind == "unsubscribe" else "cleaned"
        email = _text(data, "email")
        changed = apply_gone(db, ContactStore(db), Journal(db), run_id, {email: status} if email else {})
        return [{"contactId": c.contact_id, "field": "status", "before": c.before, "after": c.after} for c in changed]
    if kind == "upemail":
        return _move_address(db, _text(data, "old_email"), _text(data, "new_email"), run_id)
    merges = data.get("merges") if isinstance(data.get("merges"), dict) else {}
    values = {field: clean_text(merges.get(tag)) for field, tag in MERGE_TAGS.items() if clean_text(merges.get(tag))}
    return _update(db, _text(data, "email"), values, run_id)


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""


def _move_address(db: Any, old: str, new: str, run_id: str | None) -> list[dict[str, Any]]:
    """upemail: the member changed address in Mailchimp; the local contact follows."""
    try:
        new = validate_email_address(new)
    except ValueError as exc:
        raise InputError(f"upemail with an unusable new address: {exc}") from None
    return _update(db, old, {"email": new}, run_id)


def _update(db: Any, email: str, values: dict[str, Any], run_id: str | None) -> list[dict[str, Any]]:
    """Set values on the contacts with this address where they differ, journaling before and after."""
    store, journal, changes = ContactStore(db), Journal(db), []
    rows = db.query("SELECT * FROM contacts WHERE email_norm = ?", [normalise_email(email)]) if email else []
    for row in list(rows):
        diff = {k: v for k, v in values.items() if row.get(k) != v}
        if not diff:
            continue
        store.update(row["id"], diff)
        journal.record(run_id, "contact", row["id"], "update", {k: row.get(k) for k in diff}, diff)
        changes += [{"contactId": row["id"], "field": k, "before": row.get(k), "after": v} for k, v in diff.items()]
    return changes
