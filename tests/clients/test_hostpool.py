"""The per-origin sessions: one session per host, least recently used idle ones closed, busy ones kept."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

from totalaudio.clients.hostpool import OriginSessions


class FakeSession:
    """Answers 200 to every GET; counts them and notes whether it was closed."""

    made: list["FakeSession"] = []

    def __init__(self, scheme: str = "http") -> None:
        self.closed = False
        self.sent = 0
        self.scheme = scheme
        FakeSession.made.append(self)

    @asynccontextmanager
    async def get(self, url, **kwargs):
        assert kwargs["allow_redirects"] is False  # every hop is the crawler's to check
        self.sent += 1
        yield 200

    async def close(self) -> None:
        self.closed = True


def run(coro):
    return asyncio.run(coro)


def test_requests_to_one_origin_share_its_session_and_others_get_their_own():
    FakeSession.made = []

    async def go():
        sessions = OriginSessions(FakeSession, max_origins=8)
        for url in ("http://a.org/", "http://a.org/contact", "http://b.org/", "https://a.org/"):
            async with sessions.get(url) as status:
                assert status == 200
        await sessions.aclose()

    run(go())
    assert [(s.scheme, s.sent) for s in FakeSession.made] == [("http", 2), ("http", 1), ("https", 1)]
    assert all(s.closed for s in FakeSession.made)


def test_least_recently_used_idle_sessions_are_closed_and_busy_ones_kept():
    FakeSession.made = []

    async def go():
        sessions = OriginSessions(FakeSession, max_origins=2)
        async with sessions.get("http://a.org/"):  # a.org's response still open while b.org and c.org come
            async with sessions.get("http://b.org/"):
                pass
            async with sessions.get("http://c.org/"):
                pass
            a, b, c = FakeSession.made
            assert not a.closed and b.closed and not c.closed
            await sessions.release("http", "a.org", None)
            assert not a.closed  # busy: kept
        await sessions.release("http", "a.org", None)
        assert a.closed and list(sessions.origins) == [("http", "c.org", None)]

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
                assert not web.sessions.origins
        return pages

    pages = run(go())
    assert all(p.text for p in pages) and len(connections) == 1
