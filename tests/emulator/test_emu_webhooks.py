"""The emulator's webhook sender over real HTTP: events for exchanges, writes and deletes, valid against the
spec's `webhooks` schemas, Svix-signed (checked with standardwebhooks), retried with the same svix-id."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from emu_helpers import VERIFY, client_for, connect

from trackstar_cli.emulator import Emulator
from trackstar_cli.emulator.webhooks import diff
from trackstar_cli.service import webhook_events, webhooks

SECRET = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY"
SPEC_PATH = Path(__file__).resolve().parents[2] / ".." / "shared" / "trackstar" / "openapi.json"


class Sink:
    """A webhook receiver on 127.0.0.1 that records every request and can be told to fail."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.fail: dict[str, int] = {}  # event type -> how many more deliveries of it answer 503
        self.cond = threading.Condition()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with sink.cond:
                    sink.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                    event_type = json.loads(body)["event_type"]
                    status = 503 if sink.fail.get(event_type, 0) > 0 else 204
                    sink.fail[event_type] = sink.fail.get(event_type, 0) - 1
                    sink.cond.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def events(self, event_type: str, count: int = 1, timeout: float = 10) -> list[dict[str, Any]]:
        """Wait until `count` requests of `event_type` arrived (a bound, not a timed assertion)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                found = [json.loads(b) for _, b in self.requests if json.loads(b)["event_type"] == event_type]
                if len(found) >= count or time.monotonic() > deadline:
                    return found
                self.cond.wait(0.1)


@pytest.fixture
def sink() -> Iterator[Sink]:
    s = Sink()
    yield s
    s.server.shutdown()
    s.server.server_close()


@pytest.fixture
def hooked(sink: Sink) -> Iterator[Emulator]:
    with Emulator(
        port=0, seed=1, rate_limit=False, webhook_url=sink.url, webhook_secret=SECRET, webhook_time_scale=0.001
    ) as emulator:
        yield emulator


@pytest.fixture
def api(hooked: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=hooked.url, headers={"x-trackstar-api-key": hooked.api_key}, verify=VERIFY) as c:
        yield c


@pytest.fixture(scope="module")
def validate() -> Any:
    if not SPEC_PATH.is_file():
        pytest.skip(f"Trackstar's openapi.json not found at {SPEC_PATH}")
    from test_emu_conformance import Spec

    raw = json.loads(SPEC_PATH.read_text())
    spec = Spec(raw)

    def check(event: dict[str, Any]) -> None:
        item = raw["webhooks"][event["event_type"]]
        ref = item["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        validator = jsonschema.Draft4Validator({"$ref": ref, **spec.root}, format_checker=spec.formats)
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:150]}" for e in validator.iter_errors(event)]
        assert not errors, f"{event['event_type']}: {errors[:3]}"

    return check


def test_every_trigger_sample_is_valid_against_the_spec(validate: Any) -> None:
    raw = json.loads(SPEC_PATH.read_text())
    assert set(raw["webhooks"]) == set(webhook_events.EVENT_TYPES)
    for event_type in webhook_events.EVENT_TYPES:
        validate(webhook_events.make_event(event_type))


def test_an_exchange_sends_connection_created_then_historical_syncs(
    hooked: Emulator, api: httpx.Client, sink: Sink, validate: Any
) -> None:
    conn = connect(api, hooked)
    created = sink.events("connection.created")
    assert created[0]["data"]["access_token"] == conn["access_token"]
    assert created[0]["connection_id"] == conn["connection_id"]
    synced = sink.events("connection.historical-sync-completed", 5)
    assert {e["data"]["resource"] for e in synced} >= {"inventory", "orders", "products"}
    for headers, body in sink.requests:
        assert headers["content-type"] == "application/json"
        verified = webhooks.verify(SECRET, body, headers)  # standardwebhooks agrees with the emulator's hmac
        assert verified.msg_id.startswith("msg_")
        validate(json.loads(body))


def test_writes_send_their_events_with_previous_attributes(
    hooked: Emulator, api: httpx.Client, sink: Sink, validate: Any
) -> None:
    conn = connect(api, hooked)
    with client_for(hooked, conn["access_token"]) as wms:
        order = wms.get("/wms/orders", params={"status": "open", "limit": 1}).json()["data"][0]
        assert wms.put(f"/wms/orders/{order['id']}/cancel").status_code == 200
        product = wms.post("/wms/products", json={"sku": "HOOK-1", "name": "Hook"}).json()["data"]
        tagged = wms.put(f"/wms/products/{product['id']}/trackstar-tags", json={"trackstar_tags": ["vip"]})
        assert tagged.status_code == 200
        assert wms.delete("/connections").status_code == 200
    updated = sink.events("order.updated")[0]
    assert updated["data"]["id"] == order["id"] and updated["data"]["status"] == "cancelled"
    assert updated["previous_attributes"]["status"] == "open"
    assert sink.events("product.created")[0]["data"]["sku"] == "HOOK-1"
    assert sink.events("product.updated")[0]["previous_attributes"] == {"trackstar_tags": []}
    deleted = sink.events("connection.deleted")[0]
    assert deleted["connection_id"] == conn["connection_id"] and deleted["data"]["deleted_date"]
    for event_type in ("order.updated", "product.created", "product.updated", "connection.deleted"):
        validate(sink.events(event_type)[0])


def test_the_newer_writes_send_their_events(hooked: Emulator, api: httpx.Client, sink: Sink, validate: Any) -> None:
    conn = connect(api, hooked)
    with client_for(hooked, conn["access_token"]) as wms:
        sku = wms.get("/wms/inventory/inv_00000001").json()["data"]["sku"]
        measurements = {"length": 1, "width": 1, "height": 1, "unit": "in", "weight": 1, "weight_unit": "lb"}
        kit = {"sku": "KIT-HOOK", "name": "Kit", "gtin": "1", "measurements": measurements,
               "inventory_items": [{"sku": sku, "unit_quantity": 1}]}  # fmt: skip
        assert wms.post("/wms/kits", json=kit).status_code == 200
        order = wms.get("/wms/orders", params={"status": "open", "limit": 1}).json()["data"][0]
        attached = wms.post(f"/wms/orders/{order['id']}/file", files={"file": ("a.txt", b"x")})
        assert attached.status_code == 200
        fulfilled = api.put(
            f"/sandbox/simulate/orders/{order['id']}/fulfill",
            headers={"x-trackstar-access-token": conn["access_token"]},
        )
        assert fulfilled.status_code == 200, fulfilled.text
    created = sink.events("product.created")[0]
    assert created["data"]["sku"] == "KIT-HOOK" and created["data"]["is_kit"]
    shipped = sink.events("order.shipment.created")[0]
    assert shipped["data"]["id"] == order["id"] and shipped["previous_attributes"] == {"shipments": []}
    for event_type in ("product.created", "order.shipment.created"):
        validate(sink.events(event_type)[0])
    emitted = [d["event_type"] for d in httpx.get(f"{hooked.url}/_emulator/webhooks/deliveries").json()["data"]]
    assert "order.updated" not in emitted  # attaching a file sends no event: its reply holds no order


def test_a_failed_delivery_is_retried_with_the_same_svix_id(hooked: Emulator, api: httpx.Client, sink: Sink) -> None:
    sink.fail = {"connection.created": 2}
    connect(api, hooked)
    assert len(sink.events("connection.created", 3)) == 3
    deliveries = httpx.get(f"{hooked.url}/_emulator/webhooks/deliveries").json()["data"]
    created = next(d for d in deliveries if d["event_type"] == "connection.created")
    assert [a["status"] for a in created["attempts"]] == [503, 503, 204] and created["state"] == "succeeded"
    ids = {h["svix-id"] for h, b in sink.requests if json.loads(b)["event_type"] == "connection.created"}
    assert ids == {created["id"]}


def test_endpoints_can_be_added_and_removed_at_run_time(sink: Sink) -> None:
    with Emulator(port=0, seed=1, rate_limit=False, webhook_time_scale=0.001) as emu:
        hooks = f"{emu.url}/_emulator/webhooks"
        assert httpx.post(hooks, json={"url": "ftp://nope"}).status_code == 422
        added = httpx.post(hooks, json={"url": sink.url, "event_types": ["connection.created"]})
        assert added.status_code == 201
        endpoint = added.json()
        assert endpoint["secret"].startswith("whsec_")
        with httpx.Client(base_url=emu.url, headers={"x-trackstar-api-key": emu.api_key}) as api:
            connect(api, emu)
            body = sink.events("connection.created")[0]
            headers, raw = sink.requests[0]
            assert webhooks.verify(endpoint["secret"], raw, headers).event == body
            assert not sink.events("connection.historical-sync-completed", timeout=0.2)  # filtered out
            assert httpx.delete(f"{hooks}/{endpoint['id']}").status_code == 200
            assert httpx.get(hooks).json() == {"data": []}
            connect(api, emu)
        assert len(sink.requests) == 1


def test_webhooks_disabled_suppresses_resource_events(hooked: Emulator, api: httpx.Client, sink: Sink) -> None:
    conn = connect(api, hooked)
    with client_for(hooked, conn["access_token"]) as wms:
        assert wms.patch("/connections", json={"webhooks_disabled": True}).status_code == 200
        assert wms.post("/wms/products", json={"sku": "QUIET-1", "name": "Quiet"}).status_code == 200
        assert wms.delete("/connections").status_code == 200
    assert sink.events("connection.deleted")
    assert not sink.events("product.created", timeout=0.2)


def test_diff_gives_dot_paths_for_nested_changes() -> None:
    old = {"status": "open", "line_items": [{"q": 1}, {"q": 2}], "tags": ["a"], "same": 1}
    new = {"status": "received", "line_items": [{"q": 1}, {"q": 5}], "tags": ["a", "b"], "same": 1}
    assert diff(old, new) == {"status": "open", "line_items.1.q": 2, "tags": ["a"]}
