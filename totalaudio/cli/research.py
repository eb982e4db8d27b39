"""``tap research``: Perplexity research on contacts, stations, the industry, competitors and opportunities, cited."""

from __future__ import annotations

from typing import Any, Optional

import typer

from totalaudio.cli import output
from totalaudio.cli.context import state

app = output.group("Research with sources you can click (only those the API returned), kept 30 days per subject.")

REFRESH = typer.Option(False, "--refresh", help="Ask again even when a result younger than 30 days is stored.")
MAX_COST = output.MAX_COST


def _run(kind: str, value: str, refresh: bool, max_cost: Optional[float], json_: bool,
         region: Optional[str] = None) -> None:
    from totalaudio.services.research import service as svc

    st = state()
    subject = svc.subject_for(kind, st.db, value, region)
    with st.mutating(f"research {kind}", {"subject": subject.key, "refresh": refresh}) as run_id:
        session = None if _reusable(svc, st.db, subject, refresh) else \
            svc.session_for(st.db, st.settings, run_id=run_id, max_cost=max_cost)
        result = svc.research(st.db, session, subject, refresh=refresh)
    output.emit(result, "json" if json_ else "text", render)


def _reusable(svc: Any, db: Any, subject: Any, refresh: bool) -> bool:
    from totalaudio.store.research import ResearchStore

    return not refresh and ResearchStore(db).fresh(subject.kind, subject.key, svc.REUSE_DAYS) is not None


def render(result: dict[str, Any]) -> None:
    """Summary, claims with numbered sources, items, and the sources list (plain text: never markup)."""
    print(render_text(result))


def render_text(result: dict[str, Any]) -> str:
    """The research as plain text with numbered sources."""
    numbers = {c["url"]: i for i, c in enumerate(result.get("citations", []), 1)}
    cite = lambda srcs: "".join(f" [{numbers.get(s['url'], '?')}]" for s in srcs)  # noqa: E731
    lines = [f"{result['kind']} research ({'stored ' + result['createdAt'] if result.get('reused') else 'new'}, "
             f"{result['createdAt'][:10]})", "", result.get("summary") or "", ""]
    lines += [f"- {c['text']}{cite(c['sources'])}" for c in result.get("claims", [])]
    lines += [f"- {i['name']} ({i['kind']}): {i['howToReach']}{cite(i['sources'])}" for i in result.get("items", [])]
    lines += ["", "Sources:"] + [f"[{n}] {c['url']}" + (f" - {c['title']}" if c.get("title") else "") +
                                 (f" ({c['date']})" if c.get("date") else "") for c, n in
                                 ((c, numbers[c["url"]]) for c in result.get("citations", []))]
    if result.get("droppedUrls"):
        lines.append(f"Removed {len(result['droppedUrls'])} link(s) the search did not return.")
    return "\n".join(lines)


@app.command("contact")
def contact(ref: str = typer.Argument(..., help="Contact id, Airtable record id or email."),
            refresh: bool = REFRESH, max_cost: Optional[float] = MAX_COST, json_: bool = output.JSON) -> None:
    """Research one contact: current role, shows, what they play, how they take submissions."""
    _run("contact", ref, refresh, max_cost, json_)


@app.command("station")
def station(name: str = typer.Argument(..., help="The station's name."), refresh: bool = REFRESH,
            max_cost: Optional[float] = MAX_COST, json_: bool = output.JSON) -> None:
    """Research a station: format, direction, shows and presenters, how it takes submissions."""
    _run("station", name, refresh, max_cost, json_)


@app.command("industry")
def industry(topic: str = typer.Argument(..., help="The topic, in quotes."), refresh: bool = REFRESH,
             max_cost: Optional[float] = MAX_COST, json_: bool = output.JSON) -> None:
    """Research a music-industry topic."""
    _run("industry", topic, refresh, max_cost, json_)


@app.command("competitors")
def competitors(name: str = typer.Argument(..., help="An artist or label."), refresh: bool = REFRESH,
                max_cost: Optional[float] = MAX_COST, json_: bool = output.JSON) -> None:
    """Research how an artist or label is promoted, and where they were covered."""
    _run("competitors", name, refresh, max_cost, json_)


@app.command("opportunities")
def opportunities(genre: str = typer.Option(..., "--genre", "-g", help="The genre."),
                  region: Optional[str] = typer.Option(None, "--region", "-r", help="A region or country."),
                  refresh: bool = REFRESH, max_cost: Optional[float] = MAX_COST, json_: bool = output.JSON) -> None:
    """Stations, shows, playlists, blogs and podcasts to pitch in a genre, each with how to reach them."""
    _run("opportunities", genre, refresh, max_cost, json_, region)
