"""Rate limits per access token, and fault injection (start-up spec, header, queue)."""

from __future__ import annotations

import socket
import time

import httpx
import pytest
from emu_helpers import VERIFY

from trackstar_cli.emulator import Emulator
from trackstar_cli.emulator.faults import Fault, FaultPlan, parse_kind, parse_spec
from trackstar_cli.emulator.ratelimit import RateLimiter


def _wms_client(emu: Emulator, timeout: float = 10) -> httpx.Client:
    headers = {"x-trackstar-api-key": emu.api_key}
    token = httpx.post(f"{emu.url}/sandbox/generate-sandbox/wms", headers=headers, verify=VERIFY).json()["access_token"]
    headers["x-trackstar-access-token"] = token
    return httpx.Client(base_url=emu.url, headers=headers, verify=VERIFY, timeout=timeout)


# -- rate limits ------------------------------------------------------------------------------------------
def test_more_than_ten_gets_a_second_is_429() -> None:
    with Emulator(port=0) as emu, _wms_client(emu) as c:
        replies = [c.get("/wms/warehouses") for _ in range(12)]
    ok = [r for r in replies if r.status_code == 200]
    limited = [r for r in replies if r.status_code == 429]
    assert len(ok) == 10 and limited, [r.status_code for r in replies]
    assert ok[0].headers["x-ratelimit-limit"] == "10" and ok[0].headers["x-ratelimit-remaining"] == "9"
    assert ok[-1].headers["x-ratelimit-remaining"] == "0"
    r = limited[0]
    assert int(r.headers["retry-after"]) >= 1 and r.headers["x-ratelimit-remaining"] == "0"
    assert int(r.headers["x-ratelimit-reset"]) >= int(time.time())
    assert r.json()["error"] and r.json()["origin"] == "trackstar"


def test_writes_have_their_own_bucket_and_tokens_are_separate() -> None:
    with Emulator(port=0) as emu, _wms_client(emu) as c:
        for _ in range(10):
            c.get("/wms/warehouses")
        assert c.get("/wms/warehouses").status_code == 429
        tagged = c.put("/wms/warehouses/wh_00000001/trackstar-tags", json={"trackstar_tags": ["a"]})
        assert tagged.status_code == 200 and tagged.headers["x-ratelimit-limit"] == "50"
        assert c.get("/connections").status_code == 200  # API-key-only endpoints are not limited


def test_rate_limit_can_be_disabled() -> None:
    with Emulator(port=0, rate_limit=False) as emu, _wms_client(emu) as c:
        assert all(c.get("/wms/warehouses").status_code == 200 for _ in range(15))


def test_sliding_window_with_a_fake_clock() -> None:
    now = [1000.0]
    limiter = RateLimiter(clock=lambda: now[0])
    assert all(limiter.check("t", "GET").allowed for _ in range(10))
    refused = limiter.check("t", "GET")
    assert not refused.allowed and refused.retry_after == 1 and refused.reset == 1001
    now[0] += 0.5
    assert not limiter.check("t", "GET").allowed  # still inside the window
    now[0] += 0.51
    assert limiter.check("t", "GET").allowed
    assert limiter.check("other", "GET").allowed


# -- fault spec -------------------------------------------------------------------------------------------
def test_parse_spec_and_kinds() -> None:
    rules = parse_spec("latency=200ms, rate=0.1:500@/wms, first=2:drop, every=3:latency:50, storm429=4")
    assert [(r.mode, str(r.fault), r.value, r.prefix) for r in rules] == [
        ("always", "latency:200", 0.0, ""),
        ("rate", "500", 0.1, "/wms"),
        ("first", "drop", 2.0, ""),
        ("every", "latency:50", 3.0, ""),
        ("first", "429", 4.0, ""),
    ]
    assert parse_kind("latency:1.5s") == Fault("latency", 1500)
    assert parse_spec("") == [] and parse_spec(None) == []
    for bad in ("rate=2:500", "rate=0.5", "first=0:500", "latency=fast", "boom=1:500", "first=1:teapot", "hang:5"):
        with pytest.raises(ValueError):
            parse_spec(bad)


def test_plan_combines_latency_with_one_terminal_fault() -> None:
    plan = FaultPlan.from_spec("latency=10,every=2:503")
    assert plan.pick("/wms/x", None) == [Fault("latency", 10)]
    assert plan.pick("/wms/x", "latency:5") == [Fault("latency", 15), Fault("503")]
    assert plan.pick("/wms/x", "drop") == [Fault("latency", 10), Fault("drop")]


# -- faults over HTTP -------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["500", "502", "503"])
def test_header_5xx(wms: httpx.Client, kind: str) -> None:
    reply = wms.get("/wms/warehouses", headers={"x-emulator-fault": kind})
    assert reply.status_code == int(kind) and reply.json()["error"]
    assert wms.get("/wms/warehouses").status_code == 200


def test_header_429_has_retry_after(wms: httpx.Client) -> None:
    reply = wms.get("/wms/warehouses", headers={"x-emulator-fault": "429"})
    assert reply.status_code == 429 and reply.headers["retry-after"] == "1"
    assert {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"} <= set(reply.headers)


def test_header_malformed_latency_and_bad_kind(wms: httpx.Client) -> None:
    broken = wms.get("/wms/warehouses", headers={"x-emulator-fault": "malformed"})
    assert broken.status_code == 200
    with pytest.raises(ValueError):
        broken.json()
    started = time.monotonic()
    assert wms.get("/wms/warehouses", headers={"x-emulator-fault": "latency:150"}).status_code == 200
    assert time.monotonic() - started >= 0.15
    assert wms.get("/wms/warehouses", headers={"x-emulator-fault": "teapot"}).status_code == 400


def test_drop_resets_the_connection(wms: httpx.Client) -> None:
    with pytest.raises(httpx.TransportError):
        wms.get("/wms/warehouses", headers={"x-emulator-fault": "drop"})
    assert wms.get("/wms/warehouses").status_code == 200


def test_hang_until_the_client_gives_up_and_does_not_block_stop() -> None:
    emu = Emulator(port=0, rate_limit=False).start()
    try:
        with _wms_client(emu, timeout=0.3) as c:
            started = time.monotonic()
            with pytest.raises(httpx.ReadTimeout):
                c.get("/wms/warehouses", headers={"x-emulator-fault": "hang"})
            assert time.monotonic() - started < 2
        raw = socket.create_connection(("127.0.0.1", emu.port))  # a hang still open at stop time
        raw.sendall(b"GET /wms/warehouses HTTP/1.1\r\nHost: x\r\nx-emulator-fault: hang\r\n\r\n")
        time.sleep(0.1)
    finally:
        started = time.monotonic()
        emu.stop()
        assert time.monotonic() - started < 3
    raw.settimeout(3)
    try:
        assert raw.recv(100) == b""  # closed (or reset, below) without an answer
    except ConnectionResetError:
        pass
    finally:
        raw.close()


def test_queued_faults_hit_the_next_matching_requests(emu: Emulator, wms: httpx.Client) -> None:
    queued = httpx.post(f"{emu.url}/_emulator/faults", json={"kind": "503", "count": 2, "path": "/wms/orders"})
    assert queued.status_code == 200 and queued.json()["queue"] == [{"kind": "503", "count": 2, "path": "/wms/orders"}]
    assert wms.get("/wms/warehouses").status_code == 200  # other paths untouched
    assert [wms.get("/wms/orders", params={"limit": 1}).status_code for _ in range(3)] == [503, 503, 200]
    assert httpx.get(f"{emu.url}/_emulator/faults").json()["queue"] == []
    assert httpx.post(f"{emu.url}/_emulator/faults", json={"kind": "boom"}).status_code == 422
    assert httpx.post(f"{emu.url}/_emulator/faults", json={"kind": "500", "count": 0}).status_code == 422


def test_startup_faults_and_clearing_them() -> None:
    with Emulator(port=0, faults="storm429=2@/wms,every=3:500@/wms", rate_limit=False) as emu, _wms_client(emu) as c:
        statuses = [c.get("/wms/warehouses").status_code for _ in range(6)]
        assert httpx.get(f"{emu.url}/_emulator/health").status_code == 200  # never faulted
        assert httpx.delete(f"{emu.url}/_emulator/faults").json() == {"rules": [], "queue": []}
        assert c.get("/wms/warehouses").status_code == 200
    assert statuses == [429, 429, 500, 200, 200, 500]
