"""``campaign run``: the steps in order, each outcome recorded; a re-run resumes at the first step not done.

``replies``, ``report`` and ``update`` refresh on every run that reaches them. A failed step is recorded with
its error and hint, and its error leaves the run (the CLI exits with its code) saying how to resume.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from totalaudio.errors import InputError, TapError
from totalaudio.services.campaigns.context import REFRESHABLE, STEPS, StepContext
from totalaudio.services.campaigns.steps import RUNNERS, plan
from totalaudio.store.campaign_runs import DONE_STATES, StepLog


@dataclass
class RunResult:
    """What one ``campaign run`` did, step by step."""

    campaign_id: str
    name: str
    dry_run: bool
    run_id: str | None
    steps: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _check(step: str | None, flag: str) -> None:
    if step is not None and step not in STEPS:
        raise InputError(f"{flag} {step!r}: not a step; the steps are {', '.join(STEPS)}")


def selected(done: dict[str, dict[str, Any]], start: str | None, until: str | None) -> list[tuple[str, bool]]:
    """(step, run it?) in order: from --from (or the first step not done) up to --until; refreshable steps
    always run once reached."""
    _check(start, "--from")
    _check(until, "--until")
    last = STEPS.index(until) + 1 if until else len(STEPS)
    if start and STEPS.index(start) >= last:
        raise InputError(f"--from {start} comes after --until {until}")
    first = STEPS.index(start) if start else 0
    out = []
    for step in STEPS[first:last]:
        finished = done.get(step, {}).get("state") in DONE_STATES
        out.append((step, bool(start) or not finished or step in REFRESHABLE))
    return out


def _failed(ctx: StepContext, step: str, exc: TapError) -> TapError:
    """The step's error, saying which step failed and how to resume."""
    name = ctx.campaign["name"]
    exc.message = f"campaign {name!r}: step {step} failed: {exc.message}"
    exc.args = (exc.message,)
    resume = f"then run `tap campaign run {name!r}` to resume at {step}"
    exc.hint = f"{exc.hint}; {resume}" if exc.hint else resume[0].upper() + resume[1:]
    return exc


def _one(ctx: StepContext, step: str, log: StepLog) -> dict[str, Any]:
    entry = log.start(ctx.campaign["id"], step, ctx.run_id)
    ctx.note(f"{step} ...")
    try:
        detail = RUNNERS[step](ctx)
    except TapError as exc:
        log.finish(entry, "failed", exit_code=int(exc.exit_code), error=exc.message, hint=exc.hint)
        ctx.tell("campaign.step", {"step": step, "state": "failed", "error": exc.message})
        raise _failed(ctx, step, exc) from None
    state = "skipped" if detail.get("skipped") else "done"
    log.finish(entry, state, detail)
    ctx.tell("campaign.step", {"step": step, "state": state})
    return {"step": step, "state": state, "detail": detail}


def run(ctx: StepContext, *, start: str | None = None, until: str | None = None) -> RunResult:
    """Run the campaign's steps (see the module docstring); with dry_run, say what each would do."""
    log = StepLog(ctx.db)
    result = RunResult(ctx.campaign["id"], ctx.campaign["name"], ctx.dry_run, ctx.run_id, warnings=ctx.warnings)
    for step, go in selected(log.latest(ctx.campaign["id"]), start, until):
        if not go:
            result.steps.append({"step": step, "state": "already-done", "detail": {}})
        elif ctx.dry_run:
            result.steps.append({"step": step, "state": "would-run", "detail": plan(ctx, step)})
        else:
            result.steps.append(_one(ctx, step, log))
    return result
