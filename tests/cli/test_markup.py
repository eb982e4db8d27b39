"""Issue 13, class 4: text from outside is printed as itself, never read as rich markup, on every output path."""

from __future__ import annotations

import pytest

from tests.cli.helpers import tap
from tests.security.echo import EchoServer
from totalaudio.cli import output

HOSTILE = ["[bold]loud[/bold]", "[/]", "closing [/] alone", "[link=https://evil.example]click[/link]",
           "[red", "\\[escaped]", "[/bold]stray"]


@pytest.mark.parametrize("text", HOSTILE)
def test_every_output_helper_prints_markup_literally(text, capsys):
    output.note(text)
    output.table(text, [text, "b"], [[text, None]])
    output.stdout_console().print(text)
    output.err_console().print(text)
    captured = capsys.readouterr()
    assert captured.out.count(text) >= 3 and captured.err.count(text) == 2


def test_hostile_records_print_as_themselves_through_the_cli(tmp_path):
    rows = "".join(f'dj{i}@x.example,"{t.replace(chr(34), "")}",{t}\n' for i, t in enumerate(HOSTILE))
    path = tmp_path / "c.csv"
    path.write_text("Email,Station,Notes\n" + rows + "[/]@bad,[/],x\n")
    imported = tap("contacts", "import", str(path))
    assert imported.code == 0 and "[/]@bad" in imported.out
    listed = tap("contacts", "list")
    shown = tap("contacts", "show", "dj1@x.example")
    assert listed.code == shown.code == 0
    for text in HOSTILE:
        assert text in listed.out
    assert "closing [/] alone" in tap("contacts", "show", "dj2@x.example").out


def test_a_service_error_with_markup_prints_without_crashing(monkeypatch):
    echo = EchoServer("json400", extra="[/] [bold]shout[/bold] [link=x]").start()
    try:
        monkeypatch.setenv("TAP_ENRICH_ALLOW_PRIVATE", "1")
        monkeypatch.setenv("TAP_MAILCHIMP_BASE_URL", echo.url)
        monkeypatch.setenv("MAILCHIMP_API_KEY", "0123456789abcdef0123456789abcdef-us21")
        mailchimp = tap("mailchimp", "audiences")
        enrich = tap("airtable", "enrich", "--url", echo.url + "/[bold]x[/]")
    finally:
        echo.stop()
    assert mailchimp.code == 4 and "[/]" in mailchimp.err and "MarkupError" not in mailchimp.err
    assert enrich.code != 1 and "MarkupError" not in enrich.err + enrich.out
    assert "/[bold]x[/]" in enrich.out and "/[bold]x[/]" in enrich.err
