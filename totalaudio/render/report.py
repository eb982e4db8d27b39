"""The artist's report: one self-contained HTML file (inline SVG charts, system fonts, no request when opened,
readable on a phone and in print) and a Markdown version, both from the campaign facts and the narrative."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from totalaudio.render import charts

TEMPLATES = Path(__file__).resolve().parent / "templates"
OUTCOME_WORDS = {"add": "Added", "play": "Played", "interview": "Interview", "review": "Review",
                 "feature": "Feature", "decline": "Declined"}


def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "j2"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["outcome"] = lambda kind: OUTCOME_WORDS.get(kind or "", kind or "")
    return env


def headline(facts: dict[str, Any]) -> list[dict[str, Any]]:
    """The figures at the top of the report: label, value and what it is of."""
    t, r = facts["totals"], facts["rates"]
    return [{"label": "Contacts pitched", "value": t["sent"], "note": f"of {t['chosen']} chosen"},
            {"label": "Opened", "value": t["opened"], "note": f"{r['openRate']}% of delivered"},
            {"label": "Replied", "value": t["replied"], "note": f"{r['replyRate']}% of delivered"},
            {"label": "Plays, adds & features", "value": t["outcomes"], "note": f"{len(facts['playedBy'])} results"}]


def _charts(facts: dict[str, Any]) -> dict[str, str | None]:
    return {"funnel": charts.funnel(facts["funnel"]),
            "time": charts.over_time(facts["daily"]) if facts["daily"] else None,
            "type": charts.groups(facts["byType"], "station type") if facts["byType"] else None,
            "region": charts.groups(facts["byRegion"], "region") if facts["byRegion"] else None,
            "genre": charts.groups(facts["byGenre"], "genre") if facts["byGenre"] else None}


def html(facts: dict[str, Any], story: dict[str, Any]) -> str:
    """The report as one HTML document."""
    from markupsafe import Markup

    svgs = {k: Markup(v) if v else None for k, v in _charts(facts).items()}  # our own matplotlib output
    return _environment().get_template("report.html.j2").render(
        f=facts, story=story, headline=headline(facts), charts=svgs)


def markdown(facts: dict[str, Any], story: dict[str, Any]) -> str:
    """The report as Markdown (for an email or a chat message)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=False, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["outcome"] = lambda kind: OUTCOME_WORDS.get(kind or "", kind or "")
    env.filters["md"] = lambda text: str(text or "").replace("|", "\\|").replace("\n", " ")
    return env.get_template("report.md.j2").render(f=facts, story=story, headline=headline(facts))
