"""Delivery failures: is this a bounce, which recipient failed, is it permanent, and the server's words.

Order: the RFC 3464 delivery-status part (Final-Recipient, Action, Status, Diagnostic-Code), then flufl.bounce's
detectors (Postfix, Exim, qmail, Yahoo, Exchange, ...), then the failed-recipient header and text patterns.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from email.message import Message

from totalaudio.services.gmail import words
from totalaudio.services.gmail.mime import Parsed, payload_of

# flufl.bounce logs a traceback for every detector that trips over malformed mail, then carries on: keep quiet.
logging.getLogger("flufl.bounce").setLevel(logging.CRITICAL)
ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+")
# RFC 3463 codes: 4.x.x temporary, 5.x.x permanent; not a version number or an address (1.2.4.5, 2.1.7)
ENHANCED = re.compile(r"(?<![\w.])([45])\.(\d{1,3})\.(\d{1,3})(?![\w]|\.\d)")
SMTP_CODE = re.compile(r"(?<![\w.(-])([45])[0-5]\d(?:[\s-]|$)", re.M)
# Where a notice ends and the returned copy of the message begins (its headers say nothing of the failure).
COPY_MARK = re.compile(r"^[ \t]*(-{2,}.{0,40}(copy of|original message|returned message|undelivered message|below this"
                       r" line)|content-type: (message/rfc822|text/rfc822-headers)|return-path: |received: from"
                       r"|message headers follow)",
                       re.I | re.M)
TEMPORARY_WORDS = re.compile(r"(delay|deferred|will (be )?retr|still (being )?retr|temporar|not (been )?delivered"
                             r" yet|warning|will keep trying|over quota|quota exceeded|mailbox (is )?full)", re.I)
PERMANENT_WORDS = re.compile(r"(permanent|failed permanently|fatal|given up|does not exist|unknown|no such"
                             r"|not found|couldn't be found|invalid|rejected|blocked|disabled)", re.I)
FLUFL_MAX_BYTES = 256 * 1024
TEXT_RECIPIENT = (
    re.compile(r"^[ \t]*<(" + ADDRESS.pattern + r")>\s*:", re.M),  # qmail, Yahoo, Postfix notification
    re.compile(r"(?:message to|delivered to|deliver(?:ed|ing)? (?:your |the )?(?:message|mail|e-?mail) to"
               r"|delivery to)\s+<?(" + ADDRESS.pattern + r")>?", re.I),
    re.compile(r"(?:(?:recipients?|address(?:es)?|empfänger|destinataires?|destinatarios?|destinatari|ontvangers?"
               r"|destinatários?)(?: or groups)?[^\n]{0,80}:?|failed:)\s*\n\s*[*•-]?\s*<?(" + ADDRESS.pattern + r")>?",
               re.I),
    re.compile(r"\(generated from <?(" + ADDRESS.pattern + r")>?\)", re.I),  # Exim, for an alias it expanded
)


@dataclass(frozen=True)
class BounceInfo:
    """The failed recipient (None when no reading of the report names one), permanence and the diagnostic."""

    recipient: str | None
    permanent: bool
    diagnostic: str | None


def looks_like_bounce(p: Parsed) -> bool:
    """A delivery report by structure (RFC 3464, Exchange NDR header, failed-recipients header) or by a
    daemon sender, bounce subject and bounce words together."""
    h = p.headers
    if p.report_type == "delivery-status" or "x-ms-exchange-message-is-ndr" in h or "x-failed-recipients" in h:
        return True
    if words.MAILER_DAEMON.search(h.get("from", "")) or ("from" in h and not h["from"].strip("<> \t")):
        return True  # mailer-daemons write nothing but delivery reports; an empty From (<>) is one too
    daemon = bool(words.DAEMON.match(p.sender) or words.DAEMON.match(p.sender_name))
    subject = bool(words.BOUNCE_SUBJECT.search(p.subject))
    if not (daemon or subject):
        return False
    body = bool(words.BOUNCE_BODY.search(p.text[:5000]))
    return (daemon and (subject or body)) or (subject and body)


def _dsn_blocks(msg: Message) -> list[Message]:
    """The per-recipient blocks of every message/delivery-status part."""
    blocks: list[Message] = []
    for part in msg.walk() if msg.is_multipart() else []:
        if part.get_content_type() == "message/delivery-status":
            payload = payload_of(part)
            if isinstance(payload, list):
                blocks += [b for b in payload if isinstance(b, Message) and b.get("Final-Recipient")
                           or isinstance(b, Message) and b.get("Original-Recipient")]
    return blocks


def _address(value: str) -> str | None:
    found = ADDRESS.search(value or "")
    return found.group().lower().strip(".") if found else None


def from_dsn(msg: Message) -> BounceInfo | None:
    """The first failed (else delayed) recipient of an RFC 3464 report."""
    blocks = _dsn_blocks(msg)
    ranked = sorted(blocks, key=lambda b: 0 if str(b.get("Action", "")).strip().lower() == "failed" else 1)
    for block in ranked:
        recipient = _address(str(block.get("Final-Recipient") or block.get("Original-Recipient") or ""))
        if not recipient:
            continue
        action = str(block.get("Action", "")).strip().lower()
        status = str(block.get("Status", "")).strip()
        diagnostic = " ".join(str(block.get("Diagnostic-Code", "")).split())[:300] or None
        permanent = action == "failed" if action in ("failed", "delayed") else status.startswith("5")
        return BounceInfo(recipient, permanent, diagnostic or status or None)
    return None


def _excluded(p: Parsed) -> set[str]:
    """Addresses that are never the failed recipient: the mailbox the report came to, and its sender."""
    return set(p.recipients) | {p.sender}


def from_flufl(p: Parsed) -> tuple[str | None, bool | None]:
    """flufl.bounce's reading: a permanent failure first, else a temporary one."""
    from flufl.bounce import all_failures

    if p.extra.get("size", 0) > FLUFL_MAX_BYTES:
        return None, None  # its detectors search the whole message: seconds on a hostile megabyte
    try:
        temporary, permanent = all_failures(p.msg)
    except (ValueError, TypeError, AttributeError, IndexError, LookupError):  # its detectors on hostile bytes
        return None, None
    for found, is_permanent in ((permanent, True), (temporary, False)):
        names = sorted(a.decode("utf-8", "replace").lower() if isinstance(a, bytes) else str(a).lower()
                       for a in found)
        names = [n for n in names if ADDRESS.fullmatch(n) and n not in _excluded(p)]
        if names:
            return names[0], is_permanent
    return None, None


def report_text(p: Parsed) -> str:
    """The human-readable notice of the report: the body, up to where the returned original begins."""
    text = p.text[:20000]
    cut = COPY_MARK.search(text)
    return text[:cut.start()] if cut else text


def from_text(p: Parsed, text: str) -> str | None:
    """The failed recipient from the failed-recipients header or the notice's wording."""
    header = _address(p.headers.get("x-failed-recipients", ""))
    if header:
        return header
    skip = _excluded(p)
    for pattern in TEXT_RECIPIENT:
        for match in pattern.finditer(text):
            address = match.group(1).lower().strip(".")
            if address not in skip:
                return address
    return None


RETURNED_TO = re.compile(r"^To:[ \t]*(.{0,500})$", re.M | re.I)


def from_returned(p: Parsed) -> str | None:
    """The one addressee of the returned original (its message/rfc822 or header part, or the quoted copy)."""
    found: list[str] = []
    for part in p.msg.walk() if p.msg.is_multipart() else []:
        ctype = part.get_content_type()
        payload = payload_of(part)
        if ctype == "message/rfc822" and isinstance(payload, list) and payload:
            found = ADDRESS.findall(str(payload[0].get("To", "")))
        elif ctype == "text/rfc822-headers" and isinstance(payload, str):
            found = ADDRESS.findall((RETURNED_TO.search(payload) or [None, ""])[1])
        if found:
            break
    if not found:
        cut = COPY_MARK.search(p.text[:50000])
        line = RETURNED_TO.search(p.text[cut.start():50000]) if cut else None
        found = ADDRESS.findall(line.group(1)) if line else []
    found = [a.lower() for a in dict.fromkeys(found) if a.lower() not in _excluded(p)]
    return found[0] if len(found) == 1 else None


def permanence(text: str, subject: str, library: bool | None = None) -> bool:
    """Permanent or temporary: the enhanced status code, the library's reading, the SMTP code, then words."""
    code = ENHANCED.search(text)
    if code:
        return code.group(1) == "5"
    if library is not None:
        return library
    smtp = SMTP_CODE.search(text)
    if TEMPORARY_WORDS.search(subject) or (not smtp and TEMPORARY_WORDS.search(text)):
        return False
    return smtp.group(1) == "5" if smtp else True


def diagnostic_line(text: str) -> str | None:
    """The server's own words: the first line carrying an SMTP or enhanced status code."""
    for line in text.splitlines():
        if ENHANCED.search(line) or SMTP_CODE.search(line):
            return " ".join(line.split())[:300]
    return None


def analyse(p: Parsed) -> BounceInfo:
    """Failed recipient, permanence and diagnostic of a message already known to be a bounce."""
    dsn = from_dsn(p.msg)
    text = report_text(p)
    if dsn and dsn.recipient not in _excluded(p):
        return dsn
    recipient, flufl_permanent = from_flufl(p)
    if recipient is None:
        recipient = from_text(p, text) or from_returned(p)
    return BounceInfo(recipient, permanence(text, p.subject, flufl_permanent), diagnostic_line(text))
