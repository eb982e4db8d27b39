"""Settings precedence, masking, tap.toml errors and typed accessors."""

from pathlib import Path

import pytest

from totalaudio.config import Settings
from totalaudio.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_precedence_flag_env_dotenv_toml_default(tmp_path):
    write(tmp_path / ".env", "AIRTABLE_BASE_ID=appDOTENV\nMAILCHIMP_SERVER_PREFIX=us9\n")
    write(tmp_path / "tap.toml", '[airtable]\nbase_id = "appTOML"\n[mailchimp]\nserver_prefix = "us1"\n')
    (tmp_path / "h").mkdir()  # a base URL is taken from TAP_HOME's own tap.toml only
    write(tmp_path / "h" / "tap.toml", '[stripe]\nbase_url = "http://toml"\n')
    env = {"AIRTABLE_BASE_ID": "appENV", "TAP_HOME": str(tmp_path / "h")}
    s = Settings({"AIRTABLE_BASE_ID": "appFLAG"}, environ=env, cwd=tmp_path)
    assert (s.get("AIRTABLE_BASE_ID"), s._resolved["AIRTABLE_BASE_ID"].source) == ("appFLAG", "flag")
    s = Settings(environ=env, cwd=tmp_path)
    assert (s.get("AIRTABLE_BASE_ID"), s._resolved["AIRTABLE_BASE_ID"].source) == ("appENV", "env")
    assert (s.get("MAILCHIMP_SERVER_PREFIX"), s._resolved["MAILCHIMP_SERVER_PREFIX"].source) == ("us9", ".env")
    assert (s.get("TAP_STRIPE_BASE_URL"), s._resolved["TAP_STRIPE_BASE_URL"].source) == ("http://toml", "tap.toml")
    assert s.get("TAP_AIRTABLE_BASE_URL") == "https://api.airtable.com"
    assert s._resolved["TAP_AIRTABLE_BASE_URL"].source == "default"


def test_secrets_are_masked_and_never_read_from_toml(tmp_path):
    write(tmp_path / "tap.toml", '[airtable]\napi_key = "patFROMTOML"\n')
    s = Settings(environ={"STRIPE_SECRET_KEY": "sk_test_1234567890abcd"}, cwd=tmp_path)
    shown = {r.spec.env: r.shown() for r in s.resolved()}
    assert shown["STRIPE_SECRET_KEY"] == "****abcd"
    assert s.get("AIRTABLE_API_KEY") is None  # secrets belong in env/.env only


def test_malformed_toml_is_a_config_error_naming_file_and_line(tmp_path):
    write(tmp_path / "tap.toml", "[airtable\nbase_id = 1\n")
    with pytest.raises(ConfigError) as info:
        Settings(environ={}, cwd=tmp_path)
    assert "tap.toml" in info.value.message and "line 1" in info.value.message


def test_require_names_missing_variables(tmp_path):
    s = Settings(environ={"AIRTABLE_API_KEY": "pat"}, cwd=tmp_path)
    with pytest.raises(ConfigError) as info:
        s.require("airtable")
    assert "AIRTABLE_BASE_ID" in info.value.message and "AIRTABLE_API_KEY" not in info.value.message


def test_home_from_env_and_paths(tmp_path):
    s = Settings(environ={"TAP_HOME": str(tmp_path / "x")}, cwd=tmp_path)
    assert s.db_path == tmp_path / "x" / "tap.db" and s.lock_path.parent == tmp_path / "x"


def test_typed_accessors(tmp_path):
    s = Settings(environ={"TAP_ENRICH_ALLOW_PRIVATE": "yes", "TAP_LOCK_TIMEOUT": "2.5"}, cwd=tmp_path)
    assert s.get_bool("TAP_ENRICH_ALLOW_PRIVATE") is True and s.get_float("TAP_LOCK_TIMEOUT") == 2.5
    bad = Settings(environ={"TAP_ENRICH_ALLOW_PRIVATE": "maybe", "TAP_LOCK_TIMEOUT": "soon"}, cwd=tmp_path)
    with pytest.raises(ConfigError):
        bad.get_bool("TAP_ENRICH_ALLOW_PRIVATE")
    with pytest.raises(ConfigError):
        bad.get_float("TAP_LOCK_TIMEOUT")


def test_explicit_config_path_must_exist(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        Settings({"TAP_CONFIG": str(tmp_path / "nope.toml")}, environ={}, cwd=tmp_path)


def test_section_reads_tables(tmp_path):
    write(tmp_path / "tap.toml", '[airtable.fields]\nEmail = "E-mail"\n')
    s = Settings(environ={}, cwd=tmp_path)
    assert s.section("airtable.fields") == {"Email": "E-mail"} and s.section("nothing") == {}


@pytest.mark.parametrize("name,text", [
    ("tap.toml", '[airtable]\nbase_url = "https://collector.example"\n'),
    ("tap.toml", "[enrich]\nallow_private = true\n"),
    (".env", "TAP_ANTHROPIC_BASE_URL=https://collector.example\n"),
    (".env", "TAP_ENRICH_ALLOW_PRIVATE=1\n"),
    (".env", "TAP_CONFIG=/tmp/elsewhere.toml\n"),
])
def test_working_directory_files_may_not_redirect_keys_or_drop_safety(tmp_path, name, text):
    write(tmp_path / name, text)
    with pytest.raises(ConfigError) as info:
        Settings(environ={"TAP_HOME": str(tmp_path / "h")}, cwd=tmp_path)
    assert "working directory" in info.value.message and str(tmp_path / "h" / "tap.toml") in info.value.hint


def test_guarded_settings_come_from_env_flag_or_home_toml(tmp_path):
    home = tmp_path / "h"
    home.mkdir()
    write(home / "tap.toml", '[airtable]\nbase_url = "http://127.0.0.1:9"\n[enrich]\nallow_private = true\n')
    write(tmp_path / "tap.toml", '[airtable]\ncontacts_table = "People"\n')  # harmless: layered over home's
    s = Settings(environ={"TAP_HOME": str(home), "TAP_STRIPE_BASE_URL": "http://127.0.0.1:8"}, cwd=tmp_path)
    assert s.get("TAP_AIRTABLE_BASE_URL") == "http://127.0.0.1:9" and s.get_bool("TAP_ENRICH_ALLOW_PRIVATE")
    assert s.get("TAP_STRIPE_BASE_URL") == "http://127.0.0.1:8" and s.section("airtable")["contacts_table"] == "People"
    assert Settings({"TAP_CONFIG": str(tmp_path / "tap.toml")}, environ={}, cwd=tmp_path).toml_path.name == "tap.toml"
    write(home / "tap.toml", '[airtable]\nbase_url = "http://127.0.0.1:9"\n')
    assert Settings(environ={"TAP_HOME": str(home)}, cwd=home).get("TAP_AIRTABLE_BASE_URL") == "http://127.0.0.1:9"


@pytest.mark.parametrize("text,key,what", [
    ('[enrich]\nper_host = "abc"\n', "enrich.per_host", "a whole number"),
    ("lock_timeout = true\n", "lock_timeout", "a number"),
    ('[audit]\nrequired = "everything"\n', "audit.required", "a list of text"),
    ("[airtable]\ncontacts_table = 5\n", "airtable.contacts_table", "text"),
    ('[enrich]\nallow_private = "maybe"\n', "enrich.allow_private", "true or false"),
    ("[mailchimp.merge_fields]\nstation = 3\n", "mailchimp.merge_fields", "a table of text values"),
])
def test_a_wrong_type_in_tap_toml_is_exit_3_naming_key_and_type(tmp_path, text, key, what):
    home = tmp_path / "h"
    home.mkdir()
    write(home / "tap.toml", text)
    with pytest.raises(ConfigError) as info:
        Settings(environ={"TAP_HOME": str(home)}, cwd=tmp_path)
    assert f"{key} = " in info.value.message and f"is not {what}" in info.value.message
    assert info.value.exit_code == 3


def test_unknown_keys_are_warnings_not_errors(tmp_path):
    write(tmp_path / "tap.toml", '[gmail]\nlabels = ["x"]\n[spotify]\nplaylist = "x"\n[enrich]\nper_host = "3"\n')
    s = Settings(environ={}, cwd=tmp_path)
    assert [w.split(": ", 1)[1].split(" (")[0] for w in s.warnings] == ["unknown setting gmail.labels",
                                                                         "unknown setting spotify"]


def test_every_schema_key_has_a_known_type():
    from totalaudio.config import SCHEMA, SPECS, TYPES

    assert {k for k, v in SCHEMA.items() if v.type not in TYPES} == set()
    assert {s.toml for s in SPECS.values() if s.toml} <= set(SCHEMA)


def test_the_cli_refuses_a_redirect_from_the_working_directory_with_exit_3():
    from tests.cli.helpers import tap

    Path("tap.toml").write_text('[anthropic]\nx = 1\n[claude]\nbase_url = "https://collector.example"\n')
    result = tap("status", "--json")
    error = result.err_json()["error"]
    assert result.code == 3 and "TAP_ANTHROPIC_BASE_URL" in error["message"] and "tap.toml" in error["hint"]
    Path("tap.toml").write_text('[anthropic]\nx = 1\n')
    result = tap("status", "--offline", "--json")
    assert result.code == 0 and "warning:" in result.err and "unknown setting anthropic" in result.err
