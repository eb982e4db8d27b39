"""Website URLs of contacts: what is wrong with one and its normalised form when that is unambiguous."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

from totalaudio.services.contacts.emaildomains import parts

MAX_URL = 2048
_GOOD_SCHEME = re.compile(r"^(https?)://", re.I)
_BROKEN_SCHEME = re.compile(r"^(h{1,2}t{0,3}p{0,2}(s?))\s*(?::/{0,3}|/{1,3})(?=[^/\s])", re.I)
_OTHER_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
_HOST_CHARS = re.compile(r"^[\w.-]+(:\d{1,5})?$", re.UNICODE)


@dataclass(frozen=True)
class UrlVerdict:
    """A problem with a URL (None: fine), its severity and the normalised URL when one is safe to suggest."""

    problem: str | None
    severity: str = "warning"
    suggestion: str | None = None


def _scheme(text: str) -> tuple[str | None, str, str | None]:
    """(scheme, rest, problem) for a raw URL."""
    if m := _GOOD_SCHEME.match(text):
        return m.group(1).lower(), text[m.end():], None
    if (m := _BROKEN_SCHEME.match(text)) and m.group(1).lower() not in ("", "h"):
        return ("https" if m.group(2) else "http"), text[m.end():], f"malformed scheme {text[:m.end()]!r}"
    if _OTHER_SCHEME.match(text) and not re.match(r"^[\w.-]+:\d+(/|$)", text):
        return None, text, "not a web address"
    return "https", text, "no scheme (http:// or https://)"


def _split(rest: str) -> tuple[str, str]:
    cut = min([i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0] or [len(rest)])
    return rest[:cut], rest[cut:]


@lru_cache(maxsize=100_000)
def check_url(raw: str | None) -> UrlVerdict:
    """Judge a website value; the suggestion is the normalised URL (scheme, lower-case host, encoded spaces)."""
    text = (raw or "").strip()
    if not text:
        return UrlVerdict(None)
    if len(text) > MAX_URL:
        return UrlVerdict(f"longer than {MAX_URL} characters")
    scheme, rest, problem = _scheme(text)
    if scheme is None:
        return UrlVerdict(problem)
    host, path = _split(rest)
    problems = [problem] if problem else []
    if re.search(r"\s", host):
        problems.append("spaces in the host name")
        host = re.sub(r"\s+", "", host)
    host = host.lower().rstrip(".")
    _sub, label, suffix = parts(host.split(":")[0])
    if "@" in host or not _HOST_CHARS.match(host) or not suffix or not label:  # 'http://bbc': .bbc is a bare TLD
        return UrlVerdict("; ".join(problems + [f"host {host!r} is not a valid domain name"]))
    if bad := _label_problem(host):
        mended = _mended(host)
        if mended is None:
            return UrlVerdict("; ".join(problems + [f"host {host!r}: {bad}"]))
        problems.append(f"host {host!r}: {bad}")
        host = mended
    if re.search(r"\s", path):
        problems.append("spaces in the path")
        path = quote(path.strip(), safe="/?#&=%:@!$'()*+,;~.-_")
    if not problems:
        return UrlVerdict(None)
    only_scheme = problems == ["no scheme (http:// or https://)"]
    return UrlVerdict("; ".join(problems), "info" if only_scheme else "warning", f"{scheme}://{host}{path}")


def _label_problem(host: str) -> str | None:
    """What breaks the rules for host names (RFC 1035/1123): empty or over-long labels, a hyphen at a label's
    edge, a port out of range; None when the host is well formed."""
    name, _colon, port = host.partition(":")
    labels = name.split(".")
    if "" in labels:
        return "an empty label (two dots in a row, or a leading dot)"
    if any(len(x) > 63 for x in labels if x.isascii()) or len(name) > 253:
        return "a label longer than 63 characters"
    if not all(x.isascii() or _idna_ok(x) for x in labels):
        return "a label that is not a valid internationalised name"
    if any(x.startswith("-") or x.endswith("-") for x in labels):
        return "a label starts or ends with a hyphen"
    if port and not 0 < int(port) < 65536:
        return f"port {port} is out of range"
    return None


def _idna_ok(label: str) -> bool:
    """A non-ASCII label has an IDNA (punycode) form of at most 63 characters."""
    try:
        label.encode("idna")
    except UnicodeError:
        return False
    return True


def _mended(host: str) -> str | None:
    """The host with its empty labels removed, when that alone makes it well formed ('www..bbc.co.uk')."""
    name, colon, port = host.partition(":")
    mended = re.sub(r"\.{2,}", ".", name).strip(".") + colon + port
    return mended if mended != host and _label_problem(mended) is None and parts(mended.split(":")[0])[2] else None


@lru_cache(maxsize=100_000)
def url_host(raw: str | None) -> str | None:
    """The lower-case host of a website value (scheme optional), or None when there is none."""
    text = (raw or "").strip()
    if not text or len(text) > MAX_URL:
        return None
    scheme, rest, _problem = _scheme(text)
    if scheme is None:
        return None
    host = re.sub(r"\s+", "", _split(rest)[0]).lower().split(":")[0].rstrip(".")
    return host or None
