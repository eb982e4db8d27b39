"""Enrichment throughput: 500 synthetic station sites of 6 pages on a loopback server that answers after 50 ms.

Run: ``python tests/bench/bench_enrich_throughput.py [--sites 500] [--delay 0.5] [--rounds 3]``. Prints JSON: sites/s
measured against the bound the concurrency settings allow, and the median parse-and-extract time per page.

The bound: at most ``concurrency`` requests in flight, each taking at least the server's 50 ms, so at most
``concurrency / 0.05`` requests/s; a site costs its 6 pages plus one robots.txt request. The per-host delay does
not lower that bound as long as enough sites are in flight (the runner keeps ``16 x concurrency`` sites open).
``httpStackSharedPool`` and ``httpStackPerSite`` are the same server and concurrency through httpx with nothing of
tap around it (one shared keep-alive pool; each site its own connections, as a crawl of distinct hosts needs);
``aiohttpStackPerSite`` the latter through aiohttp, the crawler's own transport; and ``rawFloor`` the same traffic
with no HTTP library at all (hand-written requests on one socket per site): what the HTTP stacks, and what this
server and machine, allow any client. ``shareOfStackPerSite`` (of aiohttp alone), ``shareOfHttpxStackPerSite`` and
``shareOfRawFloor`` are tap's share of those. Every client runs on the event loop the crawl uses (uvloop where
installed); CPU ms per request are given beside the rates (steadier than a rate on a busy machine): tap's
``clientCpuMsPerRequest`` is the fetching process's, ``parseWorkersCpuMsPerPage`` its parse workers'
(their start-up included).

The machine is shared and its load changes by the second, so tap and the baselines are measured in turn,
``--rounds`` times, and each share is given as median, min and max over the rounds (``rounds`` lists them with the
load average). The server runs on the same cores (on uvloop, so that it takes as little of them as it can;
``--plain-server`` for asyncio's loop) and reports the latency it really kept (``serverMeanLatencyMs``: from a
request read to its answer written; the bound counts 50 ms) and its CPU per request.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import socket
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

LATENCY = 0.05
PAGES = ("/", "/contact/", "/submit/", "/shows/", "/about/", "/presenters/")


def page(site: str, path: str) -> bytes:
    """A realistic station page (~10 KB): head with scripts, a long menu, prose, a schedule, a busy footer."""
    nav = " ".join(f'<li><a href="{p}">{p.strip("/") or "home"}</a></li>' for p in PAGES)
    menu = "".join(f'<li class="menu-item"><a href="/news/2024/0{i % 9 + 1}/story-{i}/">Story {i}</a></li>'
                   for i in range(30))
    rows = "".join(f"<tr><td>{d}</td><td>{h}pm - {h + 2}pm</td><td>Show {d} {h}</td><td class='host'>Host {h}</td></tr>"
                   for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday") for h in (6, 8))
    prose = ("<p>We are a community radio station playing indie, punk and drum & bass from local artists. "
             "Send us your music by email with a streaming link and a short bio; no attachments please.</p>") * 6
    script = "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}" + "x" * 1500 + "</script>"
    style = "<style>" + ".menu-item a{color:#333;padding:4px}" * 40 + "</style>"
    footer = "".join(f'<a href="/page-{i}/">Footer link {i}</a> ' for i in range(20))
    body = (f"<!doctype html><html><head><title>{site} FM | {path}</title>{style}{script}"
            f"<meta name='description' content='{site} community radio'></head><body>"
            f"<nav><ul>{nav}</ul><ul class='menu'>{menu}</ul></nav><h1>{site} {path}</h1>{prose}"
            f"<h2>Submit your music</h2><p>Email music [at] {site}.org (dot) uk or call 01632 960{len(path):03d}.</p>"
            f"<table class='schedule'>{rows}</table><footer>{footer}<a href='https://www.facebook.com/{site}'>fb</a>"
            f"<a href='https://www.instagram.com/{site}/'>ig</a><a href='mailto:hello@{site}.org.uk'>mail</a>"
            f"</footer></body></html>")
    return body.encode()


STATS = {"requests": 0, "holdSeconds": 0.0}


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """HTTP/1.1 with keep-alive; every answer after LATENCY seconds. ``/__stats``: requests served, the seconds from
    reading each request to writing its answer (the latency the client really met), the server's CPU seconds."""
    latency = float(os.environ.get("BENCH_LATENCY", LATENCY))
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            started = time.perf_counter()
            line, *headers = head.decode("latin-1").split("\r\n")
            path = line.split(" ")[1]
            host = next((h.split(":", 1)[1].strip() for h in headers if h.lower().startswith("host:")), "x")
            if path == "/__stats":
                body = json.dumps({**STATS, "cpuSeconds": time.process_time()}).encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
                continue
            await asyncio.sleep(latency)
            if path == "/robots.txt":
                status, body, ctype = "404 Not Found", b"", "text/plain"
            else:
                status, body, ctype = "200 OK", page(host.split(".")[0], path), "text/html; charset=utf-8"
            writer.write(f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n"
                         .encode() + body)
            STATS["requests"] += 1
            STATS["holdSeconds"] += time.perf_counter() - started
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def serve(port: int, fast: bool = True) -> None:
    """The server process, on uvloop where installed (``fast``): it shares the client's cores, and the CPU it spends
    per request is the client's loss (see ``serverCpuMsPerRequest``)."""
    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
        async with server:
            await server.serve_forever()

    factory = None
    if fast:
        try:
            import uvloop
            factory = uvloop.new_event_loop
        except ImportError:
            pass
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(main())


def server_stats(port: int) -> dict:
    """The server's counters (see ``handle``)."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"GET /__stats HTTP/1.1\r\nHost: stats\r\n\r\n")
        data = b""
        while b"}" not in data:
            data += sock.recv(65536)
    return json.loads(data.split(b"\r\n\r\n", 1)[1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def loopback(host: str, port: int) -> list[str]:
    return ["127.0.0.1"]


def warm_imports() -> None:
    """Import what the crawler imports lazily, before the clock starts: a process start-up cost, not a rate."""
    import aiohttp  # noqa: F401
    import protego  # noqa: F401
    import selectolax.lexbor  # noqa: F401


def run(sites: int, concurrency: int, delay: float, port: int, parse_workers: int | None = None) -> dict:
    from totalaudio.clients.web import CrawlPolicy
    from totalaudio.services.enrich.runner import MAX_PARSE_WORKERS, EnrichOptions, Target
    from totalaudio.services.enrich.runner import run as enrich_run
    from totalaudio.services.enrich.workers import default_workers

    warm_imports()
    targets = [Target(f"http://site{i}.bench.test:{port}/") for i in range(sites)]
    policy = CrawlPolicy(concurrency=concurrency, per_host=2, delay=delay, allow_private=True)
    records = []
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    workers_before = resource.getrusage(resource.RUSAGE_CHILDREN)  # the parse workers, once the run has reaped them
    progress = enrich_run(targets, policy, EnrichOptions(budget=len(PAGES), parse_workers=parse_workers), lambda _t, r: records.append(r),
                          resolver=loopback)
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    cpu_seconds = (cpu.ru_utime - cpu_before.ru_utime) + (cpu.ru_stime - cpu_before.ru_stime)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_seconds = (workers.ru_utime - workers_before.ru_utime) + (workers.ru_stime - workers_before.ru_stime)
    requests_per_site = len(PAGES) + 1
    latency = float(os.environ.get("BENCH_LATENCY", LATENCY))
    bound = concurrency / latency / requests_per_site
    rate = sites / progress.elapsed
    return {
        "sites": sites, "pagesPerSite": len(PAGES), "requestsPerSite": requests_per_site,
        "serverLatencyMs": latency * 1000, "concurrency": concurrency, "perHost": 2, "politeDelayS": delay,
        "elapsedS": round(progress.elapsed, 2), "pagesFetched": progress.pages, "errors": progress.errors,
        "sitesPerSecond": round(rate, 2), "boundSitesPerSecond": round(bound, 2),
        "shareOfBound": round(rate / bound, 3),
        "medianParseExtractMsPerPage": round(statistics.median(progress.parse_seconds) * 1000, 3),
        "p95ParseExtractMsPerPage": round(sorted(progress.parse_seconds)[int(len(progress.parse_seconds) * .95)]
                                          * 1000, 3),
        "clientCpuSeconds": round(cpu_seconds, 2), "clientCpuShareOfWall": round(cpu_seconds / progress.elapsed, 2),
        "clientCpuMsPerRequest": round(cpu_seconds / (sites * requests_per_site) * 1000, 3),
        "parseWorkersCpuMsPerPage": round(worker_seconds / max(1, progress.pages) * 1000, 3),
        "clientAndWorkersCpuShareOfWall": round((cpu_seconds + worker_seconds) / progress.elapsed, 2),
        "parseWorkers": (f"auto ({default_workers(os.cpu_count(), MAX_PARSE_WORKERS)})" if parse_workers is None
                         else parse_workers),
        "loadAverage1m": round(os.getloadavg()[0], 2), "cpus": os.cpu_count(),
        "allRecordsHaveEmails": all(r.scraped_data.additional_contacts for r in records),
        "notTimed": "imports of aiohttp, protego, selectolax (done once per process, before the clock)",
    }


def stack_alone(port: int, sites: int, concurrency: int, per_site: bool) -> dict:
    """The same server and concurrency through httpx alone (no robots rules, politeness, parsing or extraction):
    what the HTTP stack and this machine allow. ``per_site``: each site its own client and connections, as a crawl
    of distinct hosts must; else one shared keep-alive pool (the best case, which no crawl of many hosts has)."""
    import httpx

    paths = ("/robots.txt", *PAGES) if per_site else PAGES
    gate = asyncio.Semaphore(concurrency)

    async def site(i: int, client: httpx.AsyncClient) -> None:
        for path in paths:
            async with gate:
                response = await client.get(f"http://127.0.0.1:{port}{path}", headers={"Host": f"site{i}.bench.test"})
                assert response.status_code in (200, 404)

    async def own_client(i: int, sites_open: asyncio.Semaphore) -> None:
        async with sites_open, httpx.AsyncClient(verify=False) as client:  # plain http: no CA bundle to load
            await site(i, client)

    async def main() -> float:
        started = time.monotonic()
        if per_site:
            sites_open = asyncio.Semaphore(concurrency * 16)
            await asyncio.gather(*(own_client(i, sites_open) for i in range(sites)))
        else:
            limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
            async with httpx.AsyncClient(limits=limits) as client:
                await asyncio.gather(*(site(i, client) for i in range(sites)))
        return time.monotonic() - started

    return rate(sites * len(paths), concurrency, main)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rate(requests: int, concurrency: int, main) -> dict:
    """Run ``main`` (which returns its elapsed seconds) on the crawl's loop: requests/s, its share of the bound,
    CPU ms per request (less sensitive than the rate to a busy machine)."""
    cpu = cpu_seconds()
    elapsed = on_crawl_loop(main())
    cpu = cpu_seconds() - cpu
    bound = concurrency / float(os.environ.get("BENCH_LATENCY", LATENCY))
    return {"requests": requests, "requestsPerSecond": round(requests / elapsed, 1),
            "shareOfBound": round(requests / elapsed / bound, 3), "cpuMsPerRequest": round(cpu / requests * 1000, 3)}


def aiohttp_alone(port: int, sites: int, concurrency: int) -> dict:
    """``stack_alone(per_site=True)`` through aiohttp: each site its own session and connections, robots.txt and
    the pages read in full, nothing of tap around it; on the crawler's own event loop (uvloop where installed)."""
    import aiohttp

    paths = ("/robots.txt", *PAGES)
    gate = asyncio.Semaphore(concurrency)

    async def site(i: int, sites_open: asyncio.Semaphore) -> None:
        async with sites_open, aiohttp.ClientSession() as session:
            for path in paths:
                async with gate, session.get(f"http://127.0.0.1:{port}{path}",
                                             headers={"Host": f"site{i}.bench.test"}) as response:
                    await response.read()
                    assert response.status in (200, 404)

    async def main() -> float:
        started = time.monotonic()
        sites_open = asyncio.Semaphore(concurrency * 16)
        await asyncio.gather(*(site(i, sites_open) for i in range(sites)))
        return time.monotonic() - started

    return rate(sites * len(paths), concurrency, main)


def raw_floor(port: int, sites: int, concurrency: int) -> dict:
    """The same traffic with no HTTP library at all (each site one socket, the request written by hand, the answer
    read by its Content-Length): what this server and machine allow any client."""
    gate = asyncio.Semaphore(concurrency)

    async def site(i: int, sites_open: asyncio.Semaphore) -> None:
        async with sites_open:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            for path in ("/robots.txt", *PAGES):
                async with gate:
                    writer.write(f"GET {path} HTTP/1.1\r\nHost: site{i}.bench.test\r\n\r\n".encode())
                    head = await reader.readuntil(b"\r\n\r\n")
                    length = int(head.lower().split(b"content-length:", 1)[1].split(b"\r\n", 1)[0])
                    await reader.readexactly(length)
            writer.close()

    async def main() -> float:
        started = time.monotonic()
        sites_open = asyncio.Semaphore(concurrency * 16)
        await asyncio.gather(*(site(i, sites_open) for i in range(sites)))
        return time.monotonic() - started

    return rate(sites * (len(PAGES) + 1), concurrency, main)


def on_crawl_loop(coro):
    """Run on the event loop the crawl runs on (uvloop where installed), so that every client is measured alike."""
    from totalaudio.services.enrich.runner import _loop_factory

    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        return runner.run(coro)


def with_server_figures(port: int, measure) -> dict:
    """``measure()``'s figures and the server's side of them: the latency it really kept (its mean time from a
    request read to its answer written) and its CPU per request (taken from the client's two cores)."""
    before = server_stats(port)
    figures = measure()
    after = server_stats(port)
    served = max(1, after["requests"] - before["requests"])
    return {**figures, "serverMeanLatencyMs": round((after["holdSeconds"] - before["holdSeconds"]) / served * 1000, 2),
            "serverCpuMsPerRequest": round((after["cpuSeconds"] - before["cpuSeconds"]) / served * 1000, 3)}


BASELINES = ("httpStackSharedPool", "httpStackPerSite", "aiohttpStackPerSite", "rawFloor")


def spread(values: list[float]) -> dict:
    """Median, min and max of a figure over the rounds."""
    return {"median": round(statistics.median(values), 3), "min": min(values), "max": max(values)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--delay", type=float, default=0.5, help="polite delay per host (default: the crawler's)")
    parser.add_argument("--latency", type=float, default=LATENCY,
                        help="server latency in seconds (a long one takes the client's CPU out of the figure)")
    parser.add_argument("--parse-workers", type=int, default=None,
                        help="parse worker processes (default: the runner's choice; 0 parses in the event loop)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="tap and the baselines measured in turn this many times (a shared machine's load "
                             "changes by the second: each round's ratios compare runs a few seconds apart)")
    parser.add_argument("--plain-server", action="store_true",
                        help="the server on asyncio's own loop instead of uvloop (it then takes more of the CPU)")
    args = parser.parse_args()
    os.environ["BENCH_LATENCY"] = str(args.latency)  # the server process reads it too
    port = free_port()
    proc = multiprocessing.Process(target=serve, args=(port, not args.plain_server), daemon=True)
    proc.start()
    time.sleep(0.5)
    rounds = []
    try:
        for _round in range(args.rounds):
            tap = with_server_figures(port, lambda: run(args.sites, args.concurrency, args.delay, port,
                                                        args.parse_workers))
            shared = with_server_figures(port, lambda: stack_alone(port, args.sites, args.concurrency, per_site=False))
            per_site = with_server_figures(port, lambda: stack_alone(port, args.sites, args.concurrency, per_site=True))
            aio = with_server_figures(port, lambda: aiohttp_alone(port, args.sites, args.concurrency))
            raw = with_server_figures(port, lambda: raw_floor(port, args.sites, args.concurrency))
            rounds.append({"tap": tap, "httpStackSharedPool": shared, "httpStackPerSite": per_site,
                           "aiohttpStackPerSite": aio, "rawFloor": raw,
                           "shareOfStackPerSite": round(tap["shareOfBound"] / aio["shareOfBound"], 3),
                           "shareOfHttpxStackPerSite": round(tap["shareOfBound"] / per_site["shareOfBound"], 3),
                           "shareOfRawFloor": round(tap["shareOfBound"] / raw["shareOfBound"], 3)})
        figures = dict(rounds[-1]["tap"])  # the last round's details; the shares below are over all rounds
        figures["shareOfBound"] = spread([r["tap"]["shareOfBound"] for r in rounds])
        for name in BASELINES:
            figures[name] = {"shareOfBound": spread([r[name]["shareOfBound"] for r in rounds]),
                             "cpuMsPerRequest": spread([r[name]["cpuMsPerRequest"] for r in rounds]),
                             "serverMeanLatencyMs": rounds[-1][name]["serverMeanLatencyMs"]}
        for share in ("shareOfStackPerSite", "shareOfHttpxStackPerSite", "shareOfRawFloor"):
            figures[share] = spread([r[share] for r in rounds])
        figures["rounds"] = [{"tap": r["tap"]["shareOfBound"], **{k: r[k]["shareOfBound"] for k in BASELINES},
                              "loadAverage1m": r["tap"]["loadAverage1m"]} for r in rounds]
        figures["serverLoop"] = "asyncio" if args.plain_server else "uvloop where installed"
        print(json.dumps({"benchmark": "enrich throughput", **figures}, indent=2))
    finally:
        proc.terminate()


if __name__ == "__main__":
    main()
