"""End to end: the installed `trackstar` as a subprocess against `trackstar emulator serve` on 127.0.0.1,
with real sockets, real pipes and real signals."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent / "trackstar"


@pytest.fixture(scope="module")
def emulator() -> Iterator[dict[str, str]]:
    assert BIN.exists(), f"{BIN} is not installed (pip install -e .)"
    proc = subprocess.Popen(
        [str(BIN), "emulator", "serve", "--port", "0", "--json", "--seed", "7", "--quiet"],  # nobody reads stderr
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line, proc.stderr.read() if proc.stderr else "no output"
    info = json.loads(line)
    yield info
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(10) == 0  # SIGTERM stops it cleanly


@pytest.fixture
def env(emulator: dict[str, str], tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TRACKSTAR_")}
    return dict(
        clean,
        TRACKSTAR_HOME=str(tmp_path / "home"),
        TRACKSTAR_BASE_URL=emulator["url"],
        TRACKSTAR_API_KEY=emulator["api_key"],
        NO_COLOR="1",
    )


def run(env: dict[str, str], *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN), *args], env=env, input=input, capture_output=True, text=True, timeout=60)


def shell(env: dict[str, str], script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-o", "pipefail", "-c", script],
        env=dict(env, PATH=f"{BIN.parent}:{env['PATH']}"),
        capture_output=True,
        text=True,
        timeout=60,
    )


def connect(env: dict[str, str], integration: str = "sandbox", name: str = "wh") -> str:
    token = run(env, "link-token")
    assert token.returncode == 0, token.stderr
    code = run(env, "emulator", "auth-code", "--link-token", token.stdout.strip(), "--integration", integration)
    assert code.returncode == 0, code.stderr
    done = run(env, "exchange", code.stdout.strip(), "--name", name, "--json")
    assert done.returncode == 0, done.stderr
    return str(json.loads(done.stdout)["connection_id"])


def test_getting_started_flow_with_a_real_pipe(env):
    if not shutil.which("jq"):
        pytest.fail("jq is missing (apt-get install jq)") if os.environ.get("CI") else pytest.skip("jq is missing")
    r = shell(
        env,
        """
        set -e
        TOKEN=$(trackstar link-token)
        CODE=$(trackstar emulator auth-code --link-token "$TOKEN" --integration shipbob)
        trackstar exchange "$CODE" --name acme --customer-id cust_1 > /dev/null
        trackstar connections list | jq -r '.[0].alias'
        trackstar inventory list | jq length
    """,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["acme", "200"]
    assert "Connected shipbob" not in r.stdout  # messages stay on stderr


def test_filters_and_pagination_against_the_emulator(env):
    connect(env)
    everything = json.loads(run(env, "inventory", "list", "--json").stdout)
    paged = json.loads(run(env, "inventory", "list", "--page-size", "30", "--json").stdout)
    assert paged == everything and len(everything) == 200
    skus = [everything[0]["sku"], everything[5]["sku"]]
    r = run(env, "inventory", "list", "--sku", skus[0], "--sku", skus[1], "--page-size", "1", "--json")
    assert r.returncode == 0, r.stderr
    assert [i["sku"] for i in json.loads(r.stdout)] == skus  # filters kept on page 2 (the emulator checks)
    since = "2025-07-01T00:00:00Z"
    recent = json.loads(run(env, "inventory", "list", "--updated-since", since, "--page-size", "7", "--json").stdout)
    assert recent and all(i["updated_date"] >= since for i in recent)
    assert len(recent) == sum(1 for i in everything if i["updated_date"] >= since)


def test_by_warehouse_quantities_add_up(env):
    connect(env)
    items = json.loads(run(env, "inventory", "list", "--limit", "20", "--json").stdout)
    rows = run(env, "inventory", "list", "--limit", "20", "--by-warehouse", "-o", "csv").stdout.splitlines()[1:]
    per_sku: dict[str, int] = {}
    for row in rows:
        sku, _wh, onhand, *_ = row.split(",")
        per_sku[sku] = per_sku.get(sku, 0) + int(onhand)
    assert per_sku == {i["sku"]: i["onhand"] for i in items}


def test_rate_limit_429_is_retried(env, emulator):
    connect(env)
    httpx.post(f"{emulator['url']}/_emulator/faults", json={"kind": "429", "count": 2, "path": "/wms/inventory"})
    r = run(env, "inventory", "list", "--limit", "3", "--json", "--verbose")
    assert r.returncode == 0, r.stderr
    assert len(json.loads(r.stdout)) == 3
    assert r.stderr.count("< 429") == 2 and "retrying in" in r.stderr


def test_rate_limit_storm_ends_in_exit_5(env, emulator):
    connect(env)
    httpx.post(f"{emulator['url']}/_emulator/faults", json={"kind": "429", "count": 10, "path": "/wms/inventory"})
    r = run(env, "inventory", "list")
    assert r.returncode == 5
    assert r.stderr.startswith("error: ") and "request id" in r.stderr
    httpx.delete(f"{emulator['url']}/_emulator/faults")


def test_paging_fast_stays_under_the_rate_limit(env):
    connect(env)
    r = run(env, "inventory", "list", "--page-size", "10", "--json", "--verbose")  # 20 pages, one token
    assert r.returncode == 0, r.stderr
    assert "< 429" not in r.stderr


def test_not_implemented_and_errors(env):
    connect(env, "extensiv-3pl-central", "ext")
    r = run(env, "returns", "list")
    assert r.returncode == 7
    assert "error: Endpoint get_returns is not implemented for Extensiv" in r.stderr
    assert r.stdout == ""
    r = run(env, "inventory", "get", "inv_missing")
    assert r.returncode == 4 and "HTTP 404" in r.stderr
    r = run(env, "inventory", "list", "--filter", "nosuchfield=1")
    assert r.returncode == 6 and "nosuchfield" in r.stderr
    r = run(env, "exchange", "auth_code_that_was_never_issued")
    assert r.returncode == 6
    r = run(dict(env, TRACKSTAR_API_KEY="sk_wrong_key_12345678"), "inventory", "list")
    assert r.returncode == 3 and "sk_wrong_key_12345678" not in r.stderr


def test_server_down_is_exit_8(env):
    r = run(dict(env, TRACKSTAR_BASE_URL="http://127.0.0.1:9", TRACKSTAR_TIMEOUT="2"), "link-token")
    assert r.returncode == 8
    assert "error: cannot reach http://127.0.0.1:9" in r.stderr and "Traceback" not in r.stderr


def test_closed_pipe_ends_quietly(env):
    connect(env)
    r = shell(env, "trackstar inventory list -o ndjson --page-size 5 | head -1")
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.splitlines()) == 1
    assert r.stderr == ""


def test_ctrl_c_exits_130(env, emulator):
    connect(env)
    httpx.post(f"{emulator['url']}/_emulator/faults", json={"kind": "hang", "count": 1, "path": "/wms/inventory"})
    proc = subprocess.Popen(
        [str(BIN), "inventory", "list"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130
    assert "Traceback" not in err
    httpx.delete(f"{emulator['url']}/_emulator/faults")


def test_demo_runs_offline(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKSTAR_")}
    env["TRACKSTAR_HOME"] = str(tmp_path / "untouched")
    r = run(env, "demo", "--items", "3")
    assert r.returncode == 0, r.stderr
    assert "Step 5" in r.stderr and "Keep exploring" in r.stderr
    assert r.stdout.count("link_") == 1 and "onhand" in r.stdout
    webhook = r.stdout.splitlines()[-1].split()
    assert webhook[1:3] == ["connection.created", "demo"], webhook  # by the name exchange gave it, not its id
    assert not (tmp_path / "untouched").exists()  # the user's home is not touched


def test_debug_traceback_never_shows_secrets(env):
    import sqlite3

    connect(env)
    secret_env = dict(env, TRACKSTAR_API_KEY="sk_wrong~SECRET~4242")
    r = run(secret_env, "--debug", "inventory", "list")
    assert r.returncode != 0
    assert "Traceback" in r.stderr and "AuthenticationError" in r.stderr
    with sqlite3.connect(Path(env["TRACKSTAR_HOME"]) / "trackstar.db") as db:
        [(token,)] = db.execute("SELECT access_token FROM connections").fetchall()
    for secret in ("SECRET~4242", token):
        assert secret not in r.stderr + r.stdout


def test_emulator_serve_stops_cleanly_on_ctrl_c(tmp_path):
    proc = subprocess.Popen(
        [str(BIN), "emulator", "serve", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stderr is not None
    first = proc.stderr.readline()
    assert first.startswith("Trackstar emulator listening on http://127.0.0.1:")
    url = first.split()[-1]
    assert httpx.get(f"{url}/_emulator/health").json() == {"ok": True}
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert "Emulator stopped." in err and "Traceback" not in err
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/_emulator/health")


def test_emulator_serve_on_a_busy_port_is_a_clear_error(emulator):
    port = emulator["url"].rsplit(":", 1)[1]
    r = subprocess.run([str(BIN), "emulator", "serve", "--port", port], capture_output=True, text=True, timeout=30)
    assert r.returncode == 1
    assert r.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}") and "--port 0" in r.stderr
