"""client.py: headers, pagination, retries, error mapping, the redacted log, pacing, proxies and TLS."""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from trackstar_cli import __version__
from trackstar_cli import client as client_mod
from trackstar_cli.client import TrackstarClient
from trackstar_cli.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    ConfigError,
    ExitCode,
    IntegrationError,
    MalformedResponseError,
    NotFoundError,
    NotImplementedByIntegrationError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ValidationError,
)

from .conftest import API_KEY, BASE, TOKEN

NOW = 1_800_000_000.0  # a fixed wall-clock "now" for reset epochs and HTTP dates


class FakeClock:
    """Stands in for the `time` module inside client.py: sleeping advances both clocks, instantly."""

    def __init__(self) -> None:
        self.wall = NOW
        self.mono = 5_000.0
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.wall

    def monotonic(self) -> float:
        return self.mono

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.wall += seconds
        self.mono += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(client_mod, "time", fake)
    return fake


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=True, assert_all_mocked=True) as router:
        yield router


def make_client(clock: FakeClock, *, base_url: str = BASE, **kwargs: Any) -> TrackstarClient:
    client = TrackstarClient(API_KEY, base_url=base_url, **kwargs)
    client._sleep = clock.sleep  # the documented seam: every wait goes through here
    client._jitter = lambda cap: cap
    return client


@pytest.fixture
def client(clock: FakeClock) -> Iterator[TrackstarClient]:
    with make_client(clock) as c:
        yield c


# -- headers ---------------------------------------------------------------------------------------


def test_api_key_and_user_agent_sent_without_token(api: respx.MockRouter, client: TrackstarClient) -> None:
    route = api.get("/connections").respond(200, json={"data": []})
    client.request("GET", "/connections")
    sent = route.calls.last.request.headers
    assert sent["x-trackstar-api-key"] == API_KEY
    assert "x-trackstar-access-token" not in sent
    assert sent["user-agent"] == f"trackstar-cli/{__version__}"
    assert sent["accept"] == "application/json"


def test_access_token_sent_when_given(api: respx.MockRouter, client: TrackstarClient) -> None:
    get = api.get("/wms/inventory").respond(200, json={"data": []})
    post = api.post("/wms/orders").respond(201, json={"id": "o1"})
    client.request("GET", "/wms/inventory", access_token=TOKEN)
    assert client.request("POST", "/wms/orders", json_body={"sku": "A1"}, access_token=TOKEN) == {"id": "o1"}
    for route in (get, post):
        headers = route.calls.last.request.headers
        assert headers["x-trackstar-access-token"] == TOKEN
        assert headers["x-trackstar-api-key"] == API_KEY
    assert json.loads(post.calls.last.request.content) == {"sku": "A1"}


def test_injected_transport_is_used(clock: FakeClock) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True})

    with TrackstarClient(API_KEY, base_url=BASE + "/", transport=httpx.MockTransport(handler)) as c:
        assert c.request("GET", "/wms/warehouses") == {"ok": True}
    assert str(seen[0].url) == BASE + "/wms/warehouses"


def test_empty_body_decodes_to_none(api: respx.MockRouter, client: TrackstarClient) -> None:
    api.delete("/connections/conn_1").respond(204)
    assert client.request("DELETE", "/connections/conn_1") is None


# -- pagination ------------------------------------------------------------------------------------


def test_iter_pages_follows_next_token_and_repeats_filters(api: respx.MockRouter, client: TrackstarClient) -> None:
    pages = {
        None: {"data": [{"id": 1}, {"id": 2}], "next_token": "n2"},
        "n2": {"data": [{"id": 3}], "next_token": "n3"},
        "n3": {"data": [{"id": 4}], "next_token": None},
    }

    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=pages[request.url.params.get("page_token")])

    route = api.get("/wms/inventory").mock(side_effect=reply)
    filters = {"sku": "A1", "warehouse_id": "wh_1", "limit": "2", "page_token": "stale-from-the-user"}
    gen = client.iter_pages("/wms/inventory", filters, access_token=TOKEN)
    assert next(gen) == [{"id": 1}, {"id": 2}]
    assert route.call_count == 1, "pages are fetched lazily, one per iteration"
    assert list(gen) == [[{"id": 3}], [{"id": 4}]]
    sent = [dict(call.request.url.params) for call in route.calls]
    assert sent == [
        {"sku": "A1", "warehouse_id": "wh_1", "limit": "2"},
        {"sku": "A1", "warehouse_id": "wh_1", "limit": "2", "page_token": "n2"},
        {"sku": "A1", "warehouse_id": "wh_1", "limit": "2", "page_token": "n3"},
    ]
    assert all(call.request.headers["x-trackstar-access-token"] == TOKEN for call in route.calls)
    assert filters["page_token"] == "stale-from-the-user", "the caller's dict is not modified"


@pytest.mark.parametrize("last", [{"data": []}, {"data": [], "next_token": ""}, {"data": [], "next_token": None}])
def test_iter_pages_stops_without_next_token(api: respx.MockRouter, client: TrackstarClient, last: Any) -> None:
    route = api.get("/wms/orders").respond(200, json=last)
    assert list(client.iter_pages("/wms/orders")) == [[]]
    assert route.call_count == 1


@pytest.mark.parametrize("body", [{"items": []}, [1, 2], {"data": {"id": 1}}])
def test_iter_pages_rejects_a_body_without_data_list(api: respx.MockRouter, client: TrackstarClient, body: Any) -> None:
    api.get("/wms/orders").respond(200, json=body)
    with pytest.raises(MalformedResponseError) as info:
        list(client.iter_pages("/wms/orders"))
    assert info.value.exit_code == ExitCode.NETWORK


def test_iter_pages_stops_a_server_that_repeats_its_token(api: respx.MockRouter, client: TrackstarClient) -> None:
    route = api.get("/wms/orders").respond(200, json={"data": [{"id": 1}], "next_token": "again"})
    pages = []
    with pytest.raises(MalformedResponseError, match="same next_token twice"):
        for page in client.iter_pages("/wms/orders"):
            pages.append(page)
    assert len(pages) == 2 and route.call_count == 2  # no endless loop


# -- retries and their delays ----------------------------------------------------------------------


def _http_date(ts: float) -> str:
    return format_datetime(datetime.fromtimestamp(ts, tz=timezone.utc), usegmt=True)


@pytest.mark.parametrize(
    ("status", "headers", "expected"),
    [
        (503, {"retry-after": "2"}, 2.0),
        (429, {"retry-after": "1.5"}, 1.5),
        (429, {"retry-after": "0"}, 0.0),
        (503, {"retry-after": _http_date(NOW + 7)}, 7.0),
        (503, {"retry-after": _http_date(NOW - 60)}, 0.0),  # a date in the past: go now
        (429, {"x-ratelimit-reset": str(int(NOW) + 3), "x-ratelimit-limit": "10", "x-ratelimit-remaining": "0"}, 3.0),
        (429, {"x-rate-limit-retry-after": "4"}, 4.0),
        (429, {"x-rate-limit-reset": str(int(NOW) + 5)}, 5.0),
        (429, {"retry-after": "1", "x-ratelimit-reset": str(int(NOW) + 30)}, 1.0),  # retry-after wins
        (503, {"retry-after": "soon"}, 0.5),  # unreadable: back off as if there were no header
        (503, {}, 0.5),
        (500, {}, 0.5),
        (502, {}, 0.5),
        (504, {}, 0.5),
        (408, {}, 0.5),
    ],
)
def test_retry_waits_what_the_server_asks(
    api: respx.MockRouter,
    client: TrackstarClient,
    clock: FakeClock,
    status: int,
    headers: dict[str, str],
    expected: float,
) -> None:
    route = api.get("/wms/inventory").mock(
        side_effect=[httpx.Response(status, headers=headers), httpx.Response(200, json={"data": [1]})]
    )
    assert client.request("GET", "/wms/inventory") == {"data": [1]}
    assert route.call_count == 2
    assert clock.sleeps == [pytest.approx(expected)]


def test_backoff_doubles_and_is_capped(api: respx.MockRouter, clock: FakeClock) -> None:
    route = api.get("/wms/inventory").respond(503)
    with make_client(clock, max_retries=6) as c, pytest.raises(ServerError):
        c.request("GET", "/wms/inventory")
    assert route.call_count == 7
    assert clock.sleeps == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


def test_backoff_uses_jitter_below_the_cap(api: respx.MockRouter, clock: FakeClock) -> None:
    api.get("/wms/inventory").respond(503)
    c = TrackstarClient(API_KEY, base_url=BASE)  # real jitter
    c._sleep = clock.sleep
    with c, pytest.raises(ServerError):
        c.request("GET", "/wms/inventory")
    assert len(clock.sleeps) == 3
    assert all(0 <= s <= cap for s, cap in zip(clock.sleeps, [0.5, 1.0, 2.0], strict=True))


@pytest.mark.parametrize(
    ("status", "cls", "exit_code"), [(429, RateLimitError, 5), (503, ServerError, 8), (500, ServerError, 8)]
)
def test_retries_are_bounded_then_mapped(
    api: respx.MockRouter, clock: FakeClock, status: int, cls: type[APIError], exit_code: int
) -> None:
    route = api.get("/wms/inventory").respond(status, json={"error": "busy"}, headers={"retry-after": "1"})
    with make_client(clock, max_retries=2) as c, pytest.raises(cls) as info:
        c.request("GET", "/wms/inventory")
    assert route.call_count == 3
    assert clock.sleeps == [1.0, 1.0]
    assert info.value.exit_code == exit_code
    assert info.value.status_code == status


def test_huge_retry_after_gives_up_at_once(api: respx.MockRouter, clock: FakeClock) -> None:
    lines: list[str] = []
    route = api.get("/wms/inventory").respond(429, json={"error": "slow down"}, headers={"retry-after": "3600"})
    with make_client(clock, log=lines.append) as c, pytest.raises(RateLimitError):
        c.request("GET", "/wms/inventory")
    assert route.call_count == 1
    assert clock.sleeps == []
    assert any("giving up" in line and "retry budget" in line for line in lines)


def test_retry_budget_counts_time_already_waited(api: respx.MockRouter, clock: FakeClock) -> None:
    route = api.get("/wms/inventory").respond(503)
    with make_client(clock, max_retries=5, retry_budget=1.0) as c, pytest.raises(ServerError):
        c.request("GET", "/wms/inventory")
    assert clock.sleeps == [0.5]  # 0.5 s waited + 1.0 s more would pass the 1 s budget
    assert route.call_count == 2


def test_max_retries_zero_means_one_attempt(api: respx.MockRouter, clock: FakeClock) -> None:
    route = api.get("/wms/inventory").respond(503)
    with make_client(clock, max_retries=0) as c, pytest.raises(ServerError):
        c.request("GET", "/wms/inventory")
    assert route.call_count == 1 and clock.sleeps == []


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, ValidationError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ValidationError),
        (422, ValidationError),
        (501, NotImplementedByIntegrationError),
    ],
)
def test_client_errors_and_501_are_never_retried(
    api: respx.MockRouter, client: TrackstarClient, clock: FakeClock, status: int, cls: type[APIError]
) -> None:
    route = api.get("/wms/inventory").respond(status, json={"error": "no"}, headers={"retry-after": "1"})
    with pytest.raises(cls):
        client.request("GET", "/wms/inventory")
    assert route.call_count == 1
    assert clock.sleeps == []


def test_get_retries_connect_errors_and_timeouts(
    api: respx.MockRouter, client: TrackstarClient, clock: FakeClock
) -> None:
    route = api.get("/wms/inventory").mock(
        side_effect=[httpx.ConnectError, httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.Response(200, json={})]
    )
    assert client.request("GET", "/wms/inventory") == {}
    assert route.call_count == 4
    assert clock.sleeps == [0.5, 1.0, 2.0]


@pytest.mark.parametrize("exc", [httpx.ReadTimeout, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteTimeout])
def test_timeouts_become_api_timeout_error(
    api: respx.MockRouter, client: TrackstarClient, exc: type[Exception]
) -> None:
    route = api.get("/wms/inventory").mock(side_effect=exc)
    with pytest.raises(APITimeoutError) as info:
        client.request("GET", "/wms/inventory")
    assert route.call_count == 4
    assert info.value.exit_code == ExitCode.NETWORK
    assert "api.trackstar.test" in info.value.message
    assert info.value.hint and "--timeout" in info.value.hint


def test_connect_error_becomes_api_connection_error(api: respx.MockRouter, client: TrackstarClient) -> None:
    api.get("/wms/inventory").mock(side_effect=httpx.ConnectError("[Errno -2] Name or service not known"))
    with pytest.raises(APIConnectionError) as info:
        client.request("GET", "/wms/inventory")
    assert not isinstance(info.value, APITimeoutError)
    assert info.value.message == "cannot reach https://api.trackstar.test: [Errno -2] Name or service not known"
    assert info.value.hint and "HTTPS_PROXY" in info.value.hint


# -- writes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("retry", [None, False])
def test_post_not_retried_on_503(
    api: respx.MockRouter, client: TrackstarClient, clock: FakeClock, retry: bool | None
) -> None:
    route = api.post("/wms/orders").respond(503, headers={"retry-after": "1"})
    with pytest.raises(ServerError):
        client.request("POST", "/wms/orders", json_body={"sku": "A1"}, access_token=TOKEN, retry=retry)
    assert route.call_count == 1
    assert clock.sleeps == []


@pytest.mark.parametrize("retry", [None, False])
@pytest.mark.parametrize("exc", [httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.WriteError])
def test_post_not_retried_after_it_may_have_been_sent(
    api: respx.MockRouter, client: TrackstarClient, clock: FakeClock, exc: type[Exception], retry: bool | None
) -> None:
    route = api.post("/wms/orders").mock(side_effect=[exc, httpx.Response(201, json={"id": "dup"})])
    with pytest.raises(APIConnectionError):
        client.request("POST", "/wms/orders", json_body={"sku": "A1"}, access_token=TOKEN, retry=retry)
    assert route.call_count == 1, "a repeated order could ship twice"
    assert clock.sleeps == []


@pytest.mark.parametrize("exc", [httpx.ConnectError, httpx.ConnectTimeout])
def test_post_retried_when_never_sent(
    api: respx.MockRouter, client: TrackstarClient, clock: FakeClock, exc: type[Exception]
) -> None:
    route = api.post("/wms/orders").mock(side_effect=[exc, httpx.Response(201, json={"id": "o1"})])
    assert client.request("POST", "/wms/orders", json_body={"sku": "A1"}, retry=False) == {"id": "o1"}
    assert route.call_count == 2
    assert clock.sleeps == [0.5]


@pytest.mark.parametrize(
    "first",
    [httpx.Response(503, headers={"retry-after": "2"}), httpx.Response(429, headers={"retry-after": "2"})],
    ids=["503", "429"],
)
def test_post_with_idempotency_key_is_retried(
    api: respx.MockRouter, client: TrackstarClient, clock: FakeClock, first: httpx.Response
) -> None:
    route = api.post("/wms/orders").mock(side_effect=[first, httpx.ReadTimeout, httpx.Response(201, json={"id": "o"})])
    body = client.request(
        "POST", "/wms/orders", json_body={"sku": "A1"}, access_token=TOKEN, headers={"Idempotency-Key": "idem-42"}
    )
    assert body == {"id": "o"}
    assert route.call_count == 3
    assert clock.sleeps == [2.0, 1.0]
    # the same key and body on every attempt, so the server can de-duplicate
    assert {c.request.headers["idempotency-key"] for c in route.calls} == {"idem-42"}
    assert {c.request.content for c in route.calls} == {b'{"sku":"A1"}'}


def test_post_with_retry_true_is_retried(api: respx.MockRouter, client: TrackstarClient, clock: FakeClock) -> None:
    route = api.post("/link/token").mock(side_effect=[httpx.Response(502), httpx.Response(200, json={"t": 1})])
    assert client.request("POST", "/link/token", retry=True) == {"t": 1}
    assert route.call_count == 2


# -- error bodies ----------------------------------------------------------------------------------


def test_error_body_and_request_id_in_message(api: respx.MockRouter, client: TrackstarClient) -> None:
    api.get("/wms/orders/o_9").respond(
        404, json={"error": "Order not found", "origin": "trackstar"}, headers={"X-Request-Id": "req_abc123"}
    )
    with pytest.raises(NotFoundError) as info:
        client.request("GET", "/wms/orders/o_9")
    assert str(info.value) == "Order not found (HTTP 404, request id req_abc123)"
    assert info.value.request_id == "req_abc123"
    assert info.value.origin == "trackstar"
    assert info.value.exit_code == ExitCode.NOT_FOUND


def test_422_detail_becomes_a_readable_message(api: respx.MockRouter, client: TrackstarClient) -> None:
    api.post("/wms/orders").respond(
        422,
        json={"error": "Invalid request", "origin": "trackstar", "detail": {"json": {"sku": ["Missing data."]}}},
        headers={"x-request-id": "req_422"},
    )
    with pytest.raises(ValidationError) as info:
        client.request("POST", "/wms/orders", json_body={})
    assert str(info.value) == "Invalid request: sku: Missing data. (HTTP 422, request id req_422)"
    assert info.value.exit_code == ExitCode.REJECTED


def test_integration_origin_becomes_integration_error(api: respx.MockRouter, client: TrackstarClient) -> None:
    api.get("/wms/inventory").respond(
        400, json={"error": "ShipBob says: invalid token", "origin": "integration"}, headers={"x-request-id": "r1"}
    )
    with pytest.raises(IntegrationError) as info:
        client.request("GET", "/wms/inventory")
    assert "the connected system answered: ShipBob says: invalid token" in str(info.value)
    assert info.value.exit_code == ExitCode.INTEGRATION


def test_non_json_error_body_still_gives_a_message(api: respx.MockRouter, clock: FakeClock) -> None:
    api.get("/wms/inventory").respond(502, text="<html><body>Bad Gateway</body></html>\nnginx", headers={})
    with make_client(clock, max_retries=0) as c, pytest.raises(ServerError) as info:
        c.request("GET", "/wms/inventory")
    assert info.value.message == "<html><body>Bad Gateway</body></html>"


@pytest.mark.parametrize(
    "content",
    [b"<html>maintenance</html>", b"\xff\xfe\x00garbage", b'{"data": [', b"OK"],
    ids=["html", "bytes", "cut", "text"],
)
def test_non_json_200_is_malformed_response(api: respx.MockRouter, client: TrackstarClient, content: bytes) -> None:
    api.get("/wms/inventory").respond(200, content=content, headers={"x-request-id": "req_bad"})
    with pytest.raises(MalformedResponseError) as info:
        client.request("GET", "/wms/inventory")
    assert "not JSON" in info.value.message
    assert "req_bad" in str(info.value)
    assert info.value.exit_code == ExitCode.NETWORK


# -- verbose log -----------------------------------------------------------------------------------


def test_verbose_log_shows_the_exchange_and_redacts_secrets(api: respx.MockRouter, clock: FakeClock) -> None:
    lines: list[str] = []
    api.get("/wms/inventory").mock(
        side_effect=[
            httpx.Response(503, headers={"retry-after": "1"}),
            httpx.Response(200, json={"data": []}, headers={"x-request-id": "req_42", "x-ratelimit-remaining": "9"}),
        ]
    )
    with make_client(clock, log=lines.append) as c:
        c.request("GET", "/wms/inventory", params={"sku": "A1"}, access_token=TOKEN)
    text = "\n".join(lines)
    assert "> GET https://api.trackstar.test/wms/inventory?sku=A1" in lines
    assert "> GET https://api.trackstar.test/wms/inventory?sku=A1 (attempt 2)" in lines
    lowered = [line.lower() for line in lines]
    assert "> x-trackstar-api-key: ***" in lowered
    assert "> x-trackstar-access-token: ***" in lowered
    assert any(line.startswith("< 503 Service Unavailable") for line in lines)
    assert any(line.startswith("< 200 OK") and "request id req_42" in line for line in lines)
    assert "< x-ratelimit-remaining: 9" in lowered
    assert "retrying in 1.00s (HTTP 503; attempt 2 of 4)" in text
    assert API_KEY not in text
    assert TOKEN not in text


def test_secrets_not_in_errors_or_log_on_auth_failure(api: respx.MockRouter, clock: FakeClock) -> None:
    lines: list[str] = []
    api.get("/wms/inventory").respond(401, json={"error": "Invalid API key"})
    with make_client(clock, log=lines.append) as c, pytest.raises(AuthenticationError) as info:
        c.request("GET", "/wms/inventory", access_token=TOKEN)
    for text in ("\n".join(lines), str(info.value), repr(info.value), json.dumps(info.value.to_dict())):
        assert API_KEY not in text and TOKEN not in text


def test_describe_shows_the_request_redacted_without_sending_it(api: respx.MockRouter, client: TrackstarClient) -> None:
    # `api` has no routes: any request actually sent would fail the test (assert_all_mocked)
    plan = client.describe(
        "post",
        "/wms/orders",
        params={"dry": "1"},
        json_body={"sku": "A1"},
        access_token=TOKEN,
        headers={"Idempotency-Key": "idem-1"},
    )
    assert plan["method"] == "POST"
    assert plan["url"] == BASE + "/wms/orders?dry=1"
    assert plan["body"] == {"sku": "A1"}
    headers = {k.lower(): v for k, v in plan["headers"].items()}
    assert headers["x-trackstar-api-key"] == "***"
    assert headers["x-trackstar-access-token"] == "***"
    assert headers["idempotency-key"] == "idem-1"
    assert API_KEY not in json.dumps(plan) and TOKEN not in json.dumps(plan)
    assert len(api.calls) == 0


# -- pacing ----------------------------------------------------------------------------------------
# Trackstar allows 10 GET/s per access token; the client keeps each token under 10 in any one-second window.


def _record_send_times(api: respx.MockRouter, clock: FakeClock) -> list[float]:
    times: list[float] = []

    def reply(request: httpx.Request) -> httpx.Response:
        times.append(clock.mono)
        return httpx.Response(200, json={"data": []})

    api.get("/wms/inventory").mock(side_effect=reply)
    return times


def _most_in_one_second(times: list[float]) -> int:
    return max(sum(1 for u in times if t <= u < t + 1.0) for t in times)


def test_gets_on_one_token_stay_under_10_per_second(
    api: respx.MockRouter, client: TrackstarClient, clock: FakeClock
) -> None:
    times = _record_send_times(api, clock)
    for _ in range(10):
        client.request("GET", "/wms/inventory", access_token=TOKEN)
    assert clock.sleeps == [], "a burst within the limit is not slowed down"
    for _ in range(15):
        client.request("GET", "/wms/inventory", access_token=TOKEN)
    assert len(times) == 25
    assert _most_in_one_second(times) <= 10
    assert times[-1] - times[0] >= 2.0
    assert all(s > 0 for s in clock.sleeps)


def test_different_tokens_are_not_paced_against_each_other(
    api: respx.MockRouter, client: TrackstarClient, clock: FakeClock
) -> None:
    _record_send_times(api, clock)
    for _ in range(10):
        for token in ("tok_a", "tok_b", "tok_c"):
            client.request("GET", "/wms/inventory", access_token=token)
    assert clock.sleeps == [], "30 GETs over 3 tokens are within every token's limit"
    client.request("GET", "/wms/inventory", access_token="tok_a")  # tok_a's 11th: now it waits
    assert len(clock.sleeps) == 1
    assert 1.0 <= clock.sleeps[0] <= 1.2


def test_writes_and_tokenless_calls_are_not_paced(
    api: respx.MockRouter, client: TrackstarClient, clock: FakeClock
) -> None:
    api.post("/wms/orders").respond(201, json={})
    api.get("/connections").respond(200, json={"data": []})
    for _ in range(15):
        client.request("POST", "/wms/orders", json_body={}, access_token=TOKEN)
        client.request("GET", "/connections")
    assert clock.sleeps == []


def test_pacing_in_real_time_across_threads(api: respx.MockRouter) -> None:
    stamps: list[float] = []
    lock = threading.Lock()

    def reply(request: httpx.Request) -> httpx.Response:
        with lock:
            stamps.append(time.monotonic())
        return httpx.Response(200, json={"data": []})

    api.get("/wms/inventory").mock(side_effect=reply)
    with TrackstarClient(API_KEY, base_url=BASE) as c:
        c.request("GET", "/wms/inventory")  # warm up (no token: not paced) so set-up cost doesn't blur the timing
        stamps.clear()

        def work() -> None:
            for _ in range(6):
                c.request("GET", "/wms/inventory", access_token=TOKEN)

        threads = [threading.Thread(target=work) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
    stamps.sort()
    assert len(stamps) == 12
    # the 11th GET on the token may not start within a second of the 1st (a little slack for scheduling,
    # which can only delay the 1st stamp relative to its slot)
    assert stamps[10] - stamps[0] >= 0.95, stamps


# -- proxies and TLS -------------------------------------------------------------------------------


@pytest.fixture
def fake_proxy() -> Iterator[tuple[str, list[str]]]:
    """Accepts one connection, records the request line, refuses it (we only need to know it arrived)."""
    seen: list[str] = []
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(5)

    def serve() -> None:
        try:
            conn, _ = srv.accept()
        except OSError:
            return
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
            seen.append(data.split(b"\r\n", 1)[0].decode())
            conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.getsockname()[1]}", seen
    srv.close()
    thread.join(5)


def test_https_proxy_from_environment_is_used(
    fake_proxy: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> None:
    proxy_url, seen = fake_proxy
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", proxy_url)
    with make_client(clock) as c, pytest.raises(APIConnectionError):
        c.request("GET", "/wms/inventory", access_token=TOKEN)
    assert seen == ["CONNECT api.trackstar.test:443 HTTP/1.1"]


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "c.pem", d / "k.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert)]
        + ["-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


class _JSONHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        body = json.dumps({"path": self.path, "key_ok": self.headers.get("x-trackstar-api-key") == API_KEY}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def tls_server(tls_files: tuple[Path, Path]) -> Iterator[str]:
    cert, key = tls_files
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _JSONHandler)
    srv.handle_error = lambda request, address: None  # type: ignore[method-assign]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    srv.socket = context.wrap_socket(srv.socket, server_side=True)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_ca_bundle_trusts_a_self_signed_server(tls_server: str, tls_files: tuple[Path, Path]) -> None:
    with TrackstarClient(API_KEY, base_url=tls_server, ca_bundle=str(tls_files[0]), timeout=5) as c:
        assert c.request("GET", "/wms/warehouses") == {"path": "/wms/warehouses", "key_ok": True}


def test_untrusted_certificate_is_explained_and_not_retried(
    tls_server: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)
    with make_client(clock, base_url=tls_server, timeout=5) as c, pytest.raises(APIConnectionError) as info:
        c.request("GET", "/wms/warehouses")
    assert "TLS certificate" in info.value.message
    assert info.value.hint and "--ca-bundle" in info.value.hint
    assert clock.sleeps == [], "a certificate that failed verification will fail again"


@pytest.mark.parametrize("content", ["not a certificate\n", ""])
def test_unusable_ca_bundle_is_a_config_error(tmp_path: Path, content: str) -> None:
    bundle = tmp_path / "bundle.pem"
    bundle.write_text(content)
    with pytest.raises(ConfigError) as info:
        TrackstarClient(API_KEY, base_url=BASE, ca_bundle=str(bundle))
    assert str(bundle) in info.value.message
    assert info.value.exit_code == ExitCode.USAGE


def test_a_get_whose_body_is_not_json_is_asked_again(api: respx.MockRouter, client: TrackstarClient) -> None:
    route = api.get("/wms/orders").mock(
        side_effect=[httpx.Response(200, content=b'{"data": [{"id"'), httpx.Response(200, json={"data": []})]
    )
    assert client.request("GET", "/wms/orders") == {"data": []}
    assert route.call_count == 2


def test_a_write_whose_body_is_not_json_is_not_repeated(api: respx.MockRouter, client: TrackstarClient) -> None:
    route = api.post("/wms/orders").respond(200, content=b"<html>oops")
    with pytest.raises(MalformedResponseError):
        client.request("POST", "/wms/orders", json_body={"a": 1}, headers={"Idempotency-Key": "k1"})
    assert route.call_count == 1


@pytest.mark.parametrize("base", ["https://api.trackstar.test", "http://127.0.0.1:8787/", "https://h.test/sub/path"])
@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/wms/inventory", None),
        ("/wms/inventory", {"limit": "10", "page_token": "tok/+= &%"}),
        ("/wms/orders/ord%2F1%20x", {"status[in]": "open,backordered", "empty": ""}),
        ("/wms/products/prod ünï", {"sku": "Ä&B=C", "updated_date[gte]": "2026-01-01T00:00:00+00:00"}),
        ("/wms/inventory/", {"x": "\u202e"}),
    ],
)
def test_quick_requests_are_what_httpx_builds(clock: FakeClock, base: str, path: str, params: Any) -> None:
    """_quick_request (the plain-path fast path of _build) must send exactly what httpx's build_request would."""
    c = make_client(clock, base_url=base)
    headers = {"x-trackstar-api-key": API_KEY, "x-trackstar-access-token": TOKEN}
    for body in (None, {"a": [1, "ü"]}):
        quick = c._quick_request("POST" if body else "GET", path, params, body, dict(headers))
        slow = c._http.build_request(
            "POST" if body else "GET", path, params=dict(params or {}), json=body, headers=headers
        )
        assert str(quick.url) == str(slow.url)
        assert quick.url.raw_path == slow.url.raw_path
        assert quick.headers.raw == slow.headers.raw
        assert quick.extensions == slow.extensions
        assert quick.read() == slow.read()
    built = c._build("GET", path, params, None, TOKEN, None)
    assert str(built.url) == str(c._http.build_request("GET", path, params=dict(params or {}), headers=headers).url)
