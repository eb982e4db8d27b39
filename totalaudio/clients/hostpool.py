"""An httpx transport with one small connection pool per origin, so that keep-alive works across many sites.

One shared httpcore pool scans every connection it holds on each request: with hundreds of sites in flight a pool
big enough to keep their connections alive is slower than reconnecting, and a small one evicts a site's connection
before the site's next request (the polite delay) comes. A pool per origin holds only that host's few connections;
the pools of the least recently used origins are closed once idle, and a finished site's pool at once.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Callable

import httpx


class PerOriginTransport(httpx.AsyncBaseTransport):
    """Dispatches each request to its origin's own transport (``make(scheme)``); at most ``max_origins`` kept."""

    def __init__(self, make: Callable[[str], httpx.AsyncHTTPTransport], max_origins: int) -> None:
        self.make = make
        self.max_origins = max(1, max_origins)
        self.pools: OrderedDict[tuple, httpx.AsyncHTTPTransport] = OrderedDict()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send through the origin's pool (made on first use), most recently used last."""
        key = (request.url.scheme, request.url.host, request.url.port)
        transport = self.pools.pop(key, None) or self.make(request.url.scheme)
        self.pools[key] = transport
        if len(self.pools) > self.max_origins:
            await self._evict(len(self.pools) - self.max_origins)
        return await transport.handle_async_request(request)

    async def _evict(self, count: int) -> None:
        """Close up to ``count`` of the least recently used pools that have nothing in flight."""
        for key in list(self.pools)[:-1]:
            if count <= 0:
                return
            if _idle(self.pools[key]):
                await self.pools.pop(key).aclose()
                count -= 1

    async def release(self, scheme: str, host: str, port: int | None) -> None:
        """Close an origin's pool now (its site is done), unless a request is still in flight on it."""
        key = (scheme, host, port)
        if key in self.pools and _idle(self.pools[key]):
            await self.pools.pop(key).aclose()

    async def aclose(self) -> None:
        """Close every pool."""
        while self.pools:
            await self.pools.popitem()[1].aclose()


def _idle(transport: httpx.AsyncHTTPTransport) -> bool:
    """No request queued or streaming on the transport's pool (httpcore keeps them until the response closes)."""
    return not getattr(getattr(transport, "_pool", None), "_requests", ())
