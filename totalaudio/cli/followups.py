"""``tap followups``: who to chase and when, as a list, JSON or calendar reminders."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from totalaudio.cli import output
from totalaudio.cli.context import state


def followups(campaign: Optional[str] = typer.Option(None, "--campaign", help="Only this campaign (name or id)."),
              after: int = typer.Option(5, "--after", min=0, help="Chase an open with no reply this many days "
                                                                  "after the send."),
              ics: Optional[Path] = typer.Option(None, "--ics", help="Write the reminders to this iCalendar file."),
              json_: bool = output.JSON) -> None:
    """Who to chase and when: opened but no reply, replied with no outcome, back from away, try another contact."""
    from totalaudio.errors import InputError
    from totalaudio.services.campaigns.followups import followups as find

    if ics and json_:
        raise InputError("choose one of --json and --ics")
    items = find(state().db, campaign, after)
    if ics:
        _write_ics(ics, items)
        return
    output.emit(items, "json" if json_ else "text", _render)


def _write_ics(path: Path, items) -> None:
    from totalaudio.errors import InputError
    from totalaudio.render.ics import calendar

    try:
        path.write_bytes(calendar(items))
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror}") from None
    output.note(f"wrote {sum(1 for i in items if i['due'])} reminders to {path}")


def _render(items) -> None:
    output.table(f"{len(items)} follow-ups", ["Due", "Action", "Who", "Station", "Campaign", "Why"],
                 [tuple(str(cell or "") for cell in (
                     ("! " if i["overdue"] else "") + i["due"], i["action"], i["name"] or i["email"], i["station"],
                     i["campaign"], i["reason"] + ("; try " + ", ".join(a["email"] for a in i["alternatives"])
                                                   if i["alternatives"] else ""))) for i in items])
