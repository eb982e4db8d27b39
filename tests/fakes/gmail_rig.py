"""Helpers for Gmail tests: a real client on the loopback fake, contacts, and messages shaped like replies."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from tests.fakes.gmail_fake import GmailFake
from totalaudio.clients._base import Caller
from totalaudio.clients.gmail import INTEGRATION, GmailClient, classify
from totalaudio.store.contacts import ContactStore


@pytest.fixture(autouse=True)
def no_os_keyring(monkeypatch):
    """Keep tests away from a developer's real OS keyring (CI has none anyway): keys come from env or file."""
    import totalaudio.clients.gmail as gmail_client

    monkeypatch.setattr(gmail_client, "_keyring_key", lambda _create: None)


@pytest.fixture
def fake():
    """A fresh loopback Gmail; at the end, no request may have been refused by the discovery document."""
    server = GmailFake()
    yield server
    assert server.mailbox.refused == []
    server.stop()


def client_for(fake: GmailFake) -> GmailClient:
    """The real google-api-python-client pointed at the fake, retrying without sleeping."""
    from google.oauth2.credentials import Credentials

    caller = Caller(INTEGRATION, classify, sleep=lambda _s: None)
    return GmailClient(Credentials(token="test-access"), fake.url, caller, account=fake.mailbox.address)


def add_contacts(db, *rows: dict) -> list[str]:
    """Insert contacts and return their ids in order."""
    store = ContactStore(db)
    store.insert_many([{"status": "opted-in", **r} for r in rows])
    return [store.get(r["email"]).id for r in rows]


def reply(sender: str, body: str, *, subject: str = "Re: Harbour Lights", in_reply_to: str | None = None,
          headers: dict | None = None, to: str = "jo@totalaudio.example") -> bytes:
    """An incoming message as bytes."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Date"] = "Wed, 18 Mar 2026 16:45:00 +0000"
    msg["Message-ID"] = f"<{abs(hash((sender, body, subject)))}@mail.example>"
    if in_reply_to:
        msg["In-Reply-To"] = msg["References"] = in_reply_to
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(body)
    return msg.as_bytes()


def dsn(recipient: str, status: str = "5.1.1", action: str = "failed", original_id: str = "") -> bytes:
    """A Postfix-style RFC 3464 delivery report for one recipient."""
    return f"""From: MAILER-DAEMON@mail.example (Mail Delivery System)
To: jo@totalaudio.example
Subject: Undelivered Mail Returned to Sender
Date: Wed, 18 Mar 2026 10:00:00 +0000
Message-ID: <dsn-{recipient}-{status}@mail.example>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

<{recipient}>: host mx said: {'550' if status.startswith('5') else '452'} {status} problem

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example

Final-Recipient: rfc822; {recipient}
Action: {action}
Status: {status}

--B
Content-Type: text/rfc822-headers

Message-ID: {original_id}

--B--
""".encode()
