"""The number check: every number a model writes about a campaign must be one of its facts, or a stated rounding.

Rules (README, "Claude: grounded reports"):
- each sentence is split into clauses (at ``, ; :`` and "and", "but", "while", "whereas"); a number is bound to
  the nearest metric word of its clause ("opened", "reply rate", "hard bounces", "played" ...): it must be a
  value of that metric. A number with no metric word in its clause may be any fact. In "2 of the 3 delivered
  were opened" the first number may be any metric of its clause, the second a total (chosen, sent, delivered).
- a sentence that names a station, genre, region, type, person or day may use the figures of that group and
  the campaign's totals; any other sentence only the totals (so one station's figure cannot pass for another's).
- a percentage ("66.7%", "66.7 per cent", or a number in a clause that says "rate") must be a rate fact, as given
  or rounded to fewer decimals ("67%"); a plain decimal below 1 may be a rate as a fraction ("0.667", "0.67");
  a count is written as is; a percentage is never a count.
- "a third", "half", "two thirds", "a quarter", "three quarters", "one in N" stand for a rate within 2.5 points.
- number words zero to twenty are numbers ("one" only before what it counts: "one reply", not "one of them").
- dates (2026-11-29, "29 November") and years must be dates in the facts (in a sentence that names a group, that
  group's dates: a play's date stays with its station); numbers inside the facts' own names
  ("Radio 1", "6 Music") are not numbers; "/100" and "out of 100" (the score's scale) are allowed.
- the counts of the facts' lists (stations, genres, plays, quotes) are facts too.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

RATE_KEYS = re.compile(r"Rate$")
# metric word in the text -> the fact keys it stands for; more specific words first
METRICS: tuple[tuple[str, str, frozenset[str]], ...] = tuple(
    (name, pattern, frozenset(keys.split())) for name, pattern, keys in (
        ("machine", r"machine|automated|proxy|scanner|privacy", "machineOpensDiscounted"),
        ("autoreply", r"auto[- ]?repl|out[- ]of[- ]office", "autoReplies autoReply"),
        ("hardbounce", r"hard[- ]bounce", "hardBounces"),
        ("softbounce", r"soft[- ]bounce", "softBounces"),
        ("bounce", r"bounc", "bounced bounceRate bounce"),
        ("unsubscribe", r"unsubscri|opted out|opt[- ]out", "unsubscribed unsubscribeRate unsubscribe"),
        ("delivered", r"deliver|landed|reached (?:the )?inbox", "delivered deliveryRate"),
        ("open", r"open", "opened openRate"),
        ("click", r"click", "clicked clickRate"),
        ("reply", r"repl|respon|wrote back|answered", "replied replyRate human"),
        ("sent", r"\bsent\b|\bsend|pitched|emailed|mailed|went out", "sent"),
        ("chosen", r"chosen|selected|targeted|on the list|in the campaign", "chosen contacts"),
        ("engaged", r"engaged", "engaged"),
        ("score", r"engagement|score", "average score"),
        ("play", r"\bplay(?:s|ed|ing)?\b|\bspins?\b|airplay", "play playedByCount"),
        ("add", r"\badd(?:s|ed)?\b|playlisted", "add"),
        ("interview", r"interview", "interview"),
        ("review", r"review", "review"),
        ("feature", r"feature", "feature"),
        ("decline", r"declin|passed|turned down", "decline"),
        ("outcome", r"outcome|result", "outcomes"),
        ("station", r"station", "byStationCount playedByCount"),
        ("genre", r"genre", "byGenreCount"),
        ("region", r"region", "byRegionCount"),
        ("quote", r"quote", "quotesCount"),
    ))
METRIC_RE = re.compile("|".join(f"(?P<{n}>{p})" for n, p, _k in METRICS), re.I)
METRIC_KEYS = {name: keys for name, _p, keys in METRICS}
WORDS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve thirteen "
                                    "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split())}
FRACTIONS = {"a third": 100 / 3, "one third": 100 / 3, "a half": 50.0, "half": 50.0, "two thirds": 200 / 3,
             "a quarter": 25.0, "one quarter": 25.0, "three quarters": 75.0, "a fifth": 20.0, "one fifth": 20.0}
FRACTION_TOLERANCE = 2.5
MONTHS = ("january february march april may june july august september october november december").split()
# "one" is a number only before what is counted ("one reply", "one station"), not in "one of", "no one"
COUNTED = (r"(?:more\s+)?(?:people|persons?|contacts?|stations?|presenters?|messages?|emails?|djs?|shows?|genres?|"
           r"regions?|days?|[a-z-]*(?:repl|open|click|bounce|unsubscri|play|add|interview|review|feature|outcome|"
           r"quote|spin)\w*)\b")
NUMBER = re.compile(
    r"(?P<iso>\b\d{4}-\d{2}-\d{2}\b)"
    r"|(?P<dm>\b\d{1,2})(?:st|nd|rd|th)?\s+(?P<month1>" + "|".join(MONTHS) + r")\b"
    r"|\b(?P<month2>" + "|".join(MONTHS) + r")\s+(?P<md>\d{1,2})(?:st|nd|rd|th)?\b"
    r"|(?P<time>\b\d{1,2}:\d{2}\b)"
    r"|(?P<frac>\b(?:a|one|two|three) (?:third|quarter|fifth)s?\b|\bhalf\b(?= of| the)|\bone in (?:\d+|\w+)\b)"
    r"|(?P<num>(?<![\w.,])[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w.])|(?<![\w.,])[-+]?\d+(?:\.\d+)?(?![\w]|\.\d))"
    r"\s*(?P<pct>%|\s?per ?cent\b|\s?percent\b)?"
    r"|(?P<word>\b(?:" + "|".join(w for w in WORDS if w != "one") + r")\b|\bone\b(?=\s+" + COUNTED + r"))", re.I)
CLAUSE = re.compile(r"[,;:()\n]|\s(?:and|but|while|whereas|compared with|versus|vs\.?)\s|[.!?](?:\s|$)", re.I)
DENOMINATORS = frozenset({"chosen", "contacts", "sent", "delivered"})
OF_BEFORE = re.compile(r"\b(?:out )?of (?:the |all |its |their |those |these )?$", re.I)
OF_AFTER = re.compile(r"\s*(?:out )?of (?:the |all |its |their |those |these )?(?:\d|[a-z]+\b)", re.I)
RATE_WORD = re.compile(r"\brates?\b|per ?cent|percentage", re.I)
ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass(frozen=True)
class Leaf:
    """One numeric fact: its key, value, whether it is a rate (percent), and the group it belongs to."""

    key: str
    value: float
    rate: bool
    scope: str | None


@dataclass
class Index:
    """The facts as the checker reads them."""

    leaves: list[Leaf] = field(default_factory=list)
    names: dict[str, set[str]] = field(default_factory=dict)  # lower-cased name -> the groups it names
    masks: list[str] = field(default_factory=list)  # strings of the facts that contain digits
    dates: set[tuple[str, str | None]] = field(default_factory=set)  # (date, the group it belongs to)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _scope_name(item: dict[str, Any]) -> str | None:
    for key in ("name", "station", "date"):
        if isinstance(item.get(key), str) and item[key].strip():
            return item[key].strip()
    return None


def _walk(node: Any, index: Index, key: str, scope: str | None) -> None:
    if isinstance(node, dict):
        inner = scope
        if scope is None and key in ("byStation", "byGenre", "byType", "byRegion", "daily",
                                                     "best", "worst", "playedBy", "quotes", "items", "byWeekday",
                                     "byHour", "responders", "recommendations"):
            inner = _scope_name(node) or scope
            for name_key in ("name", "station", "date"):
                # a date names only the day it is the scope of, so a play's date cannot vouch for itself
                if isinstance(node.get(name_key), str) and inner and (name_key != "date" or node["date"] == inner):
                    index.names.setdefault(node[name_key].strip().lower(), set()).add(inner)
        for k, v in node.items():
            _walk(v, index, k, inner)
    elif isinstance(node, list):
        index.leaves.append(Leaf(f"{key}Count", float(len(node)), False, scope))
        for item in node:
            _walk(item, index, key, scope)
    elif isinstance(node, str):
        if re.search(r"\d", node) and not ISO.match(node):  # names with digits; dates are checked, not masked
            index.masks.append(node)
        for date in re.findall(r"\d{4}-\d{2}-\d{2}", node):
            index.dates.add((date, scope))
    elif (value := _number(node)) is not None:
        index.leaves.append(Leaf(key, value, bool(RATE_KEYS.search(key)), scope))


def index_facts(facts: dict[str, Any]) -> Index:
    """Every number, name and date of the facts, with the group each number belongs to."""
    index = Index()
    _walk(facts, index, "", None)
    index.masks.sort(key=len, reverse=True)
    return index


def _decimals(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


def _matches(leaf: Leaf, written: str, value: float, pct: bool, rate_word: bool) -> bool:
    places = _decimals(written)
    if leaf.rate:
        as_percent = (pct or rate_word) and places <= 1 and round(leaf.value, places) == value
        as_fraction = not pct and abs(value) < 1 and places >= 1 and round(leaf.value / 100, places) == value
        return as_percent or as_fraction
    return not pct and round(leaf.value, places) == value


@dataclass(frozen=True)
class Token:
    """A number found in the text: how it was written, its value, and what kind of number it is."""

    text: str
    start: int
    kind: str  # num | word | frac | date | time
    value: float | None = None
    pct: bool = False
    extra: str = ""


def _token(m: re.Match[str]) -> Token:
    if m.group("iso"):
        return Token(m.group("iso"), m.start(), "date", extra=m.group("iso")[5:])
    if m.group("dm") or m.group("md"):
        day, month = (m.group("dm"), m.group("month1")) if m.group("dm") else (m.group("md"), m.group("month2"))
        return Token(m.group(0), m.start(), "date", extra=f"{MONTHS.index(month.lower()) + 1:02d}-{int(day):02d}")
    if m.group("time"):
        return Token(m.group("time"), m.start(), "time")
    if m.group("frac"):
        return _fraction(m.group("frac").lower(), m.start())
    if m.group("word"):
        return Token(m.group("word"), m.start(), "word", float(WORDS[m.group("word").lower()]))
    raw = m.group("num")
    return Token(raw + (m.group("pct") or ""), m.start(), "num", float(raw.replace(",", "")), bool(m.group("pct")),
                 raw.replace(",", "").lstrip("+"))


def _fraction(text: str, start: int) -> Token:
    if text.startswith("one in "):
        tail = text[7:]
        n = float(tail) if tail.isdigit() else float(WORDS.get(tail, 0))
        return Token(text, start, "frac", 100 / n if n else None)
    key = re.sub(r"s$", "", text).replace("half of", "half")
    value = FRACTIONS.get(key, FRACTIONS.get(text.rstrip("s")))
    return Token(text, start, "frac", value if value is not None else FRACTIONS.get(key + "s"))


def _mask(text: str, index: Index) -> str:
    for name in index.masks:
        if len(name) >= 2:
            text = re.sub(re.escape(name), lambda m: "#" * len(m.group(0)), text, flags=re.I)
    return re.sub(r"/\s?100\b|out of 100\b", lambda m: "#" * len(m.group(0)), text)


def _metric_near(clause: str, offset: int) -> str | None:
    """The metric word nearest the number at ``offset`` in its clause (by characters)."""
    best: tuple[int, str] | None = None
    for m in METRIC_RE.finditer(clause):
        distance = offset - m.end() if m.end() <= offset else m.start() - offset
        if best is None or distance < best[0]:
            best = (distance, m.lastgroup or "")
    return best[1] if best else None


def _scopes(sentence: str, index: Index) -> set[str | None]:
    """The groups a sentence names (a name inside a longer name, "jazz" in "Jazz 24", does not count)."""
    lowered = sentence.lower()
    found: list[tuple[int, int, set[str]]] = []
    for name, scopes in index.names.items():
        if len(name) >= 2 and name in lowered:
            found += [(m.start(), m.end(), scopes) for m in
                      re.finditer(r"(?<!\w)" + re.escape(name) + r"(?!\w)", lowered)]
    named: set[str | None] = {None}
    for start, end, scopes in found:
        if not any(s <= start and end <= e and (e - s) > (end - start) for s, e, _x in found):
            named |= scopes
    return named


def _allowed(token: Token, leaves: Iterable[Leaf], index: Index, date_scopes: set[str | None],
             rate_word: bool = False) -> bool:
    if token.kind == "date":
        # a day's own date names its scope, so it cannot vouch for itself
        groups = {g for g in date_scopes if g is None or not ISO.fullmatch(g)}
        if groups != {None}:  # a sentence about a group: only that group's dates
            return any(d.endswith(token.extra) and scope in groups - {None} for d, scope in index.dates)
        return any(d.endswith(token.extra) for d, _scope in index.dates)
    if token.kind == "time":
        return any(token.text in m for m in index.masks)
    if token.value is None:
        return False
    if token.kind == "frac":
        return any(leaf.rate and abs(leaf.value - token.value) <= FRACTION_TOLERANCE for leaf in leaves)
    if token.kind == "num" and not token.pct and 1900 <= token.value <= 2100 and "." not in token.text:
        if any(d.startswith(token.text) for d, _scope in index.dates):
            return True
    written = token.extra if token.kind == "num" else str(int(token.value))
    return any(_matches(leaf, written, token.value, token.pct, rate_word) for leaf in leaves)


def _keys_for(clause: str, m: re.Match[str]) -> frozenset[str] | None:
    """The fact keys a number may stand for: its nearest metric's; in "2 of the 3 delivered were opened" the
    first may be any metric of the clause and the second a total of contacts or messages. None: any fact."""
    if OF_BEFORE.search(clause[:m.start()]):
        near = _metric_near(clause, m.start())
        return DENOMINATORS | (METRIC_KEYS[near] if near else frozenset())
    if OF_AFTER.match(clause[m.end():]):
        found = {g.lastgroup for g in METRIC_RE.finditer(clause) if g.lastgroup}
        return frozenset().union(*(METRIC_KEYS[f] for f in found)) if found else None
    near = _metric_near(clause, m.start())
    return METRIC_KEYS[near] if near else None


def _check_clause(clause: str, scopes: set[str | None], index: Index, sentence: str) -> list[str]:
    """A date must belong to a group the sentence names by name (or to the campaign); a number as ``check`` says."""
    problems = []
    for m in NUMBER.finditer(clause):
        token = _token(m)
        date_scopes = _scopes(sentence, index) if token.kind == "date" else set()
        keys = _keys_for(clause, m) if token.kind in ("num", "word", "frac") else None
        metric = _metric_near(clause, m.start()) if keys is not None else None
        leaves = [lf for lf in index.leaves if lf.scope in scopes and (keys is None or lf.key in keys)]
        if not _allowed(token, leaves, index, date_scopes, RATE_WORD.search(clause) is not None):
            where = f" as a {metric} figure" if metric else ""
            problems.append(f"{token.text!r}{where} is not one of the facts ({_context(clause, m)})")
    return problems


def _context(clause: str, m: re.Match[str]) -> str:
    return "…" + clause[max(0, m.start() - 40):m.end() + 30].strip().replace("#", "") + "…"


def _spans(pattern: re.Pattern[str], text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The pieces of text[start:end] between the matches of a separator pattern, as absolute spans."""
    spans, at = [], start
    for m in pattern.finditer(text, start, end):
        spans.append((at, m.start()))
        at = m.end()
    return spans + [(at, end)]


def check(text: str, facts: dict[str, Any] | Index) -> list[str]:
    """The problems of a text against the facts: each number that is not a fact (empty when all are).

    A clause that names groups may use only their figures; a sentence that names groups, theirs and the totals;
    any other sentence, the totals."""
    index = facts if isinstance(facts, Index) else index_facts(facts)
    problems: list[str] = []
    masked = _mask(text, index)  # same length as text: offsets agree
    for s_start, s_end in _spans(SENTENCE, masked, 0, len(masked)):
        sentence_scopes = _scopes(text[s_start:s_end], index)
        for c_start, c_end in _spans(CLAUSE, masked, s_start, s_end):
            named = _scopes(text[c_start:c_end], index) - {None}
            problems.extend(_check_clause(masked[c_start:c_end], named or sentence_scopes, index, text[s_start:s_end]))
    return problems
