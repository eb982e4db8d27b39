"""``tap config``: the effective settings, where each came from, secrets masked."""

from __future__ import annotations

from totalaudio.cli import output
from totalaudio.cli.context import state

app = output.group("Show the effective configuration.")


@app.command("show")
def show(json_: bool = output.JSON) -> None:
    """Print every setting with its value (secrets masked) and its source: flag, env, .env, tap.toml, default."""
    settings = state().settings
    items = [{"name": r.spec.env, "value": r.shown(), "source": r.source, "secret": r.spec.secret,
              "tomlKey": r.spec.toml} for r in settings.resolved()]
    report = {"home": str(settings.home), "database": str(settings.db_path),
              "configFile": str(settings.toml_path) if settings.toml_path else None, "settings": items}
    output.emit(report, "json" if json_ else "text", _render)


def _render(report) -> None:
    output.note(f"home: {report['home']}   config file: {report['configFile'] or '(none)'}")
    rows = [(s["name"], s["value"] if s["value"] is not None else "", s["source"]) for s in report["settings"]]
    output.table("Effective settings", ["Setting", "Value", "Source"], rows)
