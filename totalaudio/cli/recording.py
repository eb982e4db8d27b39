"""``tap --record-http DIR``: a vcrpy cassette of one run's HTTP exchanges, every secret and token scrubbed,
to attach to a bug report (and to replay in a test, so a reported exchange becomes a regression test)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from totalaudio.redact import MASK, SECRET_KEYS, redact

QUERY_SECRETS = ("api_key", "apikey", "key", "access_token", "token", "client_secret", "refresh_token")


def cassette_path(directory: Path, command: list[str]) -> Path:
    """DIR/tap-<UTC time>-<command words>.yaml"""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    words = "-".join(w for w in command if w.isidentifier())[:40] or "run"
    return directory / f"tap-{stamp}-{words}.yaml"


def _text(body: Any) -> Any:
    """A body with every secret redacted (bytes stay bytes; binary bodies pass untouched)."""
    if isinstance(body, bytes):
        try:
            return redact(body.decode("utf-8")).encode("utf-8")
        except UnicodeDecodeError:
            return body
    return redact(body) if isinstance(body, str) else body


def scrub_request(request: Any) -> Any:
    """The request as it may be stored: URI and body redacted (headers are filtered by vcrpy's own rules)."""
    request.uri = redact(request.uri)
    request.body = _text(request.body)
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """The response as it may be stored: body and header values redacted, cookies dropped."""
    body = response.get("body") or {}
    if "string" in body:
        body["string"] = _text(body["string"])
    headers = response.get("headers") or {}
    for name in list(headers):
        if name.lower() in SECRET_KEYS:
            headers[name] = [MASK]
        elif name.lower() == "content-length" and isinstance(body.get("string"), (str, bytes)):
            size = body["string"] if isinstance(body["string"], bytes) else body["string"].encode("utf-8")
            headers[name] = [str(len(size))]  # the body may be shorter now
        else:
            headers[name] = [redact(v) if isinstance(v, str) else v for v in headers[name]]
    return response


def recorder(path: Path, record_mode: str = "all") -> Any:
    """A vcrpy cassette context for ``path`` with tap's scrubbing (``record_mode="none"`` replays only)."""
    import vcr

    config = vcr.VCR(record_mode=record_mode, decode_compressed_response=True,
                     filter_headers=[(name, MASK) for name in SECRET_KEYS],
                     filter_query_parameters=[(name, MASK) for name in QUERY_SECRETS],
                     filter_post_data_parameters=[(name, MASK) for name in QUERY_SECRETS],
                     before_record_request=scrub_request, before_record_response=scrub_response)
    return config.use_cassette(str(path))


@contextmanager
def recording(directory: Path, command: list[str]) -> Iterator[Path]:
    """Record every HTTP exchange of the block into a new cassette under ``directory``; the file is written
    when the block ends, also when the run fails (a failing exchange is what a bug report needs); its path is
    noted on stderr after a successful run (after a failure stderr carries only the error)."""
    from totalaudio.store.db import private_files

    with private_files():
        directory.mkdir(parents=True, exist_ok=True)
    path = cassette_path(directory, command)
    with recorder(path):
        yield path
    if path.exists():
        import sys

        sys.stderr.write(f"recorded HTTP exchanges to {path}\n")
