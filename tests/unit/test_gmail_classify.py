"""The reply classifier on hand-labelled messages, and on hostile bytes (it never raises, always answers)."""

import json
import random
from pathlib import Path

import pytest

from totalaudio.services.gmail import quotes
from totalaudio.services.gmail.classify import KINDS, classify
from totalaudio.services.gmail.dates import return_date
from totalaudio.services.gmail.files import classify_paths

MAIL = Path(__file__).resolve().parents[1] / "fixtures" / "mail"


def labelled(name):
    labels = json.loads((MAIL / name / "labels.json").read_text())
    return [(name, f, label) for f, label in sorted(labels.items())]


@pytest.mark.parametrize("folder,name,label", labelled("train") + labelled("heldout") + labelled("heldout2"),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_labelled_message(folder, name, label):
    verdict = classify((MAIL / folder / name).read_bytes())
    assert verdict.kind == label["kind"]
    if label["kind"] == "bounce":
        assert (verdict.bounced_recipient, verdict.permanent) == (label["recipient"], label["permanent"])


def test_human_reply_quoting_an_out_of_office_is_human():
    raw = (MAIL / "heldout" / "human_back_from_ooo.eml").read_bytes()
    assert classify(raw).kind == "human"


def test_unsubscribe_in_a_quoted_footer_is_not_a_request():
    verdict = classify((MAIL / "heldout" / "human_en_quote_sig.eml").read_bytes())
    assert verdict.kind == "human" and "Unsubscribe" not in verdict.snippet


def test_snippet_drops_quote_and_signature():
    body = "Great, adding it.\n\nThanks,\nEmma\n-- \nEmma Hughes | Producer\n\nOn Mon, Jo wrote:\n> pitch"
    assert quotes.snippet(quotes.new_text(body)) == "Great, adding it. Thanks, Emma"
    outlook = "Ja, gerne.\n\nVon: Jo <jo@x.example>\nGesendet: Montag\nAn: T\nBetreff: Single\n\nAbmelden"
    assert quotes.new_text(outlook) == "Ja, gerne."


@pytest.mark.parametrize("text,expected", [
    ("I am out of the office until Monday 23rd March.", "2026-03-23"),
    ("Ich bin bis einschließlich 20.03.2026 im Urlaub.", "2026-03-20"),
    ("Je suis absente jusqu'au 27 mars inclus.", "2026-03-27"),
    ("Estaré fuera hasta el 2 de abril.", "2026-04-02"),
    ("Back on April 6, 2026.", "2026-04-06"),
    ("I'm away.", None),
])
def test_return_dates(text, expected):
    from datetime import datetime, timezone

    assert return_date(text, datetime(2026, 3, 10, tzinfo=timezone.utc)) == expected


def test_mbox_and_directory(tmp_path):
    mbox = tmp_path / "replies.mbox"
    parts = [(MAIL / "heldout" / n).read_bytes() for n in ("ooo_nl.eml", "bounce_qmail.eml")]
    mbox.write_bytes(b"".join(b"From sender@example Mon Mar 16 10:00:00 2026\n" + p + b"\n" for p in parts))
    kinds = [r.kind for _, r in classify_paths([mbox, MAIL / "heldout" / "unsub_it.eml"])]
    assert kinds == ["auto_reply", "bounce", "unsubscribe"]


def hostile_messages(seed=7, count=300):
    """Broken MIME, huge headers, bad encodings, deep nesting, binary noise, truncated reports."""
    rng = random.Random(seed)
    samples = [p.read_bytes() for p in sorted((MAIL / "train").glob("*.eml"))]
    fixed = [
        b"", b"\x00\xff\xfe", b"From: \r\n\r\n", b"Subject: " + b"A" * 1_000_000 + b"\r\n\r\nbody",
        b"From: =?x-unknown?Q?=FF=FE?= <a@b>\r\nSubject: =?utf-8?B?!!!notbase64?=\r\n\r\nhi",
        b"Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n--x\r\nContent-Type: text/plain; charset=klingon\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n@@@@\r\n--x",
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\nContent-Type: "
        b"message/delivery-status\r\n\r\nFinal-Recipient: rfc822;\r\nAction: \r\nStatus: 9.9.9\r\n--b--",
        b"Content-Type: multipart/mixed; boundary=a\r\n\r\n" + b"--a\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n"
        * 500,
        b"Content-Type: text/html\r\n\r\n" + b"<div>" * 100000 + b"<blockquote",
        b"Date: Mon, 99 Foo 99999 99:99:99 +9999\r\nFrom: <<<@@@>>>\r\nReferences: <" + b"x" * 100000 + b">\r\n\r\n",
        b"From: <>\r\nContent-Type: text/html\r\n\r\n" + b"<div>" * 100000 + b"<blockquote",
        b"From: <>\r\n\r\n" + b"\n \n" * 100000, b"From: a@b.example\r\n\r\n" + b"\n" * 300000 + b"unsubscribe",
    ]
    yield from fixed
    for _ in range(count):
        raw = bytearray(rng.choice(samples))
        for _ in range(rng.randint(1, 40)):
            pos = rng.randrange(len(raw) or 1)
            action = rng.random()
            if action < 0.4 and pos < len(raw):
                raw[pos] = rng.randrange(256)
            elif action < 0.7:
                del raw[pos:pos + rng.randint(1, 200)]
            else:
                raw[pos:pos] = rng.choice([b"\r\n", b"--", b"=?", b"Content-Type: multipart/mixed; boundary=z\r\n",
                                           b"\xc3\x28", b"boundary=", b"\x00"])
        yield bytes(raw)


def test_fuzz_never_raises_and_always_answers_quickly():
    import time

    count, slowest = 0, 0.0
    for raw in hostile_messages():
        started = time.process_time()
        verdict = classify(raw)
        slowest = max(slowest, time.process_time() - started)
        assert verdict.kind in KINDS and isinstance(verdict.snippet, str)
        count += 1
    assert count > 300 and slowest < 2.0  # CPU seconds: no pattern goes quadratic on hostile bytes


def test_ticket_system_agent_reply_is_human_but_its_acknowledgement_is_not():
    agent = (b"From: agent@station.example\nTo: jo@x.example\nSubject: Re: [#1234] Harbour Lights\n"
             b"X-Zendesk-From-Account-Id: 9\n\nHi Jo, the team loved it; it's on the playlist from Monday.\n")
    ack = (b"From: help@station.example\nTo: jo@x.example\nSubject: Re: Harbour Lights\n"
           b"X-Zendesk-From-Account-Id: 9\n\nYour request (#99) has been received and is being reviewed.\n")
    assert (classify(agent).kind, classify(ack).kind) == ("human", "auto_reply")


def test_empty_plain_part_falls_back_to_html():
    raw = (b"From: a@b.example\nTo: jo@x.example\nSubject: Re: Pitch\nMIME-Version: 1.0\n"
           b"Content-Type: multipart/alternative; boundary=z\n\n--z\nContent-Type: text/plain\n\n \n--z\n"
           b"Content-Type: text/html\n\n<p>Please take me off your mailing list.</p>\n--z--\n")
    assert classify(raw).kind == "unsubscribe"


@pytest.mark.parametrize("body,expected", [
    ("> Hi Rob, new single\n> Jo\n\nPlease take me off your list.\n\nRob", "Please take me off your list.\n\nRob"),
    ("Hej, Svar.\n\nDen 24. nov. 2025 kl. 10.00 skrev Peter <peter@example.com>:\n> Hej", "Hej, Svar."),
    ("Dzięki!\n\nOd: Jo <jo@x.example>\nWysłano: środa\nDo: Anna\nTemat: Single", "Dzięki!"),
])
def test_bottom_posting_and_nordic_polish_quotes(body, expected):
    assert quotes.new_text(body) == expected


def test_abuse_report_means_never_again():
    raw = (b"From: feedback@isp.example\nTo: jo@x.example\nSubject: Abuse report\nMIME-Version: 1.0\n"
           b"Content-Type: multipart/report; report-type=feedback-report; boundary=f\n\n--f\n"
           b"Content-Type: text/plain\n\nThis is an email abuse report.\n--f\nContent-Type: message/feedback-report\n\n"
           b"Feedback-Type: abuse\n--f--\n")
    assert classify(raw).kind == "unsubscribe"


@pytest.mark.parametrize("sender", ["MAILER-DAEMON <>", '"Mail Deliver System" <MAILER-DAEMON>',
                                    "Mailer Daemon <poostmaster@example.jp>"])
def test_daemon_senders_in_their_many_spellings(sender):
    raw = (f"From: {sender}\nTo: jo@x.example\nSubject: Mail delivery failed\n\nThere was an error delivering your "
           "mail to <gone@station.example>.\n\n550 5.1.1 User unknown\n").encode()
    verdict = classify(raw)
    assert (verdict.kind, verdict.bounced_recipient, verdict.permanent) == ("bounce", "gone@station.example", True)


def test_failed_recipient_from_the_returned_copy():
    raw = (b"From: postmaster@mx.example\nTo: jo@x.example\nSubject: Undeliverable\nMIME-Version: 1.0\n"
           b"Content-Type: multipart/mixed; boundary=r\n\n--r\nContent-Type: text/plain\n\nDelivery failed.\n"
           b"--r\nContent-Type: message/rfc822\n\nFrom: jo@x.example\nTo: Presenter <dj@station.example>\n"
           b"Subject: Pitch\n\nHi\n--r--\n")
    verdict = classify(raw)
    assert (verdict.kind, verdict.bounced_recipient) == ("bounce", "dj@station.example")
