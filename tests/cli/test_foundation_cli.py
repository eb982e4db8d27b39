"""The foundation's commands: success, JSON shape and error paths with their exit codes."""

import contextlib
import csv
import io
import json

from tests.cli.helpers import tap


def test_help_and_version():
    result = tap("--help")
    assert result.code == 0 and "contacts" in result.out and "status" in result.out
    assert tap("--version").out.startswith("tap ")


def test_import_list_show_export_roundtrip(examples_csv, tmp_path):
    imported = tap("contacts", "import", examples_csv, "--json")
    assert imported.code == 0, imported.err
    data = imported.json()
    assert set(data) >= {"created", "updated", "merged", "unchanged", "rejected", "dryRun", "runId", "rows"}
    assert data["created"] >= 200 and data["rejected"][0]["row"] > 1
    listed = tap("contacts", "list", "--genre", "indie", "--json").json()
    assert listed and {"id", "email", "firstName", "genres", "airtableId", "createdAt"} <= set(listed[0])
    lines = tap("contacts", "list", "--jsonl", "--limit", "5").out.splitlines()
    assert len(lines) == 5 and all(json.loads(line)["email"] for line in lines)
    one = tap("contacts", "show", listed[0]["email"].upper(), "--json").json()
    assert one["id"] == listed[0]["id"]
    rows = list(csv.reader(io.StringIO(tap("contacts", "list", "--csv").out)))
    assert rows[0][:3] == ["ID", "Email", "First Name"] and len(rows) == data["created"] + 1
    assert not any(cell.startswith("=") for row in rows for cell in row)
    out = tmp_path / "export.json"
    assert tap("contacts", "export", "--format", "json", "-o", out).code == 0
    assert len(json.loads(out.read_text())) == data["created"]


def test_dry_run_import_changes_nothing(examples_csv):
    result = tap("contacts", "import", examples_csv, "--dry-run", "--json")
    assert result.code == 0 and result.json()["dryRun"] is True and result.json()["created"] >= 200
    assert tap("contacts", "list", "--json").json() == []


def test_missing_file_is_exit_2_with_json_error_on_stderr(tmp_path):
    result = tap("contacts", "import", tmp_path / "nope.csv", "--json")
    assert result.code == 2 and result.out == ""
    error = result.err_json()["error"]
    assert error["type"] == "input" and "nope.csv" in error["message"] and error["exitCode"] == 2


def test_csv_without_email_column_names_the_problem(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("Name,Station\nJo,Storm\n")
    result = tap("contacts", "import", path)
    assert result.code == 2 and "no email column" in result.err and "Traceback" not in result.err


def test_unknown_contact_is_exit_2():
    result = tap("contacts", "show", "nobody@nowhere.org")
    assert result.code == 2 and "no contact" in result.err


def test_two_output_formats_is_a_usage_error():
    assert tap("contacts", "list", "--json", "--csv").code == 2


def test_bad_option_is_exit_2():
    result = tap("contacts", "list", "--nope")
    assert result.code == 2 and "--nope" in result.err


def test_malformed_toml_is_exit_3(tmp_path, monkeypatch):
    (tmp_path / "bad.toml").write_text("[airtable\n")
    result = tap("--config", tmp_path / "bad.toml", "config", "show", "--json")
    assert result.code == 3 and "malformed TOML" in result.err_json()["error"]["message"]


def test_config_show_masks_secrets_and_names_sources(monkeypatch):
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_supersecretvalue9876")
    result = tap("config", "show", "--json")
    assert "supersecret" not in result.out
    items = {s["name"]: s for s in result.json()["settings"]}
    assert items["STRIPE_SECRET_KEY"] == {"name": "STRIPE_SECRET_KEY", "value": "****9876", "source": "env",
                                          "secret": True, "tomlKey": None}
    assert items["TAP_AIRTABLE_BASE_URL"]["source"] == "default"


def test_status_with_nothing_configured_is_normal():
    result = tap("status", "--json", "--check")
    assert result.code == 0
    report = result.json()
    assert report["ok"] is True and len(report["integrations"]) == 7
    airtable = report["integrations"][0]
    assert airtable["configured"] is False and airtable["missing"] == ["AIRTABLE_API_KEY", "AIRTABLE_BASE_ID"]


def test_status_check_exits_5_when_a_configured_integration_fails(httpserver, monkeypatch):
    httpserver.expect_request("/v0/meta/whoami").respond_with_json({"error": "NOT_AUTHORIZED"}, status=401)
    monkeypatch.setenv("AIRTABLE_API_KEY", "patBAD")
    monkeypatch.setenv("AIRTABLE_BASE_ID", "appX")
    monkeypatch.setenv("TAP_AIRTABLE_BASE_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("PERPLEXITY_API_KEY", "pplx")
    result = tap("status", "--json", "--check")
    assert result.code == 5
    by_name = {i["name"]: i for i in result.json()["integrations"]}
    assert by_name["airtable"]["ok"] is False and by_name["airtable"]["error"]["type"] == "config"
    assert by_name["perplexity"]["configured"] and by_name["perplexity"]["checked"] is False
    assert "patBAD" not in result.out + result.err
    assert tap("status", "airtable", "--offline", "--json").json()["integrations"][0]["checked"] is False


def test_status_unknown_integration_is_exit_2():
    assert tap("status", "myspace").code == 2


def test_db_path_status_backup(tap_home, tmp_path):
    assert tap("db", "path", "--json").json()["path"] == str(tap_home / "tap.db")
    status = tap("db", "status", "--json").json()
    assert status["tables"]["contacts"] == 0 and status["migrations"]
    backup = tap("db", "backup", "--to", tmp_path / "b.db", "--json")
    assert backup.code == 0 and (tmp_path / "b.db").exists()


def test_db_runs_lists_the_run_log(examples_csv):
    tap("contacts", "import", examples_csv)
    tap("contacts", "import", examples_csv, "--dry-run")
    [run] = tap("db", "runs", "--json").json()
    assert (run["command"], run["status"], run["args"]["file"]) == ("contacts import", "ok", str(examples_csv))
    assert run["result"]["created"] >= 200 and run["result"]["runId"] == run["id"]
    assert run["id"].startswith("r") and run["finishedAt"] >= run["startedAt"]


def test_queue_list_retry_drop(httpserver, monkeypatch):
    from totalaudio.cli.context import State
    from totalaudio.errors import IntegrationError
    from totalaudio.services.queue import record

    db = State().db
    letter = record(db, IntegrationError("make", "trigger", "HTTP 503", retryable=True,
                                         payload={"event": "report.ready", "data": {"artist": "X"}}))
    other = record(db, IntegrationError("make", "trigger", "HTTP 503", payload={"event": "e", "data": {}}))
    listed = tap("queue", "list", "--json").json()
    assert [d["id"] for d in listed] == [letter, other]
    assert listed[0]["error"]["service"] == "make" and listed[0]["payload"]["event"] == "report.ready"
    assert tap("queue", "retry").code == 2
    httpserver.expect_request("/hook", method="POST").respond_with_data("Accepted")
    monkeypatch.setenv("MAKE_WEBHOOK_URL", httpserver.url_for("/hook"))
    retried = tap("queue", "retry", str(letter), "--json")
    assert retried.code == 0 and retried.json()["resolved"] == 1
    sent = json.loads(httpserver.log[0][0].data)  # a letter from before webhook ids goes out in today's shape
    assert (sent["type"], sent["data"]) == ("report.ready", {"artist": "X"})
    assert tap("queue", "drop", str(other), "--json").json()["dropped"] == [other]
    assert tap("queue", "list", "--json").json() == []
    assert tap("queue", "drop", "999").code == 2


def test_integration_failure_is_exit_4_and_dead_lettered(httpserver, monkeypatch):
    """An IntegrationError leaving a command gives exit 4, the seed shape on stderr, and a dead letter."""
    import typer

    from totalaudio.cli.context import state
    from totalaudio.cli.errors import run

    httpserver.expect_request("/hook").respond_with_data("down", status=400)
    monkeypatch.setenv("MAKE_WEBHOOK_URL", httpserver.url_for("/hook"))
    probe = typer.Typer()

    @probe.command()
    def notify(json_: bool = typer.Option(False, "--json")) -> None:
        """Send a test notification."""
        from totalaudio.services.notify import send

        send(state().settings, "campaign.sent", {"n": 1})

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = run(probe, ["--json"])
    assert code == 4
    error = json.loads(err.getvalue())["error"]
    assert {"service", "operation", "error", "retryable", "timestamp", "status"} <= set(error)
    assert (error["service"], error["operation"], error["status"]) == ("make", "trigger", 400)
    [letter] = tap("queue", "list", "--json").json()
    assert letter["operation"] == "trigger" and letter["payload"]["data"] == {"n": 1}
    assert letter["payload"]["type"] == "campaign.sent" and letter["payload"]["webhookId"].startswith("msg_")


def test_lock_busy_exits_2(tap_home, examples_csv, monkeypatch):
    from totalaudio.store.lock import WriteLock

    monkeypatch.setenv("TAP_LOCK_TIMEOUT", "0.2")
    with WriteLock(tap_home / "tap.lock", "airtable sync"):
        result = tap("contacts", "import", examples_csv, "--json")
    assert result.code == 2 and result.err_json()["error"]["type"] == "locked"
    assert "airtable sync" in result.err


def test_demo_ends_green():
    result = tap("demo", "--json")
    assert result.code == 0, result.err
    report = result.json()
    assert report["ok"] is True and len(report["steps"]) >= 5 and all(s["ok"] for s in report["steps"])


def test_import_from_stdin_for_pipelines():
    piped = '[{"Email": "ana@radio.example", "Name": "Ana Silva", "Station": "Radio Example"}]'
    result = tap("contacts", "import", "-", "--json", stdin=piped)
    assert result.code == 0, result.err
    assert (result.json()["created"], result.json()["format"], result.json()["source"]) == (1, "json", "-")
    assert tap("contacts", "show", "ana@radio.example", "--json").json()["lastName"] == "Silva"
    csv_in = tap("contacts", "import", "-", "--format", "csv", "--json", stdin="Email\nbo@radio.example\n")
    assert csv_in.json()["created"] == 1
