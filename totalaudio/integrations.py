"""The one registry of external services: names, variables, client modules, limits and secret headers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Integration:
    """One external service tap talks to.

    ``client`` names the module under ``totalaudio.clients`` that wraps its SDK; that module's
    ``health(settings)`` makes the cheap authenticated call ``tap status`` uses, or is absent
    when a call would cost money or set something off (``health_call`` False).
    """

    name: str
    title: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    base_url_env: str | None = None
    default_base_url: str | None = None
    client: str = ""
    cli: str | None = None
    health_call: bool = True
    secret_headers: tuple[str, ...] = ("authorization",)
    requests_per_second: float | None = None
    rate_period: float = 1.0  # the window requests_per_second is counted over, in seconds
    max_concurrency: int = 4
    max_attempts: int = 4
    timeout_seconds: float = 30.0
    cooldown_after_429: float | None = None
    docs: str = ""

    @property
    def env_vars(self) -> tuple[str, ...]:
        """Every variable this integration reads, required first."""
        extra = (self.base_url_env,) if self.base_url_env else ()
        return self.required + self.optional + extra


REGISTRY: tuple[Integration, ...] = (
    Integration(
        name="airtable",
        title="Airtable",
        required=("AIRTABLE_API_KEY", "AIRTABLE_BASE_ID"),
        secrets=("AIRTABLE_API_KEY",),
        base_url_env="TAP_AIRTABLE_BASE_URL",
        default_base_url="https://api.airtable.com",
        client="airtable",
        cli="airtable",
        # Airtable: 5 requests/s per base; after a 429 it asks clients to wait 30 s. It counts arrivals, so 5
        # starts in exactly one second become 6 in its second whenever one request travels slower than the
        # next (measured on loopback: 2 of 14 calls drew a 429); 5 per 1.1 s leaves that margin.
        requests_per_second=5.0,
        rate_period=1.1,
        max_concurrency=5,
        max_attempts=5,
        cooldown_after_429=30.0,
        docs="a personal access token (airtable.com/create/tokens) with scopes data.records:read/write and "
             "schema.bases:read, and the base id (app...).",
    ),
    Integration(
        name="mailchimp",
        title="Mailchimp",
        required=("MAILCHIMP_API_KEY",),
        optional=("MAILCHIMP_SERVER_PREFIX",),
        secrets=("MAILCHIMP_API_KEY",),
        base_url_env="TAP_MAILCHIMP_BASE_URL",
        client="mailchimp",
        cli="mailchimp",
        # Mailchimp: at most 10 simultaneous connections per user.
        max_concurrency=10,
        docs="API key (its suffix after '-' is the server prefix, e.g. us21).",
    ),
    Integration(
        name="gmail",
        title="Gmail",
        required=("GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET"),
        optional=("GOOGLE_REDIRECT_URI", "GOOGLE_CLOUD_PROJECT"),
        secrets=("GOOGLE_CLIENT_SECRET",),
        base_url_env="TAP_GMAIL_BASE_URL",
        client="gmail",
        cli="gmail",
        docs="OAuth client of type Desktop from the Google Cloud console.",
    ),
    Integration(
        name="claude",
        title="Claude (Anthropic)",
        required=("ANTHROPIC_API_KEY",),
        secrets=("ANTHROPIC_API_KEY",),
        base_url_env="TAP_ANTHROPIC_BASE_URL",
        client="anthropic",
        cli="claude",
        secret_headers=("authorization", "x-api-key"),
        timeout_seconds=120.0,
        docs="API key from console.anthropic.com.",
    ),
    Integration(
        name="perplexity",
        title="Perplexity",
        required=("PERPLEXITY_API_KEY",),
        secrets=("PERPLEXITY_API_KEY",),
        base_url_env="TAP_PERPLEXITY_BASE_URL",
        default_base_url="https://api.perplexity.ai",
        client="perplexity",
        cli="research",
        # Every Perplexity call is a paid completion, so status checks configuration only.
        health_call=False,
        timeout_seconds=120.0,
        docs="API key from perplexity.ai/settings/api.",
    ),
    Integration(
        name="make",
        title="Make.com",
        required=("MAKE_WEBHOOK_URL",),
        optional=("MAKE_API_KEY", "MAKE_SIGNING_SECRET"),
        secrets=("MAKE_WEBHOOK_URL", "MAKE_API_KEY", "MAKE_SIGNING_SECRET"),
        client="make",
        cli="notify",
        # Calling the webhook would set a scenario off, so status checks configuration only.
        health_call=False,
        secret_headers=("x-make-apikey", "webhook-signature"),
        # Make.com custom webhooks take about 300 requests per 10 s, then answer 429.
        requests_per_second=300.0,
        rate_period=10.0,
        docs="A custom webhook URL from a Make.com scenario (the URL itself is the secret); optionally its API "
             "key and a Standard Webhooks signing secret (whsec_...) the scenario checks.",
    ),
    Integration(
        name="stripe",
        title="Stripe",
        required=("STRIPE_SECRET_KEY",),
        optional=("STRIPE_WEBHOOK_SECRET",),
        secrets=("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"),
        base_url_env="TAP_STRIPE_BASE_URL",
        default_base_url="https://api.stripe.com",
        client="stripe",
        cli="billing",
        # Stripe's live-mode limit is 100 read requests/s; stay well below.
        requests_per_second=25.0,
        docs="Secret key (sk_test_... while testing) and the webhook signing secret (whsec_...).",
    ),
)

BY_NAME = {i.name: i for i in REGISTRY}


def get(name: str) -> Integration:
    """The integration called ``name``; KeyError names the known ones."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown integration {name!r}; known: {', '.join(BY_NAME)}") from None
