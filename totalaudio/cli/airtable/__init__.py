"""``tap airtable``: sync, audit, enrich, domains and schema of the plugger's Airtable base.

The group is large, so each verb lives in a module of its own below this package.
"""

from __future__ import annotations

import typer

app = typer.Typer(help="Airtable: sync the base with the local store, audit it, enrich it, analyse domains.",
                  no_args_is_help=True)

# Each verb module registers its commands on ``app`` when imported.
