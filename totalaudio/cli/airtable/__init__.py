"""``tap airtable``: sync, audit, enrich, domains and schema of the plugger's Airtable base.

The group is large, so each verb lives in a module of its own below this package; importing them registers
their commands on the group.
"""

from __future__ import annotations

from totalaudio.cli.airtable import audit, domains, enrich, sync  # noqa: F401
from totalaudio.cli.airtable.group import app  # noqa: F401
