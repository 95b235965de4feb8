"""What a person sees on an 80x24 terminal (tmux): the default page of a listing and its footer, the pager,
and a spinner that never mixes with rows. Skipped only when tmux is missing (CI installs it)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import connect

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None and not os.environ.get("CI"), reason="needs tmux")
ROOT = Path(__file__).resolve().parents[1]


class Screen:
    """A detached tmux session running one command at 80x24."""

    def __init__(self, command: list[str], env: dict[str, str], *, width: int = 80, height: int = 24) -> None:
        self.name = f"ts-{uuid.uuid4().hex[:8]}"
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        line = (
            f"cd {shlex.quote(str(ROOT))} && env -u COLUMNS -u LINES {exports} {shlex.join(command)};"
            " echo __EXIT_$?__; sleep 60"
        )
        subprocess.run(
            ["tmux", "new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height), line], check=True
        )

    def text(self) -> str:
        out = subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True)
        return out.stdout

    def wait_for(self, needle: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.text()
            if needle in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{needle!r} never appeared:\n{self.text()}")

    @staticmethod
    def joined(screen: str) -> str:
        """A captured screen as one text: messages wrap between words, so the lines join with a space."""
        return " ".join(line.strip() for line in screen.splitlines() if line.strip())

    def keys(self, *keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True)

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


@pytest.fixture
def screen_env(cli: Any, emu: Any, tmp_path: Path) -> dict[str, str]:
    connect(cli, emu, "sandbox", "sb")
    env = {k: v for k, v in os.environ.items() if k.startswith("TRACKSTAR_")}
    env.pop("TRACKSTAR_NO_PROGRESS", None)
    env.update(TERM="xterm-256color", COLUMNS="", LINES="", PATH=os.environ.get("PATH", ""), HOME=str(tmp_path))
    return {k: v for k, v in env.items() if v}


@pytest.fixture
def screens() -> Any:
    opened: list[Screen] = []

    def open_(command: list[str], env: dict[str, str], **kw: Any) -> Screen:
        s = Screen(command, env, **kw)
        opened.append(s)
        return s

    yield open_
    for s in opened:
        s.close()


CLI = [sys.executable, "-m", "trackstar_cli"]


def test_a_terminal_gets_a_default_page_and_a_footer(screen_env: dict[str, str], screens: Any) -> None:
    s = screens([*CLI, "inventory", "list", "--no-pager"], screen_env, height=50)
    screen = s.wait_for("__EXIT_0__")
    rows = [line for line in screen.splitlines() if line.startswith("│")]
    assert len(rows) == 30, screen
    assert "showing the first 30; more with --limit N or --all" in screen
    assert "Fetching" not in screen  # the spinner cleared its line before the table


def test_all_streams_everything_and_a_pipe_gets_everything(screen_env: dict[str, str], screens: Any, cli: Any) -> None:
    assert len(cli("inventory", "list", "--json").json()) == 200  # no default page for a script
    s = screens([*CLI, "inventory", "list", "--all", "--no-pager", "-o", "table"], screen_env, height=24)
    screen = s.wait_for("__EXIT_0__")
    assert "showing" not in screen and "└" in screen


def test_long_tables_go_through_the_pager(screen_env: dict[str, str], screens: Any, tmp_path: Path) -> None:
    captured = tmp_path / "paged.txt"
    env = {**screen_env, "TRACKSTAR_PAGER": f"tee {captured}"}
    s = screens([*CLI, "inventory", "list", "--all"], env)
    s.wait_for("__EXIT_0__")
    paged = captured.read_text()
    assert sum(line.startswith("│") for line in paged.splitlines()) == 200 and "┏" in paged and "└" in paged


def test_less_pages_and_q_quits_cleanly(screen_env: dict[str, str], screens: Any) -> None:
    if shutil.which("less") is None and not os.environ.get("CI"):
        pytest.skip("less is not installed")
    s = screens([*CLI, "inventory", "list", "--all"], screen_env)
    first = s.wait_for("TSH-RED-000000")
    assert "__EXIT_" not in first  # less holds the screen: 200 rows do not fit 24 lines
    s.keys("q")
    assert "__EXIT_0__" in s.wait_for("__EXIT_")


def test_no_pager_writes_straight_to_the_terminal(screen_env: dict[str, str], screens: Any) -> None:
    s = screens([*CLI, "--no-pager", "inventory", "list", "-n", "5"], screen_env)
    screen = s.wait_for("__EXIT_0__")
    assert "TSH-RED-000000" in screen and "showing" not in screen


def _two_without_default(cli: Any, emu: Any) -> None:
    import sqlite3

    from trackstar_cli.config import resolve_paths

    connect(cli, emu, "shipbob", "second")
    with sqlite3.connect(resolve_paths().database) as db:
        db.execute("DELETE FROM defaults")


def test_a_terminal_picks_between_several_connections(
    screen_env: dict[str, str], screens: Any, cli: Any, emu: Any
) -> None:
    _two_without_default(cli, emu)
    s = screens([*CLI, "--no-pager", "warehouses", "list"], screen_env)
    s.wait_for("Connection [1-2]")
    s.keys("7", "Enter")
    s.wait_for("type a number from 1 to 2")
    s.keys("2", "Enter")
    screen = s.wait_for("__EXIT_")
    assert "__EXIT_0__" in screen and "Using second" in screen
    assert cli("warehouses", "list").exit_code == 2  # a script still gets the clear error


def test_ctrl_d_at_a_prompt_is_interrupted_130(screen_env: dict[str, str], screens: Any, cli: Any, emu: Any) -> None:
    _two_without_default(cli, emu)
    s = screens([*CLI, "--no-pager", "warehouses", "list"], screen_env)
    s.wait_for("Connection [1-2]")
    s.keys("C-d")
    screen = s.wait_for("__EXIT_")
    assert "interrupted" in screen and "__EXIT_130__" in screen


def test_ctrl_c_at_the_hidden_token_prompt_is_interrupted_130(screen_env: dict[str, str], screens: Any) -> None:
    s = screens([*CLI, "connections", "add", "--connection-id", "conn_x", "--no-verify"], screen_env)
    s.wait_for("Access token")
    s.keys("C-c")
    screen = s.wait_for("__EXIT_")
    assert "interrupted" in screen and "__EXIT_130__" in screen and "Traceback" not in screen


def test_revoke_asks_for_the_name_first(screen_env: dict[str, str], screens: Any, cli: Any) -> None:
    s = screens([*CLI, "connections", "remove", "sb", "--revoke"], screen_env)
    s.wait_for("confirm:")
    s.keys("s", "Enter")
    screen = s.wait_for("__EXIT_")
    assert "nothing was deleted" in screen and "__EXIT_1__" in screen
    assert [c["alias"] for c in cli("connections", "list", "--json").json()] == ["sb"]
    s = screens([*CLI, "connections", "remove", "sb", "--revoke"], screen_env)
    s.wait_for("confirm:")
    s.keys("sb", "Enter")
    screen = s.wait_for("__EXIT_")
    assert "__EXIT_0__" in screen and "locally and at Trackstar" in screen
    assert cli("connections", "list", "--json").json() == []


LISTEN_SECRET = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY"


@pytest.mark.parametrize("answer", ["y", "n"])
def test_listen_offers_to_store_the_connection_of_a_connection_created(
    screens: Any, cli: Any, tmp_path: Path, answer: str
) -> None:
    """A magic link's connection.created for a connection not stored yet: on a terminal, listen asks."""
    import re

    env = {
        "TRACKSTAR_HOME": os.environ["TRACKSTAR_HOME"],
        "TRACKSTAR_WEBHOOK_SECRET": LISTEN_SECRET,
        "TERM": "xterm-256color",
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
    }
    s = screens([*CLI, "webhooks", "listen", "--port", "0"], env)
    found = re.search(r"on (http://127\.0\.0\.1:\d+)/", s.wait_for("Listening for webhooks on"))
    assert found
    sets = ["--set", "connection_id=conn_magic", "--set", "data.access_token=tok_from_the_event_77"]
    sent = cli(
        "webhooks", "trigger", "connection.created", "--to", f"{found.group(1)}/hooks", *sets,
        env={"TRACKSTAR_WEBHOOK_SECRET": LISTEN_SECRET},
    )  # fmt: skip
    assert sent.exit_code == 0, sent.stderr
    s.wait_for("Store connection conn_magic from this event?")
    s.keys(answer, "Enter")
    if answer == "y":
        s.wait_for("Stored connection conn_magic")
    s.keys("C-c")
    screen = s.wait_for("__EXIT_")
    assert "__EXIT_0__" in screen and "Stopped; 1 event shown." in screen and "Traceback" not in screen
    assert "tok_from_the_event" not in screen
    stored = [c["connection_id"] for c in cli("connections", "list", "--json").json()]
    assert stored == (["conn_magic"] if answer == "y" else [])


def test_an_error_on_a_terminal_wraps_between_words_and_stays_one_line_in_a_pipe(
    screen_env: dict[str, str], screens: Any, emu: Any, cli: Any
) -> None:
    """A 401's error line is longer than 80 columns: the terminal gets it wrapped at spaces, so the URL and the
    request id each stay whole on one line; a script reading stderr still gets one line."""
    s = screens([*CLI, "inventory", "list"], {**screen_env, "TRACKSTAR_API_KEY": "sk_not_the_key"})
    screen = s.wait_for("__EXIT_")
    assert "__EXIT_3__" in screen
    lines = screen.splitlines()
    assert any(line.strip().startswith(f"{emu.url}/wms/inventory") for line in lines), screen
    assert any(line.strip().startswith("req_") and len(line.strip()) >= 36 for line in lines), screen
    assert any(line.startswith("hint: check the API key with `trackstar auth status`") for line in lines), screen
    piped = cli("inventory", "list", env={"TRACKSTAR_API_KEY": "sk_not_the_key"})
    assert (
        piped.stderr.splitlines()[0].startswith("error: Invalid or missing API key")
        and "request id req_" in (piped.stderr.splitlines()[0])
    )
