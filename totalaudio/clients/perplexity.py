"""Perplexity's OpenAI-compatible chat completions over httpx."""

from __future__ import annotations

from typing import Any

from totalaudio import integrations
from totalaudio.clients._base import Caller, Failure
from totalaudio.clients._httpx import classify_httpx
from totalaudio.config import Settings
from totalaudio.errors import ConfigError, IntegrationError

INTEGRATION = integrations.get("perplexity")
DEFAULT_MODEL = "sonar"  # [perplexity] model in tap.toml


def classify(exc: BaseException) -> Failure | None:
    """httpx status, connection and timeout errors."""
    return classify_httpx(exc)


class PerplexityClient:
    """Chat completions with citations (every call is paid: nothing here runs from ``tap status``)."""

    def __init__(self, api_key: str, base_url: str, model: str = DEFAULT_MODEL, caller: Caller | None = None):
        import httpx

        self.http = httpx.Client(base_url=base_url, timeout=httpx.Timeout(INTEGRATION.timeout_seconds, connect=5),
                                 headers={"Authorization": f"Bearer {api_key}"})
        self.model = model
        self.caller = caller or Caller(INTEGRATION, classify)

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        resp = self.http.post("/chat/completions", json=body)
        resp.raise_for_status()
        return resp.json()

    def ask(self, system: str, question: str, *, schema: dict[str, Any] | None = None,
            max_tokens: int = 1500) -> dict[str, Any]:
        """One completion: ``{answer, citations, searchResults, model, usage}`` (usage with Perplexity's cost)."""
        body: dict[str, Any] = {"model": self.model, "max_tokens": max_tokens,
                                "messages": [{"role": "system", "content": system},
                                             {"role": "user", "content": question}]}
        if schema is not None:
            body["response_format"] = {"type": "json_schema", "json_schema": {"name": "answer", "schema": schema}}
        try:
            data = self.caller.call("chat_completion", self._post, body)
        except IntegrationError as exc:
            if exc.status in (400, 404) and "model" in exc.error.lower():
                raise ConfigError(f"Perplexity refused the model {self.model!r} ({exc.error[:200]})",
                                  hint=f'set [perplexity] model in tap.toml, e.g. model = "{DEFAULT_MODEL}"',
                                  setting="[perplexity] model") from None
            raise
        return answer_dict(data, self.model)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def answer_dict(data: Any, model: str) -> dict[str, Any]:
    """A chat completion as plain data, whatever its shape (missing or odd fields become empty)."""
    data = data if isinstance(data, dict) else {}
    choice = (_list(data.get("choices")) or [{}])[0]
    message = choice.get("message") if isinstance(choice, dict) else None
    content = message.get("content") if isinstance(message, dict) else None
    usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
    cost = usage.get("cost")
    total = cost.get("total_cost") if isinstance(cost, dict) else cost
    return {"answer": content if isinstance(content, str) else "",
            "citations": [c for c in _list(data.get("citations")) if isinstance(c, str)],
            "searchResults": [r for r in _list(data.get("search_results")) if isinstance(r, dict)],
            "model": data.get("model") if isinstance(data.get("model"), str) else model,
            "usage": {"inputTokens": usage.get("prompt_tokens"), "outputTokens": usage.get("completion_tokens"),
                      "costUsd": total if isinstance(total, (int, float)) and not isinstance(total, bool) else None}}


def build(settings: Settings) -> PerplexityClient:
    """A client from PERPLEXITY_API_KEY and TAP_PERPLEXITY_BASE_URL."""
    env = settings.require("perplexity")
    model = settings.section("perplexity").get("model", DEFAULT_MODEL)
    return PerplexityClient(env["PERPLEXITY_API_KEY"], settings.base_url("perplexity") or "", model)
