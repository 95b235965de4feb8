"""Write commands: bodies from options and --data, local checks, dry runs, confirmation, idempotent retries,
error mapping (respx), and end to end against the in-process emulator (writes change later reads)."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
import respx

from tests.conftest import API_KEY, BASE, TOKEN, add_connection, connect
from trackstar_cli.client import TrackstarClient

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
ADDRESS = {"address1": "1 Main St", "city": "Springfield", "state": "IL", "postal_code": "62701", "country": "US"}
ORDER = {"id": "ord_1", "order_number": "1001", "status": "open", "warehouse_id": "wh_1", "line_items": []}


def envelope(data: dict[str, Any], unused: list[str] | None = None) -> dict[str, Any]:
    return {"data": data, "id": data["id"], "unused_fields": unused or []}


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(TrackstarClient, "_backoff", lambda self, attempt: 0.0)


@pytest.fixture
def sandbox(logged_in):
    add_connection("conn_sb", alias="sb", integration="sandbox")


@pytest.fixture
def live(logged_in):
    add_connection("conn_live", alias="live", integration="shipbob")


def sent(route: respx.Route, n: int = -1) -> Any:
    return json.loads(route.calls[n].request.content)


# -- bodies ----------------------------------------------------------------------------------------------


@respx.mock(base_url=BASE, assert_all_called=True)
def test_orders_create_merges_data_and_options_and_looks_up_skus(respx_mock, cli, sandbox):
    lookup = respx_mock.get("/wms/products").mock(
        return_value=httpx.Response(200, json={"data": [{"id": "prod_7", "sku": "TEE"}], "next_token": None})
    )
    create = respx_mock.post("/wms/orders").mock(return_value=httpx.Response(200, json=envelope(ORDER)))
    data = {"order_number": "from-data", "ship_to_address": ADDRESS, "line_items": [{"product_id": "x", "quantity": 9}]}
    r = cli(
        "orders", "create", "--data", json.dumps(data), "--order-number", "1001",
        "--line", "TEE:2", "--line", "prod_99:1", "--warehouse", "wh_1",
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    assert lookup.calls[0].request.url.params["sku[in]"] == "TEE,prod_99"
    assert sent(create) == {
        "order_number": "1001",  # the option wins over --data
        "ship_to_address": ADDRESS,
        "line_items": [  # --line replaces line_items; a known SKU gets its product_id, the rest are ids
            {"product_id": "prod_7", "sku": "TEE", "quantity": 2},
            {"product_id": "prod_99", "quantity": 1},
        ],
        "warehouse_id": "wh_1",
    }
    request = create.calls[0].request
    assert request.headers["x-trackstar-access-token"] == TOKEN
    assert UUID4.match(request.headers["idempotency-key"])
    assert r.json() == envelope(ORDER)  # piped: the API's envelope as JSON


@respx.mock(base_url=BASE, assert_all_called=True)
def test_data_from_a_file_and_from_stdin(respx_mock, cli, sandbox, tmp_path):
    route = respx_mock.post("/wms/products").mock(
        return_value=httpx.Response(200, json=envelope({"id": "prod_1", "sku": "A1"}))
    )
    body = tmp_path / "product.json"
    body.write_text(json.dumps({"sku": "A1", "name": "Tee", "measurements": {"weight": 1, "weight_unit": "lb"}}))
    assert cli("products", "create", "--data", f"@{body}", "--name", "Shirt").exit_code == 0
    assert sent(route) == {"sku": "A1", "name": "Shirt", "measurements": {"weight": 1, "weight_unit": "lb"}}
    r = cli("products", "create", "--data", "-", input='{"sku": "B2", "name": "Mug"}')
    assert r.exit_code == 0, r.stderr
    assert sent(route) == {"sku": "B2", "name": "Mug"}
    missing = cli("products", "create", "--data", f"@{tmp_path / 'nope.json'}")
    assert missing.exit_code == 2 and "cannot read --data file" in missing.stderr


@respx.mock(base_url=BASE, assert_all_called=True)
def test_option_shapes_adjust_ship_inbound_receive_return(respx_mock, cli, sandbox):
    adjust = respx_mock.put("/wms/inventory/inv_1/adjust").mock(
        return_value=httpx.Response(200, json=envelope({"id": "inv_1", "onhand": 3}))
    )
    r = cli("inventory", "adjust", "inv_1", "--quantity", "-2", "--warehouse", "wh_1", "--location", "loc_1")
    assert r.exit_code == 0, r.stderr
    expected = {"quantity": 2, "adjustment_type": "decrease", "warehouse_id": "wh_1", "location_id": "loc_1"}
    assert sent(adjust) == expected
    contradiction = cli("inventory", "adjust", "inv_1", "--quantity", "-2", "--type", "increase")
    assert contradiction.exit_code == 2 and "negative" in contradiction.stderr

    ship = respx_mock.post("/wms/orders/ord_1/shipments").mock(return_value=httpx.Response(200, json=envelope(ORDER)))
    r = cli(
        "orders", "ship", "ord_1", "--tracking-number", "1Z", "--carrier", "ups", "--shipping-cost", "7.5",
        "--line", "TEE:1", "--data", '{"measurements": {"weight": 2}}',
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    body = sent(ship)
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", body.pop("shipped_date"))  # defaults to now
    assert body == {
        "measurements": {"weight": 2},
        "tracking_number": "1Z",
        "carrier_id": "ups",
        "shipping_cost": 7.5,
        "line_items": [{"sku": "TEE", "quantity": 1}],
    }

    inbound = respx_mock.post("/wms/inbound-shipments").mock(
        return_value=httpx.Response(200, json=envelope({"id": "ibs_1"}))
    )
    r = cli("inbound-shipments", "create", "--po", "PO-1", "--expected-arrival", "2026-03-01", "--line", "A:1:5")
    assert r.exit_code == 0, r.stderr
    assert sent(inbound) == {
        "purchase_order_number": "PO-1",
        "expected_arrival_date": "2026-03-01T00:00:00Z",
        "line_items": [{"sku": "A:1", "expected_quantity": 5}],  # the quantity follows the last ':'
    }
    receive = respx_mock.put("/wms/inbound-shipments/ibs_1/receive").mock(
        return_value=httpx.Response(200, json=envelope({"id": "ibs_1"}))
    )
    assert cli("inbound-shipments", "receive", "ibs_1", "--line", "A:3", "--location", "loc_2").exit_code == 0
    assert sent(receive) == {"warehouse_location_id": "loc_2", "line_items": [{"sku": "A", "quantity": 3}]}
    ret = respx_mock.post("/wms/returns").mock(return_value=httpx.Response(200, json=envelope({"id": "ret_1"})))
    assert cli("returns", "create", "--order", "ord_1", "--line", "A:1").exit_code == 0
    assert sent(ret) == {"order_id": "ord_1", "line_items": [{"sku": "A", "quantity": 1}]}


@respx.mock(base_url=BASE, assert_all_called=True)
def test_cancel_sends_no_body_and_update_takes_a_status(respx_mock, cli, sandbox):
    cancel = respx_mock.put("/wms/orders/ord_1/cancel").mock(
        return_value=httpx.Response(200, json=envelope({**ORDER, "status": "cancelled"}))
    )
    assert cli("orders", "cancel", "ord_1").exit_code == 0
    assert cancel.calls[0].request.content == b""
    update = respx_mock.put("/wms/orders/ord_1").mock(return_value=httpx.Response(200, json=envelope(ORDER)))
    assert cli("orders", "update", "ord_1", "--status", "packed", "--shipping-method", "fedex").exit_code == 0
    assert sent(update) == {"status": "packed", "shipping_method_id": "fedex"}
    assert cli("orders", "update", "ord_1", "--status", "lost").exit_code == 2


@respx.mock(base_url=BASE, assert_all_called=True)
def test_tags_set_on_every_taggable_resource(respx_mock, cli, sandbox):
    routes = {}
    for resource in ("inventory", "products", "orders", "inbound-shipments", "returns", "warehouses"):
        routes[resource] = respx_mock.put(f"/wms/{resource}/x_1/trackstar-tags").mock(
            return_value=httpx.Response(200, json=envelope({"id": "x_1", "trackstar_tags": ["vip"]}))
        )
        r = cli("tags", "set", resource, "x_1", "vip", "priority=high")
        assert r.exit_code == 0, r.stderr
        assert sent(routes[resource]) == {"trackstar_tags": ["vip", {"priority": "high"}]}
    assert cli("tags", "set", "orders", "x_1", "--clear").exit_code == 0
    assert sent(routes["orders"]) == {"trackstar_tags": []}
    assert cli("tags", "set", "orders", "x_1").exit_code == 2  # no TAG and no --clear: refuse to wipe
    assert cli("tags", "set", "orders", "x_1", "a", "--clear").exit_code == 2
    assert cli("tags", "set", "bills", "x_1", "a").exit_code == 2  # not taggable


# -- local checks ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--data", '{"sku": "A1", "name": null}'], "name (null)"),
        (["--data", '{"sku": "A1", "name": "  "}'], "name (empty string)"),
        (["--data", '{"sku": "A1", "measurements": {"unit": "None"}}'], "measurements.unit (null-like string 'None')"),
        (["--data", '{"sku": "A1", "tags": ["ok", "undefined"]}'], "tags.1 (null-like string 'undefined')"),
        (["--data", '{"sku": "A1"}', "--name", ""], "name (empty string)"),
        (["--data", '{"sku": "A1",}'], "--data is not valid JSON"),
        (["--data", '{"weight": NaN}'], "NaN is not valid JSON"),
        (["--data", '["sku"]'], "must be a JSON object, not an array"),
        (["--data", "@-"], "cannot read --data file"),
    ],
)
@respx.mock(base_url=BASE, assert_all_mocked=True)
def test_bad_bodies_stop_before_sending(respx_mock, cli, sandbox, args, message):
    r = cli("products", "create", *args)
    assert r.exit_code == 2, r.stderr
    assert message in r.stderr and r.stdout == ""
    assert not respx_mock.calls


@pytest.mark.parametrize("line", ["TEE", "TEE:0", "TEE:-1", ":2", "TEE:two"])
def test_bad_lines_are_usage_errors(cli, sandbox, line):
    r = cli("returns", "create", "--line", line)
    assert r.exit_code == 2 and "invalid --line" in r.stderr


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "ключ"])
def test_bad_idempotency_keys_are_usage_errors(cli, sandbox, key):
    r = cli("orders", "cancel", "ord_1", "--idempotency-key", key)
    assert r.exit_code == 2 and "--idempotency-key" in r.stderr


def test_bad_ids_are_usage_errors(cli, sandbox):
    assert cli("orders", "cancel", "a/b").exit_code == 2
    assert cli("orders", "cancel", "..").exit_code == 2


# -- dry run ---------------------------------------------------------------------------------------------


@respx.mock(base_url=BASE, assert_all_mocked=True)
def test_dry_run_prints_the_redacted_request_and_sends_nothing(respx_mock, cli, live):
    r = cli("products", "update", "prod 1", "--name", "Tee", "--dry-run", "--idempotency-key", "key-1")
    assert r.exit_code == 0, r.stderr  # no --yes needed: nothing is sent, even to a live WMS
    assert not respx_mock.calls
    req = r.json()
    assert req["method"] == "PUT" and req["url"] == f"{BASE}/wms/products/prod%201"
    assert req["body"] == {"name": "Tee"} and req["idempotency_key"] == "key-1"
    assert req["headers"]["x-trackstar-api-key"] == "***" and req["headers"]["x-trackstar-access-token"] == "***"
    assert req["headers"]["idempotency-key"] == "key-1"
    assert req["headers"]["content-type"] == "application/json"
    assert API_KEY not in r.stdout + r.stderr and TOKEN not in r.stdout + r.stderr
    assert "nothing was sent" in r.stderr


# -- confirmation ----------------------------------------------------------------------------------------


@respx.mock(base_url=BASE, assert_all_mocked=True)
def test_a_live_wms_without_a_terminal_needs_yes(respx_mock, cli, live):
    r = cli("orders", "cancel", "ord_1")
    assert r.exit_code == 2
    assert "shipbob" in r.stderr and "hint: pass --yes" in r.stderr
    assert not respx_mock.calls


@respx.mock(base_url=BASE, assert_all_called=True)
def test_yes_sends_to_a_live_wms(respx_mock, cli, live):
    respx_mock.put("/wms/orders/ord_1/cancel").mock(return_value=httpx.Response(200, json=envelope(ORDER)))
    assert cli("orders", "cancel", "ord_1", "--yes").exit_code == 0


# Ctrl-D (end of input) at the question is an interruption: exit 130, like Ctrl-C.
@pytest.mark.parametrize(("answer", "code", "calls"), [("y\n", 0, 1), ("n\n", 1, 0), ("\n", 1, 0), ("", 130, 0)])
@respx.mock(base_url=BASE, assert_all_called=False)
def test_a_terminal_is_asked_first(respx_mock, cli, live, monkeypatch, answer, code, calls):
    monkeypatch.setattr("trackstar_cli.commands._write_common.stdin_is_tty", lambda: True)
    route = respx_mock.put("/wms/orders/ord_1/cancel").mock(return_value=httpx.Response(200, json=envelope(ORDER)))
    r = cli("orders", "cancel", "ord_1", input=answer)
    assert r.exit_code == code, r.stderr
    assert "writes to shipbob connection live" in r.stderr  # the question goes to stderr, stdout stays data
    assert route.call_count == calls
    if code == 1:
        assert "nothing was sent" in r.stderr
    if code == 130:
        assert "interrupted" in r.stderr
        assert r.stdout.strip() in ("n", "")  # CliRunner echoes the typed answer on stdout; no data follows


@respx.mock(base_url=BASE, assert_all_called=True)
def test_the_sandbox_is_never_asked(respx_mock, cli, sandbox, monkeypatch):
    monkeypatch.setattr("trackstar_cli.commands._write_common.stdin_is_tty", lambda: True)
    respx_mock.put("/wms/orders/ord_1/cancel").mock(return_value=httpx.Response(200, json=envelope(ORDER)))
    r = cli("orders", "cancel", "ord_1")
    assert r.exit_code == 0 and "Send it?" not in r.stderr


# -- idempotency and retries -----------------------------------------------------------------------------


@pytest.mark.parametrize("failure", [httpx.Response(503), httpx.ReadError("connection reset")])
@respx.mock(base_url=BASE, assert_all_called=True)
def test_a_retried_write_keeps_its_idempotency_key(respx_mock, cli, sandbox, failure):
    route = respx_mock.put("/wms/orders/ord_1/cancel").mock(
        side_effect=[failure, httpx.Response(200, json=envelope(ORDER))]
    )
    r = cli("orders", "cancel", "ord_1")
    assert r.exit_code == 0, r.stderr
    keys = [c.request.headers["idempotency-key"] for c in route.calls]
    assert len(keys) == 2 and keys[0] == keys[1] and UUID4.match(keys[0])


@respx.mock(base_url=BASE, assert_all_called=True)
def test_a_given_key_is_sent_verbatim_and_a_replay_is_reported(respx_mock, cli, sandbox):
    route = respx_mock.put("/wms/orders/ord_1/cancel").mock(
        return_value=httpx.Response(200, json=envelope(ORDER), headers={"Idempotent-Replayed": "true"})
    )
    r = cli("orders", "cancel", "ord_1", "--idempotency-key", "cancel-ord_1")
    assert r.exit_code == 0
    assert route.calls[0].request.headers["idempotency-key"] == "cancel-ord_1"
    assert "replayed" in r.stderr and "not applied again" in r.stderr


@respx.mock(base_url=BASE, assert_all_called=True)
def test_a_write_that_may_have_been_applied_says_how_to_repeat_it(respx_mock, cli, sandbox):
    route = respx_mock.put("/wms/orders/ord_1/cancel").mock(side_effect=httpx.ReadError("reset"))
    r = cli("orders", "cancel", "ord_1", "--idempotency-key", "k-42")
    assert r.exit_code == 8
    assert route.call_count == 4  # the first try and 3 retries, all with the key
    assert "hint:" in r.stderr and "--idempotency-key k-42" in r.stderr


@respx.mock(base_url=BASE, assert_all_called=True)
def test_a_409_in_flight_says_to_wait(respx_mock, cli, sandbox):
    respx_mock.put("/wms/orders/ord_1/cancel").mock(
        return_value=httpx.Response(409, json={"error": "still being processed", "origin": "trackstar"})
    )
    r = cli("orders", "cancel", "ord_1", "--idempotency-key", "k-9")
    assert r.exit_code == 6 and "wait a moment" in r.stderr and "k-9" in r.stderr


# -- errors and output -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "code", "text"),
    [
        (422, {"error": "Invalid", "origin": "trackstar", "detail": {"json": {"sku": ["Missing data."]}}}, 6, "sku"),
        (501, {"error": "Endpoint adjust_inventory is not implemented for X", "origin": "trackstar"}, 7, "adjust"),
        (403, {"error": "adjust_inventory is disabled for this connection", "origin": "trackstar"}, 3, "disabled"),
        (400, {"error": "The WMS said no", "origin": "integration"}, 7, "The WMS said no"),
        (404, {"error": "inventory inv_1 not found", "id": "inv_1", "origin": "trackstar"}, 4, "not found"),
    ],
)
@respx.mock(base_url=BASE, assert_all_called=True)
def test_api_errors_map_to_exit_codes(respx_mock, cli, sandbox, status, body, code, text):
    respx_mock.put("/wms/inventory/inv_1/adjust").mock(return_value=httpx.Response(status, json=body))
    r = cli("inventory", "adjust", "inv_1", "--quantity", "1", "--type", "increase", "--warehouse", "wh_1")
    assert r.exit_code == code
    assert r.stderr.startswith("error: ") and text in r.stderr and r.stdout == ""


@respx.mock(base_url=BASE, assert_all_called=True)
def test_unused_fields_warn_on_stderr(respx_mock, cli, sandbox):
    respx_mock.post("/wms/products").mock(
        return_value=httpx.Response(200, json=envelope({"id": "prod_1"}, unused=["colour"]))
    )
    r = cli("products", "create", "--data", '{"sku": "A1", "name": "Tee", "colour": "red"}')
    assert r.exit_code == 0
    assert "warning: sandbox did not use these fields: colour" in r.stderr
    assert r.json()["unused_fields"] == ["colour"]


@respx.mock(base_url=BASE, assert_all_called=True)
def test_a_reply_without_the_envelope_is_malformed(respx_mock, cli, sandbox):
    respx_mock.put("/wms/orders/ord_1/cancel").mock(return_value=httpx.Response(200, text='{"data": '))
    r = cli("orders", "cancel", "ord_1", "--idempotency-key", "k-7")
    assert r.exit_code == 8 and "probably applied" in r.stderr and "--idempotency-key k-7" in r.stderr


@respx.mock(base_url=BASE, assert_all_called=True)
def test_formats_table_csv_ndjson(respx_mock, cli, sandbox):
    item = {"id": "inv_1", "sku": "A1", "onhand": 7, "fulfillable": 5, "committed": 2, "unfulfillable": 0}
    respx_mock.put("/wms/inventory/inv_1/adjust").mock(return_value=httpx.Response(200, json=envelope(item)))
    args = ("inventory", "adjust", "inv_1", "--quantity", "1", "--type", "increase", "--warehouse", "wh_1")
    table = cli(*args, "-o", "table")
    assert table.exit_code == 0
    assert "Adjusted inventory item inv_1 on connection sb (sandbox)." in table.stderr
    assert re.search(r"^onhand\s+7$", table.stdout, flags=re.M)
    csv = cli(*args, "-o", "csv")
    assert csv.stdout.splitlines() == [
        "id,sku,onhand,fulfillable,committed,unfulfillable,awaiting",
        "inv_1,A1,7,5,2,0,",
    ]
    nd = cli(*args, "-o", "ndjson")
    assert nd.stdout.count("\n") == 1 and json.loads(nd.stdout) == envelope(item)


def test_every_write_command_is_registered(cli):
    for path in (
        "orders create", "orders update", "orders cancel", "orders ship", "products create", "products update",
        "inventory adjust", "inbound-shipments create", "inbound-shipments receive", "returns create", "tags set",
    ):  # fmt: skip
        r = cli(*path.split(), "--help")
        assert r.exit_code == 0 and f"trackstar {path}" in r.stdout, path


# -- end to end against the emulator ---------------------------------------------------------------------


def get(cli: Any, *args: str) -> Any:
    r = cli(*args, "--json")
    assert r.exit_code == 0, r.stderr
    return r.json()


def first_sku(cli: Any) -> str:
    return str(get(cli, "products", "list", "--limit", "1")[0]["sku"])


def create_order(cli: Any, number: str, sku: str, *extra: str) -> Any:
    data = json.dumps({"ship_to_address": ADDRESS})
    return cli("orders", "create", "--order-number", number, "--line", f"{sku}:1", "--data", data, *extra)


def test_e2e_create_then_cancel_changes_later_reads(cli, emu):
    connect(cli, emu)
    sku = first_sku(cli)
    r = create_order(cli, "E2E-1", sku)
    assert r.exit_code == 0, r.stderr
    order_id = r.json()["id"]
    assert get(cli, "orders", "get", order_id)["status"] == "open"
    assert get(cli, "orders", "list", "--order-number", "E2E-1")[0]["line_items"][0]["sku"] == sku
    r = cli("orders", "cancel", order_id)
    assert r.exit_code == 0, r.stderr
    assert get(cli, "orders", "get", order_id)["status"] == "cancelled"
    again = cli("orders", "cancel", order_id)  # the emulator refuses to cancel twice: 422 → exit 6
    assert again.exit_code == 6 and "cancelled" in again.stderr


def test_e2e_adjust_changes_onhand(cli, emu):
    connect(cli, emu)
    item = get(cli, "inventory", "list", "--limit", "1")[0]
    warehouse = sorted(item["inventory_by_warehouse_id"])[0]
    r = cli("inventory", "adjust", item["id"], "--quantity", "5", "--type", "increase", "--warehouse", warehouse)
    assert r.exit_code == 0, r.stderr
    after = get(cli, "inventory", "get", item["id"])
    assert after["onhand"] == item["onhand"] + 5
    assert (
        after["inventory_by_warehouse_id"][warehouse]["onhand"]
        == item["inventory_by_warehouse_id"][warehouse]["onhand"] + 5
    )
    r = cli("inventory", "adjust", item["id"], "--quantity", "-2", "--warehouse", warehouse)
    assert r.exit_code == 0, r.stderr
    assert get(cli, "inventory", "get", item["id"])["onhand"] == item["onhand"] + 3


@pytest.mark.parametrize("kind", ["503", "drop"])
def test_e2e_a_retried_create_applies_once(cli, emu, kind):
    connect(cli, emu)
    sku = first_sku(cli)
    httpx.post(f"{emu.url}/_emulator/faults", json={"kind": kind, "count": 1, "path": "/wms/orders"})
    r = cli("--verbose", "orders", "create", "--order-number", f"RETRY-{kind}", "--line", f"{sku}:1",
            "--data", json.dumps({"ship_to_address": ADDRESS}))  # fmt: skip
    assert r.exit_code == 0, r.stderr
    assert "retrying in" in r.stderr
    assert len(get(cli, "orders", "list", "--order-number", f"RETRY-{kind}")) == 1


def test_e2e_a_lost_reply_is_repeated_with_its_key_and_applies_once(cli, emu):
    connect(cli, emu)
    sku = first_sku(cli)
    # `malformed` cuts the real reply in half: the order exists but the client cannot read the answer.
    httpx.post(f"{emu.url}/_emulator/faults", json={"kind": "malformed", "count": 1, "path": "/wms/orders"})
    first = create_order(cli, "LOST-1", sku)
    assert first.exit_code == 8
    key = re.search(r"--idempotency-key (\S+):", first.stderr)
    assert key, first.stderr
    second = create_order(cli, "LOST-1", sku, "--idempotency-key", key.group(1))
    assert second.exit_code == 0, second.stderr
    assert "replayed" in second.stderr
    orders = get(cli, "orders", "list", "--order-number", "LOST-1")
    assert len(orders) == 1 and orders[0]["id"] == second.json()["id"]


def test_e2e_tags_inbound_receive_and_return(cli, emu):
    connect(cli, emu)
    sku = first_sku(cli)
    warehouse = get(cli, "warehouses", "list", "--limit", "1")[0]["id"]
    assert cli("tags", "set", "warehouses", warehouse, "main", "region=eu").exit_code == 0
    assert get(cli, "warehouses", "get", warehouse)["trackstar_tags"] == ["main", {"region": "eu"}]

    r = cli(
        "inbound-shipments", "create", "--po", "PO-E2E", "--supplier", "Acme", "--warehouse", warehouse,
        "--expected-arrival", "2026-03-01", "--tracking-number", "1Z1", "--line", f"{sku}:4",
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    inbound = r.json()["id"]
    location = get(cli, "warehouses", "locations", warehouse, "--limit", "1")[0]["id"]
    before = get(cli, "inventory", "list", "--sku", sku)[0]["onhand"]
    r = cli("inbound-shipments", "receive", inbound, "--line", f"{sku}:4", "--location", location)
    assert r.exit_code == 0, r.stderr
    assert get(cli, "inbound-shipments", "get", inbound)["status"] == "received"
    assert get(cli, "inventory", "list", "--sku", sku)[0]["onhand"] == before + 4

    order_id = create_order(cli, "RET-1", sku).json()["id"]
    r = cli("returns", "create", "--order", order_id, "--line", f"{sku}:1")
    assert r.exit_code == 0, r.stderr
    assert get(cli, "returns", "get", r.json()["id"])["order_id"] == order_id


def test_e2e_unsupported_write_is_exit_7_and_live_wms_needs_yes(cli, emu):
    connect(cli, emu, "extensiv-3pl-central", name="ext")
    item = get(cli, "inventory", "list", "--limit", "1")[0]
    args = ("inventory", "adjust", item["id"], "--quantity", "1", "--type", "increase", "--warehouse", "wh_00000001")
    refused = cli(*args)
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    r = cli(*args, "--yes")
    assert r.exit_code == 7
    assert "not implemented for Extensiv" in r.stderr
    assert get(cli, "inventory", "get", item["id"])["onhand"] == item["onhand"]


def test_e2e_validation_errors_come_back_as_exit_6(cli, emu):
    connect(cli, emu)
    r = cli("orders", "create", "--order-number", "NOADDR", "--line", "prod_00000001:1")
    assert r.exit_code == 6
    assert "ship_to_address" in r.stderr


def test_e2e_a_positive_quantity_increases_and_a_422_names_the_option(cli, emu):
    connect(cli, emu)
    item = get(cli, "inventory", "list", "--limit", "1")[0]
    warehouse = sorted(item["inventory_by_warehouse_id"])[0]
    r = cli("inventory", "adjust", item["id"], "--quantity", "3", "--warehouse", warehouse)
    assert r.exit_code == 0, r.stderr
    assert get(cli, "inventory", "get", item["id"])["onhand"] == item["onhand"] + 3
    r = cli("inventory", "adjust", item["id"], "--quantity", "3")  # no warehouse: the API's 422
    assert r.exit_code == 6
    assert "missing --warehouse (warehouse_id)" in r.stderr, r.stderr


@respx.mock(base_url=BASE, assert_all_called=True)
def test_a_422_on_the_whole_body_never_shows_validator_internals(respx_mock, cli, sandbox):
    body = {"error": "Invalid body", "origin": "trackstar", "detail": {"json": {"_schema": ["Give sku or gtin."]}}}
    respx_mock.post("/wms/products").respond(422, json=body)
    r = cli("products", "create", "--name", "Mug")
    assert r.exit_code == 6
    assert "_schema" not in r.stderr and "Give sku or gtin." in r.stderr
