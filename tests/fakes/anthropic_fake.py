"""A stateful loopback stand-in of Anthropic's Messages API, answering in the API's shapes.

Prism checks the SDK's requests against the API description but is stateless; this fake scripts replies (a
narrative with a wrong number, a page-following answer, a refused model), counts tokens (about four characters a
token) and prompt caching the way the API does (a prefix up to the last ``cache_control`` block, at least 1,024
tokens, is written once and read back later), and runs Message Batches that end after a few status polls.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

MIN_CACHEABLE = 1024


def tokens(value: Any) -> int:
    """About four characters a token, as a stand-in for the real tokenizer."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return max(1, len(text) // 4)


def _blocks(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The request in the order the API caches it: tools, system, messages."""
    out = [dict(t) for t in body.get("tools") or []]
    system = body.get("system")
    out += [{"type": "text", "text": system}] if isinstance(system, str) else list(system or [])
    for message in body.get("messages", []):
        content = message["content"]
        out += [{"type": "text", "text": content}] if isinstance(content, str) else list(content)
    return out


def default_answer(body: dict[str, Any]) -> dict[str, Any]:
    """A valid, number-free answer for each of tap's tools."""
    name = (body.get("tool_choice") or {}).get("name") or ""
    return {
        "write_report": {"paragraphs": ["The campaign reached its contacts and people responded."],
                         "recommendations": ["Chase the people who opened it."]},
        "write_pitch": {"subjects": ["New single: First Light", "A fit for {{station}}"],
                        "body": "Hi {{first_name}},\n\nA new single that suits {{station}}. Could you give it a spin?"
                                "\n\nThanks"},
        "write_posts": {"posts": [{"network": n, "text": f"New single out now ({n})."} for n in
                                  ("x", "bluesky", "instagram", "threads", "facebook", "linkedin")]},
        "write_reading": {"paragraphs": ["Replies come mostly from the stations that opened early."]},
    }.get(name, {})


class AnthropicState:
    """What the fake remembers: scripted replies, refused models, the prompt cache, batches, requests seen."""

    def __init__(self) -> None:
        self.replies: list[Any] = []  # tool inputs (dict), ("text", str) or ("error", status, type, message)
        self.answer: Callable[[dict[str, Any]], Any] = default_answer
        self.refused_models: set[str] = set()
        self.cache: set[str] = set()
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.batches: dict[str, dict[str, Any]] = {}
        self.polls_to_end = 2
        self.ids = itertools.count(1)
        self.lock = threading.RLock()

    def usage(self, body: dict[str, Any]) -> dict[str, int]:
        """Input tokens split into cache reads, cache writes and the rest, as the API counts them."""
        blocks = _blocks(body)
        total = sum(tokens(b.get("text", b.get("input_schema", b))) for b in blocks)
        marked = [i for i, b in enumerate(blocks) if b.get("cache_control")]
        if not marked:
            return {"input_tokens": total, "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0}
        prefix = blocks[:marked[-1] + 1]
        size = sum(tokens(b.get("text", b.get("input_schema", b))) for b in prefix)
        if size < MIN_CACHEABLE:
            return {"input_tokens": total, "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0}
        key = body["model"] + hashlib.sha256(json.dumps(prefix, sort_keys=True).encode()).hexdigest()
        hit = key in self.cache
        self.cache.add(key)
        return {"input_tokens": total - size, "cache_read_input_tokens": size if hit else 0,
                "cache_creation_input_tokens": 0 if hit else size}

    def message(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """A Message (or an error) for a Messages request."""
        if body.get("model") in self.refused_models:
            return 404, {"type": "error", "error": {"type": "not_found_error", "message": f"model: {body['model']}"}}
        reply = self.replies.pop(0) if self.replies else self.answer(body)
        if isinstance(reply, tuple) and reply[0] == "error":
            return reply[1], {"type": "error", "error": {"type": reply[2], "message": reply[3]}}
        if isinstance(reply, tuple):
            content = [{"type": "text", "text": reply[1]}]
        else:
            name = (body.get("tool_choice") or {}).get("name") or "tool"
            content = [{"type": "tool_use", "id": f"toolu_{next(self.ids):06d}", "name": name, "input": reply}]
        usage = {**self.usage(body), "output_tokens": tokens(content)}
        return 200, {"id": f"msg_{next(self.ids):06d}", "type": "message", "role": "assistant", "model": body["model"],
                     "content": content, "stop_reason": "tool_use" if content[0]["type"] == "tool_use" else "end_turn",
                     "stop_sequence": None, "usage": usage}


class _Handler(BaseHTTPRequestHandler):
    server: "AnthropicFake"

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, data: Any, content_type: str = "application/json") -> None:
        body = data if isinstance(data, bytes) else json.dumps(data).encode()
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("request-id", f"req_{status}")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
        path = self.path.split("?")[0]
        state = self.server.state
        with state.lock:
            state.requests.append((path, body))
            if path == "/v1/messages":
                self._send(*state.message(body))
            elif path == "/v1/messages/count_tokens":
                if body.get("model") in state.refused_models:
                    self._send(*state.message(body))
                else:
                    self._send(200, {"input_tokens": tokens_of(body)})
            elif path == "/v1/messages/batches":
                self._send(200, self.server.create_batch(body))
            else:
                self._send(404, {"type": "error", "error": {"type": "not_found_error", "message": path}})

    def do_GET(self) -> None:  # noqa: N802
        parts = self.path.split("?")[0].strip("/").split("/")
        state = self.server.state
        with state.lock:
            batch = state.batches.get(parts[3]) if len(parts) >= 4 else None
            if batch is None:
                self._send(404, {"type": "error", "error": {"type": "not_found_error", "message": "no such batch"}})
            elif parts[-1] == "results":
                lines = "\n".join(json.dumps(r) for r in batch["results"]) + "\n"
                self._send(200, lines.encode(), "application/x-jsonl")
            else:
                batch["polls"] += 1
                self._send(200, self.server.batch_view(batch))


def tokens_of(body: dict[str, Any]) -> int:
    """Input tokens of a request, before caching."""
    return sum(tokens(b.get("text", b.get("input_schema", b))) for b in _blocks(body))


class AnthropicFake(ThreadingHTTPServer):
    """``with AnthropicFake() as fake:`` a stand-in on loopback at ``fake.url``."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = AnthropicState()
        self.url = f"http://127.0.0.1:{self.server_address[1]}"

    def create_batch(self, body: dict[str, Any]) -> dict[str, Any]:
        """Start a batch: each request is answered now, released when the batch ends (billed at 50%)."""
        batch_id = f"msgbatch_{next(self.state.ids):06d}"
        results = []
        for request in body["requests"]:
            status, message = self.state.message(request["params"])
            result = {"type": "succeeded", "message": message} if status == 200 else \
                {"type": "errored", "error": message}
            results.append({"custom_id": request["custom_id"], "result": result})
        self.state.batches[batch_id] = {"id": batch_id, "results": results, "polls": 0}
        return self.batch_view(self.state.batches[batch_id])

    def batch_view(self, batch: dict[str, Any]) -> dict[str, Any]:
        """The MessageBatch object of a batch as it stands."""
        ended = batch["polls"] >= self.state.polls_to_end
        n = len(batch["results"])
        ok = sum(r["result"]["type"] == "succeeded" for r in batch["results"])
        return {"id": batch["id"], "type": "message_batch", "processing_status": "ended" if ended else "in_progress",
                "request_counts": {"processing": 0 if ended else n, "succeeded": ok if ended else 0,
                                   "errored": n - ok if ended else 0, "canceled": 0, "expired": 0},
                "ended_at": "2026-12-01T12:00:00Z" if ended else None, "created_at": "2026-12-01T11:00:00Z",
                "expires_at": "2026-12-02T11:00:00Z", "archived_at": None, "cancel_initiated_at": None,
                "results_url": f"{self.url}/v1/messages/batches/{batch['id']}/results" if ended else None}

    def __enter__(self) -> "AnthropicFake":
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.shutdown()
        self.server_close()
