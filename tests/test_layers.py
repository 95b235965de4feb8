"""The layering rule of design.md, checked on the imports themselves (ast, relative imports resolved).

    cli.py / commands/ / output.py (+ _entry, _fast, _options, _help)  →  service/  →  client, store,
    credentials, pacing  →  errors, config, models, spec.   The emulator is a separate wing that shares spec.py alone.

`test_each_rule_catches_an_injected_violation` proves every rule can fail.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "trackstar_cli"

CLI = {"cli", "commands", "output", "table", "_entry", "_fast", "_options", "_help"}
INFRA = {"client", "store", "credentials", "pacing"}
BASE = {"errors", "models", "spec", "__init__"}  # __init__: __version__
EVERYTHING = {
    "cli",
    "commands",
    "output",
    "table",
    "_entry",
    "_fast",
    "_options",
    "_help",
    "service",
    *INFRA,
    "config",
    "emulator",
}

# top-level part of the package -> our modules it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "spec": set(),
    "models": set(),
    "errors": set(),
    "__init__": set(),
    "__main__": {"_entry"},
    "config": {"errors", "models", "spec", "__init__"},
    # design.md: infrastructure may use config (redact_url, check_private), never another infrastructure module
    "client": {*BASE, "config", "bounds", "transport"},
    "store": {*BASE, "config"},
    "credentials": set(BASE),
    "bounds": set(),  # the client's network bounds beneath httpx: httpcore and the stdlib only
    "transport": {"bounds"},  # the client's httpx transport (a pool per access token)
    "service": {*INFRA, "config", *BASE, "service"},
    **{name: EVERYTHING - INFRA - {"emulator"} | BASE | {"emulator"} for name in CLI},
    "emulator": {"spec", "emulator", "__init__"},
}
# The CLI may start the emulator (demo, emulator serve) but never touch store/client/credentials itself.
THIRD_PARTY_ONLY_IN = {
    "typer": CLI,
    "rich": CLI,
    "click": CLI,
    "httpx": {"client", "transport"},
    "httpcore": {"client", "bounds", "transport"},
    "keyring": {"credentials"},
    "sqlite3": {"store"},
}
STDLIB_ONLY = {"spec", "models", "errors", "emulator", "pacing"}
THIRD_PARTY = {"typer", "rich", "click", "httpx", "keyring", "platformdirs", "respx", "standardwebhooks", "jsonschema"}


def _top(rel: Path) -> str:
    parts = rel.with_suffix("").parts
    return parts[0]


def _modules() -> list[tuple[str, Path]]:
    return sorted((_top(p.relative_to(PKG)), p) for p in PKG.rglob("*.py"))


def imports_of(source: str, module_path: tuple[str, ...]) -> set[str]:
    """Absolute dotted names imported by a module at `module_path` (e.g. ("emulator", "wms")) inside the
    package, relative imports resolved against it."""
    names: set[str] = set()
    package = ("trackstar_cli", *module_path[:-1])
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                if len(base) < 1:
                    continue
                module = ".".join((*base, node.module)) if node.module else ".".join(base)
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{a.name}" for a in node.names)
    return names


def violations(top: str, imported: set[str]) -> list[str]:
    """What breaks the rule for a module of the package part `top`."""
    bad: list[str] = []
    own = {n.split(".")[1] for n in imported if n.startswith("trackstar_cli.") and len(n.split(".")) > 1}
    own |= {"__init__" for n in imported if n == "trackstar_cli"}
    allowed = ALLOWED.get(top, set()) | {top}
    known = set(ALLOWED) | {"commands", "service", "emulator"}
    bad += [f"imports trackstar_cli.{m}" for m in sorted(own - allowed) if m in known or not m.startswith("_")]
    for lib, layers in THIRD_PARTY_ONLY_IN.items():
        if top in layers:
            continue
        if any(n == lib or n.startswith(lib + ".") for n in imported):
            bad.append(f"imports {lib}, which belongs to {sorted(layers)}")
    if top in STDLIB_ONLY:
        bad += [
            f"imports {lib} (stdlib only here)"
            for lib in sorted(THIRD_PARTY)
            if lib in {n.split(".")[0] for n in imported}
        ]
    return sorted(set(bad))


@pytest.mark.parametrize(("top", "path"), _modules(), ids=lambda v: str(v))
def test_imports_follow_the_layering_rule(top: str, path: Path) -> None:
    rel = path.relative_to(PKG).with_suffix("").parts
    found = violations(top, imports_of(path.read_text(encoding="utf-8"), rel))
    assert not found, f"{path.relative_to(PKG)}: {found}"


@pytest.mark.parametrize(
    ("where", "source"),
    [
        (("spec",), "from trackstar_cli import errors\n"),
        (("models",), "from trackstar_cli.spec import RESOURCES\n"),
        (("emulator", "wms"), "from ..client import TrackstarClient\n"),
        (("emulator", "wms"), "from ..models import Connection\n"),
        (("emulator", "wms"), "import httpx\n"),
        (("client",), "from trackstar_cli.store import Store\n"),
        (("bounds",), "from trackstar_cli.config import Settings\n"),
        (("bounds",), "import httpx\n"),
        (("transport",), "from trackstar_cli.config import Settings\n"),
        (("service", "wms"), "from trackstar_cli.transport import PooledClient\n"),
        (("store",), "import httpcore\n"),
        (("client",), "from .credentials import get_api_key\n"),
        (("store",), "import httpx\n"),
        (("pacing",), "from trackstar_cli.client import GET_RATE_PER_TOKEN\n"),
        (("pacing",), "import httpx\n"),
        (("client",), "from trackstar_cli.pacing import SharedPacer\n"),
        (("credentials",), "from trackstar_cli.config import Settings\n"),
        (("service", "wms"), "from trackstar_cli import output\n"),
        (("service", "wms"), "from ..commands.views import COLUMNS\n"),
        (("service", "wms"), "import typer\n"),
        (("commands", "resources"), "from trackstar_cli.store import Store\n"),
        (("commands", "resources"), "from ..client import TrackstarClient\n"),
        (("commands", "resources"), "from .. import credentials\n"),
        (("output",), "import sqlite3\n"),
        (("config",), "from trackstar_cli.service import Services\n"),
    ],
)
def test_each_rule_catches_an_injected_violation(where: tuple[str, ...], source: str) -> None:
    assert violations(where[0], imports_of(source, where)), f"{source!r} in {'/'.join(where)} passed the check"


def test_relative_imports_resolve_to_absolute_names() -> None:
    assert "trackstar_cli.spec" in imports_of("from ..spec import RESOURCES\n", ("emulator", "wms"))
    assert "trackstar_cli.emulator.core" in imports_of("from .core import Reply\n", ("emulator", "wms"))
    assert "trackstar_cli.store" in imports_of("from .. import store\n", ("service", "wms"))
