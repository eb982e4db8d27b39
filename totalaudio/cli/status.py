"""``tap status``: which integrations are configured and healthy, and the state of the store."""

from __future__ import annotations

from typing import List, Optional

import typer

from totalaudio.cli import output
from totalaudio.cli.context import state


def status(
    only: Optional[List[str]] = typer.Argument(None, help="Check only these integrations (e.g. airtable stripe)."),
    check: bool = typer.Option(False, "--check", help="Exit 5 when a configured integration fails (for cron)."),
    offline: bool = typer.Option(False, "--offline", help="Check configuration only; make no calls."),
    json_: bool = output.JSON,
) -> None:
    """Show every integration: configured or not (and what is missing), and a live check with its latency."""
    from totalaudio.errors import FindingsError, InputError
    from totalaudio.services import status as svc

    st = state()
    try:
        results = svc.check_all(st.settings, only or None, probe=not offline)
    except KeyError as exc:
        raise InputError(str(exc.args[0])) from None
    bad = svc.failing(results)
    report = {"ok": not bad, "home": str(st.settings.home), "integrations": results}
    output.emit(report, "json" if json_ else "text", _render)
    if check and bad:
        raise FindingsError(f"{len(bad)} configured integration(s) failing: {', '.join(r.name for r in bad)}")


def _state_word(r) -> str:
    if not r.configured:
        return "not configured"
    return {True: "ok", False: "FAILING", None: "configured"}[r.ok]


def _render(report) -> None:
    rows = []
    for r in report["integrations"]:
        latency = f"{r.latency_ms:.0f} ms" if r.latency_ms is not None else ""
        detail = f"missing {', '.join(r.missing)}" if not r.configured else (r.detail or "")
        rows.append((r.title, _state_word(r), latency, detail))
    output.table(f"tap status (home: {report['home']})", ["Integration", "State", "Latency", "Detail"], rows)
