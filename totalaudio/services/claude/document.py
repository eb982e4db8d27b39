"""The campaign report as a document: JSON (the seed's campaign_report shape plus the facts), Markdown or HTML."""

from __future__ import annotations

import html as _html
from typing import Any


def build(facts: dict[str, Any], written: dict[str, Any]) -> dict[str, Any]:
    """The report object: ``{type, campaignId, campaign, metrics, narrative, recommendations, source, grounding,
    facts}`` (metrics are the seed payload's three rates)."""
    rates = facts.get("rates", {})
    return {"type": "campaign_report", "campaignId": facts["campaign"]["id"], "campaign": facts["campaign"],
            "metrics": {k: rates.get(k) for k in ("openRate", "clickRate", "replyRate")},
            "narrative": written["text"], "recommendations": written["recommendations"],
            "source": written["source"], "grounding": written["grounding"], "facts": facts}


def _cell(value: Any) -> str:
    return str(value if value is not None else "").replace("|", "\\|").replace("\n", " ")


def _table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    if not rows:
        return []
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return out + ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows] + [""]


def _figures(facts: dict[str, Any]) -> list[str]:
    t, r = facts.get("totals"), facts.get("rates", {})
    if not t:
        return _table(["Rate", "Value"], [[k, f"{v}%"] for k, v in r.items()])
    rows = [["Sent", t["sent"], ""], ["Delivered", t["delivered"], f"{r['deliveryRate']}%"],
            ["Opened (people)", t["opened"], f"{r['openRate']}%"], ["Clicked", t["clicked"], f"{r['clickRate']}%"],
            ["Replied", t["replied"], f"{r['replyRate']}%"], ["Auto-replies", t["autoReplies"], ""],
            ["Bounced", t["bounced"], f"{r['bounceRate']}%"], ["Unsubscribed", t["unsubscribed"],
                                                               f"{r['unsubscribeRate']}%"],
            ["Machine opens discounted", t["machineOpensDiscounted"], ""], ["Outcomes", t["outcomes"], ""]]
    return _table(["Figure", "Count", "Rate"], rows)


def _breakdowns(facts: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for key, title in (("byStation", "By station"), ("byGenre", "By genre")):
        groups = facts.get(key) or []
        if groups:
            out += [f"## {title}", ""] + _table(
                ["Name", "Contacts", "Opened", "Replied", "Outcomes", "Open rate", "Reply rate"],
                [[g["name"], g["contacts"], g["opened"], g["replied"], g["outcomes"], f"{g['openRate']}%",
                  f"{g['replyRate']}%"] for g in groups])
    for key, title in (("best", "Best performers"), ("worst", "Least engaged")):
        people = facts.get(key) or []
        if people:
            out += [f"## {title}", ""] + _table(["Name", "Station", "Score"],
                                                [[p["name"], p["station"], p["score"]] for p in people])
    return out


def markdown(doc: dict[str, Any]) -> str:
    """The report as Markdown: narrative, figures, breakdowns, recommendations, and where the narrative came from."""
    c = doc["campaign"]
    title = " - ".join(str(x) for x in (c.get("name"), c.get("artist")) if x)
    lines = [f"# Campaign report: {title}", "", doc["narrative"], "", "## Figures", ""] + _figures(doc["facts"])
    lines += _breakdowns(doc["facts"])
    if doc["recommendations"]:
        lines += ["## Recommendations", ""] + [f"- {r}" for r in doc["recommendations"]] + [""]
    lines.append(_provenance(doc))
    return "\n".join(lines).rstrip() + "\n"


def _provenance(doc: dict[str, Any]) -> str:
    g = doc["grounding"]
    if doc["source"] == "claude":
        return "_Narrative written by Claude; every number in it was checked against the figures above._"
    if not g["ok"]:
        return ("_The narrative is tap's template: Claude's narrative was rejected twice because it stated "
                f"numbers that are not in the figures ({len(g['problems'])} problems)._")
    return "_Narrative written from templates._"


def html(doc: dict[str, Any]) -> str:
    """The report as a standalone HTML page (raw HTML in any text is escaped, never rendered)."""
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown(doc))
    title = _html.escape(str(doc["campaign"].get("name") or doc["campaignId"]))
    return (f"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>"
            "<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;line-height:1.5}"
            "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem}</style></head>"
            f"<body>\n{body}</body></html>\n")
