"""A loopback stand-in of Perplexity's chat completions (the OpenAI shape plus ``citations``, ``search_results``
and ``usage.cost``), with scripted answers: JSON, prose, a model that invents a URL, a refused model."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.fakes.http import write_json

SEARCH = [{"title": "Radio A: new music policy", "url": "https://radioa.example.org/submit", "date": "2026-11-02"},
          {"title": "Morning Show presenter named", "url": "https://news.example.com/radio-a-morning",
           "date": "2026-10-15"}]


class PerplexityState:
    """Scripted answers (the ``content`` string), search results, refused models, requests seen."""

    def __init__(self) -> None:
        self.answers: list[str] = []
        self.search_results: list[dict[str, Any]] = list(SEARCH)
        self.refused_models: set[str] = set()
        self.requests: list[dict[str, Any]] = []
        self.cost = 0.0071

    def reply(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """A chat completion (or Perplexity's 400 for an unknown model)."""
        if body.get("model") in self.refused_models:
            return 400, {"error": {"message": f"Invalid model '{body['model']}'", "type": "invalid_model", "code": 400}}
        content = self.answers.pop(0) if self.answers else json.dumps(
            {"summary": "Radio A plays new indie.", "claims": [{"text": "Takes submissions by link.",
                                                                "sources": [SEARCH[0]["url"]]}]})
        prompt = sum(len(m.get("content", "")) for m in body.get("messages", [])) // 4
        return 200, {"id": "pplx-1", "object": "chat.completion", "created": 1764590400, "model": body.get("model"),
                     "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                                  "message": {"role": "assistant", "content": content, "refusal": None}}],
                     "citations": [r["url"] for r in self.search_results], "search_results": self.search_results,
                     "usage": {"prompt_tokens": prompt, "completion_tokens": len(content) // 4,
                               "total_tokens": prompt + len(content) // 4,
                               "cost": {"total_cost": self.cost, "request_cost": 0.005}}}


class _Handler(BaseHTTPRequestHandler):
    server: "PerplexityFake"

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
        self.server.state.requests.append(body)
        status, data = self.server.state.reply(body)
        write_json(self, status, data, {})


class PerplexityFake(ThreadingHTTPServer):
    """``with PerplexityFake() as fake:`` a stand-in on loopback at ``fake.url``."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = PerplexityState()
        self.url = f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> "PerplexityFake":
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.shutdown()
        self.server_close()
