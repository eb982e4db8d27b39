"""Import: merge on the normalised email, created/updated/merged/rejected, dry run, formats, bad files."""

import json

import pytest

from totalaudio.errors import InputError
from totalaudio.services.contacts.service import import_contacts, list_contacts
from totalaudio.store.contacts import ContactFilter, ContactStore
from totalaudio.store.db import open_db
from totalaudio.store.runs import Journal, RunLog


@pytest.fixture
def db(tmp_path):
    return open_db(tmp_path / "t.db")


def csv_file(tmp_path, text, name="c.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


HEADER = "Email,First Name,Last Name,Station,Genres,Status,Favourite Biscuit\n"


def test_import_creates_merges_and_rejects_with_row_numbers(db, tmp_path):
    path = csv_file(tmp_path, HEADER
                    + "jo@stormfm.co.uk,Jo,Bloggs,Storm FM,\"Indie, Rock\",Opted-In,Hobnob\n"
                    + " JO@StormFM.co.uk ,,,Storm FM,\"Folk\",,\n"
                    + "not-an-email,X,Y,Z,,,\n"
                    + ",,,,,,\n"
                    + ",No,Email,Station,,,\n")
    result = import_contacts(db, path, run_id=RunLog(db).start("t"))
    assert (result.rows, result.created, result.merged, result.skipped) == (5, 1, 1, 1)
    assert [(r.row, r.reason.split(":")[0]) for r in result.rejected] == [(4, "invalid email"), (6, "no email address")]
    [contact] = list(list_contacts(db))
    assert contact.email == "jo@stormfm.co.uk" and contact.genres == ("Indie", "Rock", "Folk")
    assert contact.status == "opted-in" and contact.extra == {"Favourite Biscuit": "Hobnob"}


def test_reimport_updates_only_changes_and_never_blanks(db, tmp_path):
    import_contacts(db, csv_file(tmp_path, HEADER + "jo@x.org,Jo,Bloggs,Storm FM,Indie,Opted-In,\n"))
    result = import_contacts(db, csv_file(tmp_path, HEADER + "jo@x.org,Joanne,,,,Unsubscribed,\n", "b.csv"),
                             run_id=RunLog(db).start("t"))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    contact = ContactStore(db).get("jo@x.org")
    assert (contact.first_name, contact.last_name, contact.station, contact.status) == \
        ("Joanne", "Bloggs", "Storm FM", "unsubscribed")
    again = import_contacts(db, csv_file(tmp_path, HEADER + "jo@x.org,Joanne,,,,Unsubscribed,\n", "c.csv"))
    assert (again.updated, again.unchanged) == (0, 1)


def test_import_is_journaled(db, tmp_path):
    run_id = RunLog(db).start("contacts import")
    import_contacts(db, csv_file(tmp_path, HEADER + "a@x.org,A,,,,,\n"), run_id=run_id)
    [entry] = Journal(db).entries(run_id)
    assert entry["op"] == "create" and entry["after"]["email"] == "a@x.org"


def test_dry_run_changes_nothing(db, tmp_path):
    result = import_contacts(db, csv_file(tmp_path, HEADER + "a@x.org,A,,,,,\n"), dry_run=True)
    assert result.created == 1 and result.dry_run and ContactStore(db).count() == 0
    assert db.execute("SELECT count(*) FROM journal").fetchone()[0] == 0


def test_json_jsonl_and_airtable_records(db, tmp_path):
    (tmp_path / "a.json").write_text(json.dumps({"records": [
        {"id": "recABC", "createdTime": "2026-01-01T00:00:00.000Z",
         "fields": {"Email": "dj@radio.ie", "Name": "Seán Ó Briain", "Genres": ["Folk", "Trad"]}}]}))
    (tmp_path / "b.jsonl").write_text('{"email": "x@y.com", "station": "KXRP"}\nnot json\n\n')
    first = import_contacts(db, tmp_path / "a.json")
    second = import_contacts(db, tmp_path / "b.jsonl")
    contact = ContactStore(db).get("recABC")
    assert (contact.first_name, contact.last_name, contact.genres) == ("Seán", "Ó Briain", ("Folk", "Trad"))
    assert first.created == 1 and second.created == 1
    assert [(r.row, r.reason) for r in second.rejected] == [(2, "not a JSON object")]


def test_semicolon_csv_and_cp1252(db, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("E-mail;Name;Outlet\nzoe@caf\xe9radio.fr;Zo\xeb Caf\xe9;Caf\xe9 Radio\n".encode("cp1252"))
    result = import_contacts(db, path)
    assert result.created == 1 and list(list_contacts(db))[0].station == "Café Radio"


@pytest.mark.parametrize("content,message", [
    ("Name,Station\nJo,Storm\n", "no email column"),
    ("", "empty"),
])
def test_unusable_csv_is_an_input_error(db, tmp_path, content, message):
    with pytest.raises(InputError, match=message):
        import_contacts(db, csv_file(tmp_path, content))


def test_missing_file_and_bad_json(db, tmp_path):
    with pytest.raises(InputError, match="no such file"):
        import_contacts(db, tmp_path / "missing.csv")
    (tmp_path / "bad.json").write_text('[{"email": "a@b.c",]')
    with pytest.raises(InputError, match="line 1 column"):
        import_contacts(db, tmp_path / "bad.json")


def test_filters(db, examples_csv):
    import_contacts(db, examples_csv)
    indie = list(list_contacts(db, ContactFilter(genre="INDIE")))
    assert indie and all(any(g.lower() == "indie" for g in c.genres) for c in indie)
    storm = list(list_contacts(db, ContactFilter(station="storm")))
    assert storm and all("storm" in c.station.lower() for c in storm)
    unsub = list(list_contacts(db, ContactFilter(status="unsubscribed")))
    assert unsub and all(c.status == "unsubscribed" for c in unsub)
    assert len(list(list_contacts(db, ContactFilter(limit=3)))) == 3
    assert list(list_contacts(db, ContactFilter(search="100%_"))) == []


def test_example_file_imports_with_planted_problems_rejected(db, examples_csv):
    result = import_contacts(db, examples_csv)
    assert result.created >= 200 and result.merged >= 5 and len(result.rejected) >= 4
    assert all(r.row > 1 for r in result.rejected)
