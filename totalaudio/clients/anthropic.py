"""Claude through the anthropic SDK (integration ``claude``)."""

from __future__ import annotations

from typing import Any

from totalaudio import integrations
from totalaudio.clients._base import Caller, Failure, parse_retry_after, status_is_retryable
from totalaudio.config import Settings

INTEGRATION = integrations.get("claude")
DEFAULT_MODEL = "claude-sonnet-5-5"


def classify(exc: BaseException) -> Failure | None:
    """APIStatusError carries status and request id; connection and timeout errors are retryable."""
    import anthropic

    if isinstance(exc, anthropic.APIStatusError):
        retry_after = parse_retry_after(exc.response.headers.get("retry-after"))
        return Failure(f"HTTP {exc.status_code}: {exc.message}", status=exc.status_code,
                       retryable=status_is_retryable(exc.status_code), retry_after=retry_after,
                       request_id=exc.request_id)
    if isinstance(exc, (anthropic.APIConnectionError, anthropic.APITimeoutError)):
        return Failure(f"cannot reach the API: {exc.__class__.__name__}", retryable=True)
    return None


class ClaudeClient:
    """Messages API of one Anthropic account."""

    def __init__(self, api_key: str, base_url: str | None = None, model: str = DEFAULT_MODEL,
                 caller: Caller | None = None):
        import anthropic

        self.sdk = anthropic.Anthropic(api_key=api_key, base_url=base_url, max_retries=0,
                                       timeout=INTEGRATION.timeout_seconds)
        self.model = model
        self.caller = caller or Caller(INTEGRATION, classify)

    def count_tokens(self, text: str) -> int:
        """Tokens a one-message prompt would use (free: no completion is made)."""
        result = self.caller.call("count_tokens", self.sdk.messages.count_tokens, model=self.model,
                                  messages=[{"role": "user", "content": text}])
        return int(result.input_tokens)

    def create(self, prompt: str, *, system: str | None = None, max_tokens: int = 600) -> dict[str, Any]:
        """One Messages API completion: ``{text, model, inputTokens, outputTokens}``."""
        kwargs = {"system": system} if system else {}
        message = self.caller.call("messages.create", self.sdk.messages.create, model=self.model,
                                   max_tokens=max_tokens, messages=[{"role": "user", "content": prompt}], **kwargs)
        usage = getattr(message, "usage", None)
        return {"text": "".join(getattr(block, "text", "") for block in message.content).strip(),
                "model": getattr(message, "model", None) or self.model,
                "inputTokens": getattr(usage, "input_tokens", None),
                "outputTokens": getattr(usage, "output_tokens", None)}

    def complete(self, prompt: str, *, system: str | None = None, max_tokens: int = 600) -> str:
        """One Messages API completion: the text of the reply (text blocks joined)."""
        return self.create(prompt, system=system, max_tokens=max_tokens)["text"]


def build(settings: Settings) -> ClaudeClient:
    """A client from ANTHROPIC_API_KEY, TAP_ANTHROPIC_BASE_URL and [claude] model in tap.toml."""
    env = settings.require("claude")
    model = settings.section("claude").get("model", DEFAULT_MODEL)
    return ClaudeClient(env["ANTHROPIC_API_KEY"], settings.base_url("claude"), model)


def health(settings: Settings) -> str:
    """Token counting: authenticated, and costs nothing."""
    tokens = build(settings).count_tokens("ping")
    return f"model reachable ({tokens} tokens counted)"
