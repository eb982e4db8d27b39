"""Perplexity's OpenAI-compatible chat completions over httpx."""

from __future__ import annotations

from typing import Any

from totalaudio import integrations
from totalaudio.clients._base import Caller, Failure
from totalaudio.clients._httpx import classify_httpx
from totalaudio.config import Settings

INTEGRATION = integrations.get("perplexity")
DEFAULT_MODEL = "sonar"


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

    def ask(self, system: str, question: str) -> dict[str, Any]:
        """One completion: ``{"answer", "citations"}``."""
        body = {"model": self.model, "messages": [{"role": "system", "content": system},
                                                  {"role": "user", "content": question}]}
        data = self.caller.call("chat_completion", self._post, body)
        choice = (data.get("choices") or [{}])[0]
        return {"answer": (choice.get("message") or {}).get("content"), "citations": data.get("citations", [])}


def build(settings: Settings) -> PerplexityClient:
    """A client from PERPLEXITY_API_KEY and TAP_PERPLEXITY_BASE_URL."""
    env = settings.require("perplexity")
    model = settings.section("perplexity").get("model", DEFAULT_MODEL)
    return PerplexityClient(env["PERPLEXITY_API_KEY"], settings.base_url("perplexity") or "", model)
