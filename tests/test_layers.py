"""The layering rule of design.md, checked on the imports themselves (ast)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "trackstar_cli"

CLI_LAYER = {"cli", "output", "commands"}
INFRA = {"client", "store", "credentials"}
# module -> trackstar_cli modules it must not import
FORBIDDEN = {
    "errors": {"*"},
    "config": {"client", "store", "credentials", "service", "cli", "output", "commands", "emulator"},
    "resources": {"*"},
    # design.md: infrastructure may use config (redact_url, check_private), never another infrastructure module.
    "client": {"store", "credentials", "service", "cli", "output", "commands", "emulator"},
    "bounds": {"*"},  # client.py's network bounds beneath httpx: httpcore and the stdlib only
    "store": {"client", "credentials", "service", "cli", "output", "commands", "emulator"},
    "credentials": {"client", "store", "service", "cli", "output", "commands", "emulator", "config"},
    "service": {"cli", "output", "commands", "emulator"},
    "emulator": {"client", "service", "store", "credentials", "cli", "output", "commands", "config"},
}
THIRD_PARTY_ONLY_IN = {
    "typer": CLI_LAYER,
    "rich": CLI_LAYER,
    "click": CLI_LAYER,
    "httpx": {"client"},
    "httpcore": {"client", "bounds"},
    "keyring": {"credentials"},
    "sqlite3": {"store"},
}


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG).with_suffix("")
        top = rel.parts[0] if rel.parts[0] != "__init__" else "__init__"
        out.append((top, path))
    return out


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            if node.module == "trackstar_cli":
                names.update(f"trackstar_cli.{a.name}" for a in node.names)
    return names


@pytest.mark.parametrize(("top", "path"), _modules(), ids=lambda v: str(v))
def test_imports_follow_the_layering_rule(top: str, path: Path) -> None:
    imported = _imports(path)
    own = {n.split(".")[1] for n in imported if n.startswith("trackstar_cli.")}
    banned = FORBIDDEN.get(top, set())
    allowed_own = {"errors", "__version__"} if "*" in banned else own - banned
    bad = own - allowed_own if "*" in banned else own & banned
    assert not bad, f"{path.relative_to(PKG)} imports {sorted(bad)}"
    for lib, layers in THIRD_PARTY_ONLY_IN.items():
        if top in layers or top == "emulator":
            continue
        uses = {n for n in imported if n == lib or n.startswith(lib + ".")}
        assert not uses, f"{path.relative_to(PKG)} imports {lib}, which belongs to {sorted(layers)}"


def test_the_check_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "x.py"
    bad.write_text("import httpx\nfrom trackstar_cli.store import Store\n")
    assert {"httpx", "trackstar_cli.store"} <= _imports(bad)
