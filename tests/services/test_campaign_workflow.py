"""The campaign workflow against the Mailchimp fake, with recording doors for Gmail, Claude and Make.com."""

from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.fakes.mailchimp_fake import md5
from totalaudio.config import Settings
from totalaudio.errors import ConfigError, InputError
from totalaudio.services.campaigns import service, workflow
from totalaudio.services.campaigns.context import StepContext
from totalaudio.services.campaigns.selection import chosen_contacts
from totalaudio.services.campaigns.ports import Ports
from totalaudio.services.reports.facts import campaign_facts, find_campaign
from totalaudio.store.campaign_runs import StepLog
from totalaudio.store.campaigns import CampaignStore
from totalaudio.store.contacts import ContactStore
from totalaudio.store.db import open_db


class Recorder:
    """Doors to Gmail, Claude and Make.com that record what they were asked."""

    def __init__(self, db):
        self.db, self.calls = db, []

    def gmail_watch(self, ctx):
        self.calls.append(("watch", ctx.campaign["id"]))
        contact = ContactStore(self.db).get("indie1@radio.com")
        CampaignStore(self.db).add_events([{"contact_id": contact.id, "email": contact.email, "kind": "reply",
                                            "campaign_id": ctx.campaign["id"], "source": "gmail",
                                            "at": "2026-11-26T10:00:00Z", "dedupe_key": "gmail:m1",
                                            "data": {"snippet": "Love it, adding to Friday's show"}}])
        return {"replies": 1}

    def narrative(self, db, settings, facts, *, use_ai=True, run_id=None):
        self.calls.append(("narrative", facts["totals"]["sent"]))
        return {"text": "A good week.", "recommendations": [], "source": "claude", "grounding": []}

    def notify(self, settings, event, data):
        self.calls.append(("notify", event, data.get("step") or data.get("email")))
        return None

    def enrich(self, ctx, chosen):
        self.calls.append(("enrich", sorted(c.email for c, _t in chosen)))
        return {"crawled": len(chosen)}

    def ports(self):
        return Ports(gmail_watch=self.gmail_watch, narrative=self.narrative, notify=self.notify)


@pytest.fixture
def db():
    database = open_db(":memory:")
    ContactStore(database).insert_many([
        {"email": "indie1@radio.com", "genres": ["indie"], "status": "opted-in", "station": "Storm FM",
         "contact_type": "radio", "region": "UK"},
        {"email": "indie2@radio.com", "genres": ["Indie"], "status": "opted-in", "station": "Harbour Radio"},
        {"email": "optout@radio.com", "genres": ["indie"], "status": "unsubscribed"},
        {"email": "jazz@radio.com", "genres": ["jazz"], "status": "opted-in"},
    ])
    return database


@pytest.fixture
def settings(tmp_path):
    return Settings({"TAP_HOME": str(tmp_path / "home")}, environ={}, cwd=tmp_path)


@pytest.fixture
def campaign(db, settings):
    made = service.new_campaign(db, settings, "Lights single", "Nova Lights", "Lights", "mailchimp",
                                {"genre": "indie"}, {"listId": "list1", "templateId": 7})
    return made


def context(db, settings, client, recorder, **kw):
    written = []
    ctx = StepContext(db, settings, dict(find_campaign(db, "Lights single")), ports=recorder.ports(),
                      mailchimp=lambda _s: client, enrich=recorder.enrich, write_report=lambda f, s: written.append((f, s)) or {"html": "x"},
                      now=lambda: datetime(2026, 11, 28, tzinfo=timezone.utc), **kw)
    return ctx


def states(result):
    return [(s["step"], s["state"]) for s in result.steps]


def test_new_chooses_the_filtered_contacts_and_leaves_out_the_opted_out(db, campaign):
    assert campaign["chosen"] == 2 and campaign["airtable"].startswith("not configured")
    ids = CampaignStore(db).contact_ids(campaign["id"])
    assert {ContactStore(db).get(i).email for i in ids} == {"indie1@radio.com", "indie2@radio.com"}
    with pytest.raises(InputError, match="exists already"):
        service.new_campaign(db, Settings({}, environ={}), "lights SINGLE", "a", "b", "mailchimp", {}, {})


def test_run_resumes_refreshes_and_records_every_step(db, settings, campaign, fake, client):
    recorder = Recorder(db)
    first = workflow.run(context(db, settings, client, recorder), until="create")
    assert states(first) == [("import", "skipped"), ("enrich", "done"), ("create", "done")]
    assert ("enrich", ["indie1@radio.com", "indie2@radio.com"]) in recorder.calls
    mc_id = find_campaign(db, "Lights single")["mailchimp_id"]
    segment = fake.state.campaigns[mc_id]["recipients"]["segment_opts"]["saved_segment_id"]
    assert fake.state.segments["list1"][segment]["members"] == {md5("indie1@radio.com"), md5("indie2@radio.com")}
    assert db.execute("SELECT count(*) FROM campaigns").fetchone()[0] == 1  # Mailchimp's row was folded in

    with pytest.raises(InputError, match="step send failed: not sent") as refused:
        workflow.run(context(db, settings, client, recorder))
    assert "resume at send" in refused.value.hint
    assert StepLog(db).latest(campaign["id"])["send"]["state"] == "failed"
    assert fake.state.campaigns[mc_id]["status"] == "save"

    done = workflow.run(context(db, settings, client, recorder, yes=True))
    assert states(done) == [("import", "already-done"), ("enrich", "already-done"), ("create", "already-done"),
                            ("send", "done"), ("replies", "done"), ("report", "done"), ("update", "done")]
    assert ("notify", "campaign.reply", "indie1@radio.com") in recorder.calls
    assert ("narrative", 0) in recorder.calls or any(c[0] == "narrative" for c in recorder.calls)
    facts = campaign_facts(db, "Lights single")
    assert facts["totals"]["replied"] == 1
    assert ContactStore(db).get("indie1@radio.com").reply_status == "Replied"

    again = workflow.run(context(db, settings, client, recorder, yes=True))
    assert [s for s, st in states(again) if st == "done"] == ["replies", "report", "update"]
    assert fake.state.campaigns[mc_id]["status"] == "sent"


def test_a_failed_step_is_recorded_with_its_code_and_the_run_resumes_there(db, settings, campaign, fake, client):
    db.execute("UPDATE campaigns SET channel = 'gmail' WHERE id = ?", [campaign["id"]])
    ctx = context(db, settings, client, Recorder(db), yes=True)
    ctx.ports = Ports()
    with pytest.raises(InputError, match="no body template"):
        workflow.run(ctx, start="create")
    with pytest.raises(ConfigError, match="Gmail is not authorised"):
        workflow.run(ctx, start="replies")
    assert StepLog(db).latest(campaign["id"])["replies"]["exit_code"] == 3
    assert StepLog(db).latest(campaign["id"])["create"]["state"] == "failed"
    assert StepLog(db).latest(campaign["id"])["create"]["exit_code"] == 2


def test_dry_run_plans_and_changes_nothing(db, settings, campaign, client):
    ctx = context(db, settings, client, Recorder(db), dry_run=True)
    result = workflow.run(ctx)
    assert all(state == "would-run" for _s, state in states(result))
    assert StepLog(db).latest(campaign["id"]) == {}


def test_outcome_and_quote_are_events_the_facts_count(db, settings, campaign):
    service.outcome(db, "Lights single", "indie2@radio.com", "add", "A-list", "2026-11-27")
    with pytest.raises(InputError, match="not one of"):
        service.outcome(db, "Lights single", "jazz@radio.com", "play")
    with pytest.raises(InputError, match="--type"):
        service.outcome(db, "Lights single", "indie2@radio.com", "spin")
    service.quote(db, "Lights single", "indie1@radio.com", text="A proper earworm")
    facts = campaign_facts(db, "Lights single")
    assert facts["outcomes"]["add"] == 1 and facts["playedBy"][0]["station"] == "Harbour Radio"
    assert facts["quotes"][0]["text"] == "A proper earworm"


def test_enrich_takes_only_contacts_never_or_not_recently_enriched(db, settings, campaign, client):
    ContactStore(db).update(ContactStore(db).get("indie1@radio.com").id, {"last_enriched": "2026-11-20T00:00:00Z"})
    ContactStore(db).update(ContactStore(db).get("indie2@radio.com").id, {"last_enriched": "2026-09-01T00:00:00Z"})
    recorder = Recorder(db)
    workflow.run(context(db, settings, client, recorder), start="enrich", until="enrich")
    assert ("enrich", ["indie2@radio.com"]) in recorder.calls


def test_status_names_the_next_step(db, settings, campaign):
    status = service.status(db, "Lights single")
    assert status["stepsDone"] == 0 and "resumes at import" in status["next"]
    assert status["counts"]["chosen"] == 2 and status["counts"]["replied"]["human"] == 0


def test_from_and_until_are_checked(db, settings, campaign, client):
    with pytest.raises(InputError, match="not a step"):
        workflow.run(context(db, settings, client, Recorder(db)), start="mail")
    with pytest.raises(InputError, match="comes after"):
        workflow.run(context(db, settings, client, Recorder(db)), start="report", until="send")


def test_cached_totals_follow_new_events_and_a_new_contact_list(db, settings, campaign):
    from totalaudio.services.reports.facts import current_totals

    assert current_totals(db, "Lights single")["totals"]["chosen"] == 2
    jazz = ContactStore(db).get("jazz@radio.com").id
    CampaignStore(db).set_contacts(campaign["id"], CampaignStore(db).contact_ids(campaign["id"]) + [jazz])
    assert current_totals(db, "Lights single")["totals"]["chosen"] == 3
    CampaignStore(db).add_events([{"contact_id": jazz, "email": "jazz@radio.com", "campaign_id": campaign["id"],
                                   "source": "gmail", "kind": "sent", "at": "2026-11-20T10:00:00Z"}])
    assert current_totals(db, "Lights single")["totals"]["sent"] == 1


def test_a_gmail_campaign_prepares_its_pitches_from_a_claude_draft(db, settings, tmp_path):
    """The real Gmail port: the create step renders every chosen contact's pitch from the campaign's template
    (front matter of a `tap claude pitch` draft included) into .eml files, and sends nothing."""
    draft = tmp_path / "pitch.md"
    draft.write_text('---\nto: "indie1@radio.com"\nsubject: "New from Nova Lights"\n---\n\n'
                     "Hi {{station}},\n\nHere is the new single.\n", encoding="utf-8")
    service.new_campaign(db, settings, "Gmail single", "Nova Lights", "Lights", "gmail", {"genre": "indie"},
                         {"template": str(draft)})
    ctx = StepContext(db, settings, dict(find_campaign(db, "Gmail single")), ports=Ports())
    done = ctx.ports.gmail_pitch(ctx, [c.id for c in chosen_contacts(db, ctx.campaign["id"])])
    assert done["counts"] == {"would_send": 2} and done["apiCalls"] == 0
    files = sorted(Path(done["outbox"]).glob("*.eml"))
    assert len(files) == 2
    texts = [f.read_text() for f in files]
    assert all("Subject: New from Nova Lights" in t for t in texts)
    assert any("Hi Storm FM" in t for t in texts) and not any("---" in t.split("\n\n", 1)[1] for t in texts)
    assert db.execute("SELECT count(*) FROM events WHERE kind = 'sent'").fetchone()[0] == 0


def test_a_gmail_campaign_without_a_template_says_how_to_give_one(db, settings):
    service.new_campaign(db, settings, "No body", "Nova Lights", "Lights", "gmail", {"genre": "indie"}, {})
    ctx = StepContext(db, settings, dict(find_campaign(db, "No body")), ports=Ports())
    with pytest.raises(InputError, match="no body template") as err:
        ctx.ports.gmail_pitch(ctx, ["x"])
    assert "--template" in err.value.hint
