"""Reading response bodies for the web client: decompression under the size cap, charsets, draining."""

from __future__ import annotations

import re
from typing import AsyncIterable

DRAIN_BYTES = 64 * 1024


async def drain(chunks: AsyncIterable[bytes], limit: int = DRAIN_BYTES) -> None:
    """Read a small error or redirect body so that its connection can be kept alive (a big one just closes)."""
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            return


def decompress(raw: bytes, encoding: str | None) -> bytes:
    """Undo gzip/deflate ourselves: reading the raw body keeps the size cap on the bytes actually received."""
    import zlib

    encoding = (encoding or "").strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        wbits = 16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS
        try:
            return zlib.decompressobj(wbits).decompress(raw, 8 * 1024 * 1024)
        except zlib.error:
            return raw
    return raw


META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_.:-]+)""", re.I)


def charset(declared: str | None, raw: bytes) -> str:
    """The body's charset: the one the header ``declared``, else a <meta charset>, else UTF-8 (only ones Python
    knows)."""
    import codecs

    for candidate in (declared, _sniff(raw), "utf-8"):
        if not candidate:
            continue
        try:
            codecs.lookup(candidate)
            return candidate
        except LookupError:
            continue
    return "utf-8"


def _sniff(raw: bytes) -> str | None:
    match = META_CHARSET.search(raw[:4096])
    return match.group(1).decode("ascii", "replace") if match else None
