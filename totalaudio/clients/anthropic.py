"""Claude through the anthropic SDK (integration ``claude``)."""

from __future__ import annotations

from typing import Any

from totalaudio import integrations
from totalaudio.clients._base import Caller, Failure, parse_retry_after, status_is_retryable
from totalaudio.config import Settings
from totalaudio.errors import ConfigError, IntegrationError

INTEGRATION = integrations.get("claude")
DEFAULT_MODEL = "claude-sonnet-5-5"  # [claude] model in tap.toml


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
        return self.count(messages=[{"role": "user", "content": text}])

    def count(self, *, messages: list[dict], system: Any = None, tools: list[dict] | None = None) -> int:
        """Input tokens of a whole request (system, tools, messages), without making it."""
        extra = {k: v for k, v in (("system", system), ("tools", tools)) if v}
        result = self._model_call("count_tokens", self.sdk.messages.count_tokens, messages=messages, **extra)
        return int(result.input_tokens)

    def message(self, *, messages: list[dict], max_tokens: int, system: Any = None, tools: list[dict] | None = None,
                tool_choice: dict | None = None) -> dict[str, Any]:
        """One Messages API call with its content blocks and usage (cache reads and writes included)."""
        extra = {k: v for k, v in (("system", system), ("tools", tools), ("tool_choice", tool_choice)) if v}
        reply = self._model_call("messages.create", self.sdk.messages.create, max_tokens=max_tokens,
                                 messages=messages, **extra)
        return message_dict(reply, self.model)

    def _model_call(self, operation: str, fn: Any, **kwargs: Any) -> Any:
        """A call naming the model; a 404 about the model is the setting's fault (exit 3), not an outage."""
        try:
            return self.caller.call(operation, fn, model=self.model, **kwargs)
        except IntegrationError as exc:
            if exc.status == 404 and "model" in exc.error.lower():
                raise ConfigError(f"the Anthropic API refused the model {self.model!r} ({exc.error})",
                                  hint="set [claude] model in tap.toml to a current model, e.g. "
                                       f"model = \"{DEFAULT_MODEL}\"", setting="[claude] model") from None
            raise

    def batch_create(self, requests: list[dict]) -> dict[str, Any]:
        """Start a Message Batch of ``{custom_id, params}`` requests: ``{id, status, counts}``."""
        return batch_dict(self.caller.call("batches.create", self.sdk.messages.batches.create, requests=requests))

    def batch_get(self, batch_id: str) -> dict[str, Any]:
        """A batch's processing status and counts."""
        return batch_dict(self.caller.call("batches.retrieve", self.sdk.messages.batches.retrieve, batch_id))

    def batch_results(self, batch_id: str) -> list[dict[str, Any]]:
        """The results of an ended batch: ``{customId, type, message}`` (message None unless succeeded)."""
        def read() -> list[dict[str, Any]]:
            return [{"customId": r.custom_id, "type": r.result.type,
                     "message": message_dict(r.result.message, self.model) if r.result.type == "succeeded" else None}
                    for r in self.sdk.messages.batches.results(batch_id)]
        return self.caller.call("batches.results", read)

    def create(self, prompt: str, *, system: str | None = None, max_tokens: int = 600) -> dict[str, Any]:
        """One Messages API completion: ``{text, model, inputTokens, outputTokens}``."""
        reply = self.message(messages=[{"role": "user", "content": prompt}], max_tokens=max_tokens, system=system)
        return {"text": "".join(b.get("text", "") for b in reply["content"]).strip(), "model": reply["model"],
                **reply["usage"]}

    def complete(self, prompt: str, *, system: str | None = None, max_tokens: int = 600) -> str:
        """One Messages API completion: the text of the reply (text blocks joined)."""
        return self.create(prompt, system=system, max_tokens=max_tokens)["text"]


def _usage(usage: Any) -> dict[str, int | None]:
    return {"inputTokens": getattr(usage, "input_tokens", None), "outputTokens": getattr(usage, "output_tokens", None),
            "cacheReadTokens": getattr(usage, "cache_read_input_tokens", None) or 0,
            "cacheWriteTokens": getattr(usage, "cache_creation_input_tokens", None) or 0}


def message_dict(message: Any, model: str) -> dict[str, Any]:
    """A Message as plain data: ``{content: [{type, text | name, input}], model, stopReason, usage}``."""
    blocks = []
    for block in getattr(message, "content", None) or []:
        kind = getattr(block, "type", None)
        if kind == "tool_use":
            blocks.append({"type": "tool_use", "name": block.name, "input": block.input})
        elif kind == "text":
            blocks.append({"type": "text", "text": block.text})
    return {"content": blocks, "model": getattr(message, "model", None) or model,
            "stopReason": getattr(message, "stop_reason", None), "usage": _usage(getattr(message, "usage", None))}


def batch_dict(batch: Any) -> dict[str, Any]:
    """A MessageBatch as plain data."""
    counts = getattr(batch, "request_counts", None)
    return {"id": batch.id, "status": batch.processing_status,
            "counts": {k: getattr(counts, k, 0) for k in ("processing", "succeeded", "errored", "canceled",
                                                           "expired")}}


def build(settings: Settings) -> ClaudeClient:
    """A client from ANTHROPIC_API_KEY, TAP_ANTHROPIC_BASE_URL and [claude] model in tap.toml."""
    env = settings.require("claude")
    model = settings.section("claude").get("model", DEFAULT_MODEL)
    return ClaudeClient(env["ANTHROPIC_API_KEY"], settings.base_url("claude"), model)


def health(settings: Settings) -> str:
    """Token counting: authenticated, and costs nothing."""
    tokens = build(settings).count_tokens("ping")
    return f"model reachable ({tokens} tokens counted)"
