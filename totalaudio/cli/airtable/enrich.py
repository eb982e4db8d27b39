"""``tap airtable enrich``: crawl the contacts' station websites and turn them into contact intelligence."""

from __future__ import annotations

import sys
from contextlib import ExitStack, contextmanager
from typing import Any, Optional

import typer

from totalaudio.cli import output
from totalaudio.cli.airtable.group import app
from totalaudio.cli.context import state
from totalaudio.errors import InputError, IntegrationError

LIMIT = typer.Option(None, "--limit", "-n", min=1, help="Enrich at most this many contacts.")
ONLY_MISSING = typer.Option(False, "--only-missing", help="Only contacts never enriched.")
REFRESH = typer.Option(False, "--refresh", help="Crawl again even sites enriched recently.")
CONCURRENCY = typer.Option(None, "--concurrency", "-c", min=1, max=128,
                           help="Requests in flight at once (default 16; 2 per host).")
PUSH = typer.Option(False, "--push", help="Send the updated contacts to Airtable through the sync afterwards.")
AI = typer.Option(False, "--ai", help="Let Claude write contactIntelligence (needs ANTHROPIC_API_KEY).")
RESEARCH = typer.Option(False, "--research", help="Let Perplexity fill what the websites did not say (needs "
                        "PERPLEXITY_API_KEY; reused 30 days).")
URL = typer.Option(None, "--url", help="Enrich this one website, with no contact (nothing is stored).")
RENDER = typer.Option(None, "--render", help="Headless Chromium for pages built by JavaScript: auto (only pages "
                      "that look like empty shells; the default), always, never.")


@app.command("enrich")
def enrich(limit: Optional[int] = LIMIT, only_missing: bool = ONLY_MISSING, refresh: bool = REFRESH,
           concurrency: Optional[int] = CONCURRENCY, push: bool = PUSH, ai: bool = AI, research: bool = RESEARCH,
           url: Optional[str] = URL, render: Optional[str] = RENDER, max_cost: Optional[float] = output.MAX_COST,
           dry_run: bool = output.DRY_RUN, json_: bool = output.JSON, jsonl: bool = output.JSONL) -> None:
    """Crawl station websites: genres, submission guidelines, shows, forms, socials, emails, a summary."""
    fmt = output.pick_format(json_, jsonl)
    if only_missing and refresh:
        raise InputError("--only-missing and --refresh contradict each other; give one")
    if render is not None and render not in ("auto", "always", "never"):
        raise InputError(f"--render {render!r}: give auto, always or never")
    if max_cost is not None and not (ai or research):
        raise InputError("--max-cost limits the model calls of --ai and --research; give one of them")
    if url is not None:
        _one_url(url, concurrency, ai, fmt, render, max_cost)
        return
    _contacts(limit, only_missing, refresh, concurrency, push, ai, dry_run, fmt, render, research, max_cost)


def _writer(ai: bool, run_id: Optional[str] = None, max_cost: Optional[float] = None):
    from totalaudio.services.enrich import service

    return service.ai_writer(state().settings, run_id=run_id, max_cost=max_cost) if ai else None


@contextmanager
def _closing(writer):
    """The AI writer (or None), its store connection closed when the run ends, however it ends."""
    try:
        yield writer
    finally:
        if writer is not None:
            writer.close()


def _one_url(url: str, concurrency: Optional[int], ai: bool, fmt: str, render: Optional[str],
             max_cost: Optional[float]) -> None:
    from totalaudio.services.enrich import runner, service
    from totalaudio.services.enrich.website import normalise_url

    target_url = normalise_url(url)
    if target_url is None:
        raise InputError(f"--url {url!r} is not a web address", hint="e.g. --url https://station.example.org")
    settings = state().settings
    records: list[Any] = []
    with _closing(_writer(ai, max_cost=max_cost)) as writer:
        runner.run([runner.Target(target_url)], service.policy_from(settings, concurrency),
                   service.options_from(settings, refresh=True, render=render), lambda _t, r: records.append(r),
                   writer=writer)
    if fmt == "jsonl":
        output.print_jsonl(records)
    else:
        output.emit(records[0], fmt, _render_one)


def _contacts(limit, only_missing, refresh, concurrency, push, ai, dry_run, fmt, render, research=False,
              max_cost=None) -> None:
    from totalaudio.services.enrich import runner, service
    from totalaudio.store.enrichment import PageCacheStore

    st = state()
    settings, db = st.settings, st.db
    ai = _preflight(settings, push, research, ai, dry_run)
    chosen, skipped = service.select(db, limit=limit, only_missing=only_missing)
    result = service.EnrichResult(dry_run=dry_run, selected=len(chosen), skipped=skipped)
    sink = (lambda data: output.print_jsonl([data])) if fmt == "jsonl" else None
    args = {"limit": limit, "onlyMissing": only_missing, "refresh": refresh, "push": push, "ai": ai,
            "render": render, "research": research, "maxCost": max_cost}
    with st.mutating("airtable enrich", args, dry_run=dry_run) as run_id, ExitStack() as stack:
        result.run_id = run_id
        writer = stack.enter_context(_closing(_writer(ai, run_id, max_cost)))
        applier = service.Applier(db, run_id, {c.id: c for c, _t in chosen}, dry_run=dry_run, result=result,
                                  sink=sink)
        store = None if dry_run else service.EnrichmentStore(db)
        kwargs = dict(cache=None if dry_run else PageCacheStore(db), history=store, writer=writer)
        try:
            options = service.options_from(settings, refresh=refresh, render=render)
            progress = _run_with_progress(runner, [t for _c, t in chosen], service, settings, concurrency,
                                          options, applier, kwargs)
            result.pages = progress.pages
        except (KeyboardInterrupt, IntegrationError) as exc:
            result.ai = _ai_spend(writer, max_cost)
            raise _stopped(exc, result, fmt) from None
        result.ai = _ai_spend(writer, max_cost)
        if research and not dry_run:
            _research(db, settings, run_id, [c.id for c, _t in chosen], refresh, max_cost)
        if push and not dry_run:
            result.pushed = service.push(db, settings, run_id)
    _finish(result, fmt)


def _preflight(settings, push: bool, research: bool, ai: bool, dry_run: bool) -> bool:
    """Check the services a run will need before it takes the lock and crawls; whether Claude is used."""
    if push and not dry_run:
        settings.require("airtable")  # before crawling, not after
    if research and not dry_run:
        settings.require("perplexity")
    if ai and dry_run:  # a preview never spends: the summary is the template one, as without a key
        output.note("--dry-run: no Claude calls are made; the summaries are tap's own template")
        return False
    if ai:
        settings.require("claude")  # before taking the lock and crawling, not at the first summary
    return ai


def _ai_spend(writer, max_cost: Optional[float]) -> Optional[dict]:
    """This run's Claude calls and their cost (None without --ai)."""
    if writer is None:
        return None
    return {"calls": writer.calls, "costUsd": writer.cost, "maxCost": max_cost}


def _stopped(exc: BaseException, result, fmt: str) -> BaseException:
    """What leaves a run that did not finish: an interrupt after printing what was done; a spending limit saying
    what was kept; other failures unchanged."""
    if isinstance(exc, KeyboardInterrupt):
        result.interrupted = True
        _finish(result, fmt)
        return exc
    if not isinstance(exc, IntegrationError) or exc.operation != "budget":
        return exc
    spent = f"${result.ai['costUsd']:.4f} in {result.ai['calls']} Claude calls" if result.ai else "nothing"
    n = result.updated
    kept = "1 contact enriched before it is" if n == 1 else f"{n} contacts enriched before it are"
    return IntegrationError(exc.service, exc.operation, f"{exc.error}. The run stopped there: {kept} kept ({spent}; "
                            f"run {result.run_id})", hint=exc.hint)


def _research(db, settings, run_id, contact_ids, refresh, max_cost=None) -> None:
    from totalaudio.services.research import enrich as research_step
    from totalaudio.services.research.service import session_for

    session = session_for(db, settings, run_id=run_id, max_cost=max_cost)
    done = research_step.fill(db, session, contact_ids, refresh=refresh)
    output.note(f"research: {done['researched']} researched, {done['reused']} reused, {done['skipped']} needed none, "
                f"{len(done['failed'])} failed")


def _run_with_progress(runner, targets, service, settings, concurrency, options, applier, kwargs):
    policy = service.policy_from(settings, concurrency)
    if not sys.stderr.isatty() or not targets:
        return runner.run(targets, policy, options, applier, **kwargs)
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    counters = runner.Progress()
    columns = (TextColumn("enrich"), BarColumn(), TextColumn("{task.completed}/{task.total} sites"),
               TextColumn("{task.fields[pages]} pages, {task.fields[errors]} errors"),
               TextColumn("{task.fields[rate]:.1f} sites/s"), TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=output.err_console(), transient=True) as bar:
        task = bar.add_task("enrich", total=len({t.website for t in targets}), pages=0, errors=0, rate=0.0)

        def on_record(target, record):
            applier(target, record)
            elapsed = bar.tasks[0].elapsed or 1e-9
            bar.update(task, completed=counters.sites_done, pages=counters.pages, errors=counters.errors,
                       rate=counters.sites_done / elapsed)

        return runner.run(targets, policy, options, on_record, progress=counters, **kwargs)


def _finish(result, fmt: str) -> None:
    if fmt == "jsonl":
        output.note(_summary(result))
        return
    output.emit(result, fmt, _render_result)


def _summary(result) -> str:
    head = "Would enrich" if result.dry_run else "Enriched"
    return (f"{head} {result.selected} contacts: {result.enriched} crawled, {result.reused} reused (fresh), "
            f"{result.failed} unreachable, {result.updated} contacts updated, {len(result.skipped)} without a "
            f"website{'; interrupted' if result.interrupted else ''}")


def _render_result(result) -> None:
    rows = ([r.get("email"), r.get("stationName"), r.get("websiteUrl"), r["confidence"],
             ", ".join(r["scrapedData"]["genres"][:4]), len(r["errors"])] for r in result.records)
    output.table(_summary(result), ["Email", "Station", "Website", "Conf.", "Genres", "Errors"], rows)
    if result.pushed:
        output.note(f"pushed to Airtable: {result.pushed}")
    if result.ai:
        output.note(f"Claude: {result.ai['calls']} calls, ${result.ai['costUsd']:.4f}")


def _render_one(record) -> None:
    from totalaudio.models import to_json

    data = to_json(record)
    console = output.stdout_console()
    console.print(f"{data['stationName'] or data['websiteUrl']}  confidence {data['confidence']}/100",
                  highlight=False)
    console.print(data["contactIntelligence"], highlight=False)
    for error in data["errors"]:
        output.note(f"problem: {error}")
