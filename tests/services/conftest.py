"""Fixtures the service tests share: the stateful Mailchimp fake with one audience, and a client for it."""

import pytest

from tests.fakes.mailchimp_fake import MailchimpFake
from totalaudio.clients.mailchimp import MailchimpClient


@pytest.fixture
def fake():
    """The Mailchimp fake on loopback, holding the audience ``list1``."""
    with MailchimpFake() as server:
        server.state.add_list("list1")
        yield server


@pytest.fixture
def client(fake):
    """A real MailchimpClient pointed at the fake, with retries that do not sleep."""
    return MailchimpClient("key-us1", "us1", fake.url, sleep=lambda s: None)
