"""The ``tap`` root command: global options and the command groups."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from totalaudio import __version__
from totalaudio.cli.context import State, set_state
from totalaudio.cli.lazy import Entry, LazyGroup


class Commands(LazyGroup):
    """tap's commands: each module is imported only when its command runs (``tap --help`` imports none).
    The help here is the first paragraph of the command's own (tests/cli/test_lazy.py keeps them equal)."""

    entries = (
        Entry("status", "totalaudio.cli.status:status",
              "Show every integration: configured or not (and what is missing), and a live check with its latency."),
        Entry("demo", "totalaudio.cli.demo:demo",
              "Walk through tap offline on the bundled example contacts, in a throwaway TAP_HOME."),
        Entry("followups", "totalaudio.cli.followups:followups", "Who to chase and when: opened but no reply, "
              "replied with no outcome, back from away, try another contact."),
        Entry("report", "totalaudio.cli.report:report", "The report a plugger sends the artist: figures, funnel, "
              "charts, stations, quotes and the story."),
        Entry("completion", "totalaudio.cli.completion:completion",
              "Print the shell completion script for bash, zsh or fish (the README says where to put it)."),
        Entry("contacts", "totalaudio.cli.contacts:app", "Import, list, show and export contacts in the local store."),
        Entry("config", "totalaudio.cli.config:app", "Show the effective configuration."),
        Entry("db", "totalaudio.cli.db:app", "The local SQLite store: path, status and backups."),
        Entry("queue", "totalaudio.cli.queue:app", "The dead-letter queue of failed external calls."),
        Entry("mailchimp", "totalaudio.cli.mailchimp:app",
              "Sync contacts to a Mailchimp audience, create and send campaigns, read their results."),
        Entry("airtable", "totalaudio.cli.airtable:app",
              "Airtable: sync the base with the local store, audit it, enrich it, analyse domains."),
        Entry("billing", "totalaudio.cli.billing:app",
              "Bill artists through Stripe: plans, customers, subscriptions, invoices, usage and status."),
        Entry("claude", "totalaudio.cli.claude:app", "Claude writes from what tap knows: campaign reports "
              "(every number checked), pitches, posts, analysis."),
        Entry("llm", "totalaudio.cli.llm:app",
              "Every Claude and Perplexity call tap made: tokens, cache reads, cost and the run it was in."),
        Entry("research", "totalaudio.cli.research:app",
              "Research with sources you can click (only those the API returned), kept 30 days per subject."),
        Entry("webhooks", "totalaudio.cli.webhooks:app",
              "Receive Stripe, Mailchimp and Make.com webhooks; list and replay what arrived."),
        Entry("notify", "totalaudio.cli.notify:app",
              "Notifications to a Make.com scenario (MAKE_WEBHOOK_URL), Standard Webhooks signed."),
        Entry("campaign", "totalaudio.cli.campaign:app",
              "Run a release as one campaign: choose contacts, run the steps, see where it stands."),
        Entry("gmail", "totalaudio.cli.gmail:app",
              "Connect Gmail, sort replies (human, auto_reply, bounce, unsubscribe), send personal pitches."),
    )


app = typer.Typer(
    name="tap",
    cls=Commands,
    help="tap: run a music-promotion business from the terminal: contacts, Airtable, Mailchimp, Gmail, "
         "Claude, Perplexity, Make.com and Stripe over one local SQLite store.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"tap {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    home: Optional[Path] = typer.Option(None, "--home", help="Data directory (overrides TAP_HOME).",
                                        show_default=False),
    config: Optional[Path] = typer.Option(None, "--config", help="Path of tap.toml (overrides TAP_CONFIG).",
                                          show_default=False),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
    record_http: Optional[Path] = typer.Option(None, "--record-http", show_default=False,
                                               help="Write this run's HTTP exchanges, secrets scrubbed, as a vcrpy "
                                                    "cassette into this folder (for a bug report)."),
) -> None:
    """tap: the command-line toolkit of a music-promotion business."""
    set_state(State({"TAP_HOME": str(home) if home else None, "TAP_CONFIG": str(config) if config else None}))
    if record_http:
        from totalaudio.cli.recording import recording

        ctx.with_resource(recording(record_http, [ctx.invoked_subcommand or ""] + ctx.args))


def main() -> None:
    """Console entry point: run and exit with the documented code."""
    import signal

    from totalaudio.cli import completion
    from totalaudio.cli.errors import run

    # Like any Unix filter: when the reader of stdout goes away (`tap contacts list --jsonl | head -1`), end
    # quietly by SIGPIPE instead of click's "exit 1" on EPIPE.
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    if completion.requested():  # the shell asking for candidates (tap completion SHELL prints the script)
        sys.exit(completion.complete(app))
    sys.exit(run(app, sys.argv[1:]))
