"""A campaign's narrative and recommendations: written by Claude from the facts and checked number by number, or
written from templates. The figures themselves come from services/reports/facts.py, never from the model."""

from __future__ import annotations

from typing import Any

from totalaudio.services.claude import numbers
from totalaudio.services.claude.prompts import DATA_NOTE, data_block, system_blocks
from totalaudio.services.claude.structured import InvalidAnswer, ask, tool

PURPOSE = "claude.report"
MAX_TOKENS = 1500
REPORT_TOOL = tool("write_report", "The narrative and the recommendations of a campaign report.", {
    "type": "object", "required": ["paragraphs", "recommendations"],
    "properties": {
        "paragraphs": {"type": "array", "minItems": 1, "maxItems": 8,
                       "items": {"type": "string", "maxLength": 2000}},
        "recommendations": {"type": "array", "maxItems": 8, "items": {"type": "string", "maxLength": 500}},
    },
})
TASK = ("Write the narrative of a campaign report for the artist from the facts below, and up to five "
        "recommendations. Use only numbers that appear in the facts (exactly, or rounded to fewer decimals). "
        + DATA_NOTE)


def _facts_for_model(facts: dict[str, Any]) -> dict[str, Any]:
    """The facts without ids and addresses the narrative has no use for."""
    slim = {k: v for k, v in facts.items() if k not in ("funnel",)}
    for key in ("best", "worst"):
        slim[key] = [{k: v for k, v in p.items() if k not in ("email", "contactId")} for p in facts.get(key, [])]
    return slim


def grounding_problems(facts: dict[str, Any], paragraphs: list[str], recommendations: list[str]) -> list[str]:
    """Every number in the narrative and recommendations that is not a fact (empty when all are)."""
    index = numbers.index_facts(facts)
    return [p for text in [*paragraphs, *recommendations] for p in numbers.check(text, index)]


def narrative(db: Any, settings: Any, facts: dict, *, use_ai: bool = True, run_id: str | None = None,
              max_cost: float | None = None, client: Any = None) -> dict:
    """``{text, recommendations, source, grounding}``: Claude's checked narrative when a key is set and use_ai,
    else (or when it failed the number check twice) the template narrative."""
    if not use_ai or (client is None and settings.missing("claude")):
        return {**template(facts), "source": "template", "grounding": {"ok": True, "attempts": 0, "problems": []}}
    from totalaudio.services.claude.calls import session_for

    session = session_for(db, settings, run_id=run_id, max_cost=max_cost, client=client)
    check = lambda v: grounding_problems(facts, v["paragraphs"], v["recommendations"])  # noqa: E731
    prompt = f"{data_block('facts', _facts_for_model(facts))}\n\nWrite the report now, through the tool."
    try:
        value, attempts = ask(session, PURPOSE, system=system_blocks(TASK), prompt=prompt, spec=REPORT_TOOL,
                              max_tokens=MAX_TOKENS, check=check)
    except InvalidAnswer as exc:
        return {**template(facts), "source": "template",
                "grounding": {"ok": False, "attempts": 2, "problems": exc.problems}}
    return {"text": "\n\n".join(p.strip() for p in value["paragraphs"] if p.strip()),
            "recommendations": [r.strip() for r in value["recommendations"] if r.strip()], "source": "claude",
            "grounding": {"ok": True, "attempts": attempts, "problems": []}}


def _pct(value: Any) -> str:
    return f"{value}%"


def _opening(f: dict[str, Any]) -> str:
    c, t, r = f["campaign"], f["totals"], f["rates"]
    title = " by ".join(x for x in (c.get("release") or c.get("name"), c.get("artist")) if x)
    return (f"{title} was sent to {t['sent']} contacts, and {t['delivered']} messages were delivered "
            f"(a delivery rate of {_pct(r['deliveryRate'])}). {t['opened']} people opened it (an open rate of "
            f"{_pct(r['openRate'])}), {t['clicked']} clicked a link (a click rate of {_pct(r['clickRate'])}) "
            f"and {t['replied']} replied (a reply rate of {_pct(r['replyRate'])}).")


def _results(f: dict[str, Any]) -> str | None:
    played = f.get("playedBy") or []
    if not played:
        return None
    stations = sorted({p["station"] for p in played if p.get("station")})
    kinds = ", ".join(f"{n} {kind}" + ("s" if n != 1 and kind != "play" else "")
                      for kind, n in f["outcomes"].items() if n and kind != "decline")
    return f"Results so far: {kinds}, from {', '.join(stations) or 'stations not named'}."


def _stations(f: dict[str, Any]) -> str | None:
    top = [s for s in f.get("byStation", []) if s["name"] != "(none)"][:3]
    if not top:
        return None
    parts = [f"{s['name']} had {s['replied']} replied and {s['opened']} opened" for s in top]
    return "By station: " + "; ".join(parts) + "."


def _problems(f: dict[str, Any]) -> str:
    t, r = f["totals"], f["rates"]
    return (f"{t['bounced']} messages bounced (a bounce rate of {_pct(r['bounceRate'])}; {t['hardBounces']} hard "
            f"bounces), {t['unsubscribed']} contacts unsubscribed, and {t['machineOpensDiscounted']} machine opens "
            f"(privacy proxies and scanners) were discounted. The average engagement score is "
            f"{f['engagement']['average']}/100, with {f['engagement']['engaged']} contacts engaged.")


def _recommendations(f: dict[str, Any]) -> list[str]:
    recs = [f"Chase {p['name']} at {p['station'] or 'their station'}: opened the pitch but has not replied."
            for p in f.get("best", []) if p.get("opened") and not p.get("replied")][:3]
    top = next((s for s in f.get("byStation", []) if s["name"] != "(none)" and s["replied"]), None)
    if top:
        recs.append(f"Pitch {top['name']} early next time: it replied most ({top['replied']} replied).")
    if f["totals"]["hardBounces"]:
        recs.append(f"Fix or remove the {f['totals']['hardBounces']} hard-bounced addresses before the next send.")
    if f["totals"]["unsubscribed"]:
        recs.append(f"Leave the {f['totals']['unsubscribed']} contacts who unsubscribed out of future campaigns.")
    return recs


def template(facts: dict[str, Any]) -> dict[str, Any]:
    """The narrative and recommendations written from the facts by templates (true by construction)."""
    if "totals" not in facts:
        r = facts.get("rates", {})
        text = "; ".join(f"{label} rate {_pct(r[k])}" for k, label in (("openRate", "open"), ("clickRate", "click"),
                                                                      ("replyRate", "reply")) if k in r)
        return {"text": f"{facts['campaign']['name']}: {text or 'no figures given'}.", "recommendations": []}
    paragraphs = [p for p in (_opening(facts), _results(facts), _stations(facts), _problems(facts)) if p]
    return {"text": "\n\n".join(paragraphs), "recommendations": _recommendations(facts)}


def seed_facts(payload: dict[str, Any]) -> dict[str, Any]:
    """Minimal facts from the seed's ``{"type": "campaign_report", "campaignId", "metrics"}`` payload, for a
    campaign the store does not hold (only its three rates are known)."""
    metrics = payload.get("metrics") or {}
    rates = {k: float(metrics[k]) for k in ("openRate", "clickRate", "replyRate")
             if isinstance(metrics.get(k), (int, float)) and not isinstance(metrics.get(k), bool)}
    return {"campaign": {"id": str(payload.get("campaignId")), "name": str(payload.get("campaignId"))},
            "rates": rates, "seedOnly": True}

