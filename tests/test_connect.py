"""`trackstar connect` without a browser: its one-shot server over real HTTP, time-out, cancel, Ctrl-C, bad
input, and which Link script the page loads. The browser half is in test_connect_browser.py."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from tests.conftest import BASE

BIN = Path(sys.executable).parent / "trackstar"
e2e = pytest.mark.e2e  # the tests that run the installed trackstar as a subprocess
URL_RE = re.compile(r"http://127\.0\.0\.1:(\d+)/[A-Za-z0-9_-]+/")


@dataclass
class Connect:
    """A `trackstar connect` subprocess, its page URL and everything it printed."""

    proc: subprocess.Popen[bytes]
    url: str
    stderr_head: str

    def finish(self) -> tuple[int, str, str]:
        out, err = self.proc.communicate(timeout=60)
        return self.proc.returncode, out.decode(), self.stderr_head + err.decode()


def cli_env(emulator: Any, tmp_path: Path, **extra: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TRACKSTAR_") and k != "BROWSER"}
    return dict(
        clean,
        TRACKSTAR_HOME=str(tmp_path / "home"),
        TRACKSTAR_BASE_URL=emulator.url,
        TRACKSTAR_API_KEY=emulator.api_key,
        NO_COLOR="1",
        **extra,
    )


def start(env: dict[str, str], *args: str) -> Connect:
    """Run `trackstar connect ARGS` and read its stderr up to the page URL."""
    assert BIN.exists(), f"{BIN} is not installed (pip install -e .)"
    # Unbuffered bytes: readline() then takes no more than the line, and communicate() (which reads the file
    # descriptor itself) later gets all the rest.
    proc = subprocess.Popen(
        [str(BIN), "connect", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0
    )
    assert proc.stderr is not None
    head = ""
    while (found := URL_RE.search(head)) is None:
        line = proc.stderr.readline().decode()
        if not line:
            out, err = proc.communicate(timeout=10)
            pytest.fail(f"connect printed no URL (exit {proc.returncode}): {head}{err.decode()}{out.decode()}")
        head += line
    return Connect(proc, found.group(0), head)


@pytest.fixture
def env(emulator: Any, tmp_path: Path) -> dict[str, str]:
    return cli_env(emulator, tmp_path)


@pytest.fixture
def session(env: dict[str, str]) -> Iterator[Connect]:
    running = start(env, "--no-browser", "--wait-timeout", "60")
    yield running
    if running.proc.poll() is None:
        running.proc.kill()
        running.proc.communicate(timeout=10)


def post(session: Connect, name: str, body: Any, **headers: str) -> httpx.Response:
    return httpx.post(session.url + name, json=body, headers=headers, timeout=30)


def stored(env: dict[str, str]) -> list[dict[str, Any]]:
    r = subprocess.run([str(BIN), "connections", "list", "--json"], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return list(json.loads(r.stdout))


@e2e
def test_the_page_loads_the_emulators_link_script_with_the_options(emulator, tmp_path):
    running = start(cli_env(emulator, tmp_path), "--no-browser", "--integration", "shipbob", "--wait-timeout", "60")
    page = httpx.get(running.url, timeout=30)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["referrer-policy"] == "no-referrer"  # the path secret never leaves in a Referer
    assert json.dumps(f"{emulator.url}/_emulator/main.js") in page.text
    assert '{"integrationAllowList": ["shipbob"]}' in page.text
    assert post(running, "closed", {"reason": "closed"}).json() == {"ok": True}
    assert running.finish()[0] == 1


@e2e
def test_requests_that_are_not_for_the_page_get_404_and_the_session_goes_on(session, env):
    port = session.url.split(":")[2].split("/")[0]
    wrong_secret = f"http://127.0.0.1:{port}/{'A' * 32}/"
    assert httpx.get(wrong_secret, timeout=30).status_code == 404
    assert httpx.post(wrong_secret + "closed", json={}, timeout=30).status_code == 404
    assert httpx.get(session.url + "link-token", timeout=30).status_code == 404  # a POST-only path
    assert httpx.get(f"http://127.0.0.1:{port}/", timeout=30).status_code == 404
    rebound = httpx.get(session.url, headers={"Host": f"attacker.example:{port}"}, timeout=30)
    assert rebound.status_code == 404  # DNS rebinding: a page on another name must not reach the server
    cross = post(session, "closed", {"reason": "closed"}, Origin="http://attacker.example")
    assert cross.status_code == 404
    huge = httpx.post(
        session.url + "auth-code",
        content=b'{"auth_code": "' + b"x" * 100_000 + b'"}',
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert huge.status_code == 413
    assert httpx.post(session.url + "closed", content=b"{}", timeout=30).status_code == 415  # not JSON
    assert session.proc.poll() is None, "a bad request ended the session"
    assert post(session, "closed", {"reason": "closed"}).status_code == 200
    code, out, err = session.finish()
    assert code == 1
    assert "error: Trackstar Link was closed before a WMS was connected; nothing was stored" in err
    assert out == ""


@e2e
def test_a_link_token_and_a_code_posted_to_the_page_are_exchanged_and_stored(emulator, tmp_path):
    env = cli_env(emulator, tmp_path)
    running = start(env, "--no-browser", "--name", "acme", "--customer-id", "cust_42", "--json", "--wait-timeout", "60")
    token = post(running, "link-token", {}).json()
    assert token["ok"] is True
    reply = post(running, "auth-code", {"auth_code": emulator.issue_auth_code(token["link_token"], "shiphero")})
    assert reply.status_code == 200
    assert reply.json() == {
        "ok": True,
        "connection_id": reply.json()["connection_id"],
        "integration_name": "shiphero",
        "alias": "acme",
        "profile": "default",
    }
    code, out, err = running.finish()
    assert code == 0, err
    printed = json.loads(out)
    assert set(printed) == {  # the contract of `exchange --json`
        "connection_id", "alias", "integration_name", "customer_id", "available_actions", "profile", "default",
        "created_at", "updated_at", "access_token",
    }  # fmt: skip
    assert (printed["alias"], printed["integration_name"], printed["customer_id"]) == ("acme", "shiphero", "cust_42")
    assert printed["access_token"].startswith("****")
    assert [c["connection_id"] for c in stored(env)] == [printed["connection_id"]]


@e2e
def test_a_bad_auth_code_ends_with_the_exchange_error_and_stores_nothing(session, env):
    reply = post(session, "auth-code", {"auth_code": "auth_emu_not_a_real_code"})
    assert reply.status_code == 502 and reply.json()["ok"] is False and reply.json()["error"]
    code, _, err = session.finish()
    assert code == 6, err  # the emulator answers 422 for an unknown code, like any rejected request
    assert "error: " in err
    assert stored(env) == []


def test_the_wait_times_out_with_exit_14(cli, emu):
    r = cli("connect", "--no-browser", "--wait-timeout", "0.5")
    assert r.exit_code == 14
    assert "Open this page to connect a WMS with Trackstar Link:" in r.stderr
    assert "error: timed out after 0.5 s waiting for the customer to finish in Trackstar Link" in r.stderr
    assert "--wait-timeout SECONDS" in r.stderr


def test_the_global_timeout_is_the_http_deadline_and_wait_timeout_the_wait(cli, emu):
    r = cli("connect", "--no-browser", "--timeout", "5", "--wait-timeout", "0.5")
    assert r.exit_code == 14, r.stderr
    assert "after 0.5 s" in r.stderr


@e2e
def test_ctrl_c_exits_130_and_closes_the_server(session):
    assert httpx.get(session.url, timeout=30).status_code == 200
    session.proc.send_signal(signal.SIGINT)
    code, _, err = session.finish()
    assert code == 130
    assert "interrupted" in err and "Traceback" not in err
    with pytest.raises(httpx.ConnectError):
        httpx.get(session.url, timeout=5)


@e2e
def test_the_browser_is_opened_with_the_url_unless_no_browser(emulator, tmp_path):
    opened = tmp_path / "opened"
    recorder = tmp_path / "browser.sh"
    recorder.write_text(f'#!/bin/sh\nprintf %s "$1" > {opened}\n')
    recorder.chmod(recorder.stat().st_mode | stat.S_IXUSR)
    running = start(cli_env(emulator, tmp_path, BROWSER=str(recorder)), "--wait-timeout", "60")
    post(running, "closed", {"reason": "closed"})
    code, _, err = running.finish()
    assert code == 1
    assert opened.read_text() == running.url
    assert "Opened it in your browser." in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--integration", "shipbob", "--sandbox"], "--integration and --sandbox exclude each other"),
        (["--integration", "Ship Bob!"], "invalid integration name"),
        (["--wait-timeout", "0"], "--wait-timeout must be more than 0"),
        (["--name", "1acme"], "invalid name '1acme'"),
        (["--link-script-url", "http://cdn.example/main.js"], "invalid Link script URL"),
        (["--json", "-o", "csv"], "--json conflicts with --format csv"),
    ],
)
def test_bad_options_fail_with_exit_2_before_anything_is_served(cli, emu, args, message):
    r = cli("connect", "--no-browser", *args)
    assert r.exit_code == 2, r.stderr
    assert message in r.stderr
    assert "Open this page" not in r.stderr


def test_a_taken_name_fails_before_anything_is_served(cli, emu):
    from tests.conftest import connect as link_and_exchange

    link_and_exchange(cli, emu, name="acme")
    r = cli("connect", "--no-browser", "--name", "acme")
    assert r.exit_code == 2
    assert "the name 'acme' is already used" in r.stderr and "Open this page" not in r.stderr


def test_a_refused_api_key_fails_before_anything_is_served(cli, emu):
    r = cli("connect", "--no-browser", env={"TRACKSTAR_API_KEY": "sk_wrong"})
    assert r.exit_code == 3
    assert "Open this page" not in r.stderr


@e2e
def test_the_script_url_setting_wins(emulator, tmp_path):
    env = cli_env(emulator, tmp_path, TRACKSTAR_LINK_SCRIPT_URL="https://cdn.example.test/link/main.js")
    running = start(env, "--no-browser", "--wait-timeout", "60")
    assert '"https://cdn.example.test/link/main.js"' in httpx.get(running.url, timeout=30).text
    post(running, "closed", {"reason": "script_error"})
    code, _, err = running.finish()
    assert code == 8
    assert "the browser could not load the Trackstar Link script https://cdn.example.test/link/main.js" in err


@respx.mock(base_url=BASE, assert_all_called=True)
def test_a_server_that_is_not_an_emulator_gets_trackstars_script(respx_mock, logged_in):
    from trackstar_cli.config import resolve_settings
    from trackstar_cli.service import Services
    from trackstar_cli.service.connect import link_script_url
    from trackstar_cli.spec import LINK_SCRIPT_URL

    respx_mock.get("/_emulator/health").respond(404, json={"error": "Not found"})
    assert link_script_url(Services(resolve_settings())) == LINK_SCRIPT_URL


@respx.mock(assert_all_called=False)
def test_trackstars_own_hosts_are_not_probed(respx_mock, logged_in):
    from trackstar_cli.config import resolve_settings
    from trackstar_cli.service import Services
    from trackstar_cli.service.connect import link_script_url
    from trackstar_cli.spec import LINK_SCRIPT_URL

    probe = respx_mock.get(url__regex=r".*").respond(200, json={"ok": True})
    svc = Services(resolve_settings(base_url="https://production.trackstarhq.com"))
    assert link_script_url(svc) == LINK_SCRIPT_URL
    assert not probe.called


def test_the_token_is_printed_when_the_connection_cannot_be_stored(cli, emu, monkeypatch):
    """The same never-lose-the-token path as `trackstar exchange`, with a stand-in browser (BROWSER's job)
    that does what the page does: ask for a link token, finish Link, post the auth code."""
    from trackstar_cli.errors import StoreError
    from trackstar_cli.store import Store

    replies: list[httpx.Response] = []

    def browser(url: str, new: int = 0) -> bool:
        def customer() -> None:
            token = httpx.post(url + "link-token", json={}, timeout=30).json()["link_token"]
            code = emu.issue_auth_code(token, "shipbob")
            replies.append(httpx.post(url + "auth-code", json={"auth_code": code}, timeout=30))

        threading.Thread(target=customer, daemon=True).start()
        return True

    def broken(self: Store, **fields: Any) -> None:
        raise StoreError("disk full")

    monkeypatch.setattr("webbrowser.open", browser)
    monkeypatch.setenv("BROWSER", "stand-in")  # there is a browser (else no display means none is started)
    monkeypatch.setattr(Store, "save_connection", broken)
    r = cli("connect", "--wait-timeout", "60")
    assert r.exit_code == 1, r.stderr
    found = re.search(r"access token for connection (\S+): (\S+)", r.stderr)
    assert found, r.stderr
    assert emu.state.connections[found.group(1)].access_token == found.group(2)  # the only copy: shown
    assert f"connections add --connection-id {found.group(1)} --access-token-stdin" in r.stderr
    assert r.stdout == ""
    assert replies and replies[0].json()["ok"] is False and "could not be saved" in replies[0].json()["error"]


@e2e
def test_without_a_display_no_browser_is_started_on_the_terminal(emulator, tmp_path):
    env = {k: v for k, v in cli_env(emulator, tmp_path).items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    running = start(env, "--wait-timeout", "60")  # no --no-browser, no BROWSER: webbrowser might pick lynx or w3m
    post(running, "closed", {"reason": "closed"})
    code, _, err = running.finish()
    assert code == 1
    assert "No display here to open a browser on" in err and "Opened it" not in err
