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
BASE = {"models", "errors", "config", "integrations", "redact", "__init__", "__main__"}
# What each layer may import from the project, besides the base modules.
# cli and server are the two front doors; render turns results into documents and is used by both.
# cli starts the server (`tap webhooks serve`); the server never imports cli.
ALLOWED = {"store": {"store"}, "clients": {"clients"}, "services": {"services", "clients", "store"},
           "cli": {"cli", "services", "store", "render", "server"}, "server": {"server", "services", "store", "render"},
           "render": {"render"}, "__main__": {"cli"}}
LAYERS = BASE | set(ALLOWED)
SDK_MODULES = ("pyairtable", "anthropic", "stripe", "googleapiclient", "mailchimp_marketing", "httpx2")
# Commands that print no data document, with the reason.
NO_JSON = {"tap contacts export": "writes a file or stdout in the chosen --format (csv or json)",
           "tap webhooks serve": "runs until stopped; its access log goes to stderr",
           "tap completion": "prints a shell script for the shell to source"}


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


def module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def import_graph() -> dict[str, set[str]]:
    """Every project module and the project modules it imports (at the top or inside a function)."""
    modules = {module_name(p): p for p in PKG.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # `from pkg import mod` names a module when pkg.mod is one; else it imports from pkg itself.
                targets |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
                            for a in node.names}
            elif isinstance(node, ast.Import):
                targets |= {a.name for a in node.names}
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles():
    assert cycles(import_graph()) == []


def test_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_services_are_capability_packages():
    """No prefix families of flat modules: a capability with several modules is a package of its own."""
    flat = [p.stem for p in (PKG / "services").glob("*.py") if p.stem != "__init__"]
    prefixes = {name.split("_")[0] for name in flat if "_" in name}
    assert sorted(p for p in prefixes if sum(n.startswith(p + "_") or n == p for n in flat) > 1) == []
    packages = {p.name for p in (PKG / "services").iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert {"airtable", "audit", "contacts", "enrich", "mailchimp"} <= packages


def walk(command, path="tap"):
    from totalaudio.cli.lazy import subcommands

    subs = list(subcommands(command))  # the root's groups are imported lazily: load them all here
    for name, sub in subs:
        yield from walk(sub, f"{path} {name}")
    if not subs or getattr(command, "invoke_without_command", False):
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
