"""Fixtures for the emulator tests: a real Emulator on 127.0.0.1:0 and httpx clients pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from emu_helpers import VERIFY

from trackstar_cli.emulator import Emulator


@pytest.fixture
def emu() -> Iterator[Emulator]:
    """Rate limits off: most tests fire requests faster than 10/s on one token."""
    with Emulator(port=0, seed=1, size="small", rate_limit=False) as emulator:
        yield emulator


@pytest.fixture
def api(emu: Emulator) -> Iterator[httpx.Client]:
    """A client that sends the API key (no access token)."""
    with httpx.Client(
        base_url=emu.url, headers={"x-trackstar-api-key": emu.api_key}, timeout=10, verify=VERIFY
    ) as client:
        yield client


@pytest.fixture
def wms(emu: Emulator, api: httpx.Client) -> Iterator[httpx.Client]:
    """A client on the WMS sandbox connection (API key + access token)."""
    token = api.post("/sandbox/generate-sandbox/wms").json()["access_token"]
    headers = {"x-trackstar-api-key": emu.api_key, "x-trackstar-access-token": token}
    with httpx.Client(base_url=emu.url, headers=headers, timeout=10, verify=VERIFY) as client:
        yield client
