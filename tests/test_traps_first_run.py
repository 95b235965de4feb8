"""Issue #10 item 3, first run: the README's first command leaves the user able to type `trackstar` (the demo
says which executable ran it and how to put it on PATH), and `trackstar emulator serve` logs each request it
serves (--quiet stops it) and says its state lives in memory, which is why an earlier run's connections get 401."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import connect

BIN = Path(sys.executable).parent / "trackstar"
pytestmark = pytest.mark.skipif(not BIN.exists(), reason="the trackstar console script is not installed")


def _env(tmp_path: Path, path: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKSTAR_")}
    return {**env, "PATH": path, "HOME": str(tmp_path), "TRACKSTAR_HOME": str(tmp_path / "home")}


def test_demo_run_by_path_says_how_to_type_trackstar(tmp_path: Path) -> None:
    r = subprocess.run(
        [str(BIN), "demo", "--items", "2"], env=_env(tmp_path, "/usr/bin:/bin"), capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    assert f"`trackstar` is not on your PATH; this demo ran {BIN}." in r.stderr
    assert f'export PATH="{BIN.parent}:$PATH"' in r.stderr
    assert "pipx install ." in r.stderr


def test_demo_on_path_says_nothing_more(tmp_path: Path) -> None:
    r = subprocess.run(
        ["trackstar", "demo", "--items", "2"],
        env=_env(tmp_path, f"{BIN.parent}:/usr/bin:/bin"),
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    assert "not on your PATH" not in r.stderr and "export PATH=" not in r.stderr


def _serve(tmp_path: Path, *extra: str) -> tuple[subprocess.Popen[str], str, list[str]]:
    proc = subprocess.Popen(
        [str(BIN), "emulator", "serve", "--port", "0", *extra],
        env=_env(tmp_path, "/usr/bin:/bin"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    banner: list[str] = []
    while not banner or not banner[-1].startswith("Press Ctrl-C"):
        line = proc.stderr.readline()
        assert line, "".join(banner)
        banner.append(line)
    url = banner[0].split()[-1]
    return proc, url, banner


def test_emulator_serve_logs_each_request_and_warns_its_state_is_in_memory(tmp_path: Path) -> None:
    proc, url, banner = _serve(tmp_path)
    try:
        assert any("state lives in memory" in line and "401" in line for line in banner)
        headers = {"x-trackstar-api-key": "sk_emulator_0000000000000000"}
        assert httpx.get(f"{url}/connections", headers=headers).status_code == 200
        assert proc.stderr is not None
        assert re.fullmatch(r"GET /connections -> 200 \(\d+\.\d ms\)\n", proc.stderr.readline())
        httpx.get(f"{url}/wms/inventory", headers={"x-trackstar-api-key": "wrong"})
        assert re.fullmatch(r"GET /wms/inventory -> 401 \(\d+\.\d ms\)\n", proc.stderr.readline())
        _raw_get(url, b"/x\x1b[31mred")  # a raw terminal escape in the path reaches the log as text only
        line = proc.stderr.readline()
        assert "\x1b" not in line and line.startswith("GET /x\\x1b[31mred -> 404"), line
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)
    assert proc.returncode == 0


def _raw_get(url: str, path: bytes) -> None:
    import socket

    host, port = url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        while sock.recv(65536):
            pass


def test_emulator_serve_quiet_logs_nothing_per_request(tmp_path: Path) -> None:
    proc, url, banner = _serve(tmp_path, "--quiet")
    for _ in range(3):
        httpx.get(f"{url}/connections", headers={"x-trackstar-api-key": "sk_emulator_0000000000000000"})
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert "GET /connections" not in err and "Emulator stopped." in err


def test_connections_from_an_earlier_emulator_run_get_401_with_the_reason(cli: Any, monkeypatch: Any) -> None:
    from trackstar_cli.emulator import Emulator

    with Emulator(port=0) as first:
        monkeypatch.setenv("TRACKSTAR_BASE_URL", first.url)
        monkeypatch.setenv("TRACKSTAR_API_KEY", first.api_key)
        connect(cli, first, name="wh")
        assert cli("inventory", "list", "--limit", "1").exit_code == 0
    with Emulator(port=0) as second:  # a new run: nothing of the first one is known
        monkeypatch.setenv("TRACKSTAR_BASE_URL", second.url)
        r = cli("inventory", "list", "--limit", "1")
    assert r.exit_code == 3
    assert f"(sent to {second.url}/wms/inventory)" in r.stderr
    assert "connections reconcile" in r.stderr and "link-token --connection-id" in r.stderr
