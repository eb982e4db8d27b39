"""The ``tap airtable`` Typer group, on which each verb module registers its commands."""

from __future__ import annotations

from totalaudio.cli.output import group

app = group("Airtable: sync the base with the local store, audit it, enrich it, analyse domains.")
