"""``audit --fix``: the safe fixes only, planned in memory, applied in one transaction and journaled for undo.

Safe fixes: trimming text fields, lower-casing an address (mailboxes are case-insensitive in practice), an unambiguous typo'd domain, URL normalisation,
a station spelling that differs only in case or spacing, and merging exact duplicates. A merge keeps the most
complete record (then the newest), fills its empty fields from the others, unites genres and tags, never
re-activates an unsubscribed or bounced address (the most restrictive status wins), moves the others'
links (campaign memberships, events) to the keeper, and deletes them only after backing them up in the journal.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from totalaudio.models import INACTIVE_STATUSES, Contact, camel
from totalaudio.services.contacts import emaildomains as ed
from totalaudio.services.audit.checks import Finding
from totalaudio.services.audit.groups import completeness, pick_keeper
from totalaudio.store.contacts import FIELDS, LIST_FIELDS, values_of

STATUS_PRIORITY = ("do-not-contact", "bounced", "unsubscribed", "cleaned", "archived")
FIX_FIELDS = {"email.syntax": "email", "email.typo": "email", "url.invalid": "website",
              "station.inconsistent": "station"}
SQUASH_FIELDS = ("first_name", "last_name", "station", "show", "region", "website", "phone")
STRIP_FIELDS = ("notes", "enrichment_notes", "contact_intelligence")


@dataclass(frozen=True)
class Change:
    """One field changed by a fix: contact, camelCase field, before, after, and the check (or 'trim', 'merge')."""

    contact_id: str
    field: str
    before: Any
    after: Any
    reason: str


@dataclass(frozen=True)
class Merge:
    """Exact duplicates merged: the keeper, the removed records, and the keeper's fields filled from them."""

    email: str
    keeper: str
    removed: tuple[str, ...]
    filled: tuple[str, ...]


@dataclass(frozen=True)
class FixResult:
    """What ``audit --fix`` changed (or would change, with dry_run)."""

    dry_run: bool
    run_id: str | None
    updated: int
    removed: int
    changes: tuple[Change, ...]
    merges: tuple[Merge, ...]
    score_before: float
    score_after: float
    errors_after: int


class FixPlan:
    """Fixes planned on working copies of the contacts."""

    def __init__(self, contacts: list[Contact]) -> None:
        self.original = {c.id: c for c in contacts}
        self.order = [c.id for c in contacts]
        self.work: dict[str, dict[str, Any]] = {}
        self.changes: list[Change] = []
        self.merges: list[tuple[Merge, dict[str, Any]]] = []

    def value(self, cid: str, name: str) -> Any:
        """The planned value of a field."""
        return self.work[cid][name] if cid in self.work else getattr(self.original[cid], name)

    def set(self, cid: str, name: str, value: Any, reason: str) -> None:
        """Plan a field change (nothing when the value is unchanged)."""
        values = self.work.setdefault(cid, values_of(self.original[cid]))
        if values[name] != value:
            self.changes.append(Change(cid, camel(name), values[name], value, reason))
            values[name] = value

    def contact(self, cid: str) -> Contact:
        """A contact with its planned changes."""
        return replace(self.original[cid], **self.work[cid]) if cid in self.work else self.original[cid]

    def removed(self) -> set[str]:
        """Ids that merges remove."""
        return {rid for merge, _fill in self.merges for rid in merge.removed}

    def final_contacts(self) -> list[Contact]:
        """The base as it would be after the fixes (for the score after)."""
        gone = self.removed()
        fills = {merge.keeper: fill for merge, fill in self.merges}
        out = []
        for cid in self.order:
            if cid not in gone:
                contact = self.contact(cid)
                out.append(replace(contact, **_typed(fills[cid])) if cid in fills else contact)
        return out

    def updates(self) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
        """Per contact, (before, after) of the fields changed by field fixes (merges excluded)."""
        out: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        for cid, values in self.work.items():
            orig = values_of(self.original[cid])
            after = {k: v for k, v in values.items() if orig[k] != v}
            if after:
                out[cid] = ({k: _plain(orig[k]) for k in after}, {k: _plain(v) for k, v in after.items()})
        return out


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _typed(values: dict[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if k in LIST_FIELDS else v for k, v in values.items()}


def _trim(plan: FixPlan, contact: Contact) -> None:
    email = contact.email or ""
    if email and ed.clean_email(email) != email:
        plan.set(contact.id, "email", ed.clean_email(email), "trim")
    if email and ed.email_key(email) != plan.value(contact.id, "email"):
        plan.set(contact.id, "email", ed.email_key(email), "case")
    for name in SQUASH_FIELDS + STRIP_FIELDS:
        value = getattr(contact, name)
        if isinstance(value, str) and value:
            clean = " ".join(value.split()) if name in SQUASH_FIELDS else value.strip()
            if clean != value:
                plan.set(contact.id, name, clean or None, "trim")


def _apply_finding(plan: FixPlan, f: Finding) -> None:
    name = FIX_FIELDS.get(f.check)
    if not name or not f.fixable or f.suggestion is None or f.contact_id not in plan.original:
        return
    if f.check == "email.typo":
        local, _domain = ed.split_email(ed.clean_email(plan.value(f.contact_id, "email")))
        plan.set(f.contact_id, "email", f"{local}@{ed.split_email(f.suggestion)[1]}", f.check)
    elif f.check == "email.syntax":
        plan.set(f.contact_id, "email", ed.email_key(plan.value(f.contact_id, "email")), f.check)
    else:
        plan.set(f.contact_id, name, f.suggestion, f.check)


def merge_fill(keeper: Contact, others: list[Contact]) -> dict[str, Any]:
    """The keeper's changes: empty fields filled, lists united, the most restrictive status kept."""
    from totalaudio.services.contacts.service import clean_list

    fill: dict[str, Any] = {}
    for name in FIELDS:
        if name in ("email", "status", "airtable_id"):
            continue  # the keeper keeps its own Airtable record; the sync removes the others' records
        mine = getattr(keeper, name)
        if name in LIST_FIELDS:
            united = clean_list(list(mine) + [v for o in others for v in getattr(o, name)])
            if united != list(mine):
                fill[name] = united
        elif name == "extra":
            merged = {k: v for o in reversed(others) for k, v in o.extra.items()} | keeper.extra
            if merged != keeper.extra:
                fill[name] = merged
        elif mine in (None, "") and (given := next((getattr(o, name) for o in others if getattr(o, name)), None)):
            fill[name] = given
    statuses = [(c.status or "").lower() for c in [keeper, *others]]
    if statuses[0] not in INACTIVE_STATUSES and (worst := next((s for s in STATUS_PRIORITY if s in statuses), None)):
        fill["status"] = worst
    return fill


def _plan_merges(plan: FixPlan) -> None:
    groups: dict[str, list[Contact]] = {}
    for cid in plan.order:
        contact = plan.contact(cid)
        if key := ed.email_key(contact.email):
            groups.setdefault(key, []).append(contact)
    for key, members in groups.items():
        if len(members) < 2:
            continue
        keeper = pick_keeper(members)
        others = sorted((c for c in members if c.id != keeper.id),
                        key=lambda c: (completeness(c), c.updated_at or ""), reverse=True)
        fill = merge_fill(keeper, others)
        plan.merges.append((Merge(key, keeper.id, tuple(o.id for o in others), tuple(camel(k) for k in fill)), fill))
        for name, value in fill.items():
            plan.changes.append(Change(keeper.id, camel(name), _plain(getattr(keeper, name)), value, "merge"))


def plan_fixes(contacts: list[Contact], findings: tuple[Finding, ...] | list[Finding]) -> FixPlan:
    """Plan every safe fix: trims, then fixable findings, then merges of the exact duplicates that remain."""
    plan = FixPlan(contacts)
    for contact in contacts:
        _trim(plan, contact)
    for f in findings:
        _apply_finding(plan, f)
    _plan_merges(plan)
    return plan
