"""``tap claude``: grounded campaign reports, pitch drafts, social posts, contact analysis and recommendations."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Optional

import typer

from totalaudio.cli import output
from totalaudio.cli.context import state
from totalaudio.errors import InputError

app = output.group("Claude writes from what tap knows: campaign reports (every number checked), pitches, posts, "
                   "analysis.")

NO_AI = typer.Option(False, "--no-ai", help="Write from templates only (no API call).")
MAX_COST = typer.Option(None, "--max-cost", min=0.0, help="Stop before a call that would take this run over this "
                        "many US dollars (exit 4).")
OUT = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout.")


def read_json(source: str) -> Any:
    """JSON from a file, or from stdin for ``-``; a clear InputError otherwise."""
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        return json.loads(text)
    except OSError as exc:
        raise InputError(f"{source}: cannot read: {exc.strerror}") from None
    except ValueError as exc:
        raise InputError(f"{source}: not JSON: {exc}") from None


def _seed(source: str) -> dict[str, Any]:
    data = read_json(source)
    if not isinstance(data, dict) or data.get("type") != "campaign_report" or not data.get("campaignId"):
        raise InputError(f"{source}: expected {{\"type\": \"campaign_report\", \"campaignId\", \"metrics\": "
                         "{openRate, clickRate, replyRate}}")
    return data


def _facts(campaign: Optional[str], from_json: Optional[str]) -> dict[str, Any]:
    from totalaudio.services.claude.report import seed_facts
    from totalaudio.services.reports.facts import campaign_facts

    db = state().db
    if from_json is None:
        if not campaign:
            raise InputError("give a CAMPAIGN (id or name) or --from-json FILE")
        return campaign_facts(db, campaign)
    payload = _seed(from_json)
    try:
        facts = campaign_facts(db, str(payload["campaignId"]))
    except InputError:
        return seed_facts(payload)
    _compare_seed(payload, facts)
    return facts


def _compare_seed(payload: dict[str, Any], facts: dict[str, Any]) -> None:
    given = payload.get("metrics") or {}
    for key, value in given.items():
        if key in facts["rates"] and value != facts["rates"][key]:
            plain_note(f"note: the payload's {key} {value!r} differs from the store's {facts['rates'][key]}; "
                        "the report uses the store's figures")


def write_out(text: str, out: Optional[Path]) -> None:
    """The result on stdout, or into a file (its path on stderr)."""
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{out}: cannot write: {exc.strerror}") from None
    output.note(f"wrote {out}")


def ai_wanted(no_ai: bool) -> bool:
    """AI unless --no-ai; without ANTHROPIC_API_KEY the templates, with a note."""
    if no_ai:
        return False
    if state().settings.missing("claude"):
        output.note("ANTHROPIC_API_KEY is not set: writing from templates")
        return False
    return True


@app.command("report")
def report(
    campaign: Optional[str] = typer.Argument(None, help="Campaign: tap's id, Airtable's, Mailchimp's, or its name."),
    fmt: str = typer.Option("md", "--format", "-f", help="md, html or json."),
    out: Optional[Path] = OUT, no_ai: bool = NO_AI,
    from_json: Optional[str] = typer.Option(None, "--from-json", help="The seed payload {type: campaign_report, "
                                            "campaignId, metrics} from a file or - for stdin."),
    max_cost: Optional[float] = MAX_COST, json_: bool = output.JSON,
) -> None:
    """A campaign report: figures from the store, Claude's narrative checked number by number (or templates)."""
    from totalaudio.services.claude import document
    from totalaudio.services.claude.report import narrative

    fmt = "json" if json_ else fmt
    if fmt not in ("md", "html", "json"):
        raise InputError(f"--format {fmt!r}: use md, html or json")
    st = state()
    facts = _facts(campaign, from_json)
    use_ai = ai_wanted(no_ai)
    with st.mutating("claude report", {"campaign": facts["campaign"]["id"]}, dry_run=not use_ai) as run_id:
        written = narrative(st.db, st.settings, facts, use_ai=use_ai, run_id=run_id, max_cost=max_cost)
    _grounding_note(written)
    doc = document.build(facts, written)
    text = {"json": lambda: output.dumps(doc), "md": lambda: document.markdown(doc),
            "html": lambda: document.html(doc)}[fmt]()
    write_out(text, out)


def _grounding_note(written: dict[str, Any]) -> None:
    g = written["grounding"]
    if written["source"] == "claude":
        plain_note(f"narrative by Claude, every number checked ({g['attempts']} attempt(s))")
    elif not g["ok"]:
        plain_note(f"Claude's narrative failed the number check twice; the template narrative is used "
                   f"({len(g['problems'])} problems, first: {g['problems'][0] if g['problems'] else '-'})")


def plain_note(message: str) -> None:
    """A status line on stderr printed as plain text (it may hold a model's words: never rich markup)."""
    sys.stderr.write(message + "\n")
