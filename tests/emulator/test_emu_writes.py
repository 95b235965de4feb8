"""WMS writes: effects on later reads, body rules, Content-Type, idempotency, capability gates."""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest
from emu_helpers import client_for, connect

from trackstar_cli.emulator import Emulator

STOCK = ("onhand", "committed", "unfulfillable", "fulfillable", "unsellable", "sellable", "awaiting")
ADDRESS = {"address1": "1 Main St", "city": "Austin", "state": "TX", "postal_code": "78701", "country": "US"}
SHIPMENT = {
    "shipped_date": "2025-10-02T10:00:00Z",
    "tracking_number": "1ZTEST",
    "shipping_cost": 5.5,
    "warehouse_id": "wh_00000001",
    "measurements": {"length": 10, "width": 8, "height": 4, "unit": "in", "weight": 2, "weight_unit": "lb"},
}


def _check_invariants(item: dict[str, Any]) -> None:
    per = item["inventory_by_warehouse_id"].values()
    for key in STOCK:
        assert item[key] == sum(w[key] for w in per), key
    for wid, w in item["inventory_by_warehouse_id"].items():
        assert w["onhand"] == w["committed"] + w["fulfillable"] + w["unfulfillable"] and w["fulfillable"] >= 0
        assert sum(loc["quantity"] for loc in item["locations"] if loc["warehouse_id"] == wid) == w["onhand"]
        lots = [lot["onhand"] for lot in item["lots"] if lot["warehouse_id"] == wid]
        assert not lots or sum(lots) == w["onhand"]


def _stocked(wms: httpx.Client) -> tuple[dict[str, Any], str]:
    """An inventory item with fulfillable stock, and the warehouse holding it."""
    for item in wms.get("/wms/inventory").json()["data"]:
        for wid, w in item["inventory_by_warehouse_id"].items():
            if w["fulfillable"] >= 10 and item["locations"]:
                return item, wid
    raise AssertionError("no stocked item")


def test_adjust_inventory_changes_quantities_and_keeps_invariants(wms: httpx.Client) -> None:
    item, wid = _stocked(wms)
    before = item["inventory_by_warehouse_id"][wid]
    reply = wms.put(
        f"/wms/inventory/{item['id']}/adjust", json={"quantity": 7, "adjustment_type": "increase", "warehouse_id": wid}
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["id"] == item["id"] and body["unused_fields"] == []
    after = wms.get(f"/wms/inventory/{item['id']}").json()["data"]
    assert after == body["data"]
    assert after["onhand"] == item["onhand"] + 7 and after["fulfillable"] == item["fulfillable"] + 7
    assert after["inventory_by_warehouse_id"][wid]["onhand"] == before["onhand"] + 7
    assert sum(loc["quantity"] for loc in after["locations"]) == after["onhand"]
    _check_invariants(after)
    down = wms.put(
        f"/wms/inventory/{item['id']}/adjust", json={"quantity": 3, "adjustment_type": "decrease", "warehouse_id": wid}
    ).json()["data"]
    assert down["onhand"] == item["onhand"] + 4
    _check_invariants(down)
    ledger = wms.get(
        "/wms/inventory/ledger", params={"event_type": "adjustment", "updated_date[gte]": "2025-10-01T00:00:00Z"}
    )
    assert [e["quantity"] for e in ledger.json()["data"] if e["inventory_item_id"] == item["id"]] == [7, -3]


def test_adjust_validation(wms: httpx.Client) -> None:
    item, wid = _stocked(wms)
    path = f"/wms/inventory/{item['id']}/adjust"
    too_much = item["inventory_by_warehouse_id"][wid]["fulfillable"] + 1
    cases = [
        ({"quantity": too_much, "adjustment_type": "decrease", "warehouse_id": wid}, "quantity"),
        ({"quantity": 1, "adjustment_type": "sideways", "warehouse_id": wid}, "adjustment_type"),
        ({"quantity": 0, "adjustment_type": "increase", "warehouse_id": wid}, "quantity"),
        ({"quantity": 1, "adjustment_type": "increase"}, "warehouse_id"),
        ({"quantity": 1, "adjustment_type": "increase", "warehouse_id": "wh_99999999"}, "warehouse_id"),
        ({"quantity": "1", "adjustment_type": "increase", "warehouse_id": wid}, "quantity"),
    ]
    for body, field in cases:
        reply = wms.put(path, json=body)
        assert reply.status_code == 422, body
        assert field in reply.json()["detail"]["json"], reply.json()
    assert wms.put("/wms/inventory/nope/adjust", json=cases[1][0] | {"adjustment_type": "increase"}).status_code == 404
    assert wms.get(f"/wms/inventory/{item['id']}").json()["data"] == item  # nothing applied


@pytest.mark.parametrize("bad", [None, "", "   ", "null", "None", "NULL", "undefined"])
def test_null_like_values_are_rejected_anywhere(wms: httpx.Client, bad: Any) -> None:
    body = {
        "sku": "NEW-SKU-1",
        "name": "New thing",
        "measurements": {"unit": "in", "length": 1, "width": 1, "height": 1, "weight": 1, "weight_unit": bad},
    }
    reply = wms.post("/wms/products", json=body)
    assert reply.status_code == 422
    assert "measurements.weight_unit" in reply.json()["detail"]["json"]
    assert wms.post("/wms/products", json={"sku": bad, "name": "x"}).status_code == 422


def test_unknown_fields_are_refused_by_the_integrations_variant(wms: httpx.Client) -> None:
    reply = wms.post(
        "/wms/products",
        json={"sku": "NEW-SKU-2", "name": "Thing", "colour": "red", "measurements": {"unit": "in", "shine": "high"}},
    )
    assert reply.status_code == 422
    detail = reply.json()["detail"]["json"]
    assert detail["colour"] == ["Unknown field."] and detail["measurements.shine"] == ["Unknown field."]
    assert detail["measurements.length"] == ["Missing data for required field."]


def test_a_body_of_only_whitespace_is_refused(wms: httpx.Client) -> None:
    reply = wms.post("/wms/products", content=b"  \n ", headers={"content-type": "application/json"})
    assert reply.status_code == 422 and "whitespace" in reply.json()["error"]


def test_writes_need_json(wms: httpx.Client) -> None:
    reply = wms.post("/wms/products", content=b"sku=1", headers={"content-type": "application/x-www-form-urlencoded"})
    assert reply.status_code == 415
    bad = wms.post("/wms/products", content=b"{nope", headers={"content-type": "application/json"})
    assert bad.status_code == 400
    assert wms.post("/wms/products", json=["a"]).status_code == 422


def test_create_and_update_product(wms: httpx.Client) -> None:
    created = wms.post(
        "/wms/products", json={"sku": "NEW-SKU-3", "name": "Lamp", "gtin": "0123456789012", "trackstar_tags": ["new"]}
    ).json()
    product = created["data"]
    assert created["id"] == product["id"] and product["sku"] == "NEW-SKU-3" and product["trackstar_tags"] == ["new"]
    item_id = product["inventory_items"][0]["inventory_item_id"]
    item = wms.get(f"/wms/inventory/{item_id}").json()["data"]
    assert item["sku"] == "NEW-SKU-3" and item["onhand"] == 0
    assert wms.get("/wms/products", params={"sku": "NEW-SKU-3"}).json()["data"] == [product]
    assert wms.post("/wms/products", json={"sku": "NEW-SKU-3", "name": "Again"}).status_code == 422
    assert wms.post("/wms/products", json={"name": "No sku"}).status_code == 422
    updated = wms.put(f"/wms/products/{product['id']}", json={"name": "Lamp v2", "sku": "NEW-SKU-3B"}).json()["data"]
    assert updated["name"] == "Lamp v2"
    assert wms.get(f"/wms/inventory/{item_id}").json()["data"]["sku"] == "NEW-SKU-3B"
    assert wms.put("/wms/products/prod_99999999", json={"name": "x"}).status_code == 404


def _new_order(wms: httpx.Client, product_id: str, qty: int = 2, **extra: Any) -> httpx.Response:
    return wms.post(
        "/wms/orders",
        json={
            "order_number": "T-1",
            "ship_to_address": ADDRESS,
            "line_items": [{"product_id": product_id, "quantity": qty}],
            **extra,
        },
    )


def test_order_lifecycle_moves_stock(wms: httpx.Client) -> None:
    item, _ = _stocked(wms)
    product_id = "prod_" + item["id"][4:]
    reply = _new_order(wms, product_id, 2, shipping_method_id="shm_00000001", channel="web")
    assert reply.status_code == 200, reply.text
    order = reply.json()["data"]
    assert order["status"] == "open" and order["line_items"][0]["sku"] == item["sku"]
    assert order["shipping_method_name"] == "UPS Ground"
    wid = order["warehouse_id"]
    held = wms.get(f"/wms/inventory/{item['id']}").json()["data"]
    _check_invariants(held)
    assert wms.get(f"/wms/orders/{order['id']}").json()["data"] == order
    updated = wms.put(f"/wms/orders/{order['id']}", json={"status": "processing", "reference_id": "R-9"}).json()
    assert updated["data"]["status"] == "processing" and updated["data"]["reference_id"] == "R-9"
    shipped = wms.post(f"/wms/orders/{order['id']}/shipments", json=SHIPMENT)
    assert shipped.status_code == 200, shipped.text
    done = shipped.json()["data"]
    assert done["status"] == "fulfilled" and done["shipments"][0]["packages"][0]["tracking_number"] == "1ZTEST"
    after = wms.get(f"/wms/inventory/{item['id']}").json()["data"]
    _check_invariants(after)
    assert after["inventory_by_warehouse_id"][wid]["onhand"] == held["inventory_by_warehouse_id"][wid]["onhand"] - 2
    assert wms.get(f"/wms/orders/{order['id']}/packs").json()["data"]["packs"][0]["line_items"][0]["quantity"] == 2
    assert wms.put(f"/wms/orders/{order['id']}/cancel").status_code == 422  # already shipped
    assert wms.post(f"/wms/orders/{order['id']}/shipments", json=SHIPMENT).status_code == 422


def test_cancel_releases_the_reservation(wms: httpx.Client) -> None:
    item, _ = _stocked(wms)
    order = _new_order(wms, "prod_" + item["id"][4:], 3).json()["data"]
    committed = wms.get(f"/wms/inventory/{item['id']}").json()["data"]["inventory_by_warehouse_id"]
    cancelled = wms.put(f"/wms/orders/{order['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["data"]["status"] == "cancelled"
    released = wms.get(f"/wms/inventory/{item['id']}").json()["data"]
    wid = order["warehouse_id"]
    assert released["inventory_by_warehouse_id"][wid]["committed"] <= committed[wid]["committed"]
    _check_invariants(released)
    assert wms.put(f"/wms/orders/{order['id']}/cancel").status_code == 422
    assert wms.put(f"/wms/orders/{order['id']}", json={"status": "open"}).status_code == 422


def test_order_validation(wms: httpx.Client) -> None:
    assert _new_order(wms, "prod_99999999").status_code == 422
    assert _new_order(wms, "prod_00000001", 0).status_code == 422
    missing = wms.post("/wms/orders", json={"line_items": [{"product_id": "prod_00000001", "quantity": 1}]})
    assert set(missing.json()["detail"]["json"]) == {"order_number", "ship_to_address"}
    assert wms.put("/wms/orders/ord_00000001", json={"status": "teleported"}).status_code == 422
    assert wms.put("/wms/orders/nope/cancel").status_code == 404


def test_shipbob_orders_follow_shipbobs_variant(emu: Emulator, api: httpx.Client) -> None:
    with client_for(emu, connect(api, emu, "shipbob")["access_token"]) as shipbob:
        assert _new_order(shipbob, "prod_00000001").json()["detail"]["json"] == {
            "reference_id": ["Missing data for required field."],  # ShipBob's variant requires it, not order_number
            "ship_to_address.full_name": ["Missing data for required field."],
        }
        body = {
            "reference_id": "SB-1",
            "ship_to_address": {**ADDRESS, "full_name": "Ada Lovelace"},
            "line_items": [{"product_id": "prod_00000001", "quantity": 1}],
            "warehouse_id": "wh_00000003",
        }
        ok = shipbob.post("/wms/orders", json=body)
        assert ok.status_code == 200, ok.text
        assert ok.json()["data"]["warehouse_id"] == "wh_00000003" and ok.json()["data"]["order_number"] == "SB-1"
        adjust = shipbob.put(
            "/wms/inventory/inv_00000001/adjust",
            json={"quantity": 1, "adjustment_type": "increase", "warehouse_id": "wh_00000001"},
        )
        assert adjust.status_code == 501
        assert adjust.json()["error"] == "Endpoint adjust_inventory is not implemented for ShipBob"
        update = shipbob.put("/wms/orders/" + ok.json()["id"], json={"order_number": "X"})
        assert update.status_code == 501  # ShipBob has no update_order variant


def test_inbound_shipment_create_and_receive(wms: httpx.Client) -> None:
    item = wms.get("/wms/inventory/inv_00000004").json()["data"]
    body = {
        "supplier": "Northwind Textiles",
        "purchase_order_number": "PO-T1",
        "warehouse_id": "wh_00000002",
        "expected_arrival_date": "2025-10-20T00:00:00Z",
        "tracking_number": "PRO1",
        "line_items": [{"sku": item["sku"], "expected_quantity": 10}],
    }
    created = wms.post("/wms/inbound-shipments", json=body)
    assert created.status_code == 200, created.text
    inbound = created.json()["data"]
    assert inbound["status"] == "open" and inbound["supplier_object"]["supplier_id"] == "sup_00000001"
    awaiting = wms.get(f"/wms/inventory/{item['id']}").json()["data"]
    assert awaiting["awaiting"] == item["awaiting"] + 10
    location = wms.get("/wms/warehouses/wh_00000002/locations", params={"limit": 1}).json()["data"][0]["id"]
    receive = {"warehouse_location_id": location, "line_items": [{"sku": item["sku"], "quantity": 4}]}
    partial = wms.put(f"/wms/inbound-shipments/{inbound['id']}/receive", json=receive).json()["data"]
    assert partial["status"] == "receiving" and partial["line_items"][0]["received_quantity"] == 4
    full = wms.put(
        f"/wms/inbound-shipments/{inbound['id']}/receive",
        json={**receive, "line_items": [{"sku": item["sku"], "quantity": 6}]},
    ).json()["data"]
    assert full["status"] == "received" and len(full["receipts"]) == 2
    after = wms.get(f"/wms/inventory/{item['id']}").json()["data"]
    assert after["onhand"] == item["onhand"] + 10 and after["awaiting"] == item["awaiting"]
    _check_invariants(after)
    assert wms.put(f"/wms/inbound-shipments/{inbound['id']}/receive", json=receive).status_code == 422
    bad_sku = wms.post("/wms/inbound-shipments", json={**body, "line_items": [{"sku": "NOPE", "expected_quantity": 1}]})
    assert "line_items.0.sku" in bad_sku.json()["detail"]["json"]


def test_create_return(wms: httpx.Client) -> None:
    order = wms.get("/wms/orders", params={"status": "fulfilled", "limit": 1}).json()["data"][0]
    sku = order["line_items"][0]["sku"]
    created = wms.post("/wms/returns", json={"order_id": order["id"], "line_items": [{"sku": sku, "quantity": 1}]})
    assert created.status_code == 200, created.text
    ret = created.json()["data"]
    assert ret["order_id"] == order["id"] and ret["status"] == "open" and ret["line_items"][0]["expected_quantity"] == 1
    assert wms.get(f"/wms/returns/{ret['id']}").json()["data"] == ret
    assert wms.post("/wms/returns", json={"order_id": "ord_99999999"}).status_code == 422


@pytest.mark.parametrize("resource", ["inventory", "products", "orders", "inbound-shipments", "returns", "warehouses"])
def test_trackstar_tags_replace_the_list(wms: httpx.Client, resource: str) -> None:
    path = "/wms/warehouses" if resource == "warehouses" else f"/wms/{resource}"
    item_id = wms.get(path, params={"limit": 1}).json()["data"][0]["id"]
    tags = ["vip", {"region": "west"}]
    reply = wms.put(f"{path}/{item_id}/trackstar-tags", json={"trackstar_tags": tags})
    assert reply.status_code == 200 and reply.json()["data"]["trackstar_tags"] == tags
    assert wms.get(f"{path}/{item_id}").json()["data"]["trackstar_tags"] == tags
    assert wms.put(f"{path}/{item_id}/trackstar-tags", json={"trackstar_tags": ["only"]}).json()["data"][
        "trackstar_tags"
    ] == ["only"]
    assert (
        wms.put(f"{path}/{item_id}/trackstar-tags", json={"trackstar_tags": [{"a": "b", "c": "d"}]}).status_code == 422
    )
    assert wms.put(f"{path}/{item_id}/trackstar-tags", json={}).status_code == 422
    assert wms.put(f"{path}/nope_1/trackstar-tags", json={"trackstar_tags": []}).status_code == 404


# -- idempotency ------------------------------------------------------------------------------------------
def test_idempotent_replay_applies_once(wms: httpx.Client) -> None:
    item, wid = _stocked(wms)
    body = {"quantity": 5, "adjustment_type": "increase", "warehouse_id": wid}
    headers = {"Idempotency-Key": "adj-1"}
    first = wms.put(f"/wms/inventory/{item['id']}/adjust", json=body, headers=headers)
    second = wms.put(f"/wms/inventory/{item['id']}/adjust", json=body, headers=headers)
    assert first.status_code == second.status_code == 200
    assert "idempotent-replayed" not in first.headers and second.headers["idempotent-replayed"] == "true"
    assert second.json() == first.json()
    assert wms.get(f"/wms/inventory/{item['id']}").json()["data"]["onhand"] == item["onhand"] + 5
    other = wms.put(f"/wms/inventory/{item['id']}/adjust", json={**body, "quantity": 6}, headers=headers)
    assert other.status_code == 400 and other.json()["error"]
    created = [
        wms.post("/wms/products", json={"sku": "IDEM-1", "name": "x"}, headers={"Idempotency-Key": "p"})
        for _ in range(3)
    ]
    assert len({c.json()["id"] for c in created}) == 1
    assert wms.get("/wms/products", params={"sku": "IDEM-1"}).json()["total_count"] == 1


def test_failed_first_attempt_releases_the_key(wms: httpx.Client) -> None:
    headers = {"Idempotency-Key": "retry-me"}
    assert wms.post("/wms/products", json={"name": "no sku"}, headers=headers).status_code == 422
    assert wms.post("/wms/products", json={"name": "no sku"}, headers=headers).status_code == 422
    fixed = wms.post("/wms/products", json={"name": "fixed", "sku": "FIXED-1"}, headers=headers)
    assert fixed.status_code == 200


def test_idempotency_keys_are_per_connection(emu: Emulator, api: httpx.Client, wms: httpx.Client) -> None:
    body = {"sku": "PER-CONN", "name": "x"}
    assert wms.post("/wms/products", json=body, headers={"Idempotency-Key": "k"}).status_code == 200
    with client_for(emu, connect(api, emu)["access_token"]) as other:
        reply = other.post("/wms/products", json=body, headers={"Idempotency-Key": "k"})
        assert reply.status_code == 200 and "idempotent-replayed" not in reply.headers


def test_random_write_sequences_keep_every_invariant(wms: httpx.Client) -> None:
    rng = random.Random(5)
    touched: set[str] = set()
    open_orders: list[str] = []
    inventory = wms.get("/wms/inventory", params={"limit": 60}).json()["data"]
    locations = {w: wms.get(f"/wms/warehouses/{w}/locations").json()["data"] for w in ("wh_00000001", "wh_00000002")}
    for step in range(60):
        item = rng.choice(inventory)
        touched.add(item["id"])
        action = rng.choice(["adjust", "order", "ship", "cancel", "inbound"])
        if action == "adjust":
            wid = rng.choice(list(locations))
            body = {
                "quantity": rng.randint(1, 30),
                "adjustment_type": rng.choice(["increase", "decrease"]),
                "warehouse_id": wid,
                "location_id": rng.choice(locations[wid])["id"],
            }
            assert wms.put(f"/wms/inventory/{item['id']}/adjust", json=body).status_code in (200, 422)
        elif action == "order":
            reply = _new_order(wms, "prod_" + item["id"][4:], rng.randint(1, 5))
            open_orders.append(reply.json()["id"])
        elif action in ("ship", "cancel") and open_orders:
            order_id = open_orders.pop(rng.randrange(len(open_orders)))
            if action == "ship":
                assert wms.post(f"/wms/orders/{order_id}/shipments", json=SHIPMENT).status_code == 200
            else:
                assert wms.put(f"/wms/orders/{order_id}/cancel").status_code == 200
        elif action == "inbound":
            wid = rng.choice(list(locations))
            inbound = wms.post(
                "/wms/inbound-shipments",
                json={
                    "supplier": "Harbor Ceramics",
                    "purchase_order_number": f"PO-R{step}",
                    "warehouse_id": wid,
                    "expected_arrival_date": "2025-10-10T00:00:00Z",
                    "tracking_number": "T",
                    "line_items": [{"sku": item["sku"], "expected_quantity": 12}],
                },
            ).json()["data"]
            receive = {
                "warehouse_location_id": rng.choice(locations[wid])["id"],
                "line_items": [{"sku": item["sku"], "quantity": rng.randint(1, 12)}],
            }
            assert wms.put(f"/wms/inbound-shipments/{inbound['id']}/receive", json=receive).status_code == 200
        for item_id in touched:
            _check_invariants(wms.get(f"/wms/inventory/{item_id}").json()["data"])
