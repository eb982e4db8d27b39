"""``tap airtable audit`` and ``tap airtable domains`` end to end: JSON shape, exit codes, fix and undo."""

import json

import pytest

from tests.cli.helpers import tap
from tests.standins import REPO

EXAMPLES = REPO / "examples" / "contacts.csv"
FINDING_KEYS = {"contactId", "email", "check", "severity", "field", "message", "suggestion", "fixable", "related"}


@pytest.fixture
def imported():
    result = tap("contacts", "import", str(EXAMPLES), "--json")
    assert result.code == 0, result.err
    return result.json()


@pytest.fixture
def cleaned(imported):
    """The example base after ``audit --fix``: its typo'd domains (the only error-level findings) corrected."""
    result = tap("airtable", "audit", "--fix", "--json")
    assert result.code == 0, result.err
    assert result.json()["fix"]["errorsAfter"] == 0
    return imported


def test_audit_json_shape_and_stable_fields(imported):
    result = tap("airtable", "audit", "--json")
    assert result.code == 0, result.err
    doc = result.json()
    assert doc["contacts"] == imported["created"] and 0 <= doc["qualityScore"] <= 100
    assert set(doc["summary"]) == {"contacts", "findings", "bySeverity", "byCheck", "contactsWithFindings",
                                   "contactsWithErrors"}
    assert all(set(f) == FINDING_KEYS for f in doc["findings"])
    assert doc["check"] == {"passed": False, "reason": f"8 error-level findings (quality score {doc['qualityScore']})",
                            "minScore": None, "qualityScore": doc["qualityScore"]}
    assert doc["summary"]["bySeverity"]["error"] == doc["summary"]["byCheck"]["email.typo"] == 8
    assert doc["fix"] is None and doc["dns"] is None


def test_check_exits_5_under_min_score_and_prints_the_result_first(cleaned):
    ok = tap("airtable", "audit", "--check", "--min-score", "50", "--json")
    assert ok.code == 0
    low = tap("airtable", "audit", "--check", "--min-score", "99.5", "--json")
    assert low.code == 5 and low.json()["check"]["passed"] is False
    assert low.err_json()["error"]["type"] == "findings" and "min-score" in low.err_json()["error"]["message"]


def test_a_new_typo_domain_fails_the_cron_check(cleaned, tmp_path):
    assert tap("airtable", "audit", "--check").code == 0
    new = tmp_path / "new.csv"
    new.write_text("Email,First Name,Last Name,Station,Genres\nnew.dj@hotmial.com,Ana,Reyes,Storm FM,Indie\n")
    assert tap("contacts", "import", str(new)).code == 0
    result = tap("airtable", "audit", "--check", "--json")
    assert result.code == 5 and "1 error-level" in result.err_json()["error"]["message"]
    [typo] = [f for f in result.json()["findings"] if f["check"] == "email.typo"]
    assert typo["severity"] == "error" and typo["suggestion"] == "new.dj@hotmail.com"


def test_check_exits_5_on_error_level_findings_in_a_file(tmp_path):
    result = tap("airtable", "audit", "--file", str(EXAMPLES), "--check")
    assert result.code == 5 and "error-level" in result.err
    assert "quality score" in result.out


def test_fix_dry_run_then_fix_then_undo(imported):
    before = tap("contacts", "list", "--json").json()
    dry = tap("airtable", "audit", "--fix", "--dry-run", "--json").json()
    assert dry["dryRun"] is True and dry["fix"]["runId"] is None and dry["fix"]["removed"] == 3
    assert tap("contacts", "list", "--json").json() == before
    fixed = tap("airtable", "audit", "--fix", "--json").json()
    run_id = fixed["fix"]["runId"]
    assert fixed["fix"]["scoreAfter"] > fixed["fix"]["scoreBefore"]
    after = tap("airtable", "audit", "--json").json()
    assert "email.typo" not in after["summary"]["byCheck"] and after["qualityScore"] == fixed["fix"]["scoreAfter"]
    undo = tap("airtable", "audit", "undo", run_id, "--json")
    assert undo.code == 0, undo.err
    assert undo.json()["restored"] == 3
    strip = lambda rows: sorted((r["id"], r["email"], r["station"], r["website"]) for r in rows)
    assert strip(tap("contacts", "list", "--json").json()) == strip(before)
    again = tap("airtable", "audit", "undo", run_id, "--json")
    assert again.code == 2 and "already undone" in again.err_json()["error"]["message"]


def test_undo_refusal_explains_the_lost_edit(imported, tap_home):
    fixed = tap("airtable", "audit", "--fix", "--json").json()
    change = next(c for c in fixed["fix"]["changes"] if c["field"] == "website")
    from totalaudio.store.contacts import ContactStore
    from totalaudio.store.db import open_db

    db = open_db(tap_home / "tap.db")
    ContactStore(db).update(change["contactId"], {"website": "https://hand-edited.example.org"})
    db.conn.commit()
    result = tap("airtable", "audit", "undo", fixed["fix"]["runId"])
    assert result.code == 2 and "losing edits" in result.err and "hand-edited" in result.err


def test_fix_refuses_a_file_and_bad_config(tmp_path):
    assert tap("airtable", "audit", "--file", str(EXAMPLES), "--fix").code == 2
    (tmp_path / "cwd" / "tap.toml").write_text('[audit]\nrequired = "everything"\n')
    assert tap("airtable", "audit", "--json").code == 3


def test_domains_json_and_apply(imported):
    doc = tap("airtable", "domains", "--json").json()
    assert doc["domains"][0]["domain"] == "stormfm.co.uk" and doc["domains"][0]["domainClass"] == "broadcaster"
    sure = [p for p in doc["proposals"] if p["confidence"] >= 0.7]
    assert {p["email"] for p in sure} == {"amy.walsh@corribradio.ie", "j.fenwick@downsfm.co.uk",
                                          "t.okonkwo@wqbn.org", "brodie.costa@yarrabendfm.org.au"}
    dry = tap("airtable", "domains", "--apply", "--dry-run", "--json").json()
    assert dry["dryRun"] is True and dry["applied"] == 4
    applied = tap("airtable", "domains", "--apply", "--json").json()
    assert applied["applied"] == 4 and applied["runId"]
    assert tap("contacts", "show", "amy.walsh@corribradio.ie", "--json").json()["station"] == "Corrib Radio"
    assert tap("airtable", "audit", "undo", applied["runId"]).code == 0
    assert tap("contacts", "show", "amy.walsh@corribradio.ie", "--json").json()["station"] is None


def test_text_output_and_empty_store():
    empty = tap("airtable", "audit", "--json").json()
    assert empty["contacts"] == 0 and empty["qualityScore"] == 100.0
    assert tap("airtable", "domains", "--json").json()["domains"] == []
    text = tap("airtable", "audit")
    assert text.code == 0 and "quality score 100.0" in text.out


def test_dns_flag_uses_the_resolver_and_reports_dead_domains(imported, monkeypatch):
    import dns.resolver

    class Resolver:
        def resolve(self, name, rdtype):
            if name == "gmail.con":
                raise dns.resolver.NXDOMAIN()
            if name.endswith(".ie"):
                raise dns.resolver.NoNameservers()  # offline: unknown, never invalid
            return [type("R", (), {"exchange": "mx." + name + "."})()]

    monkeypatch.setattr("totalaudio.services.audit.dns.default_resolver", lambda timeout=4.0: Resolver())
    result = tap("airtable", "audit", "--dns", "--json", "--check")
    doc = result.json()
    assert [f["email"] for f in doc["findings"] if f["check"] == "email.mx"] == ["shane.dunne@gmail.con"]
    assert doc["dns"]["invalid"] == 1 and doc["dns"]["unknown"] > 0 and result.code == 5
    domains = tap("airtable", "domains", "--dns", "--json").json()
    storm = next(d for d in domains["domains"] if d["domain"] == "stormfm.co.uk")
    assert storm["mxStatus"] == "valid" and storm["mxProvider"] == "mx.stormfm.co.uk"


def test_file_with_hostile_cells_is_audited_not_crashed(tmp_path):
    path = tmp_path / "bad.csv"
    big = "x" * 120_000
    path.write_text("Email,First Name,Last Name,Station,Website,Notes\n"
                    ",,,,,\n"
                    "=HYPERLINK(\"http://evil\"),=1+2,@SUM(A1),+cmd,-2+3,=IMPORTXML(1)\n"
                    f"ana@bärenwelle-radio.de,Ana,Krämer,Bärenwelle Radio,https://bärenwelle-radio.de,{big}\n"
                    "\"multi\nline@x.org\",Jo,\"Bloggs\nJr\",Storm FM,htp://x.org,\"a\nb\"\n", encoding="utf-8")
    result = tap("airtable", "audit", "--file", str(path), "--json")
    assert result.code == 0, result.err
    doc = result.json()
    checks = {(f["contactId"], f["check"]) for f in doc["findings"]}
    assert doc["contacts"] == 3 and ("row3", "email.syntax") in checks and ("row3", "name.suspicious") in checks
    assert ("row3", "field.formula") in checks and not any(c == "row4" and k == "email.syntax" for c, k in checks)
    assert len(result.out) < 200_000  # enormous cells are described, not echoed


def test_min_score_and_dns_settings_from_tap_toml(cleaned, tmp_path):
    (tmp_path / "cwd" / "tap.toml").write_text("[audit]\nmin_score = 99.9\nstale_days = 30\n")
    result = tap("airtable", "audit", "--check", "--json")
    assert result.code == 5 and result.json()["check"]["minScore"] == 99.9
    assert tap("airtable", "audit", "--check", "--min-score", "10").code == 0  # the flag wins
    (tmp_path / "cwd" / "tap.toml").write_text("[audit]\nmin_score = 'high'\n")
    assert tap("airtable", "audit", "--json").code == 3


def test_jsonl_streams_one_finding_a_line(imported):
    result = tap("airtable", "audit", "--jsonl")
    lines = [json.loads(line) for line in result.out.splitlines()]
    assert result.code == 0 and len(lines) == tap("airtable", "audit", "--json").json()["summary"]["findings"]
    assert all(set(f) == FINDING_KEYS for f in lines) and "quality score" in result.err
    assert tap("airtable", "audit", "--json", "--jsonl").code == 2


def test_only_narrows_findings_summary_and_score(imported):
    whole = tap("airtable", "audit", "--json").json()
    only = tap("airtable", "audit", "--only", "url.invalid", "--only", "email.typo", "--json").json()
    assert set(only["summary"]["byCheck"]) == {"url.invalid", "email.typo"}
    assert only["summary"]["byCheck"]["url.invalid"] == whole["summary"]["byCheck"]["url.invalid"]
    assert {f["check"] for f in only["findings"]} == {"url.invalid", "email.typo"}
    assert only["qualityScore"] > whole["qualityScore"] and only["contacts"] == whole["contacts"]
    quiet = tap("airtable", "audit", "--only", "url.invalid", "--check", "--json")
    assert quiet.code == 0  # the typo errors are not among the checks asked for
    bad = tap("airtable", "audit", "--only", "email.tpyo", "--json")
    assert bad.code == 2 and "email.typo" in bad.err_json()["error"]["hint"]
    assert tap("airtable", "audit", "--only", "email.typo", "--fix").code == 2
