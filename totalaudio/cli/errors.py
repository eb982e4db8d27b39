"""The one exit path: project errors become a message (or a JSON object) on stderr and an exit code."""

from __future__ import annotations

import json
import sys
import traceback
from typing import Any

import typer

from totalaudio.errors import ExitCode, IntegrationError, TapError
from totalaudio import redact as redaction
from totalaudio.redact import redact, redact_obj

JSON_FLAGS = ("--json", "--jsonl")


class Redacting:
    """A text stream that masks secrets in everything written through it and never writes invalid UTF-8
    (a lone surrogate from a hostile file becomes U+FFFD): the one gate of stdout and stderr."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._redactor = redaction.current()  # the secrets of this invocation, plus any registered later
        self._registered = redaction.registered_count()

    def write(self, text: str) -> int:
        """Write ``text`` redacted; returns the length given, as callers expect."""
        if self._registered != redaction.registered_count():
            self._redactor, self._registered = redaction.current(), redaction.registered_count()
        self._stream.write(safe_text(self._redactor(text)))
        return len(text)

    def writelines(self, lines: Any) -> None:
        """Write each line through ``write``."""
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def safe_text(text: str) -> str:
    """``text`` encodable as UTF-8: lone surrogates replaced by U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def _report(payload: dict[str, Any], text: str, as_json: bool) -> None:
    if as_json:
        sys.stderr.write(json.dumps({"error": redact_obj(payload)}, ensure_ascii=False) + "\n")
    else:
        sys.stderr.write(redact(text) + "\n")


def _tap_error(exc: TapError, as_json: bool) -> int:
    if isinstance(exc, IntegrationError):
        _dead_letter(exc)
    text = f"error: {exc.message}" + (f"\nhint: {exc.hint}" if exc.hint else "")
    _report(exc.to_dict(), text, as_json)
    return int(exc.exit_code)


def _dead_letter(exc: IntegrationError) -> None:
    """Keep a failed call that can be replayed (it carries a payload) in the dead-letter table."""
    if exc.payload is None:
        return
    from totalaudio.cli.context import state
    from totalaudio.services.queue import record

    record(state().db, exc)


def run(app: Any, args: list[str]) -> int:
    """Run the typer app and return the exit code of DESIGN.md's table."""
    from totalaudio.cli.context import State, set_state

    as_json = any(a in JSON_FLAGS for a in args)
    set_state(State())  # a fresh state per invocation; the root callback adds its flags
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = Redacting(sys.stdout), Redacting(sys.stderr)
    try:
        return _run(app, args, as_json)
    finally:
        sys.stdout, sys.stderr = streams


def _run(app: Any, args: list[str], as_json: bool) -> int:
    try:
        result = app(args=args, prog_name="tap", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except TapError as exc:
        return _tap_error(exc, as_json)
    except typer.Abort:
        sys.stderr.write("interrupted\n")
        return int(ExitCode.INTERRUPTED)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return int(ExitCode.INTERRUPTED)
    except typer.TyperException as exc:  # click's usage errors, vendored by typer
        _report({"type": "usage", "message": exc.format_message(), "exitCode": 2}, _usage_text(exc), as_json)
        return int(getattr(exc, "exit_code", ExitCode.USAGE))
    except BrokenPipeError:
        sys.stderr.close()
        return 0
    except Exception:  # noqa: BLE001 - the one place a bug becomes exit 1, with its traceback
        sys.stderr.write(redact(traceback.format_exc()))
        return int(ExitCode.BUG)


def _usage_text(exc: Any) -> str:
    ctx = getattr(exc, "ctx", None)
    usage = ctx.get_usage() + "\n" if ctx is not None else ""
    hint = f"Try '{ctx.command_path} --help' for help.\n" if ctx is not None else ""
    return f"{usage}{hint}error: {exc.format_message()}"
