"""The contact filter options every group that chooses contacts takes (contacts, campaign, mailchimp, gmail,
claude): one definition, so they read the same everywhere, in a module of their own so that one group's
``--help`` does not import another group."""

from __future__ import annotations

import typer

GENRE = typer.Option(None, "--genre", "-g", help="Only contacts with this genre (case-insensitive).")
STATION = typer.Option(None, "--station", "-s", help="Only contacts whose station contains this text.")
TYPE = typer.Option(None, "--type", "-t", help="Only this contact type (radio, press, playlist, blog, podcast ...).")
STATUS = typer.Option(None, "--status", help="Only this status (opted-in, unsubscribed, bounced ...).")
SEARCH = typer.Option(None, "--search", "-q", help="Free text matched against names, email, station, show, notes.")
LIMIT = typer.Option(None, "--limit", "-n", min=1, help="At most this many contacts.")
