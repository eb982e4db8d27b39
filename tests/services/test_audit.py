"""The audit on the example contacts (every planted problem found), on hostile input, with events and DNS."""

import threading
from types import SimpleNamespace

import dns.exception
import dns.resolver
import pytest

from totalaudio.models import Contact
from totalaudio.services.audit.service import audit_contacts, contacts_from_file, failed_check, options_from
from totalaudio.services.audit.dns import DnsChecker
from totalaudio.errors import ConfigError


@pytest.fixture(scope="module")
def example_report():
    from tests.standins import REPO

    return audit_contacts(contacts_from_file(REPO / "examples" / "contacts.csv"))


def emails(report, check, severity=None):
    return {f.email.strip().lower() for f in report.findings
            if f.check == check and (severity is None or f.severity == severity)}


def test_planted_typos_are_found_with_their_fix(example_report):
    typos = {f.email: f.suggestion for f in example_report.findings if f.check == "email.typo"}
    assert typos == {
        "rosie.barnes.dj@gmial.com": "rosie.barnes.dj@gmail.com", "kev.ashworth@hotmial.co.uk": "kev.ashworth@hotmail.co.uk",
        "djtonyv@yaho.com": "djtonyv@yahoo.com", "lena.marsh@outlok.com": "lena.marsh@outlook.com",
        "sam.kershaw@stromfm.co.uk": "sam.kershaw@stormfm.co.uk",
        "holly.redfern@stromfm.co.uk": "holly.redfern@stormfm.co.uk", "music@bbc.co.k": "music@bbc.co.uk",
        "shane.dunne@gmail.con": "shane.dunne@gmail.com"}


def test_planted_syntax_errors_and_missing_email(example_report):
    assert emails(example_report, "email.syntax", "error") == {
        "dj.mike@", "sarah at coastlinefm.com.au", "rob..hart@kxrp.org", "lee.morgan@stormfm,co.uk"}
    assert [f.field for f in example_report.findings if f.check == "field.missing" and f.severity == "error"] == ["email"]


def test_planted_duplicates(example_report):
    assert emails(example_report, "duplicate.exact") == {
        "jo.bloggs@stormfm.co.uk", "ellie.watts@stormfm.co.uk", "pete.hargreaves@harbourradio.org.uk",
        "dan.mitchell@kxrp.org", "grace.lin@coastlinefm.com.au", "niamh.kelly@liffeysound.ie",
        "marcus.reid@clydesidefm.co.uk", "amara.osei@brooklynfreeform.fm", "will.foster@clydesidefm.co.uk"}
    pairs = {frozenset((f.email, f.message.split("<")[1].split(">")[0])) for f in example_report.findings
             if f.check == "duplicate.fuzzy"}
    for a, b in [("jonathan.hale", "jon.hale"), ("michael.torres", "mike.torres"), ("daniel.price", "dan.price"),
                 ("rebecca.shaw", "becky.shaw"), ("katherine.doyle", "kate")]:
        assert any(any(x.startswith(a + "@") for x in p) and any(x.startswith(b + "@") for x in p) for p in pairs)
    assert all(not f.fixable for f in example_report.findings if f.check == "duplicate.fuzzy")


def test_planted_roles_freemail_names_urls_stations(example_report):
    assert emails(example_report, "email.role") >= {
        "info@harbourradio.org.uk", "music@stormfm.co.uk", "studio@liffeysound.ie", "submissions@kxrp.org",
        "music@bbc.co.uk", "info@coastlinefm.com.au", "newmusic@wqbn.org", "submissions@cratediggersweekly.com",
        "studio@clydesidefm.co.uk", "hello@antipodeannoise.com.au"}
    assert emails(example_report, "email.freemail") >= {"rosie.barnes.dj@gmail.com", "jayden.tran.beats@icloud.com"}
    assert emails(example_report, "name.suspicious") == {
        "asdf@example.com", "test@example.org", "latenight@clydesidefm.co.uk", "kev.mcgrath@merseywave.net",
        "djnights@merseywave.net", "mondays@laganvalleyradio.co.uk"}
    assert emails(example_report, "url.invalid") == {
        "jordan.pruitt@kxrp.org", "priya.patel@stormfm.co.uk", "callum.baxter@stormfm.co.uk",
        "eoin.kavanagh@liffeysound.ie", "tahlia.marchetti@coastlinefm.com.au", "leanne.crowther@harbourradio.org.uk"}
    assert emails(example_report, "station.inconsistent") == {
        "rhys.morgan@stormfm.co.uk", "freya.hughes@stormfm.co.uk", "george.sutcliffe@stormfm.co.uk",
        "nia.llewellyn@stormfm.co.uk", "alfie.bramley@stormfm.co.uk", "jade.ormerod@stormfm.co.uk"}
    assert {f.suggestion for f in example_report.findings if f.check == "station.inconsistent"} == {"Storm FM"}


def test_missing_fields_and_formula(example_report):
    missing = {(f.email, f.field) for f in example_report.findings if f.check == "field.missing"}
    assert {("amy.walsh@corribradio.ie", "station"), ("m.lockwood@penninesound.co.uk", "firstName"),
            ("hamish.fraser@swanriversound.com.au", "genres")} <= missing
    assert not any(e.startswith(("info@", "music@")) for e, field in missing if field == "firstName")
    assert emails(example_report, "field.formula") == {"lucy.barraclough@penninesound.co.uk"}


def test_summary_and_score(example_report):
    s = example_report.summary
    assert s.findings == len(example_report.findings) == sum(s.by_check.values()) == sum(s.by_severity.values())
    assert 0 < example_report.quality_score < 100
    # 4 syntax errors + 1 missing address + 8 typo'd domains: a typo is an error, mail to it bounces
    assert failed_check(example_report, None).startswith("13 error-level")
    assert {f.severity for f in example_report.findings if f.check == "email.typo"} == {"error"}


def test_station_spellings_of_one_broadcaster_cluster_through_a_shared_domain():
    people = [Contact(f"c{i}", f"p{i}@bbc.co.uk", "A", f"B{i}", station=s)
              for i, s in enumerate(["BBC Radio 6 Music"] * 5 + ["BBC 6Music", "6 Music"])]
    found = [f for f in audit_contacts(people).findings if f.check == "station.inconsistent"]
    assert {f.contact_id for f in found} == {"c5", "c6"} and {f.suggestion for f in found} == {"BBC Radio 6 Music"}


def test_hostile_input_never_crashes():
    weird = [
        Contact("a", ""), Contact("b", "   "), Contact("c", "=cmd|' /C calc'!A0", first_name="=1+1"),
        Contact("d", "ana@bärenwelle-radio.de", "Ana", "Krämer", website="https://bärenwelle-radio.de"),
        Contact("e", "x@" + "a" * 300 + ".com", notes="n" * 200_000, website="w" * 5000),
        Contact("f", "\u202e@evil.com", first_name="\u0000\u200b", station="\U0001f4fb Radio"),
        Contact("g", "jo@xn--brenwelle-radio-0kb.de", phone="+44 (0) 20 7946 0000" * 50),
        Contact("h", "@@@", last_name="@", website="http://[::1]/x"),
        Contact("i", "a@b.c", updated_at="not a date", last_enriched="2026-13-45"),
    ]
    report = audit_contacts(weird)
    checks = {(f.contact_id, f.check) for f in report.findings}
    assert ("a", "field.missing") in checks and ("c", "email.syntax") in checks
    assert ("e", "field.oversized") in checks and ("c", "name.suspicious") in checks
    assert not any(f.contact_id == "d" and f.severity != "info" for f in report.findings if f.check != "field.missing")
    assert all(len(f.message) < 400 for f in report.findings)


def test_status_conflict_from_twins_own_fields_and_events():
    people = [Contact("a", "x@kxrp.org", status="unsubscribed"), Contact("b", "X@kxrp.org", status="opted-in"),
              Contact("c", "y@kxrp.org", status="opted-in", tags=("Bounced",)),
              Contact("d", "z@kxrp.org", status="opted-in"), Contact("e", "q@kxrp.org", status="bounced"),
              Contact("f", "f@kxrp.org", status="opted-in", extra={"Mailchimp Status": "Unsubscribed"}),
              Contact("g", "g@kxrp.org", notes="Hard bounce in March, check address"),
              Contact("h", "h@kxrp.org", notes="Loves bounced-off-the-wall indie", extra={"Colour": "cleaned up"})]
    report = audit_contacts(people, events={"z@kxrp.org": "unsubscribe", "q@kxrp.org": "bounce_hard"})
    conflicts = {f.contact_id: f.severity for f in report.findings if f.check == "status.conflict"}
    assert conflicts == {"b": "error", "c": "warning", "d": "error", "f": "warning", "g": "warning"}


def test_fuzzy_duplicates_by_phone_and_mailbox_but_not_namesakes():
    people = [Contact("a", "tom@kxrp.org", "Tom", "Hale", phone="020 7946 0001"),
              Contact("b", "thomas.hale@gmail.com", "Thomas", "Hale", phone="+44 20 7946 0001"),
              Contact("c", "sam@kxrp.org", "Sam", "Hale", phone="020 7946 0001"),
              Contact("d", "dj.nightowl77@gmail.com"), Contact("e", "dj.nightowl77@hotmail.com")]
    pairs = {(f.contact_id, f.related[0]) for f in audit_contacts(people).findings if f.check == "duplicate.fuzzy"}
    assert pairs == {("b", "a"), ("e", "d")}


def test_required_fields_and_options_from_config():
    opts = options_from({"required": ["email", "phone"], "stale_days": 30})
    assert opts.required == ("email", "phone") and opts.stale_days == 30
    report = audit_contacts([Contact("a", "jo@kxrp.org", "Jo")], opts)
    assert [(f.check, f.field) for f in report.findings] == [("field.missing", "phone")]
    with pytest.raises(ConfigError):
        options_from({"required": ["nonsense"]})
    with pytest.raises(ConfigError):
        options_from({"stale_days": "soon"})


class FakeResolver:
    """Answers from a table; records calls and the peak number of concurrent lookups."""

    def __init__(self, table):
        self.table, self.calls, self.active, self.peak = table, [], 0, 0
        self.lock = threading.Lock()

    def resolve(self, name, rdtype):
        with self.lock:
            self.calls.append((name, rdtype))
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            answer = self.table.get((name, rdtype), dns.resolver.NoAnswer)
            if isinstance(answer, type) and issubclass(answer, Exception):
                raise answer()
            return [SimpleNamespace(exchange=h) for h in answer]
        finally:
            with self.lock:
                self.active -= 1


def test_dns_mx_then_a_cached_and_unknown_is_never_invalid():
    resolver = FakeResolver({
        ("kxrp.org", "MX"): ["mx1.kxrp.org."], ("gone.example", "MX"): dns.resolver.NXDOMAIN,
        ("web-only.org", "A"): ["1.2.3.4"], ("offline.org", "MX"): dns.exception.Timeout,
        ("nomail.org", "MX"): ["."], ("xn--brenwelle-radio-0kb.de", "MX"): ["aspmx.l.google.com."],
    })
    people = [Contact(str(i), f"p{i}@{d}") for i, d in enumerate(
        ["kxrp.org", "kxrp.org", "gone.example", "web-only.org", "offline.org", "nomail.org", "bärenwelle-radio.de",
         "nothing.org"])]
    checker = DnsChecker(resolver, workers=3)
    report = audit_contacts(people, dns=checker)
    invalid = {f.email.split("@")[1] for f in report.findings if f.check == "email.mx"}
    assert invalid == {"gone.example", "nomail.org", "nothing.org"}
    assert (report.dns.domains, report.dns.valid, report.dns.invalid, report.dns.unknown) == (7, 3, 3, 1)
    assert resolver.calls.count(("kxrp.org", "MX")) == 1 and resolver.peak <= 3
    assert checker.cache["bärenwelle-radio.de"].provider == "Google Workspace"
    audit_contacts(people, dns=checker)
    assert resolver.calls.count(("kxrp.org", "MX")) == 1  # cached per domain


def test_load_events_reads_the_event_log_and_the_mailchimp_mirror(tmp_path):
    from totalaudio.services.audit.service import audit_store, load_events
    from totalaudio.store.contacts import ContactStore
    from totalaudio.store.db import open_db

    db = open_db(tmp_path / "t.db")
    ContactStore(db).insert_many([{"id": "a", "email": "a@kxrp.org", "status": "opted-in"},
                                  {"id": "b", "email": "b@kxrp.org", "status": "opted-in"},
                                  {"id": "c", "email": "c@kxrp.org", "status": "unsubscribed"}])
    db.execute("INSERT INTO mailchimp_members (list_id, email_norm, subscriber_hash, status, synced_at) "
               "VALUES ('L', 'a@kxrp.org', 'h', 'cleaned', 'x'), ('L', 'c@kxrp.org', 'h2', 'unsubscribed', 'x')")
    db.execute("INSERT INTO events (email, source, kind, at) VALUES (' B@kxrp.org', 'mailchimp', 'bounce_hard', 'x')")
    db.conn.commit()
    assert load_events(db) == {"a@kxrp.org": "mailchimp:cleaned", "c@kxrp.org": "mailchimp:unsubscribed",
                               "b@kxrp.org": "bounce_hard"}
    conflicts = {f.contact_id: f.suggestion for f in audit_store(db).findings if f.check == "status.conflict"}
    assert conflicts == {"a": "cleaned", "b": "bounced"}


# Weaknesses found by the independent evaluation (tests/bench/bench_audit_independent.py).

def _ids(people, check, events=None):
    return {f.contact_id for f in audit_contacts(people, events=events).findings if f.check == check}


def test_sibling_channels_are_not_spellings_of_one_station():
    people = [Contact(f"r{i}", f"p{i}@rinse.fm", "A", f"R{i}", station="Rinse FM") for i in range(3)]
    people += [Contact("rf", "q@rinse.fm", "B", "F", station="Rinse France"),
               Contact("k1", "a@klara.be", "C", "K", station="VRT - Klara"),
               Contact("k2", "b@klara.be", "D", "K2", station="VRT - Klara Continuo"),
               Contact("k3", "c@klara.be", "E", "K3", station="Klara")]
    found = {f.contact_id: f.suggestion for f in audit_contacts(people).findings if f.check == "station.inconsistent"}
    assert found == {"k1": "Klara"}  # one station ('VRT - Klara' is 'Klara' with its owner); klara.be spells it so


def test_a_contact_without_a_site_joins_the_station_it_spells_and_disposable_is_no_site():
    people = [Contact(f"a{i}", f"p{i}@radiomaximum.pl", "A", f"M{i}", station="Radio Maximum") for i in range(4)]
    people += [Contact(f"b{i}", f"q{i}@maximumfm.lt", "B", f"N{i}", station="Maximum FM") for i in range(2)]
    people += [Contact("free", "dj.max@gmail.com", "C", "O", station="Maximum FM"),
               Contact("junk", "x.y@mailinator.com", "D", "P", station="RADIO MAXIMUM")]
    assert _ids(people, "station.inconsistent") == {"junk"}


def test_a_small_station_one_letter_from_a_big_one_is_not_a_typo():
    people = [Contact(f"a{i}", f"p{i}@radio1.be", "A", f"R{i}", station="VRT - Radio 1") for i in range(20)]
    people += [Contact(f"b{i}", f"q{i}@radio2.be", "B", f"S{i}", station="VRT - Radio 2") for i in range(2)]
    people += [Contact("slip", "zed@radio3.be", "C", "T", station="VRT - Radio 1")]
    assert _ids(people, "email.typo") == {"slip"}


def test_bounced_in_notes_must_be_about_mail():
    people = [Contact("a", "a@kxrp.org", notes="Bounced ideas off the producer"),
              Contact("b", "b@kxrp.org", notes="Her emails bounced in March"),
              Contact("c", "c@kxrp.org", notes="bounced."), Contact("d", "d@kxrp.org", notes="Track bounced around")]
    assert _ids(people, "status.conflict") == {"b", "c"}


def test_swapped_first_and_last_names_at_one_station_are_one_person():
    people = [Contact("a", "minh.nguyen@kxrp.org", "Minh", "Nguyen", station="KXRP"),
              Contact("b", "nguyen.minh@kxrp.org", "Nguyen", "Minh", station="KXRP"),
              Contact("c", "lan.minh@kxrp.org", "Lan", "Minh", station="KXRP"),
              Contact("d", "minh.nguyen@otherfm.org", "Nguyen", "Minh", station="Other FM")]
    found = [f for f in audit_contacts(people).findings if f.check == "duplicate.fuzzy"]
    assert {frozenset((f.contact_id, f.related[0])) for f in found} == {frozenset("ab")}


def test_accents_and_sharp_s_do_not_hide_a_duplicate():
    people = [Contact("a", "joao.weiss@kxrp.org", "João", "Weiß", station="KXRP"),
              Contact("b", "jweiss@kxrp.org", "Joao", "Weiss", station="KXRP")]
    assert _ids(people, "duplicate.fuzzy") == {"b"} or _ids(people, "duplicate.fuzzy") == {"a"}
