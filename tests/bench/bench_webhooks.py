"""Webhook benchmarks: the receiver on loopback (verified events per second, p99 latency) and Make.com
notifications while the receiver is down and back (lost and duplicated webhook-ids). Prints one JSON document.

The receiver runs as a process of its own (uvicorn, one worker), the load generator here: 16 concurrent
keep-alive connections (a minimal asyncio client) sending events signed ahead of time the way Stripe signs them.
Stripe events run the real billing handler (services/billing/events.py: the event log, the invoice or subscription
mirror; a failed payment or a subscription change, 1 in 5 of the mix, becomes a Make.com notification through the
server's outbox to a local recorder); their objects are Stripe's own fixtures (../shared/specs/stripe/fixtures3.json,
about 4 KB each) when present. Mailchimp unsubscribes run the real handler (contact status, journal, run log).
GET /healthz, which touches no store, is the baseline of the stack itself.

The outage is measured twice: notifications sent by the notify service from 4 threads (`makeOutage`), and held
in the store's outbox and sent by the receiver's sender thread, as `tap webhooks serve` does
(`makeOutageThroughTheOutbox`); what still fails after retries is dead-lettered and `tap queue retry` sends it.

Run: python tests/bench/bench_webhooks.py [--events 3000] [--outage 60]
(the outage defaults to 15 s: the minute of the issue, shortened; pass --outage 60 for the full minute)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.webhooks.live import free_port  # noqa: E402

STRIPE_SECRET = "whsec_bench"
MC_SECRET = "bench-mailchimp-path-secret"
CONCURRENCY = 16


def serve_child(port: int) -> None:
    """The receiver process: the real app, handlers and notifier as `tap webhooks serve` runs them."""
    from totalaudio.config import Settings
    from totalaudio.server.app import create_app
    from totalaudio.server.run import serve

    serve(create_app(Settings()), "127.0.0.1", port)


def start_receiver(home: Path, make_url: str) -> tuple[subprocess.Popen, str]:
    """The receiver as a process of its own (rate limits out of the way), notifying the Make.com recorder."""
    port = free_port()
    (home / "tap.toml").write_text("[webhooks]\nrate_limit = 100000\nburst = 100000\nclient_rate_limit = 100000\n"
                                   "client_burst = 100000\n")
    env = {**os.environ, "TAP_HOME": str(home), "TAP_CONFIG": str(home / "tap.toml"), "MAKE_WEBHOOK_URL": make_url,
           "STRIPE_WEBHOOK_SECRET": STRIPE_SECRET, "TAP_MAILCHIMP_WEBHOOK_SECRET": MC_SECRET}
    proc = subprocess.Popen([sys.executable, __file__, "--serve", str(port)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    import httpx

    for _ in range(200):
        try:
            httpx.get(url + "/healthz")
            return proc, url
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError("the receiver did not start")


def fixture_objects() -> dict[str, dict]:
    """Stripe's own invoice and subscription fixtures, or small objects of the same fields when absent."""
    path = ROOT.parent / "shared" / "specs" / "stripe" / "fixtures3.json"
    if path.is_file():
        resources = json.loads(path.read_text())["resources"]
        return {"invoice": resources["invoice"], "subscription": resources["subscription"]}
    return {"invoice": {"object": "invoice", "status": "open", "amount_due": 4900, "currency": "gbp"},
            "subscription": {"object": "subscription", "status": "active", "items": {"data": []}}}


# (type, object, status): 1 in 10 a failed payment and 1 in 10 a subscription change, which both notify
STRIPE_MIX = (("invoice.paid", "invoice", "paid"), ("invoice.payment_failed", "invoice", "open"),
              ("invoice.finalized", "invoice", "open"), ("invoice.paid", "invoice", "paid"),
              ("customer.subscription.updated", "subscription", "past_due"), ("invoice.paid", "invoice", "paid"),
              ("invoice.finalized", "invoice", "open"), ("invoice.upcoming", "invoice", "draft"),
              ("invoice.paid", "invoice", "paid"), ("invoice.finalized", "invoice", "open"))
NOTIFYING = ("invoice.payment_failed", "customer.subscription.updated")


def stripe_event(i: int, objects: dict[str, dict]) -> str:
    """Event i of the mix, on an object of its own, for one of 100 customers."""
    kind, obj_type, status = STRIPE_MIX[i % len(STRIPE_MIX)]
    prefix = "in" if obj_type == "invoice" else "sub"
    obj = {**objects[obj_type], "id": f"{prefix}_bench_{i}", "customer": f"cus_bench_{i % 100}", "status": status}
    return json.dumps({"id": f"evt_bench_{i}", "object": "event", "type": kind, "created": int(time.time()),
                       "api_version": "2025-03-31.basil", "livemode": False, "data": {"object": obj}})


def requests_for(kind: str, count: int, url: str) -> list[tuple[str, bytes, dict]]:
    """(url, body, headers) of each request, signed before the clock starts."""
    import stripe

    out, objects = [], fixture_objects()
    for i in range(count):
        if kind == "stripe":
            body = stripe_event(i, objects)
            header = stripe.WebhookSignature.generate_signature_header(body, STRIPE_SECRET)
            out.append((url + "/stripe", body.encode(), {"stripe-signature": header}))
        elif kind == "mailchimp":
            body = f"type=unsubscribe&data[email]=listener{i}%40station.fm&data[list_id]=bench"
            out.append((f"{url}/mailchimp/{MC_SECRET}", body.encode(),
                        {"content-type": "application/x-www-form-urlencoded"}))
        else:
            out.append((url + "/healthz", b"", {}))
    return out


def raw_request(target: str, body: bytes, headers: dict) -> bytes:
    """The bytes of one keep-alive HTTP/1.1 request."""
    path = "/" + target.split("/", 3)[3]
    lines = [f"{'POST' if body else 'GET'} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    """Send one request and read its whole response; its status."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
    await reader.readexactly(length)
    return int(head.split(b" ", 2)[1])


async def fire(reqs: list[tuple[str, bytes, dict]]) -> dict:
    """Send every request over CONCURRENCY keep-alive connections; events per second and latency percentiles.

    A minimal client on asyncio streams (requests built ahead): the load generator must not be the bottleneck."""
    host, port = reqs[0][0].split("/")[2].split(":")
    latencies, statuses, queue = [], {}, [raw_request(*r) for r in reversed(reqs)]

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        while queue:
            request = queue.pop()
            started = time.perf_counter()
            status = await exchange(reader, writer, request)
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    pick = lambda q: round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 1)  # noqa: E731
    return {"requests": len(reqs), "perSecond": round(len(reqs) / elapsed, 1), "p50Ms": pick(0.50),
            "p95Ms": pick(0.95), "p99Ms": pick(0.99), "statuses": statuses}


def seed_contacts(home: Path, count: int) -> None:
    from totalaudio.store.contacts import ContactStore
    from totalaudio.store.db import open_db

    db = open_db(home / "tap.db")
    ContactStore(db).insert_many([{"email": f"listener{i}@station.fm", "status": "opted-in"} for i in range(count)])
    db.conn.close()


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured(proc: subprocess.Popen, reqs: list) -> dict:
    """fire() plus the receiver's CPU milliseconds per request: the figure the machine's other load does not move."""
    before = cpu_seconds(proc.pid)
    result = asyncio.run(fire(reqs))
    after = cpu_seconds(proc.pid)
    if before is not None and after is not None:
        result["serverCpuMsPerRequest"] = round((after - before) * 1000 / len(reqs), 2)
    return result


def bench_receiver(events: int) -> dict:
    home = Path(tempfile.mkdtemp(prefix="tap-bench-wh-"))
    seed_contacts(home, events)
    recorder = ThreadingHTTPServer(("127.0.0.1", free_port()), Recorder)
    threading.Thread(target=recorder.serve_forever, daemon=True).start()
    proc, url = start_receiver(home, f"http://127.0.0.1:{recorder.server_port}/hook")
    results: dict = {}
    try:
        asyncio.run(fire(requests_for("healthz", 200, url)))  # warm up
        results.update({kind: measured(proc, requests_for(kind, events, url))
                        for kind in ("healthz", "stripe", "mailchimp")})
        results["stripeRepeats"] = measured(proc, requests_for("stripe", events, url))  # every one a duplicate
        results["notifications"] = notifications_delivered(events)
    finally:
        proc.terminate()
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            results["stoppedBy"] = "SIGKILL after 60 s"
        recorder.shutdown()
    return results


def notifications_delivered(events: int, wait: float = 30.0) -> dict:
    """The failed payments' notifications the recorder got (waiting up to ``wait`` s for the sender)."""
    expected = sum(1 for i in range(events) if STRIPE_MIX[i % len(STRIPE_MIX)][0] in NOTIFYING)
    deadline = time.monotonic() + wait
    while len(Recorder.seen) < expected and time.monotonic() < deadline:
        time.sleep(0.1)
    with Recorder.lock:
        seen, Recorder.seen = list(Recorder.seen), []
    return {"expected": expected, "received": len(seen), "uniqueWebhookIds": len(set(seen))}


class Recorder(BaseHTTPRequestHandler):
    """A Make.com webhook stand-in: answers 200 Accepted and records each webhook-id."""

    seen: list[str] = []
    lock = threading.Lock()

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("content-length") or 0))
        with self.lock:
            self.seen.append(self.headers.get("webhook-id", ""))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"Accepted")

    def log_message(self, *args) -> None:
        pass


def bench_outage(outage: float, rate: float) -> dict:
    """Notifications at ``rate`` a second for outage + 5 s; the receiver is down for the first ``outage`` seconds.
    Sent from 4 threads with the client's real backoff; then `tap queue retry --all` delivers what was held."""
    from concurrent.futures import ThreadPoolExecutor

    from totalaudio.config import Settings
    from totalaudio.services import notify, queue
    from totalaudio.store.db import open_db

    home, port = Path(tempfile.mkdtemp(prefix="tap-bench-make-")), free_port()
    settings = Settings(environ={**os.environ, "TAP_HOME": str(home),
                                 "MAKE_WEBHOOK_URL": f"http://127.0.0.1:{port}/hook"})
    total = int((outage + 5) * rate)
    open_db(settings.db_path).conn.close()  # migrated once, before the sending threads open it together
    server = None
    started = time.monotonic()

    def one(i: int) -> dict:
        time.sleep(max(0.0, started + i / rate - time.monotonic()))
        [outcome] = notify.send_many(settings, [{"type": "payment.failed", "data": {"n": i}}])
        return outcome

    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(one, i) for i in range(total)]
        time.sleep(outage)
        server = ThreadingHTTPServer(("127.0.0.1", port), Recorder)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        outcomes = [f.result() for f in futures]
    db = open_db(settings.db_path)
    retried = queue.retry(db, settings, None)
    server.shutdown()
    seen = Recorder.seen
    return {"outageSeconds": outage, "notifications": total, "sentFirstTime": sum(o["outcome"] == "sent" for o in outcomes),
            "deadLettered": sum(o["outcome"] == "dead letter" for o in outcomes),
            "deliveredByQueueRetry": sum(1 for r in retried if r["ok"]), "received": len(seen),
            "lost": total - len(set(seen)), "duplicatedWebhookIds": len(seen) - len(set(seen))}


def bench_outbox_outage(outage: float, rate: float) -> dict:
    """The receiver's own path: notifications held in the outbox at ``rate`` a second for outage + 5 s and sent by
    the server's sender thread (real backoff) while Make.com is down for ``outage`` s, then `tap queue retry`."""
    from totalaudio.config import Settings
    from totalaudio.server.sender import Sender
    from totalaudio.services import queue
    from totalaudio.services.notify import outbox
    from totalaudio.store.db import open_db
    from totalaudio.store.outbox import Outbox

    home, port = Path(tempfile.mkdtemp(prefix="tap-bench-outbox-")), free_port()
    settings = Settings(environ={**os.environ, "TAP_HOME": str(home),
                                 "MAKE_WEBHOOK_URL": f"http://127.0.0.1:{port}/hook"})
    db, total, Recorder.seen = open_db(settings.db_path), int((outage + 5) * rate), []
    sender, started = Sender(settings, poll=0.2), time.monotonic()
    sender.start()
    server = None
    for i in range(total):
        time.sleep(max(0.0, started + i / rate - time.monotonic()))
        with db.conn:
            outbox.hold(settings, db, [{"type": "payment.failed", "data": {"n": i}}], f"bench:{i}")
        if server is None and time.monotonic() - started >= outage:
            server = ThreadingHTTPServer(("127.0.0.1", port), Recorder)
            threading.Thread(target=server.serve_forever, daemon=True).start()
    deadline = time.monotonic() + 120
    while outbox.pending(db) and time.monotonic() < deadline:
        time.sleep(0.2)
    sender.close()
    counts = Outbox(db).counts()
    retried = queue.retry(db, settings, None)
    server.shutdown()
    seen = list(Recorder.seen)
    return {"outageSeconds": outage, "notifications": total, "sentFirstTime": counts.get("sent", 0),
            "deadLettered": counts.get("dead letter", 0), "stillHeld": counts.get("pending", 0),
            "deliveredByQueueRetry": sum(1 for r in retried if r["ok"]), "received": len(seen),
            "lost": total - len(set(seen)), "duplicatedWebhookIds": len(seen) - len(set(seen))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", type=int)
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--outage", type=float, default=15.0)
    parser.add_argument("--rate", type=float, default=10.0)
    args = parser.parse_args()
    if args.serve:
        serve_child(args.serve)
        return
    report = {"machine": {"cpus": os.cpu_count(), "loadAverage1m": round(os.getloadavg()[0], 1)},
              "concurrency": CONCURRENCY,
              "receiver": bench_receiver(args.events), "aim": {"perSecond": 500, "p99Ms": 50},
              "makeOutage": bench_outage(args.outage, args.rate),
              "makeOutageThroughTheOutbox": bench_outbox_outage(args.outage, args.rate)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
