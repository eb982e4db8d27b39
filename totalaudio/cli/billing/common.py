"""What the billing commands share: the client, [billing] settings, options and small renderers."""

from __future__ import annotations

from typing import Any

import typer

from totalaudio.cli import output
from totalaudio.cli.context import state

CUSTOMER = typer.Argument(..., help="The customer: Stripe id (cus_...), email, name or a linked artist.",
                          show_default=False)
PLAN = typer.Option(..., "--plan", help="artist or agency.", show_default=False)
YEARLY = typer.Option(False, "--yearly", help="The yearly price instead of the monthly one.")
TRIAL = typer.Option(None, "--trial-days", help="Days of free trial before the first charge.", show_default=False)


def client() -> Any:
    """The Stripe client from STRIPE_SECRET_KEY (and TAP_STRIPE_BASE_URL)."""
    from totalaudio.services.billing.common import client as build

    return build(state().settings)


def cfg() -> Any:
    """[billing] of tap.toml."""
    from totalaudio.services.billing.common import config

    return config(state().settings)


def money(minor: Any, currency: Any) -> str:
    """Minor units as an amount with its currency (1250 gbp -> 12.50 GBP)."""
    if minor is None:
        return ""
    from totalaudio.services.billing.common import ZERO_DECIMAL

    cur = str(currency or "").lower()
    return f"{minor} {cur.upper()}" if cur in ZERO_DECIMAL else f"{minor / 100:.2f} {cur.upper()}"


def fmt(json_: bool) -> str:
    """'json' or 'text'."""
    return "json" if json_ else "text"


def say(line: str) -> None:
    """One line of plain text on stdout (never rich markup: names come from Stripe and users)."""
    output.stdout_console().print(line, markup=False, highlight=False)


