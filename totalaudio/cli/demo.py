"""``tap demo``: what tap does, on built-in sample data, with no keys and no network."""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer

from totalaudio.cli import output


def demo(json_: bool = output.JSON,
         keep: bool = typer.Option(False, "--keep", help="Keep the throwaway TAP_HOME and print its path.")) -> None:
    """Walk through tap offline on the bundled example contacts, in a throwaway TAP_HOME."""
    from rich.markup import escape as esc

    from totalaudio.cli.campaign import report_writer
    from totalaudio.config import Settings
    from totalaudio.services import demo as svc
    from totalaudio.store.db import open_db

    home = Path(tempfile.mkdtemp(prefix="tap-demo-"))
    settings = Settings({"TAP_HOME": str(home)}, environ={}, cwd=home)
    ctx = svc.DemoContext(settings, open_db(settings.db_path), svc.example_contacts())
    ctx.data["write_report"] = report_writer(settings)
    steps = []
    for step, ok, summary in svc.run_steps(ctx):
        steps.append({"title": step.title, "command": step.command, "ok": ok, "summary": summary})
        if not json_:
            mark = "[green]✓[/green]" if ok else "[red]✗[/red]"
            output.stdout_console().print(f"{mark} [bold]{esc(step.title)}[/bold]  [dim]{esc(step.command)}[/dim]\n"
                                          f"    {esc(summary)}", highlight=False, soft_wrap=True, markup=True)
    ctx.db.close()
    if not keep:
        import shutil

        shutil.rmtree(home, ignore_errors=True)
    report = {"ok": all(s["ok"] for s in steps), "home": str(home) if keep else None, "steps": steps}
    if json_:
        output.print_json(report)
    else:
        passed = sum(1 for s in steps if s["ok"])
        colour = "green" if report["ok"] else "red"
        output.stdout_console().print(f"[{colour}]Demo finished: {passed} of {len(steps)} steps passed.[/{colour}]"
                                      + (f" Store kept at {esc(str(home))}" if keep else ""), markup=True)
