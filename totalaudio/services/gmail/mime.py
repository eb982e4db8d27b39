"""Parse raw mail bytes into the few things triage needs, never raising on broken MIME or bad encodings."""

from __future__ import annotations

import email
import re
from dataclasses import dataclass, field
from email.errors import MessageError
from email.header import decode_header, make_header
from email.message import Message
from email.policy import compat32
from email.utils import parsedate_to_datetime
from typing import Any

MAX_HEADER = 4000  # a header longer than this is cut: hostile mail carries megabyte headers
MAX_BODY = 200_000
TAGS = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]{0,2000}>", re.S | re.I)
BLOCK_TAGS = re.compile(r"<\s*(br|/p|/div|/tr|/li|/h\d|p|div)\b[^>]{0,500}>", re.I)
QUOTE_OPEN = re.compile(r"<blockquote\b|<div[^>]{0,200}(gmail_quote|divRplyFwdMsg|OutlookMessageHeader)", re.I)
ENTITIES = {"&nbsp;": " ", "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&apos;": "'"}
ENTITY = re.compile("|".join(map(re.escape, ENTITIES)))


@dataclass
class Parsed:
    """What triage reads of one message."""

    msg: Message
    headers: dict[str, str]
    subject: str
    sender: str
    sender_name: str
    recipients: tuple[str, ...]
    message_id: str
    refs: tuple[str, ...]
    date: Any
    text: str
    html_quoted: bool = False
    content_type: str = ""
    report_type: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def header_text(value: Any) -> str:
    """A header as text: RFC 2047 words decoded, unknown charsets tolerated, length capped."""
    raw = str(value or "")[:MAX_HEADER]
    if "=?" not in raw:
        return " ".join(raw.split())
    try:
        return " ".join(str(make_header(decode_header(raw))).split())
    except (LookupError, ValueError, UnicodeError, AssertionError, TypeError, MessageError):
        return " ".join(raw.split())


def _headers(msg: Message) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in (msg.items() if hasattr(msg, "items") else []):
        name = str(key).lower()
        if name not in out:
            out[name] = header_text(value)
    return out


def part_text(part: Message) -> str:
    """The decoded text of a leaf part, in its declared charset (or UTF-8, or Latin-1), capped."""
    try:
        payload = part.get_payload(decode=True)
    except (ValueError, TypeError, AssertionError, LookupError):
        payload = None
    if payload is None:
        raw = payload_of(part)
        return raw[:MAX_BODY] if isinstance(raw, str) else ""
    charset = str(part.get_content_charset("utf-8") or "utf-8")
    try:
        return payload[:MAX_BODY].decode(charset, errors="replace")
    except (LookupError, TypeError, ValueError):  # unknown or garbled charset names (even NUL bytes)
        return payload[:MAX_BODY].decode("utf-8", errors="replace")


def html_to_text(html: str) -> tuple[str, bool]:
    """Visible text of an HTML body, cut at the first quoted block; and whether a quote was cut."""
    quoted = QUOTE_OPEN.search(html)
    if quoted:
        html = html[:quoted.start()]
    text = TAGS.sub("", BLOCK_TAGS.sub("\n", html))
    return ENTITY.sub(lambda m: ENTITIES[m.group()], text), bool(quoted)


def payload_of(part: Message) -> Any:
    """A part's payload as stored (sub-parts or text); None when a garbled charset makes even that fail."""
    try:
        return part.get_payload()
    except (ValueError, LookupError, TypeError, AssertionError):
        return None


def walk_leaves(msg: Message, depth: int = 0):
    """Leaf parts in order, not descending into attached messages; bounded depth for hostile nesting."""
    if depth > 20:
        return
    payload = payload_of(msg) if msg.is_multipart() else None
    if isinstance(payload, list):
        for sub in payload:
            if isinstance(sub, Message) and sub.get_content_type() not in ("message/rfc822", "text/rfc822-headers"):
                yield from walk_leaves(sub, depth + 1)
    elif not msg.is_multipart():
        yield msg


def body_text(msg: Message) -> tuple[str, bool]:
    """The first plain-text body, else the first HTML body as text; attachments skipped."""
    html = None
    for part in walk_leaves(msg):
        if str(part.get("Content-Disposition", "")).lower().startswith("attachment"):
            continue
        ctype = part.get_content_type()
        if ctype == "text/plain":
            text = part_text(part)
            if text.strip():
                return text, False
        if ctype == "text/html" and html is None:
            html = part_text(part)
    return html_to_text(html) if html is not None else ("", False)


def _ids(value: str) -> tuple[str, ...]:
    return tuple(re.findall(r"<([^<>\s]{1,500})>", value or ""))


def _date(value: str) -> Any:
    try:
        return parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


ANGLE = re.compile(r"<\s*([^<>\s@]{1,200}@[^<>\s]{1,255})\s*>")
BARE = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+")
REPORT_TYPE = re.compile(r"report-type\s*=\s*\"?([A-Za-z0-9_-]+)", re.I)


def sender_of(value: str) -> tuple[str, str]:
    """(display name, address) of a From header, by pattern: email.utils' parser costs more than the rest."""
    found = ANGLE.search(value)
    if found:
        return value[:found.start()].strip().strip('"').strip(), found.group(1).lower()
    bare = BARE.search(value)
    return ("", bare.group().lower()) if bare else (value.strip(), "")


def addresses(*values: str) -> tuple[str, ...]:
    """Every address in some address headers, lower-cased."""
    return tuple(a.lower() for value in values for a in BARE.findall(value))


def parse(raw: bytes | str | Message) -> Parsed:
    """Parse one message; whatever the bytes, a Parsed comes back (possibly with empty fields)."""
    if isinstance(raw, Message):
        msg = raw
    elif isinstance(raw, str):
        msg = email.message_from_string(raw, policy=compat32)
    else:
        msg = email.message_from_bytes(raw, policy=compat32)
    headers = _headers(msg)
    name, sender = sender_of(headers.get("from", ""))
    recipients = addresses(headers.get("to", ""), headers.get("cc", ""))
    text, html_quoted = body_text(msg)
    return Parsed(msg, headers, headers.get("subject", ""), sender.lower(), name, recipients,
                  (_ids(headers.get("message-id", "")) or ("",))[0],
                  _ids(headers.get("in-reply-to", "")) + _ids(headers.get("references", "")),
                  _date(headers.get("date", "")), text, html_quoted, msg.get_content_type(),
                  _report_type(headers.get("content-type", "")), {"size": len(raw) if isinstance(raw, (bytes, str)) else 0})


def _report_type(content_type: str) -> str:
    found = REPORT_TYPE.search(content_type) if "report" in content_type.lower() else None
    return found.group(1).lower() if found else ""
