"""The base's optional Campaigns table: whether it is synced, and if not, why and how to turn it on.

A base without a Campaigns table still syncs its contacts: the sync result and ``tap airtable schema`` carry
``campaigns: {synced, table, reason, hint}`` instead of the whole run stopping.
"""

from __future__ import annotations

from typing import Any, Callable

from totalaudio.errors import ConfigError
from totalaudio.services.airtable.mapping import CAMPAIGN_FIELDS, TableMap

OPTIONAL = "campaigns"
SETTING = "[airtable] campaigns_table"


def status(synced: bool, table: str | None, reason: str | None = None, hint: str | None = None) -> dict[str, Any]:
    """The ``campaigns`` field of the sync and schema results (always the same four keys)."""
    return {"synced": synced, "table": table, "reason": reason, "hint": hint}


def _fields(tmap: TableMap | None) -> str:
    names = [f"{f.airtable} (link to the contacts table)" if f.kind == "link" else f.airtable
             for f in (tmap.fields if tmap else CAMPAIGN_FIELDS)]
    return ", ".join(names)


def turned_off() -> dict[str, Any]:
    """Campaign sync switched off in tap.toml (campaigns_table = "")."""
    return status(False, None, f'turned off in tap.toml ({SETTING} = "")',
                  f'set {SETTING} to the name of your campaigns table (the default is "Campaigns") to sync '
                  f"campaigns; it needs the fields {_fields(None)}")


def missing(tmap: TableMap, why: str) -> dict[str, Any]:
    """The mapped campaigns table is not in the base (or the token may not read it)."""
    return status(False, tmap.name, f"the base has no table named {tmap.name!r} that this token can read ({why})",
                  f"create a table named {tmap.name!r} with the fields {_fields(tmap)} (`tap airtable schema` "
                  f"checks them), or set {SETTING} in tap.toml to the table you use; "
                  f'{SETTING} = "" stops tap looking for it')


def initial(tables: list[TableMap]) -> dict[str, Any]:
    """Before a run: synced when a campaigns table is mapped, else turned off."""
    tmap = next((t for t in tables if t.key == OPTIONAL), None)
    return status(True, tmap.name) if tmap else turned_off()


def refused(exc: ConfigError) -> bool:
    """A configuration error that means 'no such table here' (404, or 403 as Airtable answers some tokens),
    not refused credentials (401), which must still stop the run."""
    return exc.details.get("status") != 401


def guarded(tmap: TableMap, step: Callable[[], None], result: Any) -> bool:
    """Run one table's pull or push; an optional table Airtable does not have is skipped, not fatal (False)."""
    if tmap.key != OPTIONAL:
        step()
        return True
    try:
        step()
    except ConfigError as exc:
        if not refused(exc):
            raise
        result.campaigns = missing(tmap, exc.message)
        return False
    return True


def from_schema(tables: list[TableMap], checked: list[dict[str, Any]]) -> dict[str, Any]:
    """The campaigns status as the base's schema shows it (``checked`` from mapping.check_schema)."""
    tmap = next((t for t in tables if t.key == OPTIONAL), None)
    entry = next((t for t in checked if t["key"] == OPTIONAL), None)
    if tmap is None or entry is None:
        return turned_off()
    if not entry["found"]:
        return missing(tmap, "not in the base's schema")
    return status(True, tmap.name)
