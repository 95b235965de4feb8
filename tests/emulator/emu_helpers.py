"""Helpers shared by the emulator tests (imported by name; conftest.py holds only fixtures)."""

from __future__ import annotations

import ssl
from typing import Any

import httpx

from trackstar_cli.emulator import Emulator

# One SSL context for every client: building one per httpx.Client costs ~80 ms (all traffic is plain http).
VERIFY = ssl.create_default_context()


def connect(api: httpx.Client, emu: Emulator, integration: str = "sandbox", **body: str) -> dict[str, Any]:
    """The Link flow end to end: link token → auth code (what the modal does) → exchange."""
    link_token = api.post("/link/token", json=body).json()["link_token"]
    code = emu.issue_auth_code(link_token, integration)
    reply = api.post("/link/exchange", json={"auth_code": code})
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def client_for(emu: Emulator, token: str) -> httpx.Client:
    headers = {"x-trackstar-api-key": emu.api_key, "x-trackstar-access-token": token}
    return httpx.Client(base_url=emu.url, headers=headers, timeout=10, verify=VERIFY)
