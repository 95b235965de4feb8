"""WMS reads: every list and get, pagination, filters, ids[in], validation errors, generated data."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from trackstar_cli.emulator import Emulator
from trackstar_cli.emulator.dataset import COLLECTIONS, Dataset
from trackstar_cli.spec import RESOURCES

STOCK = ("onhand", "committed", "unfulfillable", "fulfillable", "unsellable", "sellable", "awaiting")


def _path(name: str) -> str:
    resource = RESOURCES[name]
    return resource.list_path("wh_00000001") if resource.parent else resource.path


def _walk(client: httpx.Client, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = client.get(path, params=params).json()
    while True:
        assert page["total_count"] == len(page["data"])
        items += page["data"]
        if not page["next_token"]:
            return items
        page = client.get(path, params={**params, "page_token": page["next_token"]}).json()


@pytest.mark.parametrize("name", list(RESOURCES))
def test_every_list_and_get(wms: httpx.Client, name: str) -> None:
    resource = RESOURCES[name]
    page = wms.get(_path(name), params={"limit": 3})
    assert page.status_code == 200, page.text
    body = page.json()
    assert set(body) == {"data", "next_token", "total_count"} and body["total_count"] == len(body["data"]) > 0
    if resource.has_get:
        first = body["data"][0]
        assert wms.get(f"{_path(name)}/{first['id']}").json() == {"data": first}
        missing = wms.get(f"{_path(name)}/nope_123")
        assert missing.status_code == 404 and missing.json()["id"] == "nope_123"


def test_pagination_is_complete_stable_and_ordered(wms: httpx.Client) -> None:
    everything = wms.get("/wms/inventory").json()
    assert everything["next_token"] is None and everything["total_count"] == 200
    paged = _walk(wms, "/wms/inventory", {"limit": 37})
    assert [i["id"] for i in paged] == [i["id"] for i in everything["data"]]
    assert [i["id"] for i in paged] == sorted(i["id"] for i in paged)
    exact = wms.get("/wms/inventory", params={"limit": 200}).json()
    assert exact["next_token"] is None  # null exactly on the last page


def test_filters_must_be_repeated_on_every_page(wms: httpx.Client) -> None:
    params = {"limit": 5, "warehouse_customer_id": "cust_00000001"}
    token = wms.get("/wms/inventory", params=params).json()["next_token"]
    assert wms.get("/wms/inventory", params={**params, "page_token": token}).status_code == 200
    for other in ({"limit": 5}, {"limit": 5, "warehouse_customer_id": "cust_00000002"}):
        reply = wms.get("/wms/inventory", params={**other, "page_token": token})
        assert reply.status_code == 422 and "page_token" in reply.json()["detail"]["query"]
    assert wms.get("/wms/products", params={**params, "page_token": token}).status_code == 422  # other endpoint
    assert wms.get("/wms/inventory", params={"page_token": "not-a-token"}).status_code == 422
    filtered = _walk(wms, "/wms/inventory", params)
    assert filtered and all(i["warehouse_customer_id"] == "cust_00000001" for i in filtered)


def test_string_and_boolean_filters(wms: httpx.Client) -> None:
    inventory = wms.get("/wms/inventory").json()["data"]
    sku = inventory[10]["sku"]
    assert [i["sku"] for i in wms.get("/wms/inventory", params={"sku": sku}).json()["data"]] == [sku]
    assert [i["sku"] for i in wms.get("/wms/inventory", params={"sku[eq]": sku}).json()["data"]] == [sku]
    mugs = wms.get("/wms/inventory", params={"sku[contains]": "MUG"}).json()["data"]
    assert mugs and all("MUG" in i["sku"] for i in mugs)
    not_mugs = wms.get("/wms/inventory", params={"sku[not_contains]": "MUG"}).json()["data"]
    assert len(mugs) + len(not_mugs) == len(inventory)
    two = wms.get("/wms/inventory", params={"sku[in]": f"{inventory[1]['sku']},{inventory[2]['sku']}"}).json()
    assert two["total_count"] == 2
    assert wms.get("/wms/inventory", params={"sku[nin]": inventory[1]["sku"]}).json()["total_count"] == 199
    inactive = wms.get("/wms/inventory", params={"active": "false"}).json()["data"]
    assert all(i["active"] is False for i in inactive)
    assert len(inactive) == sum(not i["active"] for i in inventory)


def test_order_filters_including_insensitive(wms: httpx.Client) -> None:
    orders = wms.get("/wms/orders").json()["data"]
    shipped = wms.get("/wms/orders", params={"status[in]": "fulfilled,partially_fulfilled"}).json()["data"]
    assert shipped and all(o["status"] in ("fulfilled", "partially_fulfilled") for o in shipped)
    assert len(shipped) == sum(o["status"] in ("fulfilled", "partially_fulfilled") for o in orders)
    ref = orders[3]["reference_id"]
    hit = wms.get("/wms/orders", params={"reference_id[eq-insensitive]": ref.lower()}).json()["data"]
    assert [o["id"] for o in hit] == [orders[3]["id"]]
    b2b = wms.get("/wms/orders", params={"type": "b2b"}).json()["data"]
    assert all(o["type"] == "b2b" for o in b2b)
    assert wms.get("/wms/orders", params={"required_ship_date[gte]": "2025-01-01T00:00:00Z"}).status_code == 200


def test_date_filters(wms: httpx.Client) -> None:
    everything = wms.get("/wms/orders").json()["data"]
    cut = sorted(o["updated_date"] for o in everything)[len(everything) // 2]
    newer = _walk(wms, "/wms/orders", {"updated_date[gte]": cut, "limit": 7})
    assert {o["id"] for o in newer} == {o["id"] for o in everything if o["updated_date"] >= cut}
    window = wms.get("/wms/orders", params={"created_date[gt]": cut, "created_date[lte]": "2025-10-01T00:00:00Z"})
    assert all(cut < o["created_date"] <= "2025-10-01T00:00:00Z" for o in window.json()["data"])
    for bad in ("2025-01-01", "yesterday", "2025-01-01T00:00:00+00:00"):
        reply = wms.get("/wms/orders", params={"created_date[gte]": bad})
        assert reply.status_code == 422 and "created_date[gte]" in reply.json()["detail"]["query"]


def test_ids_in_overrides_other_filters(wms: httpx.Client) -> None:
    reply = wms.get("/wms/products", params={"ids[in]": "prod_00000005,prod_00000002,nope", "sku": "zzz"}).json()
    assert [p["id"] for p in reply["data"]] == ["prod_00000002", "prod_00000005"]
    paged = _walk(wms, "/wms/products", {"ids[in]": "prod_00000001,prod_00000002,prod_00000003", "limit": 2})
    assert len(paged) == 3
    too_many = ",".join(f"prod_{i:08d}" for i in range(1, 102))
    assert wms.get("/wms/products", params={"ids[in]": too_many}).status_code == 422
    statuses = ",".join(f"s{i}" for i in range(101))
    assert wms.get("/wms/orders", params={"status[in]": statuses}).status_code == 422


@pytest.mark.parametrize(
    "params",
    [
        {"bogus": "1"},
        {"sku[gt]": "A"},
        {"status": "open"},
        {"next_token": "x"},
        {"ids": "inv_00000001"},
        {"active": "maybe"},
        {"sku[regex]": "x"},
    ],
)
def test_unknown_or_disallowed_filters_are_422(wms: httpx.Client, params: dict[str, str]) -> None:
    reply = wms.get("/wms/inventory", params=params)
    assert reply.status_code == 422
    assert list(reply.json()["detail"]["query"]) == list(params)


@pytest.mark.parametrize("limit", ["0", "1001", "-1", "ten", "2.5", ""])
def test_limit_out_of_range_is_422(wms: httpx.Client, limit: str) -> None:
    reply = wms.get("/wms/inventory", params={"limit": limit})
    assert reply.status_code == 422 and reply.json()["detail"] == {
        "query": {"limit": reply.json()["detail"]["query"]["limit"]}
    }


def test_nested_locations(wms: httpx.Client) -> None:
    locations = _walk(wms, "/wms/warehouses/wh_00000002/locations", {"limit": 3})
    assert locations and all(loc["warehouse_id"] == "wh_00000002" for loc in locations)
    other = wms.get("/wms/warehouses/wh_00000001/locations").json()["data"][0]["id"]
    assert wms.get(f"/wms/warehouses/wh_00000002/locations/{other}").status_code == 404
    assert wms.get("/wms/warehouses/wh_99999999/locations").status_code == 404


def test_order_packs(wms: httpx.Client) -> None:
    shipped = wms.get("/wms/orders", params={"status": "fulfilled", "limit": 1}).json()["data"][0]
    packs = wms.get(f"/wms/orders/{shipped['id']}/packs").json()["data"]
    assert packs["packs"] and packs["order_line_items"][0]["product_id"] == shipped["line_items"][0]["product_id"]
    assert wms.get("/wms/orders/nope/packs").status_code == 404


def test_generated_data_is_consistent(wms: httpx.Client) -> None:
    inventory = {i["id"]: i for i in wms.get("/wms/inventory").json()["data"]}
    for item in inventory.values():
        per = item["inventory_by_warehouse_id"].values()
        for key in STOCK:
            assert item[key] == sum(w[key] for w in per), (item["id"], key)
        for w in per:
            assert w["onhand"] == w["committed"] + w["fulfillable"] + w["unfulfillable"]
            assert min(w.values()) >= 0
    for product in wms.get("/wms/products").json()["data"]:
        for part in product["inventory_items"]:
            assert part["inventory_item_id"] in inventory
    products = {p["id"] for p in wms.get("/wms/products").json()["data"]}
    orders = wms.get("/wms/orders").json()["data"]
    assert {li["product_id"] for o in orders for li in o["line_items"]} <= products
    assert len({o["status"] for o in orders}) >= 5
    order_ids = {o["id"] for o in orders}
    assert {r["order_id"] for r in wms.get("/wms/returns").json()["data"]} <= order_ids
    assert all(o["created_date"] < "2025-10-01T00:00:00Z" for o in orders)


def test_same_seed_same_data_other_seed_other_data() -> None:
    def first_page(seed: int) -> Any:
        with Emulator(port=0, seed=seed, rate_limit=False) as emu, httpx.Client(base_url=emu.url) as c:
            c.headers["x-trackstar-api-key"] = emu.api_key
            token = c.post("/sandbox/generate-sandbox/wms").json()["access_token"]
            return c.get("/wms/inventory", params={"limit": 20}, headers={"x-trackstar-access-token": token}).json()

    assert first_page(7) == first_page(7)
    assert first_page(7) != first_page(8)


def test_probes_agree_with_built_items() -> None:
    data = Dataset("1:probe-check", 300, "sandbox")
    for name, spec in COLLECTIONS.items():
        coll = data[name]
        for i in range(0, len(coll), max(1, len(coll) // 25)):
            probed = {field: coll.value(i, field) for field in spec.probes}
            built = coll.at(i)
            hidden = {f: v for f, v in probed.items() if f not in built}
            assert {f: built[f] for f in probed if f in built} == {f: v for f, v in probed.items() if f in built}
            assert set(hidden) <= {"warehouse_customer_id"}, (name, hidden)


def test_large_connection_is_lazy_and_fast() -> None:
    with Emulator(port=0, size=100_000, rate_limit=False) as emu, httpx.Client(base_url=emu.url, timeout=30) as c:
        c.headers["x-trackstar-api-key"] = emu.api_key
        c.headers["x-trackstar-access-token"] = c.post("/sandbox/generate-sandbox/wms").json()["access_token"]
        started = time.perf_counter()
        page = c.get("/wms/inventory", params={"limit": 1000}).json()
        last = c.get("/wms/inventory/inv_00100000").json()["data"]
        filtered = c.get("/wms/inventory", params={"sku[contains]": "099999", "limit": 5}).json()
        elapsed = time.perf_counter() - started
    assert page["total_count"] == 1000 and last["id"] == "inv_00100000"
    assert [i["sku"][-6:] for i in filtered["data"]] == ["099999"]
    assert elapsed < 3, f"100k items took {elapsed:.2f}s"
