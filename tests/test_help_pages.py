"""`--help` without Typer: the pre-rendered pages (help_pages.json) stay equal to what the app renders, the
root help's static command table stays equal to the sub-apps' own help, and the real entry point serves a
page only where the live rendering would be the same bytes."""

from __future__ import annotations

import ast
import json
import os
import pty
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from tests.ptyrun import run_on_pty
from trackstar_cli import __version__, _help, cli
from trackstar_cli._help import PAGES_FILE, RENDER_ENV

PAGES = json.loads(PAGES_FILE.read_text(encoding="utf-8"))["pages"]


def _live(args: list[str], monkeypatch: pytest.MonkeyPatch) -> str:
    import typer.rich_utils

    # rich_utils reads TERMINAL_WIDTH / FORCE_COLOR once at import; the test session set them (conftest).
    monkeypatch.setattr(typer.rich_utils, "MAX_WIDTH", None)
    monkeypatch.setattr(typer.rich_utils, "FORCE_TERMINAL", None)
    result = CliRunner().invoke(cli.app, args, prog_name="trackstar", env=dict.fromkeys(RENDER_ENV))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_there_is_a_page_for_every_command_and_only_for_those():
    sys.path.insert(0, str(PAGES_FILE.parents[1] / "tools"))
    from gen_help import command_paths

    assert set(PAGES) == {" ".join(p) for p in command_paths()}
    assert json.loads(PAGES_FILE.read_text())["version"] == __version__


@pytest.mark.parametrize("path", sorted(PAGES))
def test_each_page_is_the_live_help(path, monkeypatch):
    live = _live([*path.split(), "--help"], monkeypatch)
    assert PAGES[path] == live, f"help_pages.json is stale for `trackstar {path} --help`: run tools/gen_help.py"


def test_the_root_help_lists_commands_from_the_static_table(monkeypatch):
    assert set(cli._ONE_LINE) == set(cli._LAZY)
    for name in cli._LAZY:
        real = cli._load(name)
        first = (real.short_help or real.help or "").split("\n\n")[0].strip()
        assert cli._ONE_LINE[name] == first, f"cli._ONE_LINE[{name!r}] differs from the command's own help"


def test_the_root_help_does_not_build_the_sub_apps():
    code = (
        "import sys; from typer.testing import CliRunner; from trackstar_cli.cli import app; "
        "r = CliRunner().invoke(app, ['--help']); assert r.exit_code == 0, r.output; "
        "print(sorted(m for m in sys.modules if m.startswith('trackstar_cli.commands.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    imported = set(ast.literal_eval(out.stdout))
    assert "trackstar_cli.commands.views" in imported  # the panels' names come from it
    assert not imported & set(cli._LAZY.values()), "the root help imported a sub-app's module"


def _entry(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The console script, its stdin/stdout/stderr not terminals; also reports whether Typer was imported."""
    code = (
        "import sys; sys.argv = ['trackstar', *sys.argv[1:]]\n"
        "from trackstar_cli._entry import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write('typer imported' if 'typer' in sys.modules else 'typer not imported')\n"
    )
    base = {k: v for k, v in os.environ.items() if k not in RENDER_ENV}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env={**base, **(env or {})},
    )


@pytest.mark.parametrize("args", [["--help"], ["inventory", "list", "--help"], ["webhooks", "-h"]])
def test_the_entry_point_prints_the_page_without_typer(args):
    r = _entry(args)
    assert r.stderr == "typer not imported"
    assert r.stdout == PAGES[" ".join(args[:-1])]


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["inventory", "list", "--help"], {"COLUMNS": "120"}),  # another width: rendered live
        (["inventory", "list", "--json", "--help"], None),  # an option before --help: live
        (["nosuch", "--help"], None),  # not a command: Typer's own error
    ],
)
def test_anything_else_goes_to_typer(args, env):
    r = _entry(args, env)
    assert r.stderr.endswith("typer imported")
    if env:
        assert max(len(line) for line in r.stdout.splitlines()) == 120


def test_a_page_of_another_version_is_not_used(tmp_path, monkeypatch):
    stale = tmp_path / "help_pages.json"
    stale.write_text(json.dumps({"version": "0.0.0", "pages": {"": "old"}}))
    monkeypatch.setattr(_help, "PAGES_FILE", stale)
    for name in RENDER_ENV:
        monkeypatch.delenv(name, raising=False)
    assert _help.page_for(["--help"]) is None


def test_a_terminal_gets_the_live_rich_help():
    """On a terminal rich sizes and colours the page itself: the entry point leaves it to Typer."""
    base = {k: v for k, v in os.environ.items() if k not in RENDER_ENV and k != "NO_COLOR"}
    code, raw, _ = run_on_pty(["inventory", "list", "--help"], {**base, "TERM": "xterm-256color"})
    text = raw.decode("utf-8", "replace")
    assert code == 0
    assert "\x1b[" in text and "Usage" in text  # colour: rendered live, not the pipe page


def test_a_help_run_on_a_terminal_does_not_import_markdown(tmp_path):
    """Typer's rich help imports rich.markdown and markdown_it for a markup mode this app does not use."""
    report = tmp_path / "modules"
    code = (
        "import atexit, sys\n"
        f"atexit.register(lambda: open({str(report)!r}, 'w').write(' '.join(sorted(sys.modules))))\n"
        "sys.argv = ['trackstar', 'inventory', 'list', '--help']\n"
        "from trackstar_cli.cli import main\n"
        "main()\n"
    )
    primary, replica = pty.openpty()
    base = {k: v for k, v in os.environ.items() if k not in RENDER_ENV}
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=replica, stdout=replica, stderr=replica, env=base)
    os.close(replica)
    while True:
        try:
            if not os.read(primary, 65536):
                break
        except OSError:
            break
    proc.wait(timeout=60)
    os.close(primary)
    modules = report.read_text().split()
    assert proc.returncode == 0
    assert "typer.rich_utils" in modules  # the live rich help ran
    assert "markdown_it" not in modules and "rich.markdown" in modules  # the stand-in, not the real one
