"""Running the receiver under uvicorn: where it may listen, TLS, and its logs on stderr."""

from __future__ import annotations

import ipaddress
import logging
import socket
import sys
from pathlib import Path
from typing import Any

from totalaudio.config import Settings
from totalaudio.errors import ConfigError, InputError

CLEAR_TEXT = ("refusing to listen on {host} without TLS: Stripe events, Mailchimp's secret URL and Make.com "
              "triggers would cross the network in clear text")


def is_loopback(host: str) -> bool:
    """Whether an address only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_binding(host: str, tls_cert: Path | None, tls_key: Path | None, behind_proxy: bool) -> None:
    """TLS needs both files; anything but loopback needs TLS or --behind-proxy (InputError says why)."""
    if (tls_cert is None) != (tls_key is None):
        raise InputError("give --tls-cert and --tls-key together")
    for path in (tls_cert, tls_key):
        if path is not None and not path.is_file():
            raise InputError(f"{path}: no such file")
    if tls_cert is None and not behind_proxy and not is_loopback(host):
        raise InputError(CLEAR_TEXT.format(host=host),
                         hint="give --tls-cert and --tls-key, or --behind-proxy when a TLS-terminating proxy "
                              "(Caddy, nginx) forwards to this port")


def sources_on(settings: Settings) -> list[str]:
    """The sources whose secret is set; ConfigError when none is (the receiver would take nothing)."""
    secrets = {"stripe": "STRIPE_WEBHOOK_SECRET", "mailchimp": "TAP_MAILCHIMP_WEBHOOK_SECRET",
               "make": "TAP_MAKE_TRIGGER_SECRET"}
    on = [name for name, var in secrets.items() if settings.get(var)]
    if not on:
        raise ConfigError("no webhook source is configured", hint=f"set at least one of {', '.join(secrets.values())}")
    return on


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to host:port; InputError when the address is taken or not this machine's."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    return sock


def _logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
    logger = logging.getLogger("tap.webhooks")
    logger.setLevel(logging.INFO)
    if not logger.handlers:
        logger.addHandler(handler)


def serve(app: Any, host: str, port: int, *, tls_cert: Path | None = None, tls_key: Path | None = None) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM end it gracefully; queued notifications are sent first)."""
    import gc

    import uvicorn

    sock = listen(host, port)
    # what is loaded by now lives as long as the process: the collector need not walk it again (its full passes
    # over every module's objects were the longest pauses under load)
    gc.collect()
    gc.freeze()
    # the event loop and the store's writer share the GIL: hand it over every 1 ms rather than 5 ms, so a batch
    # being written does not hold up the answers of the previous one
    sys.setswitchinterval(0.001)
    _logging()
    config = uvicorn.Config(app, host=host, port=port, ssl_certfile=str(tls_cert) if tls_cert else None,
                            ssl_keyfile=str(tls_key) if tls_key else None, access_log=False, server_header=False,
                            proxy_headers=False, lifespan="on", log_level="info")  # the Guard reads the proxy's header
    uvicorn.Server(config).run(sockets=[sock])
