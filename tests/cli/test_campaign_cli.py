"""The campaign commands, the contact timeline, follow-ups (JSON and iCalendar) and the artist's report, as a
plugger runs them."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from tests.cli.helpers import tap
from totalaudio.config import Settings
from totalaudio.store.campaigns import CampaignStore
from totalaudio.store.contacts import ContactStore
from totalaudio.store.db import open_db

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def ago(days, seconds=0):
    return (NOW - timedelta(days=days, seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def ok(*args):
    result = tap(*args)
    assert result.code == 0, f"tap {' '.join(map(str, args))}: {result.err}"
    return result.json() if "--json" in args else result


@pytest.fixture
def store(tap_home, tmp_path):
    csv = tmp_path / "contacts.csv"
    csv.write_text("Email,First Name,Last Name,Station,Genres,Status,Contact Type,Region / Country,Notes\n"
                   "ed@storm.example,Ed,Vale,Storm FM,Indie,Opted-In,Radio,UK,Likes guitars\n"
                   "jo@storm.example,Jo,Hart,Storm FM,Indie,Opted-In,Radio,UK,\n"
                   "kim@harbour.example,Kim,Reid,Harbour Radio,Indie,Opted-In,Radio,Ireland,\n"
                   "sam@lake.example,Sam,Okafor,Lakeside Sound,\"Indie, Folk\",Opted-In,Podcast,UK,\n"
                   "al@lake.example,Al,Moss,Lakeside Sound,Jazz,Opted-In,Podcast,UK,\n", encoding="utf-8")
    ok("contacts", "import", csv, "--json")
    made = ok("campaign", "new", "Lights", "--artist", "Nova <Lights>", "--release", "Lights", "--genre", "indie",
              "--list", "list1", "--template-id", "7", "--json")
    db = open_db(Settings({}).db_path)
    ids = {c.email: c.id for c in ContactStore(db).iter()}
    events = []
    for email, kind, when, data in [
        ("ed@storm.example", "sent", ago(8), {}), ("ed@storm.example", "open", ago(8, -30), {}),  # a scanner
        ("ed@storm.example", "open", ago(7), {}),
        ("jo@storm.example", "sent", ago(8), {}), ("jo@storm.example", "open", ago(6), {}),
        ("jo@storm.example", "reply", ago(5), {"snippet": "Love it - on Friday's show"}),
        ("kim@harbour.example", "sent", ago(8), {}),
        ("kim@harbour.example", "auto_reply", ago(8), {"returnDate": (NOW + timedelta(days=3)).date().isoformat()}),
        ("sam@lake.example", "sent", ago(9), {}), ("sam@lake.example", "sent", ago(4), {}),
    ]:
        events.append({"contact_id": ids[email], "email": email, "campaign_id": made["id"], "source": "mailchimp",
                       "kind": kind, "at": when, "data": data})
    CampaignStore(db).add_events(events)
    db.close()
    return {"campaign": made, "ids": ids}


def test_new_status_list(store):
    made = store["campaign"]
    assert made["chosen"] == 4 and made["channel"] == "mailchimp" and made["plan"]["listId"] == "list1"
    status = ok("campaign", "status", "Lights", "--json")
    assert status["counts"]["sent"] == 4 and status["counts"]["opened"] == 2
    assert status["counts"]["replied"] == {"human": 1, "autoReply": 1, "bounce": 0, "unsubscribe": 0}
    assert status["steps"][0] == {"step": "import", "state": "pending", "at": None, "error": None}
    listed = ok("campaign", "list", "--json")
    assert listed[0]["name"] == "Lights" and listed[0]["nextStep"] == "import" and listed[0]["contacts"] == 4
    assert ok("campaign", "status", "--json")[0]["name"] == "Lights"
    assert "next:" in ok("campaign", "status").out


def test_bad_input_exits_2_with_a_json_error(store):
    bad = tap("campaign", "outcome", "Lights", "--contact", "al@lake.example", "--type", "add", "--json")
    assert bad.code == 2 and "not one of" in bad.err_json()["error"]["message"] and bad.out == ""
    assert tap("campaign", "run", "Nope", "--json").code == 2
    assert tap("campaign", "run", "Lights", "--from", "mail", "--json").code == 2


def test_outcome_quote_and_timeline(store):
    assert ok("campaign", "status", "Lights", "--json")["counts"]["outcomes"] == 0  # totals cached here
    ok("campaign", "outcome", "Lights", "--contact", "jo@storm.example", "--type", "play", "--note", "Friday show",
       "--date", "2026-11-20", "--json")
    assert ok("campaign", "status", "Lights", "--json")["counts"]["outcomes"] == 1  # a new event: computed again
    reply = next(e for e in ok("contacts", "timeline", "jo@storm.example", "--json")["entries"]
                 if e["kind"] == "reply")
    ok("campaign", "quote", "Lights", "--contact", "jo@storm.example", "--reply", str(reply["eventId"]), "--json")
    timeline = ok("contacts", "timeline", "jo@storm.example", "--json")
    kinds = [e["kind"] for e in timeline["entries"]]
    assert "created" in kinds and "chosen" in kinds and kinds.index("sent") < kinds.index("reply")
    assert kinds[-2:] == ["outcome", "quote"]
    assert any(e["source"] == "contacts import" and e["kind"] == "create" for e in timeline["entries"])
    assert reply["snippet"] == "Love it - on Friday's show" and reply["replyKind"] == "reply"
    assert [e["at"] for e in timeline["entries"]] == sorted(e["at"] for e in timeline["entries"])
    ed = ok("contacts", "timeline", "ed@storm.example", "--json")
    assert any(e["kind"] == "note" and e["snippet"] == "Likes guitars" for e in ed["entries"])
    opens = [e["summary"] for e in ed["entries"] if e["kind"] == "open"]  # the scanner's, 30 s after the send
    assert opens == ["opened (by a machine: within 120 s of delivery) in Lights", "opened in Lights"]
    facts_quote = ok("report", "Lights", "--json", "--no-ai")["facts"]["quotes"][0]
    assert facts_quote["text"] == "Love it - on Friday's show"


def test_followups_rules_json_and_ics(store, tmp_path):
    items = {i["email"]: i for i in ok("followups", "--json")}
    assert items["ed@storm.example"]["rule"] == "opened-no-reply"
    assert items["ed@storm.example"]["due"] == (NOW - timedelta(days=8) + timedelta(days=5)).date().isoformat()
    assert items["jo@storm.example"]["rule"] == "reply-no-outcome"
    assert items["kim@harbour.example"]["due"] == (NOW + timedelta(days=4)).date().isoformat()
    assert items["sam@lake.example"]["rule"] == "try-another-contact"
    assert [a["email"] for a in items["sam@lake.example"]["alternatives"]] == ["al@lake.example"]
    ok("campaign", "outcome", "Lights", "--contact", "jo@storm.example", "--type", "add", "--json")
    assert "jo@storm.example" not in {i["email"] for i in ok("followups", "--campaign", "Lights", "--json")}

    first, second = tmp_path / "a.ics", tmp_path / "b.ics"
    ok("followups", "--ics", first)
    ok("followups", "--ics", second)
    raw = first.read_bytes()
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))

    def uids(data):
        return sorted(line for line in data.split(b"\r\n") if line.startswith(b"UID:"))
    assert uids(raw) == uids(second.read_bytes()) and len(uids(raw)) == 3
    from icalendar import Calendar
    events = Calendar.from_ical(raw).walk("VEVENT")
    assert any("Kim Reid" in str(e["SUMMARY"]) for e in events)


def test_report_html_md_and_json(store, tmp_path):
    ok("campaign", "outcome", "Lights", "--contact", "jo@storm.example", "--type", "add", "--json")
    page = tmp_path / "report.html"
    ok("report", "Lights", "--html", page)
    html = page.read_text()
    assert "Nova &lt;Lights&gt;" in html and "<svg" in html and "Storm FM" in html
    assert not any(ref in html for ref in ('src="http', 'href="http', "url(http", "@import", "<script"))
    assert "Written from the campaign" in html
    md = ok("report", "Lights", "--md").out
    assert md.startswith("# Nova <Lights> - Lights") and "| Storm FM | Added |" in md
    data = ok("report", "Lights", "--json")
    assert data["narrative"]["source"] == "template" and data["facts"]["totals"]["outcomes"] == 1


def test_pdf_says_how_to_install_chromium_when_absent(store, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    result = tap("report", "Lights", "--pdf", tmp_path / "r.pdf", "--json")
    assert result.code == 3 and "apt-get install chromium" in result.err_json()["error"]["hint"]


def test_run_dry_run_json(store):
    result = ok("campaign", "run", "Lights", "--dry-run", "--json")
    assert result["dryRun"] is True and [s["state"] for s in result["steps"]] == ["would-run"] * 7


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def need_chromium():
    """Skip without Debian's chromium; under CI its absence is a failure (.ci/run installs it)."""
    import os

    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing (.ci/run installs Debian's chromium)")
        pytest.skip(f"{CHROMIUM} is not installed")


def open_in_chromium(page_file, screenshot, width):
    """Load the report in headless Chromium; the console errors, the requests that left the page, the height."""
    need_chromium()
    from playwright.sync_api import sync_playwright

    errors, outside = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("request", lambda req: outside.append(req.url) if not req.url.startswith(("file:", "data:")) else None)
        page.goto(page_file.resolve().as_uri(), wait_until="load")
        height = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(screenshot), full_page=True)
        browser.close()
    return errors, outside, height


def test_the_report_opens_cleanly_in_chromium_on_a_phone_and_a_desktop(store, tmp_path):
    ok("campaign", "outcome", "Lights", "--contact", "jo@storm.example", "--type", "add", "--json")
    ok("campaign", "quote", "Lights", "--contact", "jo@storm.example", "--text", "Straight onto the playlist",
       "--json")
    page = tmp_path / "report.html"
    ok("report", "Lights", "--html", page)
    for width in (390, 1100):
        shot = tmp_path / f"report-{width}.png"
        errors, outside, fits = open_in_chromium(page, shot, width)
        assert errors == [] and outside == [] and fits, (width, errors, outside)
        assert shot.stat().st_size > 10_000


def test_the_demo_runs_a_campaign_to_its_report():
    import shutil
    from pathlib import Path

    result = ok("demo", "--json", "--keep")
    step = next(s for s in result["steps"] if s["title"] == "Run a campaign")
    assert step["ok"], step["summary"]
    report = Path(step["summary"].split("report: ")[1])
    try:
        assert report.is_file() and "<svg" in report.read_text() and " replied" in step["summary"]
    finally:
        shutil.rmtree(result["home"], ignore_errors=True)


def test_strangers_text_is_printed_plain_never_as_markup(store):
    ok("campaign", "quote", "Lights", "--contact", "jo@storm.example", "--text", "[red]loud[/red] [link=x]y[/link]",
       "--json")
    shown = ok("contacts", "timeline", "jo@storm.example").out
    assert "[red]loud[/red]" in shown


def test_pdf_through_headless_chromium(store, tmp_path):
    need_chromium()
    pdf = tmp_path / "lights.pdf"
    data = ok("report", "Lights", "--pdf", pdf, "--json", "--no-ai")
    assert data["files"] == {"pdf": str(pdf)} and pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5000
