"""``tap airtable``: sync, audit, enrich, domains and schema of the plugger's Airtable base.

The group is large, so each verb lives in a module of its own below this package.
"""

from __future__ import annotations

from totalaudio.cli.output import group

app = group("Airtable: sync the base with the local store, audit it, enrich it, analyse domains.")

# Each verb module registers its commands on ``app`` when imported.
from totalaudio.cli.airtable import sync  # noqa: E402,F401
from totalaudio.cli.airtable import audit  # noqa: E402,F401
from totalaudio.cli.airtable import domains  # noqa: E402,F401
from totalaudio.cli.airtable import enrich  # noqa: E402,F401
