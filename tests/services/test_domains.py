"""Domains: grouping by registrable domain, classes, stations, websites, flags, proposals and --apply."""

from types import SimpleNamespace


from totalaudio.models import Contact
from totalaudio.services.audit.apply import undo_run
from totalaudio.services.audit.dns import DnsChecker
from totalaudio.services.audit.domains import analyse, apply_proposals, label_name
from totalaudio.store.contacts import ContactStore
from totalaudio.store.db import open_db
from totalaudio.store.runs import RunLog

PEOPLE = [
    Contact("a", "jo@stormfm.co.uk", "Jo", station="Storm FM", contact_type="radio", website="https://stormfm.co.uk"),
    Contact("b", "al@news.stormfm.co.uk", "Al", station="StormFM", contact_type="radio"),
    Contact("c", "cy@stormfm.co.uk", "Cy", station="Storm FM", contact_type="radio", status="bounced"),
    Contact("d", "di@stormfm.co.uk", "Di", contact_type="radio"),
    Contact("e", "ed@gmail.com", "Ed", station="Harbour Radio"),
    Contact("f", "fi@gmail.com", "Fi"),
    Contact("g", "gi@mailinator.com", "Gi"),
    Contact("h", "hu@corribradio.ie", "Hu"),
    Contact("i", "ia@acme-pr.com", "Ia", website="https://totally-different.org"),
    Contact("j", "not an email"),
]


def test_groups_by_registrable_domain_with_class_stations_and_flags():
    report = analyse(PEOPLE)
    by = {d.domain: d for d in report.domains}
    assert set(by) == {"stormfm.co.uk", "gmail.com", "mailinator.com", "corribradio.ie", "acme-pr.com"}
    storm = by["stormfm.co.uk"]
    assert (storm.count, storm.domain_class, storm.website_agrees, storm.bounces) == (4, "broadcaster", True, 1)
    assert storm.stations == {"Storm FM": 2, "StormFM": 1} and "bounces" in storm.flags
    assert by["gmail.com"].domain_class == "free-mail" and by["mailinator.com"].flags == ("disposable",)
    assert by["acme-pr.com"].website_agrees is False and "website-disagrees" in by["acme-pr.com"].flags
    assert report.domains[0].domain == "stormfm.co.uk"  # largest first
    assert report.by_class == {"broadcaster": 2, "disposable": 1, "free-mail": 1, "organisation": 1}


def test_station_proposals_with_confidence():
    proposals = {p.contact_id: p for p in analyse(PEOPLE).proposals}
    assert set(proposals) == {"d", "h"}  # never for free-mail or organisations nobody names
    assert proposals["d"].station == "Storm FM" and proposals["d"].confidence == 0.75
    assert proposals["h"].station == "Corrib Radio" and proposals["h"].confidence == 0.4


def test_many_stations_flag_and_label_names():
    many = [Contact(str(i), f"p{i}@bbc.co.uk", station=s) for i, s in enumerate(["Radio 1", "Radio 2", "6 Music"])]
    assert "many-stations" in analyse(many).domains[0].flags
    assert label_name("wqbn.org") == "WQBN" and label_name("yarrabendfm.org.au") == "Yarrabend FM"


def test_mx_provider_with_injected_resolver():
    class Resolver:
        def resolve(self, name, rdtype):
            return [SimpleNamespace(exchange="aspmx.l.google.com.")]
    report = analyse(PEOPLE[:2], dns=DnsChecker(Resolver()))
    assert (report.domains[0].mx_status, report.domains[0].mx_provider) == ("valid", "Google Workspace")


def test_apply_writes_only_confident_proposals_journaled_and_undoable(tmp_path):
    db = open_db(tmp_path / "t.db")
    ContactStore(db).insert_many([{k: v for k, v in vars(c).items() if k in ("id", "email", "first_name", "station",
                                                                                  "contact_type", "status")}
                                  for c in PEOPLE])
    from totalaudio.services.audit.service import load_contacts

    dry = apply_proposals(db, analyse(load_contacts(db)), run_id=None, dry_run=True)
    assert dry.applied == 1 and ContactStore(db).get("d").station is None
    run_id = RunLog(db).start("airtable domains")
    done = apply_proposals(db, analyse(load_contacts(db)), run_id=run_id, dry_run=False)
    assert done.applied == 1 and ContactStore(db).get("d").station == "Storm FM"
    assert ContactStore(db).get("h").station is None  # 0.4 is under the 0.7 threshold
    undo_run(db, run_id)
    assert ContactStore(db).get("d").station is None


def test_typo_domains_are_flagged_and_classed_as_their_target():
    people = [Contact(str(i), f"p{i}@stormfm.co.uk", contact_type="radio") for i in range(8)]
    people += [Contact("t", "x@stromfm.co.uk", contact_type="radio"), Contact("g", "y@gmial.com")]
    by = {d.domain: d for d in analyse(people).domains}
    assert by["stromfm.co.uk"].flags == ("typo-of:stormfm.co.uk",)
    assert by["gmial.com"].domain_class == "free-mail" and "typo-of:gmail.com" in by["gmial.com"].flags
