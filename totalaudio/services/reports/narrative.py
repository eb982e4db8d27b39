"""The report's narrative without a model: plain sentences built only from the campaign facts.

Same shape as Claude's narrative ({text, recommendations, source, grounding}); every number it states is a
figure of facts.py, named in ``grounding`` by its path.
"""

from __future__ import annotations

from typing import Any


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _opening(facts: dict[str, Any]) -> tuple[str, list[str]]:
    c, t, r = facts["campaign"], facts["totals"], facts["rates"]
    who = " - ".join(p for p in (c.get("artist"), c.get("release")) if p) or c["name"]
    text = (f"{who} went to {_plural(t['sent'], 'contact')}; {t['delivered']} arrived, "
            f"{t['opened']} people opened it ({r['openRate']}%) and {t['replied']} replied ({r['replyRate']}%).")
    return text, ["totals.sent", "totals.delivered", "totals.opened", "rates.openRate", "totals.replied",
                  "rates.replyRate"]


def _outcomes(facts: dict[str, Any]) -> tuple[str, list[str]]:
    played = facts["playedBy"]
    if not played:
        return "No plays, adds or features have been recorded yet.", ["playedBy"]
    stations = sorted({p["station"] for p in played if p.get("station")})
    text = (f"{_plural(len(played), 'result')} so far ({', '.join(stations[:6])}"
            f"{' and more' if len(stations) > 6 else ''}).")
    return text, ["playedBy"]


def _strongest(facts: dict[str, Any]) -> tuple[str, list[str]]:
    groups = [g for g in facts["byType"] if g["name"] != "(none)" and g["replied"]]
    if not groups:
        return "", []
    best = groups[0]
    return (f"{best['name'].capitalize()} contacts answered most: {best['replied']} of {best['contacts']} replied.",
            ["byType"])


def _recommendations(facts: dict[str, Any]) -> list[str]:
    t, out = facts["totals"], []
    if t["opened"] > t["replied"]:
        out.append(f"Follow up the {t['opened'] - t['replied']} contacts who opened but have not replied "
                   "(tap followups).")
    if t["hardBounces"]:
        out.append(f"Fix or remove the {_plural(t['hardBounces'], 'address')} that bounced.")
    if t["sent"] and not t["opened"]:
        out.append("Nobody has opened yet: check the subject line and the sending time.")
    return out


def template_narrative(facts: dict[str, Any]) -> dict[str, Any]:
    """A short factual narrative of the campaign, with recommendations, and where each figure comes from."""
    parts = [_opening(facts), _outcomes(facts), _strongest(facts)]
    text = " ".join(p for p, _ in parts if p)
    grounding = [g for _, refs in parts for g in refs]
    return {"text": text, "recommendations": _recommendations(facts), "source": "template", "grounding": grounding}
