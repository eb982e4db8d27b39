"""Which website to enrich for a contact: its website field, or its email's domain when that is an organisation's."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from totalaudio.models import Contact


def normalise_url(raw: str | None) -> str | None:
    """``www.x.org/shows`` -> ``https://www.x.org/shows``; None for what is not a web address."""
    text = (raw or "").strip()
    if not text or re.search(r"\s", text):
        return None
    if not re.match(r"(?i)^https?://", text):
        if "://" in text or "@" in text.split("/")[0]:
            return None
        text = "https://" + text
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    if "." not in host and host != "localhost":
        return None
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


def organisation_domain(email: str | None) -> str | None:
    """The email's domain when it belongs to an organisation (not free-mail, not disposable), else None."""
    from totalaudio.services.contacts import emaildomains

    _local, domain = emaildomains.split_email(emaildomains.clean_email(email))
    if not domain or "." not in domain or emaildomains.syntax_error(f"x@{domain}"):
        return None
    if emaildomains.is_free(domain) or emaildomains.is_disposable(domain):
        return None
    return emaildomains.registrable(domain)


def domain_of(url: str | None) -> str | None:
    """The registrable domain of a URL's host."""
    from totalaudio.services.contacts.emaildomains import registrable

    host = urlsplit(url or "").hostname
    return registrable(host) if host else None


def website_for(contact: Contact) -> tuple[str | None, str]:
    """(URL to crawl, where it came from: 'website', 'email domain' or a reason there is none)."""
    if url := normalise_url(contact.website):
        return url, "website"
    if domain := organisation_domain(contact.email):
        return f"https://{domain}/", "email domain"
    if contact.website:
        return None, f"website {contact.website!r} is not a web address"
    return None, "no website, and the email domain is free-mail, disposable or invalid"
