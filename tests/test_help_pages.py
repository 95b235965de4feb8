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

from tests.ptyrun import AS_INSTALLED, run_on_pty
from trackstar_cli import __version__, _help, cli
from trackstar_cli._help import PAGES_FILE, RENDER_ENV, TERMINAL_WIDTH, TTY_PAGES_FILE

PAGES = json.loads(PAGES_FILE.read_text(encoding="utf-8"))["pages"]
TTY_PAGES = json.loads(TTY_PAGES_FILE.read_text(encoding="utf-8"))["pages"]


def _live(args: list[str], monkeypatch: pytest.MonkeyPatch, *, terminal: bool = False) -> str:
    import typer.rich_utils

    # rich_utils reads TERMINAL_WIDTH / FORCE_COLOR once at import; the test session set them (conftest).
    monkeypatch.setattr(typer.rich_utils, "MAX_WIDTH", TERMINAL_WIDTH if terminal else None)
    monkeypatch.setattr(typer.rich_utils, "FORCE_TERMINAL", True if terminal else None)
    monkeypatch.setattr(typer.rich_utils, "COLOR_SYSTEM", "standard" if terminal else "auto")
    result = CliRunner().invoke(cli.app, args, prog_name="trackstar", env=dict.fromkeys([*RENDER_ENV, "NO_COLOR"]))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_there_is_a_page_for_every_command_and_only_for_those():
    sys.path.insert(0, str(PAGES_FILE.parents[1] / "tools"))
    from gen_help import command_paths

    assert set(PAGES) == set(TTY_PAGES) == {" ".join(p) for p in command_paths()}
    assert json.loads(PAGES_FILE.read_text())["version"] == __version__
    assert json.loads(TTY_PAGES_FILE.read_text())["version"] == __version__


@pytest.mark.parametrize("path", sorted(PAGES))
def test_each_page_is_the_live_help(path, monkeypatch):
    live = _live([*path.split(), "--help"], monkeypatch)
    assert PAGES[path] == live, f"help_pages.json is stale for `trackstar {path} --help`: run tools/gen_help.py"
    tty = _live([*path.split(), "--help"], monkeypatch, terminal=True)
    assert "\x1b[" in tty
    assert TTY_PAGES[path] == tty, f"help_pages_tty.json is stale for `trackstar {path} --help`: run tools/gen_help.py"


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


def _on_terminal(args: list[str], size: tuple[int, int] | None, **env: str) -> str:
    base = {k: v for k, v in os.environ.items() if k not in RENDER_ENV and k not in ("NO_COLOR", "COLORTERM")}
    code, raw, _ = run_on_pty(args, {**base, "TERM": "xterm-256color", **env}, size=size, program=AS_INSTALLED)
    assert code == 0
    return raw.decode("utf-8").replace("\r\n", "\n")


def _width(text: str) -> int:
    import re

    return max(len(re.sub(r"\x1b\[[0-9;]*m", "", line)) for line in text.splitlines())


@pytest.mark.parametrize("args", [["--help"], ["inventory", "list", "--help"], ["orders", "create", "-h"]])
@pytest.mark.parametrize(
    ("size", "env"),
    [((24, 80), {}), (None, {}), ((24, 80), {"COLORTERM": "truecolor"}), ((24, 80), {"TERM": "xterm"})],
    ids=["80x24", "new-pty", "truecolor", "xterm"],
)
def test_a_terminal_gets_the_colour_page_byte_for_byte_what_typer_draws_there(args, size, env):
    """On a real pseudo-terminal 80 columns wide, the pre-rendered page is exactly Typer's live rendering."""
    fast = _on_terminal(args, size, **env)
    live = _on_terminal(args, size, TRACKSTAR_LIVE_HELP="1", **env)
    assert fast == TTY_PAGES[" ".join(args[:-1])]
    assert fast == live
    assert "\x1b[1;33mUsage: \x1b[0m" in fast


def test_a_wider_terminal_gets_the_80_column_page_and_a_narrower_one_a_live_fit():
    wide = _on_terminal(["inventory", "list", "--help"], (40, 160))
    assert wide == TTY_PAGES["inventory list"] and _width(wide) == TERMINAL_WIDTH
    narrow = _on_terminal(["inventory", "list", "--help"], (40, 60))
    assert "\x1b[" in narrow and _width(narrow) == 60  # rendered live, to fit


@pytest.mark.parametrize("env", [{"NO_COLOR": "1"}, {"TERM": "dumb"}])
def test_no_color_and_dumb_terminals_get_typers_own_rendering(env):
    page = _on_terminal(["inventory", "list", "--help"], (24, 80), **env)
    assert page != TTY_PAGES["inventory list"]
    assert "Usage" in page and "\x1b[1;33m" not in page  # no colour


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
