"""`magic-links create --wait` with `trackstar webhooks listen` running in the same profile: the customer
connects on the emulator's hosted page, the emulator sends `connection.created` (with the access token) to
the listener, which records it, and the waiting command stores the connection from that delivery."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.test_webhooks_listen import SECRET, Listener

pytestmark = pytest.mark.e2e


def test_magic_link_wait_stores_the_connection_from_the_webhook(
    cli: Any, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trackstar_cli.emulator import Emulator

    listener = Listener(home)
    emu = Emulator(port=0, seed=9, webhook_url=listener.url, webhook_secret=SECRET, webhook_time_scale=0.001).start()
    try:
        monkeypatch.setenv("TRACKSTAR_BASE_URL", emu.url)
        monkeypatch.setenv("TRACKSTAR_API_KEY", emu.api_key)

        def customer() -> None:  # bounded: gives up after 20 s if the link never appears
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not emu.state.magic_links:
                time.sleep(0.05)
            for link in list(emu.state.magic_links.values()):
                httpx.post(f"{emu.url}/_emulator/magic-links/{link.id}", json={"integration_name": "shiphero"})

        threading.Thread(target=customer, daemon=True).start()
        done = cli("magic-links", "create", "--customer-id", "cust_hook", "--wait", "--interval", "0.2", "--json")
        assert done.exit_code == 0, done.stderr
        cid = done.json()["connection"]["connection_id"]
        assert done.json()["stored"] is True
        assert "Stored in profile 'default'" in done.stderr and "connections add" not in done.stderr
        token = emu.state.connections[cid].access_token
        assert token not in done.stdout + done.stderr
        stored = cli("connections", "show", cid, "--json").json()
        assert stored["integration_name"] == "shiphero"
        items = cli("inventory", "list", "-c", cid, "--limit", "1", "--json")
        assert items.exit_code == 0 and len(items.json()) == 1  # the stored token works
    finally:
        emu.stop()
        listener.stop()
