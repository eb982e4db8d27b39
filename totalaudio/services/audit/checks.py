"""The per-contact checks of the audit: email, required fields, names, URLs, domains, staleness, odd values."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cached_property, lru_cache
from operator import attrgetter
from typing import Iterator

from totalaudio.models import Contact, camel
from totalaudio.services.contacts import emaildomains as ed, roles
from totalaudio.services.audit.urls import check_url, url_host

SEVERITIES = ("error", "warning", "info")
CHECKS = ("email.syntax", "email.typo", "email.disposable", "email.role", "email.freemail", "email.mx",
          "duplicate.exact", "duplicate.fuzzy", "field.missing", "name.suspicious", "station.inconsistent",
          "url.invalid", "domain.mismatch", "status.conflict", "stale", "field.formula", "field.oversized")
DEFAULT_REQUIRED = ("email", "first_name", "station", "genres")
TEXT_FIELDS = ("first_name", "last_name", "station", "show", "region", "website", "notes", "phone",
               "enrichment_notes", "contact_intelligence")
_TEXT_VALUES = attrgetter(*TEXT_FIELDS)
OVERSIZED = 10_000
FORMULA = re.compile(r"^\s*(=|[+\-@]\s*[A-Za-z_][\w.]*\s*\()")
JUNK_WORDS = frozenset("test testing tester asdf qwerty dummy sample example placeholder unknown none null nil tbc "
                       "tba tbd xxx foo lorem ipsum noname anon anonymous blah".split())
GENERIC_WORDS = frozenset("presenter presenters producer producers dj djs mc team show shows night nights morning "
                          "evening afternoon late breakfast drive drivetime monday tuesday wednesday thursday friday "
                          "saturday sunday weekend music radio studio desk the editor editors news host hosts station "
                          "office general info contact submissions new team staff crew programming and of".split())
_WORDS = re.compile(r"[^\W\d_]+")
_JUNK_CHARS = re.compile(r"[?!#$%*=<>{}\[\]|\\^~_]")
_TRIPLE = re.compile(r"(.)\1\1")
_VOWELS = re.compile(r"[aeiouy]")
_USERNAME = re.compile(r"^[a-z]{2,}[._][a-z0-9]{2,}$")
PLACEHOLDER_NAMES = frozenset({"john doe", "jane doe", "no name", "first last", "firstname lastname", "first name",
                               "last name", "name surname"})
KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890")
# AZERTY and QWERTZ rows too (mash depends on the layout), from five letters: 'Azer' is a name.
OTHER_ROWS = ("azertyuiop", "qsdfghjklm", "wxcvbn", "qwertzuiop", "yxcvbnm")


def _runs(rows: tuple[str, ...], shortest: int) -> frozenset[str]:
    """Every run of at least ``shortest`` keys along a row, either way."""
    return frozenset(r[i:j] for row in rows for r in (row, row[::-1])
                     for i in range(len(r)) for j in range(i + shortest, len(r) + 1))


MASH = _runs(KEYBOARD_ROWS, 4) | _runs(OTHER_ROWS, 5)
BLANK_WORDS = frozenset({"na", "nn", "nk", "tbc", "tba", "tbd", "xx", "xxx", "nd", "nil", "none"})
HOSTING = frozenset("facebook.com instagram.com twitter.com x.com soundcloud.com mixcloud.com linktr.ee bandcamp.com "
                    "wordpress.com blogspot.com wixsite.com squarespace.com tumblr.com youtube.com spotify.com "
                    "substack.com medium.com tiktok.com google.com sites.google.com carrd.co".split())


@dataclass(frozen=True)
class Finding:
    """One problem of one contact; ``check`` ids are stable (scripts filter on them)."""

    contact_id: str
    email: str
    check: str
    severity: str
    field: str | None
    message: str
    suggestion: str | None = None
    fixable: bool = False
    related: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuditOptions:
    """What the audit looks for: required fields, staleness horizon, the clock, typo sensitivity."""

    required: tuple[str, ...] = DEFAULT_REQUIRED
    stale_days: int = 365
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    typo_share: int = 4
    fuzzy_block_cap: int = 200

    @cached_property
    def cutoff(self) -> str:
        """The day before which a contact is stale, as YYYY-MM-DD."""
        return (self.now - timedelta(days=self.stale_days)).strftime("%Y-%m-%d")


@dataclass(slots=True)
class Prepared:
    """A contact with its address cleaned and split once for every check."""

    contact: Contact
    email: str
    key: str
    local: str
    domain: str
    valid: bool
    role: bool = False


def prepare(contact: Contact, names: frozenset[str] = frozenset()) -> Prepared:
    """Clean and split a contact's address, judge its syntax and whether it is a role mailbox, once;
    ``names`` are the base's folded first and last names (a nameless 'harriet@' is a person's)."""
    email = ed.clean_email(contact.email)
    local, domain = split = ed.split_email(email)
    valid = ed.syntax_error(email, split) is None
    role = valid and roles.is_role(local, contact.first_name, contact.last_name, ed.parts(domain)[1], names)
    return Prepared(contact, email, email.lower(), local, domain, valid, role)


def base_names(contacts: list[Contact]) -> frozenset[str]:
    """The folded words (three letters or more) of every first and last name in the base."""
    out: set[str] = set()
    for name in {c.first_name for c in contacts} | {c.last_name for c in contacts}:
        out.update(_name_words(name))
    return frozenset(out)


def _name_words(name: str | None) -> tuple[str, ...]:
    """The words of a name; none of an address or a number typed into a name field ('maria.k@gmail.com' names
    no one 'com')."""
    if not name or "@" in name or any(ch.isdigit() for ch in name):
        return ()
    return tuple(w for w in roles.words(name) if len(w) >= 3)


def short(value: object, limit: int = 60) -> str:
    """A value cut for a message."""
    text = str(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def finding(p: Prepared, check: str, severity: str, field_: str | None, message: str,
            suggestion: str | None = None, fixable: bool = False, related: tuple[str, ...] = ()) -> Finding:
    """A Finding about a prepared contact (field names in camelCase, as in JSON)."""
    return Finding(p.contact.id, short(p.contact.email or "", 320), check, severity,
                   camel(field_) if field_ else None, message, suggestion, fixable, related)


def check_email(p: Prepared, required: tuple[str, ...] = ("email",)) -> Iterator[Finding]:
    """email.syntax, email.disposable, email.role, email.freemail (a missing address: field.missing, an error)."""
    raw = p.contact.email or ""
    if not p.email:
        if "email" in required:
            yield finding(p, "field.missing", "error", "email", "no email address")
        return
    if not p.valid:
        yield finding(p, "email.syntax", "error", "email", f"invalid address: {ed.syntax_error(p.email)}")
        return
    if raw != p.email:  # email-validator rejects the spaces; the address inside them is fine (--fix trims)
        yield finding(p, "email.syntax", "warning", "email", "stray spaces or invisible characters around the address",
                      p.key, fixable=True)
    if ed.is_disposable(p.domain):
        yield finding(p, "email.disposable", "warning", "email", f"{p.domain} is a disposable-address provider")
    elif ed.is_free(p.domain):
        yield finding(p, "email.freemail", "info", "email", f"{p.domain} is a free-mail provider")
    if p.role:
        yield finding(p, "email.role", "info", "email", f"{p.local}@ is a role mailbox, not a person")


def check_required(p: Prepared, required: tuple[str, ...]) -> Iterator[Finding]:
    """field.missing for each configured required field (names are not required of role mailboxes)."""
    for name in required:
        if name == "email" or (p.role and name in ("first_name", "last_name")):
            continue
        value = getattr(p.contact, name, None)
        if value is None or (isinstance(value, str) and not value.strip()) or value == ():
            yield finding(p, "field.missing", "warning", name, f"{camel(name)} is empty")


@lru_cache(maxsize=200_000)
def name_problem(first: str | None, last: str | None, role: bool) -> str | None:
    """Why a name looks like junk rather than a person's name, or None."""
    full = " ".join(x.strip() for x in (first, last) if x and x.strip())
    if not full:
        return None
    lowered = full.lower()
    tokens = _WORDS.findall(lowered)
    if "@" in full:
        return "an email address in the name field"
    if FORMULA.match(full):
        return "looks like a spreadsheet formula"
    if len(full) > 100:
        return f"implausibly long ({len(full)} characters)"
    if _JUNK_CHARS.search(full) or not tokens or "".join(tokens) in BLANK_WORDS:  # the letters alone
        return "junk characters rather than a name"
    if all(len(t) == 1 for t in tokens):
        return "single letters rather than a name"
    if not JUNK_WORDS.isdisjoint(tokens) and (bad := next(t for t in tokens if t in JUNK_WORDS)):
        return f"placeholder word {bad!r}"
    if lowered in PLACEHOLDER_NAMES:
        return "a placeholder name"
    shapes = list(map(_token_shape, tokens))
    if any(triple for triple, _bare in shapes):
        return "repeated letters (keyboard filler)"
    if any(bare for _triple, bare in shapes):
        return "no vowels (keyboard mash)"
    if _USERNAME.match(lowered):
        return "a user name rather than a person's name"
    if not MASH.isdisjoint(tokens):
        return "keyboard mash"
    if not role and GENERIC_WORDS.issuperset(tokens):
        return "a label or role rather than a person's name"
    return None


@lru_cache(maxsize=100_000)
def _token_shape(token: str) -> tuple[bool, bool]:
    """(a letter three times in a row, five or more ASCII letters without a vowel) of one name word."""
    return bool(_TRIPLE.search(token)), len(token) >= 5 and token.isascii() and not _VOWELS.search(token)


def check_name(p: Prepared) -> Iterator[Finding]:
    """name.suspicious: junk, an email in the name, keyboard mash, a label instead of a person."""
    c = p.contact
    if reason := name_problem(c.first_name, c.last_name, p.role):
        where = "first_name" if c.first_name and c.first_name.strip() else "last_name"
        yield finding(p, "name.suspicious", "warning", where, f"name {short(c.name, 40)!r}: {reason}")


def check_website(p: Prepared) -> Iterator[Finding]:
    """url.invalid and domain.mismatch (the email domain and the website disagree)."""
    website = p.contact.website
    if not website or not website.strip():
        return
    verdict = check_url(website)
    if verdict.problem:
        yield finding(p, "url.invalid", verdict.severity, "website", f"{short(website)!r}: {verdict.problem}",
                      verdict.suggestion, fixable=verdict.suggestion is not None)
        if verdict.suggestion is None:
            return
    host = url_host(verdict.suggestion or website)
    if host and p.valid and (reason := _mismatch(p.domain, host)):
        yield finding(p, "domain.mismatch", "info", "website", reason)


def _mismatch(email_domain: str, host: str) -> str | None:
    if ed.is_free(email_domain) or ed.is_disposable(email_domain):
        return None
    mail_reg, web_reg = ed.registrable(email_domain), ed.registrable(host)
    if mail_reg == web_reg or web_reg in HOSTING or host in HOSTING or not ed.parts(host)[2]:
        return None
    mail_label, web_label = ed.parts(mail_reg)[1], ed.parts(web_reg)[1]
    if mail_label and web_label and (mail_label in web_label or web_label in mail_label):
        return None
    return f"email domain {mail_reg} but website {web_reg}"


_ISO_DAY = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")


def _day(value: str | None) -> str | None:
    """The YYYY-MM-DD prefix of an ISO date, or None (ISO days compare correctly as strings)."""
    return value[:10] if value and _ISO_DAY.match(value) else None


_UPSTREAM_DATE = re.compile(r"(last.?)?(modified|updated|enriched|edited)", re.I)


def _upstream_days(contact: Contact) -> list[str]:
    """Update dates the source itself recorded: last enriched, and columns such as 'Last Modified'."""
    days = [_day(contact.last_enriched)]
    if contact.extra:
        days += [_day(v) for k, v in contact.extra.items() if isinstance(v, str) and _UPSTREAM_DATE.search(k)]
    return [d for d in days if d]


def check_stale(p: Prepared, opts: AuditOptions) -> Iterator[Finding]:
    """stale: neither updated nor enriched within stale_days; the source's own dates win over the local
    write time (an import touches every row), which counts only when the source recorded none."""
    days = _upstream_days(p.contact) or [d for d in (_day(p.contact.updated_at),) if d]
    if days and max(days) < opts.cutoff:
        yield finding(p, "stale", "info", "updated_at",
                      f"not updated or enriched since {max(days)} (over {opts.stale_days} days)")


def check_values(p: Prepared) -> Iterator[Finding]:
    """field.formula (a value a spreadsheet would execute) and field.oversized (enormous cells)."""
    for name, value in zip(TEXT_FIELDS, _TEXT_VALUES(p.contact)):
        if not value:
            continue
        if len(value) > OVERSIZED:
            yield finding(p, "field.oversized", "info", name, f"{camel(name)} holds {len(value):,} characters")
        if name not in ("first_name", "last_name") and FORMULA.match(value):
            yield finding(p, "field.formula", "info", name,
                          f"{camel(name)} looks like a spreadsheet formula: {short(value, 40)!r}")


def contact_findings(p: Prepared, opts: AuditOptions) -> list[Finding]:
    """Every per-contact finding of one contact."""
    c = p.contact
    out = list(check_email(p, opts.required))
    out += check_required(p, opts.required)
    if c.first_name or c.last_name:  # the checks below find nothing in an empty field; skip their set-up
        out += check_name(p)
    if c.website:
        out += check_website(p)
    out += check_stale(p, opts)
    out += check_values(p)
    return out
