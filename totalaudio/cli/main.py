"""The ``tap`` root command: global options and the command groups."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from totalaudio import __version__
from totalaudio.cli import config as config_cmd
from totalaudio.cli import contacts, db, demo, queue, status
from totalaudio.cli import mailchimp
from totalaudio.cli import airtable
from totalaudio.cli import billing
from totalaudio.cli import claude, llm, research
from totalaudio.cli import notify, webhooks
from totalaudio.cli import campaign, followups, report
from totalaudio.cli import gmail
from totalaudio.cli import completion
from totalaudio.cli.context import State, set_state

app = typer.Typer(
    name="tap",
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


app.add_typer(contacts.app, name="contacts")
app.command("status")(status.status)
app.add_typer(config_cmd.app, name="config")
app.add_typer(db.app, name="db")
app.add_typer(queue.app, name="queue")
app.command("demo")(demo.demo)
app.add_typer(mailchimp.app, name="mailchimp")
app.add_typer(airtable.app, name="airtable")
app.add_typer(billing.app, name="billing")
app.add_typer(claude.app, name="claude")
app.add_typer(llm.app, name="llm")
app.add_typer(research.app, name="research")
app.add_typer(webhooks.app, name="webhooks")
app.add_typer(notify.app, name="notify")
app.add_typer(campaign.app, name="campaign")
app.command("followups")(followups.followups)
app.command("report")(report.report)
app.add_typer(gmail.app, name="gmail")
app.command("completion")(completion.completion)


def main() -> None:
    """Console entry point: run and exit with the documented code."""
    import signal

    from totalaudio.cli.errors import run

    # Like any Unix filter: when the reader of stdout goes away (`tap contacts list --jsonl | head -1`), end
    # quietly by SIGPIPE instead of click's "exit 1" on EPIPE.
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    if completion.requested():  # the shell asking for candidates (tap completion SHELL prints the script)
        sys.exit(completion.complete(app))
    sys.exit(run(app, sys.argv[1:]))
