"""email.mx: MX (then A) lookups of email domains with a per-domain cache, bounded concurrency and timeouts.

Without network a lookup is ``unknown``, never ``invalid``: only an authoritative NXDOMAIN, a null MX or a
domain with neither MX nor A records is ``invalid``. The resolver is injectable so tests never touch the network.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Iterable

DEFAULT_TIMEOUT = 4.0
DEFAULT_WORKERS = 16
PROVIDERS = (("google.com", "Google Workspace"), ("googlemail.com", "Google Workspace"),
             ("outlook.com", "Microsoft 365"), ("protection.outlook.com", "Microsoft 365"),
             ("pphosted.com", "Proofpoint"), ("mimecast.com", "Mimecast"), ("zoho", "Zoho"),
             ("yahoodns.net", "Yahoo"), ("icloud.com", "iCloud"), ("protonmail.ch", "Proton"),
             ("messagingengine.com", "Fastmail"), ("secureserver.net", "GoDaddy"), ("ovh.net", "OVH"),
             ("ionos", "IONOS"), ("1and1", "IONOS"), ("gandi.net", "Gandi"), ("mailgun.org", "Mailgun"))


@dataclass(frozen=True)
class DomainDns:
    """The mail verdict of one domain: valid, invalid or unknown, with its MX hosts and why."""

    domain: str
    status: str
    mx: tuple[str, ...] = ()
    reason: str | None = None

    @property
    def provider(self) -> str | None:
        """The mail provider recognised from the MX hosts, or the first MX host."""
        for host in self.mx:
            for needle, name in PROVIDERS:
                if needle in host:
                    return name
        return self.mx[0] if self.mx else None


def default_resolver(timeout: float = DEFAULT_TIMEOUT) -> Any:
    """A dnspython resolver with a lifetime (total timeout) per query."""
    import dns.resolver

    resolver = dns.resolver.Resolver()
    resolver.lifetime = timeout
    resolver.timeout = min(timeout, 2.0)
    return resolver


def lookup(domain: str, resolver: Any) -> DomainDns:
    """MX, then A, for one domain; any failure that is not an authoritative answer is unknown."""
    import dns.exception
    import dns.resolver

    try:
        answer = resolver.resolve(domain, "MX")
        hosts = tuple(sorted(str(r.exchange).rstrip(".").lower() for r in answer))
        if hosts in ((), ("",)):
            return DomainDns(domain, "invalid", (), "null MX: the domain accepts no mail")
        return DomainDns(domain, "valid", hosts)
    except dns.resolver.NXDOMAIN:
        return DomainDns(domain, "invalid", (), "the domain does not exist (NXDOMAIN)")
    except dns.resolver.NoAnswer:
        return _a_record(domain, resolver)
    except (dns.exception.Timeout, dns.resolver.NoNameservers, dns.resolver.NoResolverConfiguration,
            dns.exception.DNSException, OSError) as exc:
        return DomainDns(domain, "unknown", (), f"lookup failed: {type(exc).__name__}")


def _a_record(domain: str, resolver: Any) -> DomainDns:
    import dns.exception
    import dns.resolver

    try:
        resolver.resolve(domain, "A")
        return DomainDns(domain, "valid", (), "no MX; mail goes to its A record")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return DomainDns(domain, "invalid", (), "no MX and no A record")
    except (dns.exception.DNSException, OSError) as exc:
        return DomainDns(domain, "unknown", (), f"lookup failed: {type(exc).__name__}")


class DnsChecker:
    """Looks domains up once each (cached), at most ``workers`` at a time."""

    def __init__(self, resolver: Any = None, *, workers: int = DEFAULT_WORKERS,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        self.resolver = resolver
        self.workers = max(1, workers)
        self.timeout = timeout
        self.cache: dict[str, DomainDns] = {}

    def check(self, domains: Iterable[str]) -> dict[str, DomainDns]:
        """The verdict of each domain (IDN domains are looked up in their ASCII form)."""
        wanted = sorted({d for d in domains if d} - self.cache.keys())
        if wanted:
            resolver = self.resolver or default_resolver(self.timeout)
            with ThreadPoolExecutor(max_workers=min(self.workers, len(wanted))) as pool:
                for verdict in pool.map(lambda d: self._one(d, resolver), wanted):
                    self.cache[verdict.domain] = verdict
        return {d: self.cache[d] for d in domains if d in self.cache}

    def _one(self, domain: str, resolver: Any) -> DomainDns:
        try:
            ascii_name = domain.encode("idna").decode("ascii")
        except UnicodeError:
            return DomainDns(domain, "invalid", (), "not a valid international domain name")
        verdict = lookup(ascii_name, resolver)
        return DomainDns(domain, verdict.status, verdict.mx, verdict.reason)
