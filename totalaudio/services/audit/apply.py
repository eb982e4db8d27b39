"""Writing planned fixes to the store through the journal, and undoing a run exactly.

A merge backs up each removed row (and every row of other tables that points at it) in the journal
before it moves those links to the keeper and deletes the row. ``undo_run`` replays the journal backwards
and refuses, changing nothing, when a contact was edited since the run in a way the undo would overwrite.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from totalaudio.errors import InputError
from totalaudio.redact import current
from totalaudio.store.contacts import ContactStore, from_row
from totalaudio.store.runs import Journal, RunLog

UNDOABLE = ("airtable audit", "airtable domains")


@dataclass(frozen=True)
class UndoResult:
    """What ``audit undo`` did (or would do, with dry_run)."""

    undone_run_id: str
    run_id: str | None
    dry_run: bool
    reverted: int
    restored: int
    entries: int


def contact_refs(db: Any) -> list[tuple[str, str]]:
    """(table, column) of every foreign key that points at contacts."""
    sql = ("SELECT m.name AS tbl, p.\"from\" AS col FROM sqlite_master m, pragma_foreign_key_list(m.name) p "
           "WHERE m.type = 'table' AND p.\"table\" = 'contacts'")
    return [(r["tbl"], r["col"]) for r in db.query(sql)]


def _move_links(db: Any, removed: str, keeper: str) -> dict[str, list[dict[str, Any]]]:
    """Back up and re-point every row that refers to ``removed`` (duplicates the keeper already has are dropped)."""
    links: dict[str, list[dict[str, Any]]] = {}
    for table, col in contact_refs(db):
        rows = list(db.query(f'SELECT rowid AS _rowid, * FROM "{table}" WHERE "{col}" = ?', [removed]))
        if rows:
            links[f"{table}.{col}"] = rows
            db.execute(f'UPDATE OR IGNORE "{table}" SET "{col}" = ? WHERE "{col}" = ?', [keeper, removed])
    return links


def _restore_links(db: Any, links: dict[str, list[dict[str, Any]]], contact_id: str, keeper: str) -> None:
    for ref, rows in links.items():
        table, col = ref.split(".", 1)
        for row in rows:
            rowid = row["_rowid"]
            moved = db.execute(f'UPDATE "{table}" SET "{col}" = ? WHERE rowid = ? AND "{col}" = ?',
                               [contact_id, rowid, keeper]).rowcount
            if not moved:
                values = {k: v for k, v in row.items() if k != "_rowid"}
                columns = ", ".join(f'"{k}"' for k in values)
                db.execute(f'INSERT OR IGNORE INTO "{table}" ({columns}) VALUES ({", ".join("?" * len(values))})',
                           list(values.values()))


def apply_plan(db: Any, plan: Any, run_id: str | None) -> None:
    """Write a FixPlan in one transaction, journaling before/after of every update and a backup of every delete."""
    store, journal = ContactStore(db), Journal(db)
    with db.conn:
        for cid, (before, after) in plan.updates().items():
            journal.record(run_id, "contact", cid, "update", before, after)
            store.update(cid, after)
        for merge, fill in plan.merges:
            for rid in merge.removed:
                row = next(iter(db.query("SELECT * FROM contacts WHERE id = ?", [rid])))
                links = _move_links(db, rid, merge.keeper)
                journal.record(run_id, "contact", rid, "delete", {"row": row, "links": links, "keeper": merge.keeper},
                               {"mergedInto": merge.keeper})
                store.delete(rid)
            if fill:
                keeper = from_row(next(iter(db.query("SELECT * FROM contacts WHERE id = ?", [merge.keeper]))))
                before = {k: _plain(getattr(keeper, k)) for k in fill}
                journal.record(run_id, "contact", merge.keeper, "update", before, fill)
                store.update(merge.keeper, fill)


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _same(a: Any, b: Any) -> bool:
    """Whether stored value ``a`` is still the journal's ``b`` (which has any configured secret masked)."""
    def norm(v: Any) -> Any:
        v = list(v) if isinstance(v, tuple) else v
        return None if v in ("", None, [], {}) else json.loads(json.dumps(v, default=str))
    return norm(a) == norm(b) or norm(_masked(a)) == norm(b)


def _masked(value: Any) -> Any:
    """A value as the journal keeps it: a configured secret in it masked (an undo then writes the mask back)."""
    text = json.dumps(list(value) if isinstance(value, tuple) else value, default=str)
    return json.loads(current().known(text))


def _load_run(db: Any, run_id: str) -> list[dict[str, Any]]:
    run = RunLog(db).get(run_id)
    if run is None:
        raise InputError(f"no run {run_id!r}", hint="see `tap db runs` or the runId printed by `--fix`")
    if run["command"] not in UNDOABLE:
        raise InputError(f"run {run_id} is a `{run['command']}` run; only {' and '.join(UNDOABLE)} runs undo here")
    entries = [e for e in Journal(db).entries(run_id) if e["entity"] == "contact" and e["target"] == "local"]
    if not entries:
        raise InputError(f"run {run_id} changed nothing: nothing to undo")
    if all(e["state"] == "undone" for e in entries):
        raise InputError(f"run {run_id} was already undone")
    return [e for e in entries if e["state"] != "undone"]


def conflicts(db: Any, entries: list[dict[str, Any]]) -> list[str]:
    """Edits made since the run that undoing it would lose (empty: safe to undo)."""
    expected: dict[str, dict[str, Any]] = {}
    deleted: set[str] = set()
    for e in entries:
        if e["op"] == "delete":
            deleted.add(e["entity_id"])
            expected.pop(e["entity_id"], None)
        elif e["op"] == "update":
            expected.setdefault(e["entity_id"], {}).update(e["after"] or {})
    problems = []
    for cid in sorted(deleted):
        if list(db.query("SELECT 1 FROM contacts WHERE id = ?", [cid])):
            problems.append(f"{cid} was removed by the run but exists again")
    for cid, fields in expected.items():
        rows = list(db.query("SELECT * FROM contacts WHERE id = ?", [cid]))
        if not rows:
            problems.append(f"{cid} was deleted since the run")
            continue
        current = from_row(rows[0])
        problems += [f"{cid} {name} is now {getattr(current, name)!r}, the run wrote {value!r}"
                     for name, value in fields.items() if not _same(getattr(current, name), value)]
    return problems


def undo_run(db: Any, run_id: str, *, new_run_id: str | None = None, dry_run: bool = False) -> UndoResult:
    """Reverse a fix (or domains --apply) run: restore removed rows and links, revert updated fields."""
    entries = _load_run(db, run_id)
    if problems := conflicts(db, entries):
        raise InputError(f"run {run_id} cannot be undone without losing edits made since: "
                         + "; ".join(problems[:5]) + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""),
                         hint="undo only reverts data still as the run left it; edit those contacts by hand")
    reverted = sum(1 for e in entries if e["op"] == "update")
    restored = sum(1 for e in entries if e["op"] == "delete")
    if not dry_run:
        _replay_backwards(db, entries, new_run_id)
    return UndoResult(run_id, new_run_id, dry_run, reverted, restored, len(entries))


def _replay_backwards(db: Any, entries: list[dict[str, Any]], new_run_id: str | None) -> None:
    store, journal = ContactStore(db), Journal(db)
    with db.conn:
        for e in reversed(entries):
            cid = e["entity_id"]
            if e["op"] == "update":
                store.update(cid, e["before"] or {})
                journal.record(new_run_id, "contact", cid, "update", e["after"], e["before"])
            elif e["op"] == "delete":
                backup = e["before"]
                db.table("contacts").insert(backup["row"])
                _restore_links(db, backup.get("links") or {}, cid, backup.get("keeper") or "")
                journal.record(new_run_id, "contact", cid, "create", None, backup["row"])
            journal.set_state(e["id"], "undone")
