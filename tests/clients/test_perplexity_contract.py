"""Perplexity's request (chat completions with a JSON-schema response format) against Prism serving the
OpenAI-compatible description: no request violations, and the answer parsed whatever Prism returns."""

import pytest

from totalaudio.clients.perplexity import PerplexityClient
from totalaudio.services.research.service import SCHEMA, SYSTEM


@pytest.mark.standin
def test_research_request_is_valid(prism_openai):
    seen = []
    client = PerplexityClient("pplx-test", prism_openai.url, model="sonar")
    client.http.event_hooks["response"] = [lambda r: seen.append(r)]
    answer = client.ask(SYSTEM, "<subject>Radio A</subject>", schema=SCHEMA)
    assert [r.status_code for r in seen] == [200]
    assert set(answer) == {"answer", "citations", "searchResults", "model", "usage"}
    assert isinstance(answer["answer"], str)
