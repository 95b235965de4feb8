"""`trackstar connect` and the emulator's Link script (`/_emulator/main.js`) in a real headless Chromium.

The CLI runs as a subprocess with --no-browser; the test reads the URL from its stderr and opens it with
playwright, as a person would open the printed link. Needs Debian's chromium and the playwright package (see
test_link_page_browser.py).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.test_connect import cli_env, start, stored
from tests.test_link_page_browser import browser  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser

DONE = "body[data-state=done], body[data-state=error], body[data-state=closed]"


def test_connect_end_to_end(emulator, tmp_path: Path, browser: Any) -> None:  # noqa: F811
    env = cli_env(emulator, tmp_path)
    running = start(env, "--no-browser", "--integration", "shipbob", "--name", "acme", "--json", "--wait-timeout", "90")
    page = browser.new_page()
    page.goto(running.url)
    link = page.frame_locator("#trackstar-link-frame")
    choices = link.locator("button.integration")
    choices.first.wait_for()
    shown = choices.all_text_contents()
    assert len(shown) == 1 and shown[0].startswith("ShipBobshipbob · ")  # --integration is the allow list
    choices.first.click()
    page.wait_for_selector(DONE)
    status = page.text_content("#status") or ""
    assert page.get_attribute("body", "data-state") == "done", status
    assert "Connected shipbob as " in status and "saved in profile 'default'" in status
    assert page.locator("#trackstar-link-overlay").count() == 0  # the page closed Link after the success
    page.close()
    code, out, err = running.finish()
    assert code == 0, err
    printed = json.loads(out)
    assert (printed["alias"], printed["integration_name"]) == ("acme", "shipbob")
    assert printed["connection_id"] in status
    assert [c["alias"] for c in stored(env)] == ["acme"]
    assert "Got an auth code; exchanging it for an access token" in err


def test_closing_link_ends_connect_with_exit_1(emulator, tmp_path: Path, browser: Any) -> None:  # noqa: F811
    env = cli_env(emulator, tmp_path)
    running = start(env, "--no-browser", "--sandbox", "--wait-timeout", "90")
    page = browser.new_page()
    page.goto(running.url)
    link = page.frame_locator("#trackstar-link-frame")
    choices = link.locator("button.integration")
    choices.first.wait_for()  # all_text_contents() does not wait for the frame to draw its buttons
    assert "Sandbox" in " ".join(choices.all_text_contents())  # --sandbox
    link.locator("#close").click()
    page.wait_for_selector(DONE)
    assert page.get_attribute("body", "data-state") == "closed"
    assert "Nothing was stored" in (page.text_content("#status") or "")
    page.close()
    code, out, err = running.finish()
    assert code == 1
    assert "error: Trackstar Link was closed before a WMS was connected; nothing was stored" in err
    assert out == "" and stored(env) == []


# -- the emulator's main.js on its own: the window.Trackstar contract ---------------------------------------

HOST_PAGE = """<!doctype html><html><head><meta charset="utf-8"></head><body>
<script src="{script}"></script>
<script>
  window.events = [];
  window.loadedBeforeInit = window.Trackstar.state.isLoaded;
  window.start = (options) => window.Trackstar.init(Object.assign({{
    getLinkToken: async () => {token},
    onSuccess: (code, name, close) => window.events.push(["success", code, name, typeof close]),
    onClose: () => window.events.push(["close"]),
    onLoad: () => window.events.push(["load"]),
  }}, options));
</script></body></html>"""


@pytest.fixture
def host_page(cli: Any, emu: Any, browser: Any) -> Iterator[Any]:  # noqa: F811
    """A customer's frontend on another origin than the emulator's (a real loopback server: Chromium lets only
    local pages load from loopback), with the script loaded and window.start(options) calling init."""
    token = cli("link-token").stdout.strip()
    html = HOST_PAGE.format(script=f"{emu.url}/_emulator/main.js", token=json.dumps(token)).encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(html)))
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    page = browser.new_page()
    page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
    yield page
    page.close()
    server.shutdown()
    server.server_close()


def offered(page: Any, options: dict[str, Any]) -> list[str]:
    page.evaluate("(options) => window.start(options)", options)
    page.wait_for_function("window.events.some(e => e[0] === 'load')")
    assert page.evaluate("window.Trackstar.state.isLoaded") is True
    page.evaluate("window.Trackstar.open()")
    frame = page.frame_locator("#trackstar-link-frame")
    frame.locator("#close").wait_for(state="visible")  # the page script has run (it shows the button)
    names = frame.locator("button.integration small").all_text_contents()
    return [name.split(" · ")[0] for name in names]


@pytest.mark.parametrize(
    ("options", "names"),
    [
        ({}, ["shipbob", "extensiv-3pl-central", "shiphero"]),
        ({"sandbox": True}, ["sandbox", "shipbob", "extensiv-3pl-central", "shiphero"]),
        ({"integrationAllowList": ["shiphero", "shipbob"]}, ["shipbob", "shiphero"]),
        ({"integrationAllowList": ["sandbox"]}, ["sandbox"]),
        ({"integrationBlockList": ["shipbob"], "sandbox": True}, ["sandbox", "extensiv-3pl-central", "shiphero"]),
        (  # both lists given: Trackstar documents that every integration is shown
            {"integrationAllowList": ["shipbob"], "integrationBlockList": ["shiphero"]},
            ["shipbob", "extensiv-3pl-central", "shiphero"],
        ),
        ({"integrationsWithEndpoints": ["get_returns", "create_return"]}, ["shipbob", "shiphero"]),
    ],
    ids=["default", "sandbox", "allow", "allow-sandbox", "block", "allow-and-block", "endpoints"],
)
def test_the_scripts_options_filter_the_integrations(host_page: Any, options: dict[str, Any], names: list[str]):
    assert host_page.evaluate("window.loadedBeforeInit") is False
    assert offered(host_page, options) == names


def test_open_before_init_throws(host_page: Any) -> None:
    error = host_page.evaluate("() => { try { window.Trackstar.open(); return ''; } catch (e) { return e.message; } }")
    assert error == "Trackstar is not initialized"


def test_on_success_gets_a_code_that_exchanges(host_page: Any, cli: Any) -> None:
    assert offered(host_page, {"integrationAllowList": ["shiphero"]}) == ["shiphero"]
    # A message forged by the host page itself is not the Link page's: it must be ignored.
    host_page.evaluate(
        "window.postMessage({source: 'trackstar-emulator-link', type: 'success', auth_code: 'forged'}, '*')"
    )
    host_page.frame_locator("#trackstar-link-frame").locator("button.integration").click()
    host_page.wait_for_function("window.events.some(e => e[0] === 'success')")
    events = host_page.evaluate("window.events")
    successes = [e for e in events if e[0] == "success"]
    assert len(successes) == 1
    _, code, name, close_type = successes[0]
    assert (name, close_type) == ("shiphero", "function") and code.startswith("auth_emu_")
    assert host_page.locator("#trackstar-link-overlay").count() == 1  # Link stays open after a success
    host_page.evaluate("window.Trackstar.close()")
    assert host_page.evaluate("window.events.at(-1)") == ["close"]
    assert host_page.locator("#trackstar-link-overlay").count() == 0
    assert host_page.evaluate("window.Trackstar.state.isOpen") is False
    r = cli("exchange", code, "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json()["integration_name"] == "shiphero"
