"""tap gmail send against the loopback fake: merge fields, never twice (even after a crash), daily cap, follow-ups."""

import email

import pytest

from tests.fakes.gmail_rig import fake, no_os_keyring, add_contacts, client_for, reply  # noqa: F401 (fake is a fixture)
from totalaudio.errors import InputError
from totalaudio.services.gmail import send as svc
from totalaudio.services.gmail import watch as watch_svc
from totalaudio.store.contacts import ContactStore
from totalaudio.store.db import open_db


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "tap.db")
    add_contacts(database, {"email": "emma@bbc.example", "first_name": "Emma", "station": "BBC"},
                 {"email": "tom@6music.example", "first_name": "Tom", "station": "6 Music"},
                 {"email": "gone@coast.example", "first_name": "Gone", "station": "Coast", "status": "unsubscribed"},
                 {"email": "rob@clyde.example", "first_name": "Rob", "station": "Clyde"})
    return database


def contacts(db):
    return list(ContactStore(db).iter())


def opts(**kw):
    base = dict(subject="{{first_name}}, new Lanterns single", body="Hi {{ first_name }} at {{station}}!",
                campaign="Lanterns", per_second=0)
    return svc.SendOptions(**{**base, **kw})


def sent_messages(fake):
    return [email.message_from_bytes(m["raw"]) for m in fake.mailbox.messages.values() if "SENT" in m["labelIds"]]


def test_personal_messages_skip_the_unsubscribed(fake, db):
    result = svc.send(client_for(fake), db, contacts(db), opts())
    assert result.counts == {"sent": 3, "skipped": 1}
    msgs = {m["To"]: m for m in sent_messages(fake)}
    emma = msgs["emma@bbc.example"]
    assert emma["Subject"] == "Emma, new Lanterns single" and "Hi Emma at BBC!" in emma.get_payload()
    assert emma["List-Unsubscribe"] == "<mailto:jo@totalaudio.example?subject=unsubscribe>"
    assert emma["Message-ID"].startswith("<tap.") and "gone@coast.example" not in msgs
    events = db.execute("SELECT count(*) FROM events WHERE kind = 'sent' AND source = 'gmail' AND campaign_id "
                        "IS NOT NULL").fetchone()[0]
    assert events == 3 and fake.mailbox.sends == 3


def test_missing_merge_field_sends_nothing(fake, db):
    add_contacts(db, {"email": "noname@x.example"})
    with pytest.raises(InputError, match="noname@x.example: first_name"):
        svc.send(client_for(fake), db, contacts(db), opts())
    assert fake.mailbox.sends == 0 and db.execute("SELECT count(*) FROM gmail_sends").fetchone()[0] == 0


def test_never_twice_in_a_campaign(fake, db):
    client = client_for(fake)
    svc.send(client, db, contacts(db), opts())
    again = svc.send(client, db, contacts(db), opts())
    assert again.counts == {"already_sent": 3, "skipped": 1} and again.api_calls == 0 and fake.mailbox.sends == 3


def test_crash_after_gmail_accepted_is_found_in_sent(fake, db):
    client = client_for(fake)
    fake.mailbox.fail_next_send_after_accept = True  # Gmail took the first message but the answer was lost
    first = svc.send(client, db, contacts(db), opts())
    assert first.counts["failed"] == 1 and fake.mailbox.sends == 3  # no retry of a send that may have gone
    second = svc.send(client, db, contacts(db), opts())
    assert second.counts == {"recovered": 1, "already_sent": 2, "skipped": 1}
    assert fake.mailbox.sends == 3 and second.api_calls == 1  # one look-up, no second copy


def test_crash_between_intent_and_send_sends_once(fake, db, monkeypatch):
    client = client_for(fake)

    def crash(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr(client, "send", crash)
    with pytest.raises(KeyboardInterrupt):
        svc.send(client, db, contacts(db), opts())
    pending = db.execute("SELECT rfc822_id FROM gmail_sends WHERE state = 'pending'").fetchall()
    assert len(pending) == 1
    monkeypatch.undo()
    result = svc.send(client, db, contacts(db), opts())
    assert result.counts == {"sent": 3, "skipped": 1} and fake.mailbox.sends == 3
    assert result.api_calls == 4  # three sends plus one look-up for the message in doubt
    ids = [m["Message-ID"] for m in sent_messages(fake)]
    assert pending[0][0] in ids


def test_daily_cap_stops_and_resumes_next_day(fake, db, monkeypatch):
    client = client_for(fake)
    first = svc.send(client, db, contacts(db), opts(daily_cap=2))
    assert first.counts == {"sent": 2, "capped": 1, "skipped": 1}
    # "today" stays the day of the first sends, were the clock to pass midnight before the second run
    day = db.execute("SELECT max(sent_at) FROM gmail_sends").fetchone()[0][:10]
    monkeypatch.setattr(svc, "_today_start", lambda: f"{day}T00:00:00Z")
    same_day = svc.send(client, db, contacts(db), opts(daily_cap=2))
    assert same_day.counts.get("sent", 0) == 0 and fake.mailbox.sends == 2
    db.execute("UPDATE gmail_sends SET sent_at = '2000-01-01T00:00:00Z'")  # it is tomorrow
    db.conn.commit()
    next_day = svc.send(client, db, contacts(db), opts(daily_cap=2))
    assert next_day.counts == {"already_sent": 2, "sent": 1, "skipped": 1} and fake.mailbox.sends == 3


def test_pacing_waits_between_sends(fake, db):
    waits = []
    svc.send(client_for(fake), db, contacts(db), opts(per_second=2), sleep=waits.append)
    assert len(waits) == 2 and all(0 < w <= 0.5 for w in waits)


def test_follow_up_replies_in_thread_to_those_who_did_not_reply(fake, db):
    client = client_for(fake)
    svc.send(client, db, contacts(db), opts())
    emma = db.execute("SELECT * FROM gmail_sends WHERE email = 'emma@bbc.example'").fetchone()
    fake.mailbox.add(reply("emma@bbc.example", "Love it"), thread_id=dict(zip(
        [d[0] for d in db.execute("SELECT * FROM gmail_sends").description], emma))["thread_id"])
    watch_svc.watch(client, db)
    result = svc.send(client, db, [], opts(subject="", body="Hi {{first_name}}, any thoughts?", follow_up=True))
    assert result.counts == {"sent": 2} and result.step == "follow_up"
    follow = [m for m in sent_messages(fake) if m["In-Reply-To"]]
    assert sorted(m["To"] for m in follow) == ["rob@clyde.example", "tom@6music.example"]
    pitch_ids = {r[0] for r in db.execute("SELECT rfc822_id FROM gmail_sends WHERE step = 'pitch'")}
    assert all(m["In-Reply-To"] in pitch_ids and m["Subject"].startswith("Re: ") for m in follow)
    threads = {r[0]: r[1] for r in db.execute("SELECT email, thread_id FROM gmail_sends WHERE step = 'pitch'")}
    follow_threads = {r[0]: r[1] for r in db.execute("SELECT email, thread_id FROM gmail_sends WHERE step = "
                                                     "'follow_up'")}
    assert all(follow_threads[e] == threads[e] for e in follow_threads)


def test_dry_run_writes_eml_files_and_sends_nothing(fake, db, tmp_path):
    result = svc.send(None, db, contacts(db), opts(outbox=tmp_path / "out"), dry_run=True)
    files = sorted((tmp_path / "out").glob("*.eml"))
    assert result.dry_run and len(files) == 3 and result.counts == {"would_send": 3, "skipped": 1}
    msg = email.message_from_bytes(files[0].read_bytes())
    assert msg["List-Unsubscribe"] and msg["Message-ID"].startswith("<tap.")
    assert fake.mailbox.calls == [] and db.execute("SELECT count(*) FROM gmail_sends").fetchone()[0] == 0
