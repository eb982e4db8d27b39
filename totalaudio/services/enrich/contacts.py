"""Email addresses and phone numbers on a page: plain, mailto, ``name [at] station (dot) org``, Cloudflare-protected,
a ``mailto:`` that a click handler sets.

Placeholders (``you@example.com``), asset names (``logo@2x.png``), ids (``71037844@N00``), sentence punctuation
glued to an address (``music@station.ca.To``) and the web designer's credit (``Designed by jo@studio.com``) are
dropped.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

EMAIL = re.compile(r"(?<![\w.+-])([A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24})(?![\w-])")
_AT = r"\s*(?:\[\s*at\s*\]|\(\s*at\s*\)|\{\s*at\s*\}|<\s*at\s*>|\s+AT\s+|\s+at\s+(?=[\w-]+\s*(?:\[|\(|\{)\s*dot))\s*"
_DOT = r"(?:\s*(?:\[\s*dot\s*\]|\(\s*dot\s*\)|\{\s*dot\s*\}|<\s*dot\s*>)\s*|\s+DOT\s+|\.)"
# The "at" of an obfuscated address; the local part is read backwards from it and the domain forwards.
AT_WORD = re.compile(_AT)
LOCAL_BEFORE = re.compile(r"(?<![A-Za-z0-9._+-])([A-Za-z0-9][A-Za-z0-9._+-]{0,63})\s*$")
DOMAIN_AFTER = re.compile(rf"([A-Za-z0-9-]+(?:{_DOT}[A-Za-z0-9-]+)+)")
DOT_WORD = re.compile(_DOT)
# What every form of AT_WORD contains, as a pattern that starts with a letter: the engine skips to candidate
# letters instead of trying AT_WORD (which starts with ``\s*``) at every position of the page.
AT_HINT = re.compile(r"at\s*[\])}>]|at\s+[\w-]+\s*[\[({]\s*dot|AT\s")
ASSET_TLDS = frozenset({"png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "css", "js", "json", "xml", "php", "html",
                        "htm", "mp3", "mp4", "wav", "pdf", "zip", "woff", "woff2", "ttf", "avif", "bmp", "tif"})
PLACEHOLDER_DOMAINS = frozenset({"example.com", "example.org", "example.net", "domain.com", "yourdomain.com",
                                 "email.com", "test.com", "sentry.io", "sentry.wixpress.com", "wixpress.com",
                                 "yoursite.com", "website.com", "company.com", "mysite.com", "sample.com",
                                 "address.com", "mail.com.example", "localhost"})
PLACEHOLDER_LOCALS = frozenset({"you", "your", "yourname", "your.name", "name", "email", "user", "username",
                                "someone", "john.doe", "jane.doe", "johndoe", "example", "firstname.lastname",
                                "first.last", "me", "test", "git", "noreply", "no-reply", "donotreply"})
PHONE = re.compile(r"(?<![\w/=.-])(\+?\(?\d{1,4}\)?(?:[ .\-\u00a0]{0,2}\d{1,5}){1,5})(?![\w/-])")
PHONE_CUE = re.compile(r"(?i)(tel|phone|call|fax|text|sms|mobile|mob|ph|studio|office|line|request|whatsapp)\b")
NOT_PHONE = re.compile(r"(?i)\b(?:abn|acn|vat(?: no\.?| number)?(?: gb)?|company (?:no\.?|number)|registered (?:no\.?|number)|"
                       r"charity (?:no\.?|number)|reg\.? no\.?|licen[cs]e(?: no\.?)?|isbn|f?ein|tax id|ssn|cro|"
                       r"eircode)\s*(?:is\s*)?[:#.]?\s*$")
# A phone has 8+ digits: from its first digit on, 8+ characters of digits and separators. Cheap to search for.
PHONE_HINT = re.compile(r"\d[\d ().\-\u00a0]{7}")
PHONE_CHARS = "+() .-\u00a0"  # with the digits, what a PHONE match is made of
PHONE_RUN = re.compile(r"[\d+() .\-\u00a0]+")
ZIP_PLUS4 = re.compile(r"^\d{5}-\d{4}$")
# An address whose parts a page split into elements: ``studio<span>@</span>station<span>.</span>org`` reads
# "studio @ station . org" once the element texts are joined with spaces.
SPACED_EMAIL = re.compile(r"(?<![\w.+-])([A-Za-z0-9][A-Za-z0-9._+-]{0,63}) @ ([A-Za-z0-9-]+(?: ?\. ?[A-Za-z0-9-]+)*"
                          r" ?\. ?[A-Za-z]{2,24})(?![\w-])")
# "the one and only @ venue . Come along": a full stop, a space and a capitalised word end a sentence; no TLD.
SPACED_SENTENCE = re.compile(r" ?\. [A-Z][a-z]+$")
SPACED_NOT_LOCAL = frozenset({"us", "me", "follow", "find", "at", "on", "via", "visit", "or", "and", "to", "tag"})
PLACEHOLDER_SUFFIXES = (".ingest.sentry.io", ".sentry.io", ".wixpress.com", ".example.com", ".local", ".localdomain",
                        ".invalid", ".test")
# A credit: the site's maker ("Designed by", "Website by") or a picture's ("Photo by", "Poster design by"), then the
# names, handles or addresses credited so far ("Poster design by @jo and @"): what follows is theirs, not the station's.
_CREDITED = r"\s*@?\s*[\w](?:[\w.'-]{0,40}[\w])?(?:\s+[\w](?:[\w'-]{0,30}[\w])?){0,2}"
CREDIT = re.compile(r"(?i)\b(?:web\s*site|site|web|design(?:ed)?|design\s*(?:and|&)\s*build|developed|development|built|"
                    r"coded|theme|template|photos?|photograph(?:y|s|ed)|pics?|images?|poster|artwork|illustrations?|"
                    r"flyer|video|filmed)(?:\s+and\s+\w+)?\s+by\s*:?"
                    rf"(?:{_CREDITED}(?:\s*(?:,|&|\band\b){_CREDITED}){{0,4}}\s*(?:,|&|\band\b))?\s*@?\s*$")
CREDIT_WINDOW = 120
# A ``mailto:`` in a click handler or script (``onclick="this.href='mailto:jo@station.org'"``).
MAILTO_IN_SCRIPT = re.compile(r"(?i)mailto:([^'\"\s?&<>\\]{3,254})")
DATEISH = re.compile(r"^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}|(?:19|20)\d{2}\s*[-–]\s*(?:19|20)?\d{2})$")


def clean_email(candidate: str) -> str | None:
    """A plausible contact address in lower case, or None for placeholders and look-alikes."""
    email = candidate.strip().strip(".,;:").lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or ".." in email or local.startswith(".") or local.endswith("."):
        return None
    tld = domain.rsplit(".", 1)[1]
    if tld in ASSET_TLDS or not tld.isalpha() or re.search(r"@\d+x\.", email):
        return None
    if domain in PLACEHOLDER_DOMAINS or domain.startswith("example.") or local in PLACEHOLDER_LOCALS:
        return None
    if domain.endswith(PLACEHOLDER_SUFFIXES):
        return None
    if re.fullmatch(r"[0-9a-f]{16,}", local) or "xxx" in local or "%" in local:
        return None
    return email


def _trim_sentence(raw: str) -> str:
    """``music@station.ca.To`` (an address glued to the next sentence) -> ``music@station.ca``."""
    local, _, domain = raw.partition("@")
    labels = domain.split(".")
    if len(labels) >= 3 and labels[-1][:1].isupper() and labels[-1][1:].islower():
        return f"{local}@{'.'.join(labels[:-1])}"
    return raw


def emails_in_text(text: str) -> list[str]:
    """Plain and obfuscated addresses in visible text, in order of appearance, without duplicates."""
    found = [(m.start(), _trim_sentence(m.group(1))) for m in EMAIL.finditer(text)] if "@" in text else []
    if " @ " in text:
        found.extend((m.start(), f"{m.group(1)}@{SPACED_SENTENCE.sub('', m.group(2)).replace(' ', '')}")
                     for m in SPACED_EMAIL.finditer(text)
                     if m.group(1).lower() not in SPACED_NOT_LOCAL)  # "follow us @ x.com" is not an address
    for at in _at_words(text):
        local = LOCAL_BEFORE.search(text, max(0, at.start() - 70), at.start())
        domain = DOMAIN_AFTER.match(text, at.end())
        if local and domain:
            found.append((local.start(1), _trim_sentence(f"{local.group(1)}@{DOT_WORD.sub('.', domain.group(1))}")))
    return _unique(clean_email(e) for start, e in found if not _credited(text, start))


def _at_words(text: str):
    """AT_WORD.finditer(text), tried only around AT_HINT's matches: AT_WORD starts with optional spaces, so the engine
    tries it at every position. Each AT_WORD match holds an AT_HINT match at its "at", with only spaces and an opening
    bracket before it: the first match from ``pos`` on starts in the run of those just before the first hint, or
    after that hint."""
    pos = 0
    while (hint := AT_HINT.search(text, pos)) is not None:
        start = hint.start()
        while start > pos and (text[start - 1].isspace() or text[start - 1] in "[({<"):
            start -= 1
        for candidate in range(start, hint.start() + 1):
            if (match := AT_WORD.match(text, candidate)) is not None:
                yield match
                pos = match.end()
                break
        else:
            pos = hint.start() + 1


def _credited(text: str, start: int) -> bool:
    """The address at ``start`` follows a maker's credit ("Designed by ...")."""
    return credit_before(text[max(0, start - CREDIT_WINDOW):start])


def credit_before(text: str) -> bool:
    """The text ends in a credit ("Designed by", "Website by:", "Photo by @jo and @"): what follows is credited."""
    return "by" in text[-CREDIT_WINDOW:].lower() and bool(CREDIT.search(text[-CREDIT_WINDOW:]))


def emails_in_handler(handler: str) -> list[str]:
    """The addresses a click handler or script sends mail to (``this.href='mailto:jo@station.org'``)."""
    if "mailto:" not in handler.lower():
        return []
    return _unique(email_from_href("mailto:" + m.group(1)) for m in MAILTO_IN_SCRIPT.finditer(handler))


def email_from_href(href: str) -> str | None:
    """The address of a ``mailto:`` link (query and percent-encoding removed)."""
    if not href[:7].lower() == "mailto:":
        return None
    address = unquote(href[7:].split("?", 1)[0]).split(",")[0].strip()
    return clean_email(address) if EMAIL.fullmatch(address) else None


def decode_cfemail(hexed: str) -> str | None:
    """Cloudflare's email protection: the first byte is the XOR key of the rest."""
    try:
        data = bytes.fromhex(hexed.strip())
    except ValueError:
        return None
    if len(data) < 2:
        return None
    decoded = bytes(b ^ data[0] for b in data[1:]).decode("utf-8", "replace")
    return clean_email(decoded) if EMAIL.fullmatch(decoded) else None


def cf_hex_from_href(href: str) -> str | None:
    """The hex payload of a ``/cdn-cgi/l/email-protection#...`` link."""
    if "/cdn-cgi/l/email-protection" not in href:
        return None
    return urlsplit(href).fragment or None


def phones_in_text(text: str) -> list[str]:
    """Phone numbers as written (8-15 digits, not dates or years), de-duplicated by their digits."""
    out: dict[str, str] = {}
    for match in _phone_matches(text):
        raw = match.group(1).strip(" .-\u00a0")
        if len(raw) < 8:  # cheap: fewer characters than the 8 digits a phone needs (most matches: "12", "2024")
            continue
        digits = re.sub(r"\D", "", raw)
        if not 8 <= len(digits) <= 15 or DATEISH.match(raw) or ZIP_PLUS4.match(raw) or len(set(digits)) < 3:
            continue
        if NOT_PHONE.search(text[max(0, match.start() - 25):match.start()]):
            continue  # ABN 12 345 678 901, VAT GB 123 4567 89: registration numbers
        if raw.isdigit() and not PHONE_CUE.search(text[max(0, match.start() - 30):match.start()]):
            continue  # a bare run of digits is an id or a number, not a phone, unless labelled as one
        out.setdefault(digits[-9:], raw)
    return list(out.values())


def _phone_matches(text: str):
    """PHONE.finditer(text)'s matches that may be phones (8 digits or more), found without trying PHONE (which starts
    with a lookbehind) at every position: such a match holds a PHONE_HINT match, and lies within a run of the
    characters a PHONE match is made of. Before a run is a character no match holds: from a run's start on, the
    matches are finditer's; the runs without a hint have no phone in them."""
    pos = 0
    while (hint := PHONE_HINT.search(text, pos)) is not None:
        start = hint.start()
        while start > 0 and (text[start - 1].isdecimal() or text[start - 1] in PHONE_CHARS):
            start -= 1
        pos = PHONE_RUN.match(text, hint.start()).end()
        while start < pos:  # finditer's search, position by position, kept within the run
            if (match := PHONE.match(text, start)) is not None:
                yield match
                start = match.end()
            else:
                start += 1


def phone_from_href(href: str) -> str | None:
    """The number of a ``tel:`` link."""
    if not href[:4].lower() == "tel:":
        return None
    number = unquote(href[4:]).strip()
    return number if 8 <= len(re.sub(r"\D", "", number)) <= 15 else None


def _unique(items) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        if item:
            seen.setdefault(item, None)
    return list(seen)
