"""Rate limits over a real socket: per source and client address (loopback has many: 127.0.0.2, 127.0.0.3 ...),
under a ceiling per source; behind a trusted proxy the client is X-Forwarded-For's right-most untrusted hop."""

import httpx
import pytest

from totalaudio.server.guard import Buckets, client_address, networks


def toml(tap_home, text: str) -> None:
    (tap_home.parent / "cwd" / "tap.toml").write_text("[webhooks]\n" + text)


def client_from(address: str) -> httpx.Client:
    """An HTTP client whose connections come from this loopback address."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address))


def codes(client: httpx.Client, url: str, n: int, headers=None) -> list[int]:
    return [client.get(url + "/healthz", headers=headers).status_code for _ in range(n)]


def test_one_client_flooding_does_not_stop_another(receiver, tap_home, still_clock):
    toml(tap_home, "client_rate_limit = 1\nclient_burst = 3\nrate_limit = 1000\nburst = 1000\n")
    server = receiver()
    with client_from("127.0.0.2") as flood, client_from("127.0.0.3") as other:
        flooded = codes(flood, server.url, 8)
        limited = flood.get(server.url + "/healthz")
        assert codes(other, server.url, 3) == [200, 200, 200]
    assert flooded == [200] * 3 + [429] * 5
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert "too many requests from this client" in limited.json()["error"]


def test_many_addresses_together_meet_the_source_ceiling(receiver, tap_home, still_clock):
    toml(tap_home, "client_rate_limit = 100\nclient_burst = 2\nrate_limit = 1\nburst = 6\n")
    server = receiver()
    answers = []
    for n in range(2, 8):  # six addresses, each under its own limit (2 requests of a burst of 2)
        with client_from(f"127.0.0.{n}") as client:
            answers += [client.get(server.url + "/healthz") for _ in range(2)]
    statuses = [a.status_code for a in answers]
    assert statuses == [200] * 6 + [429] * 6  # the source's burst of 6, whoever sends
    refused = answers[statuses.index(429)]
    assert "from this source" in refused.json()["error"] and int(refused.headers["retry-after"]) >= 1


def test_behind_proxy_the_right_most_untrusted_hop_is_the_client(receiver, tap_home, still_clock):
    toml(tap_home, "client_rate_limit = 1\nclient_burst = 2\nrate_limit = 1000\nburst = 1000\n")
    server = receiver(behind_proxy=True)
    with httpx.Client() as proxy:  # 127.0.0.1: a trusted proxy by default
        first = codes(proxy, server.url, 3, {"x-forwarded-for": "203.0.113.9"})
        # a client writing its own X-Forwarded-For only adds hops on the left: it is still 203.0.113.9
        spoofed = codes(proxy, server.url, 2, {"x-forwarded-for": "198.51.100.1, 203.0.113.9"})
        other = codes(proxy, server.url, 2, {"x-forwarded-for": "203.0.113.10"})
    assert first == [200, 200, 429] and spoofed == [429, 429] and other == [200, 200]


def test_without_behind_proxy_the_header_is_ignored(receiver, tap_home, still_clock):
    toml(tap_home, "client_rate_limit = 1\nclient_burst = 2\nrate_limit = 1000\nburst = 1000\n")
    server = receiver()
    with httpx.Client() as client:
        answers = [client.get(server.url + "/healthz", headers={"x-forwarded-for": f"203.0.113.{n}"}).status_code
                   for n in range(4)]
    assert answers == [200, 200, 429, 429]


@pytest.mark.parametrize("peer, header, expected", [
    ("127.0.0.1", "1.2.3.4", "1.2.3.4"),
    ("127.0.0.1", "1.2.3.4, 127.0.0.5", "1.2.3.4"),                 # a second trusted proxy is skipped
    ("127.0.0.1", "evil, 5.6.7.8", "5.6.7.8"),
    ("127.0.0.1", "not-an-address", "not-an-address"),
    ("127.0.0.1", "", "127.0.0.1"),
    ("127.0.0.1", "127.0.0.2, 127.0.0.3", "127.0.0.2"),            # only proxies: the left-most
    ("192.0.2.7", "1.2.3.4", "192.0.2.7"),                          # an untrusted peer's header is not believed
])
def test_client_address(peer, header, expected):
    headers = [(b"x-forwarded-for", header.encode())] if header else []
    scope = {"client": (peer, 5555), "headers": headers}
    assert client_address(scope, True, networks(None)) == expected
    assert client_address(scope, False, networks(None)) == peer


def test_trusted_proxies_setting_and_bad_entries(settings_for, tap_home):
    from totalaudio.errors import ConfigError
    from totalaudio.server.app import trusted_proxies

    toml(tap_home, 'trusted_proxies = ["10.0.0.0/8"]\n')
    scope = {"client": ("10.1.2.3", 1), "headers": [(b"x-forwarded-for", b"1.2.3.4")]}
    assert client_address(scope, True, trusted_proxies(settings_for())) == "1.2.3.4"
    toml(tap_home, 'trusted_proxies = ["nowhere"]\n')
    with pytest.raises(ConfigError, match="nowhere"):
        trusted_proxies(settings_for())


def test_buckets_forget_idle_clients():
    now = [0.0]
    buckets = Buckets(rate=10, burst=2, clock=lambda: now[0], keep=100)
    for n in range(100):
        buckets.take(("stripe", f"10.0.0.{n}"))
    now[0] = 1.0  # every bucket has filled again
    buckets.take(("stripe", "10.0.1.1"))
    assert len(buckets.state) == 1
    for n in range(250):  # none idle long enough: the older half goes
        buckets.take(("stripe", f"10.0.2.{n}"))
    assert len(buckets.state) <= 100 and ("stripe", "10.0.2.249") in buckets.state
