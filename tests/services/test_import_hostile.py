"""Issue 13, classes 2, 3, 5 and 7: hostile and awkward import files never abort, trace back or lose rows."""

from __future__ import annotations

import json

import pytest

from tests.cli.helpers import tap
from totalaudio.services.contacts import io as contacts_io
from totalaudio.services.contacts.service import import_contacts, list_contacts
from totalaudio.store.db import open_db

HEADER = "Email,First Name,Station,Record ID,Notes\n"


@pytest.fixture
def db(tmp_path):
    return open_db(tmp_path / "t.db")


def write(tmp_path, name, content):
    path = tmp_path / name
    (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)
    return path


def test_a_reused_record_id_in_one_file_is_reported_and_the_rest_goes_in(db, tmp_path):
    path = write(tmp_path, "c.csv", HEADER + "a@x.example,Ann,X FM,recAAAAAAAAAAAAA1,\n"
                 "b@x.example,Bob,X FM,recAAAAAAAAAAAAA1,\nc@x.example,Cy,X FM,recCCCCCCCCCCCCC1,\n")
    result = import_contacts(db, path)
    assert result.created == 2
    assert [(r.row, r.email) for r in result.rejected] == [(3, "b@x.example")]
    assert "Record ID recAAAAAAAAAAAAA1 is already on row 2" in result.rejected[0].reason


def test_a_reexport_where_a_records_email_changed_updates_that_contact(db, tmp_path):
    import_contacts(db, write(tmp_path, "a.csv", HEADER + "old@x.example,Ann,X FM,recAAAAAAAAAAAAA1,\n"
                              "keep@x.example,Kim,X FM,recKKKKKKKKKKKKK1,\n"))
    result = import_contacts(db, write(tmp_path, "b.csv", HEADER + "new@x.example,Ann,X FM,recAAAAAAAAAAAAA1,\n"
                                       "keep@x.example,Kim,X FM,recKKKKKKKKKKKKK1,\n"))
    assert (result.created, result.updated, result.unchanged, result.rejected) == (0, 1, 1, ())
    emails = sorted(c.email for c in list_contacts(db))
    assert emails == ["keep@x.example", "new@x.example"]


def test_a_record_id_and_an_email_of_two_different_contacts_is_reported(db, tmp_path):
    import_contacts(db, write(tmp_path, "a.csv", HEADER + "a@x.example,Ann,X FM,recAAAAAAAAAAAAA1,\n"
                              "b@x.example,Bob,X FM,recBBBBBBBBBBBBB1,\n"))
    result = import_contacts(db, write(tmp_path, "b.csv", HEADER + "b@x.example,Bob,X FM,recAAAAAAAAAAAAA1,\n"
                                       "c@x.example,Cy,X FM,,\n"))
    assert result.created == 1 and [r.row for r in result.rejected] == [2]
    assert "belongs to contact a@x.example" in result.rejected[0].reason


def deep(n):
    return "[" * n + "]" * n


@pytest.mark.parametrize("name,content", [
    ("deep.json", '[{"email": "a@x.example", "notes": ' + deep(1000) + "}]"),
    ("deep.json", deep(5000)),
])
def test_json_too_deep_is_exit_2_naming_the_reason(tmp_path, name, content):
    result = tap("contacts", "import", str(write(tmp_path, name, content)), "--json")
    assert result.code == 2 and result.out == ""
    assert "nested too deeply" in result.err_json()["error"]["message"]


def test_one_bad_jsonl_line_is_rejected_alone(tmp_path):
    lines = ['{"email": "a@x.example"}', '{"email": "b@x.example", "n": ' + deep(3000) + "}",
             '{"email": "c@x.example", "phone": ' + "9" * 5000 + "}", '{"email": "d\\udc80@x.example"}',
             '{"email": "e@x.example", "notes": "lone \\ud800 surrogate"}']
    result = tap("contacts", "import", str(write(tmp_path, "c.jsonl", "\n".join(lines))), "--dry-run", "--json")
    assert result.code == 0
    doc = json.loads(result.out.encode("utf-8"))  # stdout is valid UTF-8 JSON
    assert doc["created"] == 2
    assert [r["row"] for r in doc["rejected"]] == [2, 4, 5]
    assert "nested too deeply" in doc["rejected"][0]["reason"] and "Unicode" in doc["rejected"][2]["reason"]


def test_undecodable_bytes_are_read_as_windows_1252_and_stdout_stays_utf8(tmp_path):
    raw = b"Email,Station\nann@x.example,Caf\xe9 FM \x81\x8d\nbob@x.example,Ok FM\n"
    result = tap("contacts", "import", str(write(tmp_path, "c.csv", raw)), "--dry-run", "--json")
    assert result.code == 0 and json.loads(result.out.encode("utf-8"))["created"] == 2


@pytest.mark.parametrize("encoding,bom", [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
                                          ("utf-16-le", b"")])
def test_utf16_files_are_read(db, tmp_path, encoding, bom):
    text = "Email\tFirst Name\tStation\r\nséan@x.example\tSeán\tRTÉ 2fm\r\nann@x.example\tAnn\tX FM\r\n"
    result = import_contacts(db, write(tmp_path, "c.txt", bom + text.encode(encoding)))
    assert (result.created, result.rejected) == (2, ())
    assert {c.station for c in list_contacts(db)} == {"RTÉ 2fm", "X FM"}


def test_a_file_whose_every_row_is_rejected_is_exit_2(tmp_path):
    result = tap("contacts", "import", str(write(tmp_path, "c.csv", "Email\nnope\nalso nope\n")), "--json")
    assert result.code == 2
    error = result.err_json()["error"]
    assert "none of its 2 rows" in error["message"] and [r["row"] for r in error["rejected"]] == [2, 3]


def test_oversized_cells_are_cut_and_reported_the_same_for_csv_and_json(db, tmp_path):
    big = "x" * (contacts_io.MAX_CELL + 10)
    csv_result = import_contacts(db, write(tmp_path, "c.csv", f"Email,Notes\na@x.example,{big}\n"), dry_run=True)
    json_result = import_contacts(db, write(tmp_path, "c.json", json.dumps([{"Email": "a@x.example",
                                                                            "Notes": big}])), dry_run=True)
    for result in (csv_result, json_result):
        assert result.created == 1 and len(result.truncated) == 1
        assert "cut to 100,000 characters" in result.truncated[0].reason
    assert csv_result.truncated[0].reason == json_result.truncated[0].reason


def test_reading_is_bounded(monkeypatch):
    result = tap("contacts", "import", "/dev/zero", "--json")  # the real limit: refused at its first bytes
    assert result.code == 2 and "binary data" in result.err_json()["error"]["message"]
    monkeypatch.setattr(contacts_io, "MAX_FILE_BYTES", 1 << 20)
    result = tap("contacts", "import", "/dev/urandom", "--json")
    assert result.code == 2 and result.err_json()["error"]["message"].startswith("/dev/urandom: ")
    result = tap("contacts", "import", "-", "--json", stdin=b"a" * (2 << 20))
    assert result.code == 2 and "stdin: larger than" in result.err_json()["error"]["message"]


def test_nul_bytes_are_a_clear_error(tmp_path):
    result = tap("contacts", "import", str(write(tmp_path, "c.csv", b"Email\nann@x.example\0\0\0\n")), "--json")
    assert result.code == 2 and "NUL" in result.err_json()["error"]["message"]


FORMULA_LIKE = "Email,First Name,Station,Phone,Notes,Tags\n" \
    "-dj@station.org,Dee,=Station FM,+44 20 7946 0000,@mention me,\"=cmd, +plus\"\n" \
    "ann@x.example,Ann,X FM,-1,\"line one\nline two\",\n"


def test_importing_taps_own_export_changes_nothing(tmp_path):
    assert tap("contacts", "import", str(write(tmp_path, "c.csv", FORMULA_LIKE))).code == 0
    exported = tap("contacts", "export").out
    assert "'=Station FM" in exported and "'+44" in exported  # still protected on the way out
    again = tap("contacts", "import", str(write(tmp_path, "again.csv", exported)), "--json")
    assert again.code == 0, again.err
    result = again.json()
    assert (result["created"], result["updated"], result["unchanged"], result["rejected"]) == (0, 0, 2, [])
    contact = tap("contacts", "show", "--json", "--", "-dj@station.org").json()
    assert (contact["station"], contact["phone"], contact["notes"]) == ("=Station FM", "+44 20 7946 0000",
                                                                        "@mention me")


def test_a_quote_export_would_not_have_added_is_kept(tmp_path, db):
    path = write(tmp_path, "c.csv", "Email,Notes\na@x.example,'tis the season\n")
    import_contacts(db, path)
    assert [c.notes for c in list_contacts(db)] == ["'tis the season"]
