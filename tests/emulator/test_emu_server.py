"""The emulator as a server: lifecycle, routing errors, common headers."""

from __future__ import annotations

import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from emu_helpers import client_for

from trackstar_cli.emulator import DEFAULT_API_KEY, DEFAULT_PORT, Emulator, parse_size


def test_public_constants() -> None:
    assert DEFAULT_PORT == 8787
    assert DEFAULT_API_KEY.startswith("sk_emulator_")


def test_start_stop_and_context_manager() -> None:
    emu = Emulator(port=0)
    emu.start()
    try:
        assert emu.url.startswith("http://127.0.0.1:") and emu.port != 0
        assert httpx.get(f"{emu.url}/_emulator/health").json() == {"ok": True}
    finally:
        started = time.monotonic()
        emu.stop()
        assert time.monotonic() - started < 2
    emu.stop()  # idempotent
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{emu.url}/_emulator/health", timeout=2)
    with Emulator(port=0) as again:
        assert httpx.get(f"{again.url}/_emulator/health").status_code == 200


def test_serve_forever_returns_on_shutdown() -> None:
    emu = Emulator(port=0)
    done = threading.Event()

    def run() -> None:
        emu.serve_forever()
        done.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 5
    while emu.port == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    for _ in range(100):
        try:
            if httpx.get(f"{emu.url}/_emulator/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.02)
    emu.shutdown()
    assert done.wait(5), "serve_forever did not return after shutdown()"
    assert emu.wait(0)


def test_wait_times_out_then_returns_after_shutdown() -> None:
    with Emulator(port=0) as emu:
        assert emu.wait(0.05) is False
        threading.Timer(0.05, emu.shutdown).start()
        assert emu.wait(5) is True


def test_parse_size() -> None:
    assert parse_size("small") == 200 and parse_size("medium") == 2000 and parse_size("large") == 20000
    assert parse_size(5) == 5 and parse_size("123") == 123
    for bad in ("huge", 0, "-3"):
        with pytest.raises(ValueError):
            parse_size(bad)


def test_bad_fault_spec_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        Emulator(port=0, faults="rate=2:500")


def test_unknown_path_is_json_404(api: httpx.Client) -> None:
    reply = api.get("/no/such/thing")
    assert reply.status_code == 404
    assert reply.headers["content-type"] == "application/json"
    assert reply.json()["origin"] == "trackstar" and "error" in reply.json()


def test_wrong_method_is_json_405(api: httpx.Client) -> None:
    reply = api.delete("/link/token")
    assert reply.status_code == 405
    assert reply.headers["allow"] == "POST"
    assert "error" in reply.json()


def test_every_response_has_a_unique_request_id(api: httpx.Client) -> None:
    ids = {api.get("/_emulator/health").headers["x-request-id"] for _ in range(5)}
    ids.add(api.get("/nope").headers["x-request-id"])
    assert len(ids) == 6


def test_literal_segments_beat_parameters(wms: httpx.Client) -> None:
    # /wms/inventory/ledger is the ledger list, not inventory item "ledger".
    assert "entry_date" in wms.get("/wms/inventory/ledger", params={"limit": 1}).json()["data"][0]
    assert wms.get("/wms/orders/channels").json()["data"][0]["id"].startswith("chan_")


def test_head_has_headers_but_no_body(wms: httpx.Client) -> None:
    reply = wms.head("/wms/warehouses")
    assert reply.status_code == 200 and reply.content == b""
    assert int(reply.headers["content-length"]) > 0


def test_protocol_errors_are_json_too(emu: Emulator) -> None:
    with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as raw:
        raw.sendall(b"BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n")
        chunks = []
        while chunk := raw.recv(4096):  # the server closes after a protocol error
            chunks.append(chunk)
        reply = b"".join(chunks).decode()
    head, _, body = reply.partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 501") and "Content-Type: application/json" in head
    assert json.loads(body)["origin"] == "trackstar"


def test_concurrent_writes_are_serialised(wms: httpx.Client, emu: Emulator) -> None:
    before = wms.get("/wms/inventory/inv_00000001").json()["data"]
    wid = next(iter(before["inventory_by_warehouse_id"]))
    body = {"quantity": 1, "adjustment_type": "increase", "warehouse_id": wid}

    def bump(_: int) -> int:
        with client_for(emu, wms.headers["x-trackstar-access-token"]) as c:
            return c.put("/wms/inventory/inv_00000001/adjust", json=body).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(bump, range(24)))
    assert statuses == [200] * 24
    after = wms.get("/wms/inventory/inv_00000001").json()["data"]
    assert after["onhand"] == before["onhand"] + 24


def test_the_route_index_resolves_every_route_as_a_scan_of_the_whole_table_would() -> None:
    """App.resolve looks only at the routes its index offers; it must pick what trying every route picks."""
    from trackstar_cli.emulator.core import ApiError

    app = Emulator(port=0).app

    def scan(method: str, path: str) -> object:
        segments = tuple(path.strip("/").split("/"))
        matches = [r for r in app.routes if r.match(segments) is not None]
        allowed = [r for r in matches if r.method == method or (method == "HEAD" and r.method == "GET")]
        if not allowed:
            return 404 if not matches else 405
        return max(allowed, key=lambda r: r.literals)

    paths = {"/", "/wms", "/wms/nope", "/x/y/z/w/v", "/wms/orders/{x}", "/wms/inventory/ledger"}
    for route in app.routes:
        paths.add("/" + "/".join("id_1" if p.startswith("{") else p for p in route.parts))
        paths.add("/" + "/".join(p for p in route.parts) + "/extra")
    assert len(paths) > len(app.routes) > 50
    for path in sorted(paths):
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"):
            try:
                got: object = app.resolve(method, path)[0]
            except ApiError as exc:
                got = exc.status
            assert got == scan(method, path), (method, path)
