"""Structured answers: Claude must call one tool whose input matches a JSON schema; an invalid answer is asked for
once more with the problems named, then it is an IntegrationError (exit 4)."""

from __future__ import annotations

import math
from typing import Any, Callable

from totalaudio.errors import IntegrationError

MAX_STRING = 20_000


def validate(value: Any, schema: dict[str, Any], path: str = "$") -> list[str]:
    """The problems of a value against the small JSON-schema subset tap's tools use (type, required, properties,
    items, enum, minItems, maxItems, maxLength, minimum, maximum)."""
    kind = schema.get("type")
    checks = {"object": lambda v: isinstance(v, dict), "array": lambda v: isinstance(v, list),
              "string": lambda v: isinstance(v, str),
              "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
              "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v),
              "boolean": lambda v: isinstance(v, bool)}
    if kind in checks and not checks[kind](value):
        return [f"{path} must be {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{path} must be one of {schema['enum']}"]
    if kind == "object":
        return _object(value, schema, path)
    if kind == "array":
        return _array(value, schema, path)
    if kind == "string" and len(value) > schema.get("maxLength", MAX_STRING):
        return [f"{path} is longer than {schema.get('maxLength', MAX_STRING)} characters"]
    if kind in ("integer", "number"):
        low, high = schema.get("minimum", -math.inf), schema.get("maximum", math.inf)
        return [] if low <= value <= high else [f"{path} must be between {low} and {high}"]
    return []


def _object(value: dict, schema: dict, path: str) -> list[str]:
    problems = [f"{path}.{k} is missing" for k in schema.get("required", []) if k not in value]
    for key, sub in schema.get("properties", {}).items():
        if key in value:
            problems += validate(value[key], sub, f"{path}.{key}")
    return problems


def _array(value: list, schema: dict, path: str) -> list[str]:
    problems = []
    if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", 10_000):
        problems.append(f"{path} must have {schema.get('minItems', 0)} to {schema.get('maxItems', 'any')} items")
    for i, item in enumerate(value[:200]):
        problems += validate(item, schema.get("items", {}), f"{path}[{i}]")
    return problems


def tool(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A tool definition for the Messages API."""
    return {"name": name, "description": description, "input_schema": schema}


def tool_input(reply: dict[str, Any], name: str) -> Any:
    """The input of the named tool call in a reply, or None when the model did not call it."""
    for block in reply.get("content") or []:
        if isinstance(block, dict) and block.get("type") == "tool_use" and block.get("name") == name:
            return block.get("input")
    return None


def ask(session: Any, purpose: str, *, system: list[dict], prompt: str, spec: dict[str, Any], max_tokens: int,
        check: Callable[[Any], list[str]] | None = None, retries: int = 1) -> tuple[Any, int]:
    """Ask for a tool call matching ``spec``; ``check`` adds problems of meaning (numbers, links). Returns the valid
    input and the attempts made; after ``retries`` more failed attempts, IntegrationError naming the problems."""
    messages: list[dict[str, Any]] = [{"role": "user", "content": prompt}]
    problems: list[str] = []
    for attempt in range(1, retries + 2):
        reply = session.message(purpose, messages=messages, max_tokens=max_tokens, system=system, tools=[spec],
                                tool_choice={"type": "tool", "name": spec["name"]})
        value = tool_input(reply, spec["name"])
        problems = [f"no call of the tool {spec['name']}"] if value is None else validate(value, spec["input_schema"])
        shape = bool(problems)
        if not problems and check is not None:
            problems = check(value)
        if not problems:
            return value, attempt
        messages = [{"role": "user", "content": prompt + "\n\n" + retry_note(problems)}]
    raise InvalidAnswer(session.service, purpose, problems, shape=shape)


def retry_note(problems: list[str]) -> str:
    """The message that asks for an answer again, naming what was wrong."""
    listed = "\n".join(f"- {p}" for p in problems[:20])
    return ("Your previous answer was rejected for these problems; answer again through the tool, fixing every one "
            f"(use only the numbers in the facts, exactly or rounded):\n{listed}")


class InvalidAnswer(IntegrationError):
    """The model's answers stayed invalid after the retry (exit 4); ``problems`` says why."""

    def __init__(self, service: str, purpose: str, problems: list[str], *, shape: bool = False) -> None:
        super().__init__(service, purpose, "the model's answer was invalid twice: " + "; ".join(problems[:5]),
                         hint="try again, or use --no-ai for the template version")
        self.problems = problems
        self.shape = shape  # True: not the tool's schema (a clear error); False: its content failed a check


def content_only(exc: InvalidAnswer) -> InvalidAnswer:
    """Re-raise an answer that broke the tool's schema twice (exit 4); return one whose content failed a check
    (numbers, links, lengths), which the caller replaces by its template."""
    if exc.shape:
        raise exc
    return exc
