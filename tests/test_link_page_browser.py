"""The emulator's Link page in a real headless Chromium: pick an integration, get an auth code, exchange it.

Needs Debian's chromium (`.ci/run` installs it) and the `playwright` package (test extra), which drives the
system browser; no browser is downloaded. Outside CI a missing chromium skips; in CI it fails.
"""

from __future__ import annotations

import os
import shutil

import pytest

pytestmark = pytest.mark.browser

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        reason = "chromium is missing: apt-get install chromium"
        pytest.fail(reason) if os.environ.get("CI") else pytest.skip(reason)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        chrome = pw.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            yield chrome
        finally:
            chrome.close()


def test_pick_an_integration_and_exchange_its_code(cli, emu, browser):
    token = cli("link-token").stdout.strip()
    page = browser.new_page()
    page.goto(f"{emu.url}/_emulator/link?link_token={token}")
    assert page.locator("button.integration").count() == 4
    page.get_by_text("ShipBob").click()
    page.wait_for_selector("#done:not([hidden])")
    code = (page.text_content("#code") or "").strip()
    assert code.startswith("auth_") and f"trackstar exchange {code}" in (page.text_content("#command") or "")
    page.close()
    r = cli("exchange", code, "--name", "from-browser", "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json()["integration_name"] == "shipbob"


def test_an_unknown_link_token_shows_an_error_and_no_integrations(emu, browser):
    page = browser.new_page()
    response = page.goto(f"{emu.url}/_emulator/link?link_token=link_nope")
    assert response is not None and response.status == 400
    assert (page.text_content("#error") or "").strip()
    assert page.locator("button.integration").count() == 0
    page.close()
