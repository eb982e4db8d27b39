"""A small evaluator of Airtable formulas: enough of filterByFormula for what the sync and the tests send.

Supported: string literals ('...' or "..." with backslash escapes), numbers, {Field} references, the operators
= != <> < > <= >= & + - * /, and the functions OR AND NOT IF IS_AFTER IS_BEFORE IS_SAME LAST_MODIFIED_TIME
CREATED_TIME RECORD_ID DATETIME_PARSE LOWER UPPER TRIM LEN FIND SEARCH BLANK TRUE FALSE ARRAYJOIN.
Anything else raises FormulaError, which the fake answers with 422 INVALID_FILTER_BY_FORMULA.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Callable

TOKEN = re.compile(r"""\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<str>'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")
                       |(?P<field>\{(?:\\.|[^}\\])*\})
                       |(?P<op>!=|<>|<=|>=|[=<>&+\-*/(),])|(?P<name>[A-Za-z_][A-Za-z_0-9]*))""", re.X)
ESCAPES = {"n": "\n", "r": "\r", "t": "\t"}


class FormulaError(ValueError):
    """The formula cannot be parsed or uses something the fake does not know."""


def _unescape(body: str) -> str:
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), body, flags=re.S)


def tokenize(text: str) -> list[tuple[str, Any]]:
    """(kind, value) tokens of a formula."""
    pos, out = 0, []
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise FormulaError(f"cannot parse formula at {text[pos:pos + 20]!r}")
        kind = match.lastgroup
        raw = match.group(kind)
        value = {"num": lambda r: float(r), "str": lambda r: _unescape(r[1:-1]),
                 "field": lambda r: _unescape(r[1:-1])}.get(kind, lambda r: r)(raw)
        out.append((kind, value))
        pos = match.end()
    return out


def parse_time(value: Any) -> datetime | None:
    """An ISO date or date-time (as Airtable writes them) as an aware datetime, else None."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class Parser:
    """Recursive descent over the tokens; ``parse`` returns a callable of the record context."""

    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.i = 0

    def peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, Any]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise FormulaError(f"expected {value or 'more'} in formula")
        self.i += 1
        return token

    def parse(self) -> Callable[[dict], Any]:
        node = self.compare()
        if self.peek() is not None:
            raise FormulaError(f"unexpected {self.peek()[1]!r} in formula")
        return node

    def compare(self) -> Callable[[dict], Any]:
        left = self.concat()
        while (tok := self.peek()) and tok[0] == "op" and tok[1] in ("=", "!=", "<>", "<", ">", "<=", ">="):
            self.take()
            right = self.concat()
            left = _comparison(tok[1], left, right)
        return left

    def concat(self) -> Callable[[dict], Any]:
        left = self.arith()
        while (tok := self.peek()) and tok == ("op", "&"):
            self.take()
            right, prev = self.arith(), left
            left = lambda ctx, a=prev, b=right: _text(a(ctx)) + _text(b(ctx))  # noqa: E731
        return left

    def arith(self) -> Callable[[dict], Any]:
        left = self.primary()
        while (tok := self.peek()) and tok[0] == "op" and tok[1] in "+-*/":
            self.take()
            right, prev, op = self.primary(), left, tok[1]
            left = lambda ctx, a=prev, b=right, o=op: _arith(o, a(ctx), b(ctx))  # noqa: E731
        return left

    def primary(self) -> Callable[[dict], Any]:
        kind, value = self.take()
        if kind in ("num", "str"):
            return lambda ctx: value
        if kind == "field":
            return lambda ctx: ctx["field"](value)
        if (kind, value) == ("op", "("):
            node = self.compare()
            self.take(")")
            return node
        if kind == "name":
            return self.call(value.upper())
        raise FormulaError(f"unexpected {value!r} in formula")

    def call(self, name: str) -> Callable[[dict], Any]:
        if name not in FUNCTIONS:
            raise FormulaError(f"unknown function {name}")
        self.take("(")
        args = []
        while self.peek() != ("op", ")"):
            args.append(self.compare())
            if self.peek() == ("op", ","):
                self.take()
        self.take(")")
        fn = FUNCTIONS[name]
        return lambda ctx: fn(ctx, [a(ctx) for a in args])


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return str(value)


def _arith(op: str, a: Any, b: Any) -> Any:
    a, b = float(a or 0), float(b or 0)
    return {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else None}[op]


def _comparison(op: str, left: Callable, right: Callable) -> Callable[[dict], Any]:
    def compare(ctx: dict) -> bool:
        a, b = left(ctx), right(ctx)
        if isinstance(a, datetime) or isinstance(b, datetime):
            a, b = parse_time(a), parse_time(b)
            if a is None or b is None:
                return False
        elif isinstance(a, (int, float)) and isinstance(b, (int, float)):
            pass
        else:
            a, b = _text(a), _text(b)
        return {"=": a == b, "!=": a != b, "<>": a != b, "<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
    return compare


def _times(args: list[Any]) -> tuple[datetime, datetime]:
    a, b = parse_time(args[0]), parse_time(args[1])
    if a is None or b is None:
        raise FormulaError("IS_AFTER/IS_BEFORE need two dates")
    return a, b


def _truthy(value: Any) -> bool:
    return bool(value) and value != "0"


FUNCTIONS: dict[str, Callable[[dict, list], Any]] = {
    "OR": lambda ctx, a: any(_truthy(v) for v in a),
    "AND": lambda ctx, a: all(_truthy(v) for v in a),
    "NOT": lambda ctx, a: not _truthy(a[0]),
    "IF": lambda ctx, a: a[1] if _truthy(a[0]) else (a[2] if len(a) > 2 else None),
    "IS_AFTER": lambda ctx, a: (lambda x, y: x > y)(*_times(a)),
    "IS_BEFORE": lambda ctx, a: (lambda x, y: x < y)(*_times(a)),
    "IS_SAME": lambda ctx, a: (lambda x, y: x == y)(*_times(a)),
    "LAST_MODIFIED_TIME": lambda ctx, a: ctx["modified"],
    "CREATED_TIME": lambda ctx, a: ctx["created"],
    "RECORD_ID": lambda ctx, a: ctx["id"],
    "DATETIME_PARSE": lambda ctx, a: parse_time(_text(a[0])),
    "LOWER": lambda ctx, a: _text(a[0]).lower(),
    "UPPER": lambda ctx, a: _text(a[0]).upper(),
    "TRIM": lambda ctx, a: _text(a[0]).strip(),
    "LEN": lambda ctx, a: len(_text(a[0])),
    "FIND": lambda ctx, a: _text(a[1]).find(_text(a[0])) + 1,
    "SEARCH": lambda ctx, a: _text(a[1]).lower().find(_text(a[0]).lower()) + 1 or None,
    "ARRAYJOIN": lambda ctx, a: (_text(a[1]) if len(a) > 1 else ", ").join(_text(v) for v in (a[0] or [])),
    "BLANK": lambda ctx, a: None,
    "TRUE": lambda ctx, a: True,
    "FALSE": lambda ctx, a: False,
}


def compile_formula(text: str) -> Callable[[dict], Any]:
    """A formula as a predicate of ``{"id", "created", "modified", "field": name -> value}``."""
    return Parser(text).parse()
