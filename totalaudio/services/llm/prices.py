"""What a model call costs: a price table in USD per million tokens, overridable in tap.toml.

Anthropic bills a prompt-cache write at 125% of the input price (5-minute cache), a cache read at 10%, and a
Message Batches call at 50% of every price. Perplexity adds a fee per request and reports the cost of each call
itself (``usage.cost``), which tap prefers when present.

    [llm.prices."claude-sonnet-5-5"]
    input = 3.0        # USD per million input tokens
    output = 15.0      # USD per million output tokens
    request = 0.0      # USD per call (Perplexity's request fee)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from totalaudio.errors import ConfigError

CACHE_WRITE = 1.25
CACHE_READ = 0.10
BATCH = 0.50
MILLION = 1_000_000


@dataclass(frozen=True)
class Price:
    """USD per million input and output tokens, and per request."""

    input: float
    output: float
    request: float = 0.0


# Longest matching prefix wins; list prices published by Anthropic and Perplexity.
PRICES: dict[str, Price] = {
    "claude-opus-4-0": Price(15.0, 75.0), "claude-opus-4-1": Price(15.0, 75.0), "claude-opus": Price(5.0, 25.0),
    "claude-sonnet": Price(3.0, 15.0), "claude-3-7-sonnet": Price(3.0, 15.0), "claude-3-5-sonnet": Price(3.0, 15.0),
    "claude-haiku": Price(1.0, 5.0), "claude-3-5-haiku": Price(0.8, 4.0), "claude-3-haiku": Price(0.25, 1.25),
    "claude": Price(3.0, 15.0),
    "sonar-deep-research": Price(2.0, 8.0, 0.005), "sonar-reasoning-pro": Price(2.0, 8.0, 0.006),
    "sonar-reasoning": Price(1.0, 5.0, 0.005), "sonar-pro": Price(3.0, 15.0, 0.006), "sonar": Price(1.0, 1.0, 0.005),
}


def _override(raw: Any, model: str) -> Price:
    if not isinstance(raw, Mapping):
        raise ConfigError(f'[llm.prices."{model}"] must be a table of input, output (and request) prices')
    try:
        return Price(float(raw["input"]), float(raw["output"]), float(raw.get("request", 0.0)))
    except (KeyError, TypeError, ValueError):
        raise ConfigError(f'[llm.prices."{model}"] needs numbers input and output (USD per million tokens)') from None


class PriceTable:
    """The package's prices with tap.toml's ``[llm.prices]`` over them."""

    def __init__(self, overrides: Mapping[str, Any] | None = None) -> None:
        self.prices = dict(PRICES)
        for model, raw in (overrides or {}).items():
            self.prices[str(model)] = _override(raw, str(model))

    def price(self, model: str) -> Price:
        """The price of a model: an exact entry, else the longest prefix, else Sonnet's."""
        matches = [key for key in self.prices if model.startswith(key)]
        return self.prices[max(matches, key=len)] if matches else PRICES["claude"]

    def cost(self, model: str, usage: Mapping[str, Any], *, batch: bool = False) -> float:
        """USD of one call from its usage (input, output, cache read and write tokens)."""
        p = self.price(model)
        tokens = {k: float(usage.get(k) or 0) for k in ("inputTokens", "outputTokens", "cacheReadTokens",
                                                        "cacheWriteTokens")}
        usd = (tokens["inputTokens"] * p.input + tokens["outputTokens"] * p.output
               + tokens["cacheReadTokens"] * p.input * CACHE_READ
               + tokens["cacheWriteTokens"] * p.input * CACHE_WRITE) / MILLION + p.request
        return round(usd * (BATCH if batch else 1.0), 6)

    def estimate(self, model: str, input_tokens: int, max_tokens: int, *, cached: bool = False) -> float:
        """The most a call can cost: every input token at the cache-write price when caching, every output
        token up to max_tokens."""
        usage = {"cacheWriteTokens" if cached else "inputTokens": input_tokens, "outputTokens": max_tokens}
        return self.cost(model, usage)


def price_table(settings: Any) -> PriceTable:
    """The price table of these settings (``[llm.prices]`` of tap.toml over the package's)."""
    return PriceTable(settings.section("llm.prices") if settings is not None else None)
