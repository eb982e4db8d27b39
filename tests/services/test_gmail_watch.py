"""tap gmail watch against the loopback fake through the real client: look-back, history, 404, once-ever."""

import json

import pytest

from tests.fakes.gmail_rig import fake, no_os_keyring, add_contacts, client_for, dsn, reply  # noqa: F401 (fake is a fixture)
from totalaudio.services.gmail import send as send_svc
from totalaudio.services.gmail import watch as svc
from totalaudio.store.db import open_db
from totalaudio.store.syncstate import SyncState


@pytest.fixture
def db(tmp_path):
    return open_db(tmp_path / "tap.db")


@pytest.fixture
def pitched(fake, db):
    """Three contacts pitched through tap gmail send; returns (client, {email: ledger row})."""
    add_contacts(db, {"email": "emma@bbc.example", "first_name": "Emma"},
                 {"email": "tom@6music.example", "first_name": "Tom"},
                 {"email": "rob@coast.example", "first_name": "Rob"})
    client = client_for(fake)
    from totalaudio.store.contacts import ContactStore

    contacts = list(ContactStore(db).iter())
    opts = send_svc.SendOptions("Harbour Lights", "Hi {{first_name}}", campaign="Lanterns", per_second=0)
    send_svc.send(client, db, contacts, opts, run_id=None)
    rows = {r["email"]: r for r in db.query("SELECT * FROM gmail_sends")}
    return client, rows


def test_first_run_looks_back_then_history_costs_one_call(fake, db, pitched):
    client, rows = pitched
    emma = rows["emma@bbc.example"]
    fake.mailbox.add(reply("Emma <emma@bbc.example>", "Love it, adding it Thursday.\n\nOn Mon Jo wrote:\n> Hi"),
                     thread_id=emma["thread_id"])
    fake.mailbox.add(reply("stranger@else.example", "Buy our plugin"))  # unmatched: ignored, not stored
    first = svc.watch(client, db)
    assert first.mode == "lookback" and [m.kind for m in first.messages] == ["human"]
    msg = first.messages[0]
    assert msg.contact_id == emma["contact_id"] and msg.campaign_id == emma["campaign_id"]
    assert msg.snippet == "Love it, adding it Thursday." and first.ignored == 1
    assert db.execute("SELECT count(*) FROM gmail_messages").fetchone()[0] == 1
    quiet = svc.watch(client, db)
    assert quiet.mode == "history" and quiet.api_calls == 1 and quiet.messages == ()
    contact = db.execute("SELECT reply_status, last_engagement FROM contacts WHERE id = ?",
                         [emma["contact_id"]]).fetchone()
    assert tuple(contact) == ("Replied", msg.received_at[:10])  # what the Airtable sync pushes
    event = db.execute("SELECT kind, source, data, campaign_id FROM events WHERE kind = 'reply'").fetchone()
    assert event[0:2] == ("reply", "gmail") and json.loads(event[2])["threadId"] == emma["thread_id"]
    assert db.execute("SELECT replies FROM campaigns WHERE id = ?", [event[3]]).fetchone()[0] == 1


def test_history_gap_404_rereads_without_doubles(fake, db, pitched):
    client, rows = pitched
    tom = rows["tom@6music.example"]
    fake.mailbox.add(reply("tom@6music.example", "B-list from Monday"), thread_id=tom["thread_id"])
    assert len(svc.watch(client, db).messages) == 1
    fake.mailbox.expire_history()
    fake.mailbox.add(reply("rob@coast.example", "Please take me off your mailing list.",
                           in_reply_to=rows["rob@coast.example"]["rfc822_id"]))
    after = svc.watch(client, db)
    assert after.mode == "reread" and [m.kind for m in after.messages] == ["unsubscribe"]
    assert after.already_processed == 1  # Tom's reply came back in the re-read and was not acted on again
    assert db.execute("SELECT count(*) FROM events WHERE source = 'gmail' AND kind != 'sent'").fetchone()[0] == 2
    status = db.execute("SELECT status, reply_status FROM contacts WHERE email = 'rob@coast.example'").fetchone()
    assert tuple(status) == ("unsubscribed", "Unsubscribed")
    journal = db.execute("SELECT count(*) FROM journal WHERE entity = 'contact' AND after = ?",
                         ['{"status": "unsubscribed"}'])
    assert journal.fetchone()[0] == 1


def test_overlapping_runs_process_a_message_once(fake, db, pitched):
    client, rows = pitched
    emma = rows["emma@bbc.example"]
    fake.mailbox.add(reply("emma@bbc.example", "Yes!"), thread_id=emma["thread_id"])
    svc.watch(client, db)
    SyncState(db).set(svc.HISTORY_KEY, "1")  # a stale cursor: the next run sees the same message again
    again = svc.watch(client, db)
    assert again.messages == () and again.already_processed >= 1
    assert db.execute("SELECT count(*) FROM events WHERE kind = 'reply'").fetchone()[0] == 1


def test_bounces_mark_addresses(fake, db, pitched):
    client, rows = pitched
    fake.mailbox.add(dsn("tom@6music.example", original_id=rows["tom@6music.example"]["rfc822_id"]))
    for _ in range(3):
        fake.mailbox.add(dsn("emma@bbc.example", status="4.2.2", action="delayed"))
    result = svc.watch(client, db)
    kinds = sorted((m.bounced_recipient, m.permanent) for m in result.messages)
    assert kinds == [("emma@bbc.example", False)] * 3 + [("tom@6music.example", True)]
    statuses = dict(db.execute("SELECT email, status FROM contacts").fetchall())
    assert statuses["tom@6music.example"] == "bounced" and statuses["emma@bbc.example"] == "bounced"
    assert result.summary["bounce"] == 4


def test_two_soft_bounces_keep_the_contact(fake, db, pitched):
    client, _ = pitched
    for _ in range(2):
        fake.mailbox.add(dsn("rob@coast.example", status="4.4.1", action="delayed"))
    svc.watch(client, db)
    assert db.execute("SELECT status FROM contacts WHERE email = 'rob@coast.example'").fetchone()[0] == "opted-in"


def test_auto_reply_records_return_date_and_is_not_a_reply(fake, db, pitched):
    client, rows = pitched
    emma = rows["emma@bbc.example"]
    fake.mailbox.add(reply("emma@bbc.example", "I am out of the office until 23 March 2026. Urgent: "
                           "mark@bbc.example", subject="Automatic reply: Harbour Lights",
                           headers={"X-MS-Exchange-Inbox-Rules-Loop": "emma@bbc.example"}), thread_id=emma["thread_id"])
    result = svc.watch(client, db)
    assert [m.kind for m in result.messages] == ["auto_reply"]
    data = json.loads(db.execute("SELECT data FROM events WHERE kind = 'auto_reply'").fetchone()[0])
    assert data["returnDate"] == "2026-03-23" and data["alternateAddress"] == "mark@bbc.example"
    assert db.execute("SELECT replies FROM campaigns").fetchone()[0] == 0


def test_dry_run_changes_nothing(fake, db, pitched):
    client, rows = pitched
    fake.mailbox.add(reply("emma@bbc.example", "Yes"), thread_id=rows["emma@bbc.example"]["thread_id"])
    result = svc.watch(client, db, dry_run=True)
    assert [m.kind for m in result.messages] == ["human"] and result.dry_run
    assert db.execute("SELECT count(*) FROM gmail_messages").fetchone()[0] == 0
    assert SyncState(db).get(svc.HISTORY_KEY) is None
