"""tap gmail classify, send and watch end to end through the CLI, against the loopback fake."""

import json
from pathlib import Path

import pytest

from tests.cli.helpers import tap
from tests.fakes.gmail_fake import GmailFake
from tests.fakes.gmail_rig import no_os_keyring, reply  # noqa: F401 (autouse fixture)

MAIL = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
FIELDS = {"messageId", "threadId", "receivedAt", "from", "contactId", "campaignId", "kind", "bouncedRecipient",
          "permanent", "snippet"}


@pytest.fixture
def gmail(monkeypatch, tmp_path):
    server = GmailFake()
    monkeypatch.setenv("TAP_GMAIL_BASE_URL", server.url)
    monkeypatch.setenv("TAP_SECRET_KEY", "cli-test-key")
    user = {"client_id": "cid", "client_secret": "cs", "refresh_token": "r", "token_uri": server.token_uri}
    assert tap("gmail", "auth", "--import", "-", stdin=json.dumps(user)).code == 0
    csv = tmp_path / "contacts.csv"
    csv.write_text("Email,First Name,Station\nemma@bbc.example,Emma,BBC\ntom@6music.example,Tom,6 Music\n"
                   "nobody@x.example,,Nowhere\n")
    assert tap("contacts", "import", str(csv)).code == 0
    yield server
    assert server.mailbox.refused == []
    server.stop()


def test_classify_json_has_the_watch_fields():
    result = tap("gmail", "classify", str(MAIL / "heldout"), "--json")
    data = result.json()
    assert result.code == 0 and set(data["messages"][0]) == FIELDS
    assert data["summary"] == {"human": 7, "auto_reply": 10, "bounce": 8, "unsubscribe": 5}


def test_classify_missing_file_is_exit_2():
    result = tap("gmail", "classify", "nope.eml", "--json")
    assert result.code == 2 and "nope.eml" in result.err_json()["error"]["message"]


def test_send_then_watch_once(gmail, tmp_path):
    template = tmp_path / "pitch.txt"
    template.write_text("Hi {{first_name}}, new Lanterns single for {{station}}.")
    missing = tap("gmail", "send", "--template", str(template), "--subject", "Lanterns", "--station", "o",
                  "--yes", "--json")
    assert missing.code == 2 and "nobody@x.example" in missing.err_json()["error"]["message"]
    assert gmail.mailbox.sends == 0
    sent = tap("gmail", "send", "--template", str(template), "--subject", "Lanterns", "--to",
               "emma@bbc.example,tom@6music.example", "--yes", "--json")
    assert sent.code == 0 and sent.json()["counts"] == {"sent": 2}
    thread = next(m["threadId"] for m in gmail.mailbox.messages.values() if b"emma@bbc.example" in m["raw"])
    gmail.mailbox.add(reply("emma@bbc.example", "Love it!\n\nOn Mon Jo wrote:\n> Hi"), thread_id=thread)
    watched = tap("gmail", "watch", "--once", "--json")
    data = watched.json()
    assert watched.code == 0 and data["summary"]["human"] == 1 and set(data["messages"][0]) == FIELDS
    shown = tap("contacts", "show", "emma@bbc.example", "--json").json()
    assert shown["replyStatus"] == "Replied" and shown["engagement"]["replies"] == 1
    assert shown["engagement"]["score"] == 63  # one fresh human reply (services/engagement.py)
    quiet = tap("gmail", "watch", "--once", "--jsonl")
    assert quiet.code == 0 and json.loads(quiet.out.splitlines()[-1])["apiCalls"] == 1


def test_send_dry_run_needs_no_authorisation(tmp_path):
    csv = tmp_path / "c.csv"
    csv.write_text("Email,First Name\nemma@bbc.example,Emma\n")
    tap("contacts", "import", str(csv))
    template = tmp_path / "t.txt"
    template.write_text("Hi {{firstName}}")
    out = tmp_path / "outbox"
    result = tap("gmail", "send", "--template", str(template), "--subject", "S", "--to", "emma@bbc.example",
                 "--dry-run", "--out", str(out), "--json")
    assert result.code == 0 and result.json()["dryRun"] is True and len(list(out.glob("*.eml"))) == 1


def test_watch_json_needs_once():
    result = tap("gmail", "watch", "--json")
    assert result.code == 2
