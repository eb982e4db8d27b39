"""Run the real ``tap`` entry point in-process and capture stdout, stderr and the exit code."""

from __future__ import annotations

import io
import json
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from typing import Any


@dataclass
class Result:
    """What one ``tap`` invocation printed and returned."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        """stdout parsed as exactly one JSON document."""
        return json.loads(self.out)

    def err_json(self) -> Any:
        """stderr parsed as the one JSON error object."""
        return json.loads(self.err)


def tap(*args: str, stdin: str | bytes | None = None) -> Result:
    """Run ``tap ARGS`` through the same error path as the console script."""
    from totalaudio.cli.errors import run
    from totalaudio.cli.main import app

    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    if stdin is not None:
        raw = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
        sys.stdin = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8")
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = run(app, [str(a) for a in args])
    finally:
        sys.stdin = old_stdin
    return Result(code, out.getvalue(), err.getvalue())
