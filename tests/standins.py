"""Local stand-ins for external services, started on 127.0.0.1 for the duration of a test session.

Prism serves the official API descriptions in ../shared/specs; localstripe is the stateful Stripe fake.
Missing stand-ins skip their tests with a reason, except under CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TAP_SHARED_DIR", REPO.parent / "shared"))
SPECS = SHARED / "specs"
CORPUS = SHARED / "corpus"
PRISM = REPO / "node_modules" / ".bin" / "prism"
PRISM_SPECS = {
    "mailchimp": "mailchimp/marketing.openapi3.v3.0.85.prism-fixed.json",
    "anthropic": "anthropic/anthropic.openapi.2024-11-04.prism-fixed.json",
    "openai": "openai/chat-completions.subset.prism-fixed.json",
}


def unavailable(reason: str) -> None:
    """Skip a test whose stand-in or data is missing; under CI that is a failure, not a skip."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must provide this: {reason}")
    pytest.skip(reason)


def shared_file(relative: str) -> Path:
    """A file of ../shared, or skip with the reason."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"{path} is absent (third-party data kept beside the repo in ../shared)")
    return path


def bound_socket(port: int = 0) -> socket.socket:
    """A loopback TCP socket bound to ``port`` (0: a free one) and not listening yet: the port is held from here
    on (connections to it are refused until a server listens on the socket), so no one else can take it."""
    sock = socket.socket()
    try:
        sock.bind(("127.0.0.1", port))
    except OSError:
        sock.close()
        raise
    return sock


def free_port() -> int:
    """An unused TCP port on loopback, for a child process to listen on (another may take it in the meantime;
    a server of this process listens on a bound_socket() instead)."""
    with bound_socket() as sock:
        return sock.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    """Block until something listens on the port, or fail with the process's output."""
    from tests.waiting import eventually

    def listening() -> bool:
        if proc.poll() is not None:
            raise RuntimeError(f"stand-in exited early: {proc.stdout.read() if proc.stdout else ''}")
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", port)) == 0

    if not eventually(listening, timeout, interval=0.1):
        raise RuntimeError(f"stand-in did not listen on {port} within {timeout}s")


class Server:
    """A started stand-in: its base URL and process."""

    def __init__(self, url: str, proc: subprocess.Popen) -> None:
        self.url = url
        self.proc = proc

    def stop(self) -> None:
        """Terminate the process and wait for it."""
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def start_prism(name: str) -> Server:
    """Prism mocking one of PRISM_SPECS on a free loopback port."""
    if not PRISM.exists():
        unavailable(f"Prism is not installed ({PRISM}); run `npm install` in the repo")
    spec = shared_file(f"specs/{PRISM_SPECS[name]}")
    port = free_port()
    proc = subprocess.Popen([str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), str(spec)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wait_for_port(port, proc, timeout=180)  # Prism took 37 s to read Mailchimp's description on a loaded machine
    return Server(f"http://127.0.0.1:{port}", proc)


LOCALSTRIPE_MAIN = (
    "import sys, aiohttp.web\n"
    "from localstripe.server import app\n"
    "aiohttp.web.run_app(app, host='127.0.0.1', port=int(sys.argv[1]), print=None)\n"
)


def start_localstripe() -> Server:
    """localstripe bound to loopback (its own CLI listens on every interface)."""
    try:
        import localstripe  # noqa: F401
    except ImportError:
        unavailable("localstripe is not installed (pip install -e '.[test]')")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", LOCALSTRIPE_MAIN, str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wait_for_port(port, proc, timeout=90)
    return Server(f"http://127.0.0.1:{port}", proc)


class RequestsRecorder:
    """Records every (request, response) that goes through ``requests`` (pyairtable, mailchimp-marketing).

    Prism reports request violations in the ``sl-violations`` response header; ``violations()`` collects them.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import requests

        self.exchanges: list = []
        original = requests.Session.send

        def send(session, request, **kwargs):
            response = original(session, request, **kwargs)
            self.exchanges.append((request, response))
            return response

        monkeypatch.setattr(requests.Session, "send", send)

    def violations(self) -> list[str]:
        """Every sl-violations header value seen."""
        return [r.headers["sl-violations"] for _, r in self.exchanges if "sl-violations" in r.headers]
