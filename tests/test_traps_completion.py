"""Issue #10 item 3: completion of stored connection aliases and ids (-c/--connection, --connections, the
ID|ALIAS of the connections verbs) and of profile names, through Typer's completion protocol and through bash
with the generated script installed as the README says, on an empty HOME."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import add_connection
from trackstar_cli.cli import app

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def stored() -> None:
    add_connection("conn_111", alias="acme")
    add_connection("conn_222", alias="wh2")
    add_connection("conn_333", alias="other", profile="ops")


def complete(line: str, env: dict[str, str] | None = None) -> list[str]:
    """What `trackstar` answers bash's completion for `line` (the cursor at its end)."""
    words = line.split()
    cword = len(words) if line.endswith(" ") else len(words) - 1
    protocol = {"_TRACKSTAR_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(cword), **(env or {})}
    result = CliRunner().invoke(app, [], prog_name="trackstar", env=protocol)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.stdout.split()


@pytest.mark.parametrize(
    "line",
    [
        "trackstar inventory list -c ",
        "trackstar inventory list --connection ",
        "trackstar orders get ord_1 -c ",
        "trackstar connections show ",
        "trackstar connections use ",
        "trackstar connections remove ",
        "trackstar connections sync ",
        "trackstar connections wait ",
    ],
)
def test_connection_refs_complete_aliases_and_ids(stored: None, line: str) -> None:
    assert complete(line) == ["acme", "conn_111", "wh2", "conn_222"]


def test_a_prefix_narrows_and_the_profile_counts(stored: None) -> None:
    assert complete("trackstar connections use a") == ["acme"]
    assert complete("trackstar connections use conn_2") == ["conn_222"]
    assert complete("trackstar --profile ops connections show ") == ["other", "conn_333"]
    assert complete("trackstar connections show ", env={"TRACKSTAR_PROFILE": "ops"}) == ["other", "conn_333"]


def test_connections_list_completes_after_the_last_comma(stored: None) -> None:
    assert complete("trackstar inventory list --connections ") == ["acme", "conn_111", "wh2", "conn_222"]
    assert complete("trackstar inventory list --connections acme,w") == ["acme,wh2"]
    # acme is conn_111: neither is offered again
    assert complete("trackstar inventory summary --connections acme,") == ["acme,wh2", "acme,conn_222"]
    assert complete("trackstar inventory list --connections conn_222,") == ["conn_222,acme", "conn_222,conn_111"]


def test_profile_names_complete(stored: None, cli: Any) -> None:
    cli("--profile", "staging", "config", "set", "timeout", "5")
    assert complete("trackstar --profile ") == ["default", "ops", "staging"]
    assert complete("trackstar inventory list --profile st") == ["staging"]


def test_completion_fails_silently_and_never_needs_the_network(home: Path) -> None:
    assert complete("trackstar connections show ") == []  # no store yet, and none is created
    assert not (home / "trackstar.db").exists()
    add_connection("conn_1", alias="solo")
    broken = {"TRACKSTAR_BASE_URL": "http://example.com", "TRACKSTAR_TIMEOUT": "never"}  # would fail any command
    assert complete("trackstar connections show ", env=broken) == ["solo", "conn_1"]
    (home / "trackstar.db").write_bytes(b"not a database" * 100)
    assert complete("trackstar connections show ") == []
    (home / "config.json").write_text("{broken")
    assert complete("trackstar --profile ") == []


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_readme_snippet_works_in_bash_on_an_empty_home(stored: None, tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## Shell completion") :]
    lines = [line.rsplit("#", 1)[0] for line in section.splitlines() if re.search(r"#\s*bash\s*$", line)]
    assert len(lines) == 2
    fresh = tmp_path / "fresh-home"
    fresh.mkdir()
    exe_dir = Path(sys.executable).parent
    if not (exe_dir / "trackstar").exists():
        pytest.skip("the trackstar console script is not installed next to this interpreter")
    env = {
        "HOME": str(fresh),
        "PATH": f"{exe_dir}:/usr/bin:/bin",
        "TRACKSTAR_HOME": os.environ["TRACKSTAR_HOME"],
    }
    subprocess.run(["bash", "--norc", "--noprofile", "-c", "\n".join(lines)], cwd=REPO, env=env, check=True)
    script = (
        ". ~/.bashrc\n"
        "complete -p trackstar\n"
        'COMP_WORDS=(trackstar inventory list -c ""); COMP_CWORD=4\n'
        "_trackstar_completion trackstar\n"
        'printf "reply:%s\\n" "${COMPREPLY[@]}"\n'
    )
    out = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert "complete -o default -F _trackstar_completion trackstar" in out.stdout
    assert [line[6:] for line in out.stdout.splitlines() if line.startswith("reply:")] == [
        "acme",
        "conn_111",
        "wh2",
        "conn_222",
    ]
