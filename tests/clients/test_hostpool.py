"""The per-origin transport: one pool per host, least recently used idle pools closed, busy ones kept."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import httpx

from totalaudio.clients.hostpool import PerOriginTransport


class FakeTransport(httpx.AsyncBaseTransport):
    """Answers 200; ``_pool._requests`` says whether a request is in flight."""

    made: list["FakeTransport"] = []

    def __init__(self, scheme: str = "http") -> None:
        self._pool = SimpleNamespace(_requests=[])
        self.closed = False
        self.sent = 0
        FakeTransport.made.append(self)

    async def handle_async_request(self, request):
        self.sent += 1
        return httpx.Response(200, text="ok")

    async def aclose(self) -> None:
        self.closed = True


def run(coro):
    return asyncio.run(coro)


def test_requests_to_one_origin_share_its_pool_and_others_get_their_own():
    FakeTransport.made = []

    async def go():
        transport = PerOriginTransport(FakeTransport, max_origins=8)
        async with httpx.AsyncClient(transport=transport) as client:
            for url in ("http://a.org/", "http://a.org/contact", "http://b.org/", "https://a.org/"):
                await client.get(url)
        return transport

    run(go())
    assert [t.sent for t in FakeTransport.made] == [2, 1, 1] and all(t.closed for t in FakeTransport.made)


def test_least_recently_used_idle_pools_are_closed_and_busy_ones_kept():
    FakeTransport.made = []

    async def go():
        transport = PerOriginTransport(FakeTransport, max_origins=2)
        async with httpx.AsyncClient(transport=transport) as client:
            await client.get("http://a.org/")
            await client.get("http://b.org/")
            FakeTransport.made[0]._pool._requests.append("streaming")  # a.org still has a response open
            await client.get("http://c.org/")
            a, b, c = FakeTransport.made
            assert not a.closed and b.closed and not c.closed
            a._pool._requests.clear()
            await transport.release("http", "a.org", None)
            assert a.closed and list(transport.pools) == [("http", "c.org", None)]

    run(go())


def test_the_web_client_keeps_a_site_connection_alive_between_its_pages():
    from totalaudio.clients.web import CrawlPolicy, WebClient

    connections = []

    async def handle(reader, writer):
        connections.append(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                status = b"404 Not Found" if b"/robots.txt" in head.split(b"\r\n")[0] else b"200 OK"
                body = b"<html><body><p>page</p></body></html>"
                writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Type: text/html\r\nContent-Length: "
                             + str(len(body)).encode() + b"\r\n\r\n" + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass

    async def go():
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            policy = CrawlPolicy(private_allowlist=(f"127.0.0.1:{port}",), delay=0.0, per_host=1)
            async with WebClient(policy) as web:
                pages = [await web.fetch(f"http://127.0.0.1:{port}/{p}") for p in ("", "contact", "about")]
                await web.release(f"http://127.0.0.1:{port}/")
                assert not web.transport.pools
        return pages

    pages = run(go())
    assert all(p.text for p in pages) and len(connections) == 1
