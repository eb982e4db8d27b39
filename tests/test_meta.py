"""The code keeps the design's promises: layers, help text, --json, registry completeness, lazy SDKs."""

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from totalaudio import integrations

PKG = Path(__file__).resolve().parents[1] / "totalaudio"
BASE = {"models", "errors", "config", "integrations", "__init__", "__main__"}
# What each layer may import from the project, besides the base modules.
ALLOWED = {"store": {"store"}, "clients": {"clients"}, "services": {"services", "clients", "store"},
           "cli": {"cli", "services", "store"}, "__main__": {"cli"}}
LAYERS = BASE | set(ALLOWED)
SDK_MODULES = ("pyairtable", "anthropic", "stripe", "googleapiclient", "mailchimp_marketing", "httpx2")
# Commands that print no data document, with the reason.
NO_JSON = {"tap contacts export": "writes a file or stdout in the chosen --format (csv or json)"}


def layer_of(path: Path) -> str:
    rel = path.relative_to(PKG)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def project_imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "totalaudio" and len(parts) > 1 and parts[1] in LAYERS:
                yield node.lineno, parts[1]


def test_layers_import_downward_only():
    bad = []
    for path in PKG.rglob("*.py"):
        layer = layer_of(path)
        allowed = BASE | ALLOWED.get(layer, set())
        for lineno, target in project_imports(path):
            if target not in allowed:
                bad.append(f"{path.relative_to(PKG.parent)}:{lineno} ({layer}) imports totalaudio.{target}")
    assert bad == []


def walk(command, path="tap"):
    subcommands = getattr(command, "commands", None)
    if subcommands:
        for name, sub in subcommands.items():
            yield from walk(sub, f"{path} {name}")
    if not subcommands or getattr(command, "invoke_without_command", False):
        yield path, command


def commands():
    from totalaudio.cli.main import app

    return list(walk(typer.main.get_command(app)))


def test_every_command_has_help_text():
    missing = [path for path, cmd in commands() if not (cmd.help or "").strip()]
    assert missing == []


def test_every_data_command_takes_json():
    missing = [path for path, cmd in commands() if path not in NO_JSON and path != "tap"
               and not any("--json" in p.opts for p in cmd.params)]
    assert missing == []


@pytest.mark.parametrize("integ", integrations.REGISTRY, ids=lambda i: i.name)
def test_registry_entry_has_client_and_tests(integ):
    module = importlib.import_module(f"totalaudio.clients.{integ.client}")
    assert callable(module.build) and callable(module.classify)
    assert callable(getattr(module, "health", None)) == integ.health_call
    tests = "\n".join(p.read_text() for p in (PKG.parent / "tests" / "clients").glob("test_*.py"))
    assert "clients import" in tests and integ.client in tests


# Integrations whose command group is not built yet, with the reason; kept honest by the test below.
PENDING_CLI = {
    "gmail": "reply tracking and sending are a later issue",
    "claude": "reports and pitches are a later issue",
    "perplexity": "research is a later issue",
    "make": "workflows and notify are a later issue",
    "stripe": "billing is a later issue",
}


@pytest.mark.parametrize("integ", integrations.REGISTRY, ids=lambda i: i.name)
def test_registry_entry_has_its_cli_group(integ):
    groups = {path.split()[1] for path, _ in commands() if len(path.split()) > 1}
    if integ.name in PENDING_CLI:
        assert integ.cli is None, f"{integ.name} has a group now: remove it from PENDING_CLI"
    else:
        assert integ.cli in groups, f"tap {integ.cli} is missing"


def run_isolated(code: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=PKG.parent).stdout
    return json.loads(out.strip().splitlines()[-1])


PROBE = ("import sys, json, io, contextlib\n"
         "from totalaudio.cli.errors import run\nfrom totalaudio.cli.main import app\n"
         "with contextlib.redirect_stdout(io.StringIO()): run(app, {args})\n"
         "print(json.dumps([m for m in {sdks} if m in sys.modules]))\n")


@pytest.mark.parametrize("args", [["--help"], ["contacts", "--help"], ["contacts", "list", "--json"]])
def test_cli_does_not_import_sdks(args):
    assert run_isolated(PROBE.format(args=args, sdks=SDK_MODULES)) == []


def test_package_import_is_light():
    code = "import sys, json, totalaudio; print(json.dumps([m for m in ('typer','rich','sqlite_utils') if m in sys.modules]))"
    assert run_isolated(code) == []


def test_env_example_lists_every_variable():
    from totalaudio.config import SPECS

    text = (PKG.parent / ".env.example").read_text()
    assert [name for name in SPECS if f"\n{name}=" not in text] == []
