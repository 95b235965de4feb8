"""inventory list | get: filters, pagination, formats, exit codes."""

from __future__ import annotations

import csv
import io
import json

import httpx
import pytest
import respx

from tests.conftest import API_KEY, BASE, TOKEN, add_connection

ITEM_A = {
    "id": "inv_a",
    "sku": "A1",
    "name": 'Tee, "red"',
    "onhand": 10,
    "fulfillable": 6,
    "committed": 3,
    "unfulfillable": 1,
    "awaiting": 2,
    "inventory_by_warehouse_id": {
        "wh_1": {"onhand": 7, "fulfillable": 4, "committed": 2, "unfulfillable": 1, "awaiting": 2},
        "wh_2": {"onhand": 3, "fulfillable": 2, "committed": 1, "unfulfillable": 0, "awaiting": 0},
    },
}
ITEM_B = {
    "id": "inv_b",
    "sku": "B2",
    "name": "Mug",
    "onhand": 0,
    "fulfillable": 0,
    "committed": 0,
    "unfulfillable": 0,
    "awaiting": 5,
    "inventory_by_warehouse_id": {},
}


@pytest.fixture
def ready(logged_in):
    add_connection()


def two_pages(respx_mock):
    return respx_mock.get("/wms/inventory").mock(
        side_effect=[
            httpx.Response(200, json={"data": [ITEM_A], "next_token": "p2", "total_count": 1}),
            httpx.Response(200, json={"data": [ITEM_B], "next_token": None, "total_count": 1}),
        ]
    )


@respx.mock(base_url=BASE, assert_all_called=True)
def test_pagination_repeats_every_filter(respx_mock, cli, ready):
    route = two_pages(respx_mock)
    r = cli(
        "inventory",
        "list",
        "--sku",
        "A1",
        "--sku",
        "B2",
        "--updated-since",
        "2026-01-01",
        "--filter",
        "active=true",
        "--page-size",
        "1",
        "--json",
    )
    assert r.exit_code == 0, r.stderr
    assert [i["sku"] for i in r.json()] == ["A1", "B2"]
    first, second = (c.request.url.params for c in route.calls)
    expected = {"sku[in]": "A1,B2", "updated_date[gte]": "2026-01-01T00:00:00Z", "active": "true", "limit": "1"}
    assert dict(first) == expected
    assert dict(second) == {**expected, "page_token": "p2"}
    for call in route.calls:
        assert call.request.headers["x-trackstar-api-key"] == API_KEY
        assert call.request.headers["x-trackstar-access-token"] == TOKEN


@respx.mock(base_url=BASE)
def test_json_is_the_api_objects_unchanged(respx_mock, cli, ready):
    two_pages(respx_mock)
    assert cli("inventory", "list", "--json").json() == [ITEM_A, ITEM_B]


@respx.mock(base_url=BASE)
def test_default_format_when_piped_is_json(respx_mock, cli, ready):
    two_pages(respx_mock)
    assert cli("inventory", "list").json() == [ITEM_A, ITEM_B]


@respx.mock(base_url=BASE)
def test_ndjson(respx_mock, cli, ready):
    two_pages(respx_mock)
    r = cli("inventory", "list", "-o", "ndjson")
    assert [json.loads(line) for line in r.stdout.splitlines()] == [ITEM_A, ITEM_B]


@respx.mock(base_url=BASE)
def test_csv_has_table_columns_and_quotes(respx_mock, cli, ready):
    two_pages(respx_mock)
    r = cli("inventory", "list", "-o", "csv")
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert rows[0] == ["sku", "name", "onhand", "fulfillable", "committed", "unfulfillable", "awaiting"]
    assert rows[1] == ["A1", 'Tee, "red"', "10", "6", "3", "1", "2"]
    assert rows[2][0] == "B2"


@respx.mock(base_url=BASE)
def test_by_warehouse_rows(respx_mock, cli, ready):
    two_pages(respx_mock)
    r = cli("inventory", "list", "-o", "csv", "--by-warehouse")
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert rows[0][:3] == ["sku", "warehouse_id", "onhand"]
    assert rows[1][:3] == ["A1", "wh_1", "7"] and rows[2][:3] == ["A1", "wh_2", "3"]
    assert rows[3][:2] == ["B2", ""]


@respx.mock(base_url=BASE)
def test_table(respx_mock, cli, ready):
    two_pages(respx_mock)
    r = cli("inventory", "list", "-o", "table")
    assert r.exit_code == 0
    header = next(line for line in r.stdout.splitlines() if "sku" in line)
    for col in ("sku", "name", "onhand", "fulfillable", "committed", "unfulfillable", "awaiting"):
        assert col in header
    assert "A1" in r.stdout and "B2" in r.stdout


@respx.mock(base_url=BASE)
def test_limit_stops_paging(respx_mock, cli, ready):
    route = two_pages(respx_mock)
    r = cli("inventory", "list", "--limit", "1", "--json")
    assert r.json() == [ITEM_A]
    assert route.call_count == 1
    assert route.calls[0].request.url.params["limit"] == "1"  # asks for no more than it prints


@respx.mock(base_url=BASE)
def test_ids_filter(respx_mock, cli, ready):
    route = respx_mock.get("/wms/inventory").respond(200, json={"data": [], "next_token": None, "total_count": 0})
    r = cli("inventory", "list", "--ids", "inv_a,inv_b", "-o", "table")
    assert r.exit_code == 0 and "No inventory found." in r.stderr
    assert route.calls.last.request.url.params["ids[in]"] == "inv_a,inv_b"


@respx.mock(base_url=BASE, assert_all_called=True)
def test_get(respx_mock, cli, ready):
    respx_mock.get("/wms/inventory/inv_a").respond(200, json={"data": ITEM_A})
    assert cli("inventory", "get", "inv_a", "--json").json() == ITEM_A


@respx.mock(base_url=BASE)
def test_get_unknown_is_exit_4(respx_mock, cli, ready):
    respx_mock.get("/wms/inventory/nope").respond(404, json={"error": "Inventory item not found", "id": "nope"})
    r = cli("inventory", "get", "nope")
    assert r.exit_code == 4 and "error: Inventory item not found (HTTP 404" in r.stderr


@pytest.mark.parametrize(
    ("status", "body", "code"),
    [
        (401, {"error": "Invalid access token", "origin": "trackstar"}, 3),
        (403, {"error": "get_inventory is disabled for this connection", "origin": "trackstar"}, 3),
        (404, {"error": "not found", "id": "x"}, 4),
        (422, {"error": "Invalid query", "detail": {"query": {"foo[eq]": ["Unknown field."]}}}, 6),
        (501, {"error": "Endpoint get_inventory is not implemented for Cool WMS", "origin": "trackstar"}, 7),
        (400, {"error": "WMS timed out", "origin": "integration"}, 7),
        (429, {"error": "Too many requests", "origin": "trackstar"}, 5),
        (500, {"error": "boom", "origin": "trackstar"}, 8),
    ],
)
def test_status_to_exit_code(cli, ready, monkeypatch, status, body, code):
    monkeypatch.setattr("time.sleep", lambda s: None)
    with respx.mock(base_url=BASE) as mock:
        mock.get("/wms/inventory").respond(status, json=body, headers={"x-request-id": "req_7", "retry-after": "0"})
        r = cli("inventory", "list")
    assert r.exit_code == code
    assert r.stderr.startswith("error: ")
    assert "req_7" in r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""


def test_validation_detail_is_readable(cli, ready):
    with respx.mock(base_url=BASE) as mock:
        mock.get("/wms/inventory").respond(
            422, json={"error": "Invalid query", "detail": {"query": {"foo[eq]": ["Unknown field."]}}}
        )
        r = cli("inventory", "list", "--filter", "foo[eq]=1")
    assert "error: Invalid query: foo[eq]: Unknown field." in r.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--filter", "nonsense"], "invalid filter 'nonsense'"),
        (["--filter", "sku[like]=A"], "unknown filter operator 'like'"),
        (["--updated-since", "yesterday"], "invalid date 'yesterday'"),
        (["--page-size", "5000"], "5000"),
        (["--json", "-o", "csv"], "--json conflicts with --format csv"),
        (["--bogus"], "No such option"),
    ],
)
def test_bad_input_is_exit_2_without_calling_the_api(cli, ready, args, message):
    with respx.mock(base_url=BASE, assert_all_called=False) as mock:
        route = mock.get("/wms/inventory").respond(200, json={"data": [], "next_token": None})
        r = cli("inventory", "list", *args)
    assert r.exit_code == 2, r.stderr
    assert message in r.stderr
    assert route.call_count == 0


@respx.mock(base_url=BASE)
def test_global_options_after_the_command(respx_mock, cli, ready):
    two_pages(respx_mock)
    r = cli("inventory", "list", "--json", "--verbose", "--timeout", "5")
    assert r.exit_code == 0, r.stderr
    assert "> GET https://api.trackstar.test/wms/inventory" in r.stderr
    assert "x-trackstar-api-key: ***" in r.stderr and "x-trackstar-access-token: ***" in r.stderr
    assert API_KEY not in r.stderr and TOKEN not in r.stderr
    assert r.json() == [ITEM_A, ITEM_B]


def test_network_error_is_exit_8(cli, ready, monkeypatch):
    monkeypatch.setattr("time.sleep", lambda s: None)
    with respx.mock(base_url=BASE) as mock:
        mock.get("/wms/inventory").mock(side_effect=httpx.ConnectError("connection refused"))
        r = cli("inventory", "list")
    assert r.exit_code == 8
    assert "error: cannot reach https://api.trackstar.test" in r.stderr


def test_debug_shows_traceback(cli, ready):
    with respx.mock(base_url=BASE) as mock:
        mock.get("/wms/inventory").respond(404, json={"error": "gone"})
        r = cli("--debug", "inventory", "list")
    assert r.exit_code != 0
    assert r.exception is not None and type(r.exception).__name__ == "NotFoundError"
