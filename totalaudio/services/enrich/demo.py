"""The demo's enrichment step: the example station sites served on loopback, enriched fully offline.

Only these servers' own origins are allowed past the private-address check; nothing else is reachable.
"""

from __future__ import annotations

import functools
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

from totalaudio.clients.web import CrawlPolicy
from totalaudio.services.enrich import runner, service
from totalaudio.store.runs import RunLog

# Example site directory -> the email domain of its contacts in examples/contacts.csv.
DOMAINS = {"harbour-radio": "harbourradio.org.uk", "storm-fm": "stormfm.co.uk", "derwent-fm": "derwentfm.org.au"}


def example_sites() -> Path:
    """examples/sites of a checkout, else the copy packaged in the wheel."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[3] / "examples" / "sites", here.parents[2] / "_examples" / "sites"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("examples/sites is missing from this installation")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve a directory on 127.0.0.1 (a free port) while the block runs; yields its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def enrich_examples(db) -> str:
    """Enrich the demo store's contacts at the example stations from their loopback sites; a one-line summary."""
    root = example_sites()
    chosen, _skipped = service.select(db)
    with serve(root / "harbour-radio") as harbour, serve(root / "storm-fm") as storm, \
            serve(root / "derwent-fm") as derwent:
        urls = {"harbour-radio": harbour, "storm-fm": storm, "derwent-fm": derwent}
        targets = [runner.Target(urls[slug], c.id, c.email, c.station) for c, _t in chosen
                   for slug, domain in DOMAINS.items() if c.email.lower().endswith("@" + domain)]
        policy = CrawlPolicy(delay=0.0, private_allowlist=tuple(u[len("http://"):-1] for u in urls.values()))
        result = service.EnrichResult(dry_run=False, selected=len(targets))
        contacts = {c.id: c for c, _t in chosen}
        applier = service.Applier(db, RunLog(db).start("demo enrich"), contacts, dry_run=False, result=result)
        runner.run(targets, policy, runner.EnrichOptions(), applier)
    best = {r["stationName"]: r["confidence"] for r in result.records}
    return (f"{result.updated} contacts at {len(best)} example stations enriched from loopback sites: "
            + ", ".join(f"{name} {score}/100" for name, score in sorted(best.items())))
