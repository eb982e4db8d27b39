"""``tap report``: the artist's report of a campaign, as HTML, PDF, Markdown or JSON."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from totalaudio.cli import output
from totalaudio.cli.context import state


def report(campaign: str = typer.Argument(..., help="The campaign (name or id).", show_default=False),
           html: Optional[Path] = typer.Option(None, "--html", help="Write the self-contained HTML report here."),
           pdf: Optional[Path] = typer.Option(None, "--pdf", help="Write a PDF (needs a headless Chromium)."),
           md: bool = typer.Option(False, "--md", help="Print the report as Markdown."),
           no_ai: bool = typer.Option(False, "--no-ai", help="Use the template narrative, not Claude."),
           json_: bool = output.JSON) -> None:
    """The report a plugger sends the artist: figures, funnel, charts, stations, quotes and the story."""
    from totalaudio.errors import InputError
    from totalaudio.services.campaigns.ports import narrative
    from totalaudio.services.reports.facts import campaign_facts

    if md and json_:
        raise InputError("choose one of --md and --json")
    st = state()
    facts = campaign_facts(st.db, campaign)
    story = narrative(st.db, st.settings, facts, use_ai=not no_ai)
    written = _files(facts, story, html, pdf)
    if json_:
        output.print_json({"facts": facts, "narrative": story, "files": written})
    elif md:
        from totalaudio.render.report import markdown

        sys.stdout.write(markdown(facts, story))
    elif not written:
        from totalaudio.render.report import markdown

        sys.stdout.write(markdown(facts, story))
        output.note("give --html FILE or --pdf FILE for the artist's copy")


def _write(path: Path, text: str) -> None:
    from totalaudio.errors import InputError

    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror}") from None


def _files(facts, story, html: Optional[Path], pdf: Optional[Path]) -> dict:
    from totalaudio.render import report as render

    written = {}
    if html or pdf:
        document = render.html(facts, story)
    if html:
        _write(html, document)
        written["html"] = str(html)
        output.note(f"wrote {html} ({html.stat().st_size // 1024} KB)")
    if pdf:
        _pdf(document, pdf)
        written["pdf"] = str(pdf)
    return written


def _pdf(document: str, pdf: Path) -> None:
    import tempfile

    from totalaudio.render.pdf import find_chromium, print_pdf

    chromium = find_chromium(state().settings.get("TAP_CHROMIUM"))
    with tempfile.TemporaryDirectory(prefix="tap-report-") as folder:
        page = Path(folder) / "report.html"
        page.write_text(document, encoding="utf-8")
        print_pdf(page, pdf.resolve(), chromium)
    output.note(f"wrote {pdf}")
