"""One aiohttp session (and connection pool) per origin, so that keep-alive works across many sites.

Each origin gets its own ``ClientSession`` over its own ``TCPConnector``: a site's pages reuse its few connections,
a finished site's connections are closed at once (``release``), and the sessions of the least recently used origins
are closed once idle. Whether a session has a request in flight is counted here, not read from aiohttp's internals.
"""

from __future__ import annotations

from collections import OrderedDict
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, AsyncIterator, Callable
from urllib.parse import urlsplit


@dataclass
class _Origin:
    session: Any
    busy: int = 0


class OriginSessions:
    """Sends each request through its origin's own session (``make(scheme)``); at most ``max_origins`` kept."""

    def __init__(self, make: Callable[[str], Any], max_origins: int) -> None:
        self.make = make
        self.max_origins = max(1, max_origins)
        self.origins: OrderedDict[tuple, _Origin] = OrderedDict()

    @asynccontextmanager
    async def get(self, url: str, **kwargs) -> AsyncIterator[Any]:
        """``GET url`` through its origin's session (made on first use, most recently used last), redirects
        not followed; the response is open inside the block."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname, parts.port)
        origin = self.origins.pop(key, None) or _Origin(self.make(parts.scheme))
        self.origins[key] = origin
        origin.busy += 1
        try:
            if len(self.origins) > self.max_origins:
                await self._evict(len(self.origins) - self.max_origins)
            async with origin.session.get(url, allow_redirects=False, **kwargs) as response:
                yield response
        finally:
            origin.busy -= 1

    async def _evict(self, count: int) -> None:
        """Close up to ``count`` of the least recently used sessions that have nothing in flight."""
        for key in list(self.origins)[:-1]:
            if count <= 0:
                return
            count -= await self._close_idle(key)

    async def release(self, scheme: str, host: str, port: int | None) -> None:
        """Close an origin's session now (its site is done), unless a request is still in flight on it."""
        await self._close_idle((scheme, host, port))

    async def _close_idle(self, key: tuple) -> bool:
        """Close the origin's session if it has nothing in flight; whether it was closed."""
        origin = self.origins.get(key)
        if origin is None or origin.busy:
            return False
        del self.origins[key]
        await origin.session.close()
        return True

    async def aclose(self) -> None:
        """Close every session."""
        while self.origins:
            await self.origins.popitem()[1].session.close()
