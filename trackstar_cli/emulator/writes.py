"""WMS writes for products, inventory, inbound shipments, returns and trackstar tags (orders: orders.py).

Every write answers {"data": <resource after the write>, "id", "unused_fields"} and changes later reads.
Bodies follow the connection's integration's variant (variants.py, the table the CLI uses too): no
nulls/empties anywhere, required fields and enums enforced, unknown fields refused (422). `normalize.py` then
turns an integration's shape (ShipHero's SKU lines, ShipBob's boxes, …) into the one the handlers apply.
"""

from __future__ import annotations

from typing import Any

from ..spec import RESOURCES, TAGGABLE
from . import stock, variants
from .core import ApiError, Json, Reply, Request, now_iso, validation_error
from .data import STOCK_KEYS
from .dataset import Collection
from .normalize import normalize
from .routes import Route, write_route
from .validate import F, reject_nulls, validate_body
from .wms import find

__all__ = ["by_sku", "checked_body", "routes", "written"]


def checked_body(req: Request, action: str) -> tuple[Json, list[str]]:
    """The body validated against the integration's variant and normalised for the handlers."""
    if req.body and not req.body.strip():
        raise validation_error("json", {"_schema": ["Request body is only whitespace; send JSON or nothing."]})
    body = req.json_object()
    reject = reject_nulls(body)
    if reject:
        raise validation_error("json", reject)
    conn = req.connection()
    schema = variants.variant(action, conn.integration_name)
    if schema is not None:
        found = variants.problems(schema, body)
        if found:
            raise validation_error("json", found)
    elif variants.has_table(action):  # the route's gate answers 501 first; this is a second line
        raise ApiError.plain(501, f"Endpoint {action} is not implemented for {conn.display_name}")
    return normalize(req, action, body), []


def written(item: Json, unused: list[str]) -> Reply:
    return Reply(body={"data": item, "id": item["id"], "unused_fields": unused})


def by_sku(coll: Collection, sku: str) -> Json | None:
    return next((coll.at(i) for i in coll.scan() if coll.value(i, "sku") == sku), None)


def _known(req: Request, resource: str, item_id: str, field: str) -> Json:
    """A referenced record that must exist; a dangling reference is a 422 on the body field."""
    item = req.connection().data[resource].get(item_id)
    if item is None:
        raise validation_error("json", {field: [f"Unknown {resource} id {item_id}."]})
    return item


def _skus(req: Request, lines: list[Json]) -> list[Json]:
    coll = req.connection().data["inventory"]
    items = []
    for n, line in enumerate(lines):
        item = by_sku(coll, line["sku"])
        if item is None:
            raise validation_error("json", {f"line_items.{n}.sku": [f"Unknown SKU {line['sku']}."]})
        items.append(item)
    return items


def create_product(req: Request) -> Reply:
    body, unused = checked_body(req, "create_product")
    data = req.connection().data
    products, inventory = data["products"], data["inventory"]
    if by_sku(products, body["sku"]) is not None:
        raise validation_error("json", {"sku": [f"A product with SKU {body['sku']} already exists."]})
    now, customer = now_iso(), data.gen.customer(len(products))
    item = inventory.add(_blank_item(inventory.new_id(), body, customer, now))
    product_id = products.new_id()
    product = {
        "id": product_id,
        "warehouse_customer_id": customer,
        "created_date": now,
        "updated_date": now,
        "name": body["name"],
        "sku": body["sku"],
        "gtin": body.get("gtin"),
        "unit_price": None,
        "inventory_items": [{"inventory_item_id": item["id"], "sku": body["sku"], "unit_quantity": 1}],
        "is_kit": False,
        "active": True,
        "supplier": None,
        "supplier_object": {},
        "country_of_origin": None,
        "harmonized_code": None,
        "supplier_products": [],
        "external_system_url": data.gen.url("products", product_id),
        "trackstar_tags": body.get("trackstar_tags", []),
        "additional_fields": {},
    }
    return written(products.add(product), unused)


def _blank_item(item_id: str, body: Json, customer: str, now: str) -> Json:
    zeros = dict.fromkeys(STOCK_KEYS, 0)
    return {
        "id": item_id,
        "warehouse_customer_id": customer,
        "created_date": now,
        "updated_date": now,
        "name": body["name"],
        "sku": body["sku"],
        "unit_cost": None,
        "active": True,
        **zeros,
        "substitute_skus": [],
        "inventory_by_warehouse_id": {},
        "lots": [],
        "measurements": {
            "length": None,
            "width": None,
            "height": None,
            "unit": None,
            "weight": None,
            "weight_unit": None,
            **body.get("measurements", {}),
        },
        "locations": [],
        "external_system_url": None,
        "trackstar_tags": [],
        "additional_fields": {},
    }


def update_product(req: Request) -> Reply:
    body, unused = checked_body(req, "update_product")
    product = find(req, "products", req.params["product_id"])
    products = req.connection().data["products"]
    if "sku" in body and body["sku"] != product["sku"] and by_sku(products, body["sku"]) is not None:
        raise validation_error("json", {"sku": [f"A product with SKU {body['sku']} already exists."]})
    for key in ("name", "sku", "gtin", "trackstar_tags"):
        if key in body:
            product[key] = body[key]
    if not product["is_kit"]:  # a plain product and its inventory item are one SKU in the WMS
        item = find(req, "inventory", product["inventory_items"][0]["inventory_item_id"])
        item.update({k: body[k] for k in ("name", "sku") if k in body})
        item["measurements"].update(body.get("measurements", {}))
        product["inventory_items"][0]["sku"] = product["sku"]
        item["updated_date"] = now_iso()
    product["updated_date"] = now_iso()
    return written(product, unused)


def adjust_inventory(req: Request) -> Reply:
    body, unused = checked_body(req, "adjust_inventory")
    data = req.connection().data
    item = find(req, "inventory", req.params["inventory_id"])
    warehouse = _known(req, "warehouses", body["warehouse_id"], "warehouse_id")["id"]
    location = body.get("location_id")
    if (
        location is not None
        and _known(req, "warehouse-locations", location, "location_id")["warehouse_id"] != warehouse
    ):
        raise validation_error("json", {"location_id": [f"Location {location} is not in {warehouse}."]})
    delta = body["quantity"] if body["adjustment_type"] == "increase" else -body["quantity"]
    stock.adjust(data, item, warehouse, delta, location)
    stock.ledger_entry(
        data,
        item,
        delta,
        "adjustment",
        f"adjust_{body['adjustment_type']}",
        None,
        warehouse,
        location,
        "API adjustment",
    )
    return written(item, unused)


def create_inbound(req: Request) -> Reply:
    body, unused = checked_body(req, "create_inbound_shipment")
    data = req.connection().data
    warehouse = _known(req, "warehouses", body["warehouse_id"], "warehouse_id")["id"]
    items = _skus(req, body["line_items"])
    coll, now = data["inbound-shipments"], now_iso()
    supplier = next(
        (
            s
            for s in map(data["inbound-shipment-suppliers"].at, data["inbound-shipment-suppliers"].scan())
            if s["name"] == body.get("supplier")
        ),
        None,
    )
    inbound_id = coll.new_id()
    inbound = {
        "id": inbound_id,
        "warehouse_customer_id": items[0]["warehouse_customer_id"],
        "created_date": now,
        "updated_date": now,
        "purchase_order_number": body["purchase_order_number"],
        "status": "open",
        "raw_status": "Open",
        "supplier": body.get("supplier"),
        "supplier_object": {"supplier_id": supplier["id"], "supplier_name": supplier["name"]} if supplier else {},
        "expected_arrival_date": body.get("expected_arrival_date"),
        "warehouse_id": warehouse,
        "line_items": [
            {
                "inventory_item_id": item["id"],
                "sku": item["sku"],
                "expected_quantity": line["expected_quantity"],
                "received_quantity": 0,
                "unit_cost": item["unit_cost"],
                "external_id": None,
            }
            for item, line in zip(items, body["line_items"], strict=True)
        ],
        "receipts": [],
        "ship_from_address": dict.fromkeys(
            ("address1", "address2", "address3", "city", "state", "postal_code", "country")
        ),
        "tracking_numbers": [body["tracking_number"]] if body.get("tracking_number") else [],
        "notes": [],
        "external_system_url": data.gen.url("inbound-shipments", inbound_id),
        "trackstar_tags": body.get("trackstar_tags", []),
        "additional_fields": {},
    }
    for item, line in zip(items, body["line_items"], strict=True):
        stock.expect(item, warehouse, line["expected_quantity"])
    return written(coll.add(inbound), unused)


def receive_inbound(req: Request) -> Reply:
    body, unused = checked_body(req, "receive_inbound_shipment")
    data = req.connection().data
    inbound = find(req, "inbound-shipments", req.params["inbound_shipment_id"])
    if inbound["status"] in ("received", "cancelled"):
        raise validation_error("json", {"_schema": [f"Inbound shipment is {inbound['status']}."]})
    warehouse = body.get("warehouse_id", inbound["warehouse_id"])
    if "line_items" not in body:  # Extensiv's variant takes no body: the whole shipment arrives
        body["line_items"] = [
            {"sku": li["sku"], "quantity": li["expected_quantity"] - li["received_quantity"]}
            for li in inbound["line_items"]
            if li["expected_quantity"] > li["received_quantity"]
        ]
    if "warehouse_location_id" not in body:
        locations = data["warehouse-locations"]
        first = next(
            (locations.at(i) for i in locations.scan() if locations.value(i, "warehouse_id") == warehouse), None
        )
        if first is None:
            raise validation_error("json", {"warehouse_location_id": [f"{warehouse} has no locations."]})
        body["warehouse_location_id"] = first["id"]
    location = _known(req, "warehouse-locations", body["warehouse_location_id"], "warehouse_location_id")
    if location["warehouse_id"] != warehouse:
        raise validation_error("json", {"warehouse_location_id": [f"Location is not in {warehouse}."]})
    lines = {line["sku"]: line for line in inbound["line_items"]}
    for n, got in enumerate(body["line_items"]):
        if got["sku"] not in lines:
            raise validation_error("json", {f"line_items.{n}.sku": [f"SKU {got['sku']} is not on this shipment."]})
    receipt_lines = []
    for got in body["line_items"]:
        line = lines[got["sku"]]
        line["received_quantity"] += got["quantity"]
        item = find(req, "inventory", line["inventory_item_id"])
        stock.receive(data, item, warehouse, got["quantity"], location["id"])
        stock.ledger_entry(
            data,
            item,
            got["quantity"],
            "inbound_receipt",
            "receipt_into_system",
            ("inbound_shipment", inbound["id"]),
            warehouse,
            location["id"],
        )
        receipt_lines.append({"inventory_item_id": item["id"], "sku": item["sku"], "quantity": got["quantity"]})
    now = now_iso()
    inbound["receipts"].append(
        {
            "id": f"rcpt_{inbound['id'][4:]}_{len(inbound['receipts']) + 1}",
            "arrived_date": now,
            "line_items": receipt_lines,
        }
    )
    done = all(line["received_quantity"] >= line["expected_quantity"] for line in inbound["line_items"])
    inbound["status"], inbound["raw_status"] = ("received", "Received") if done else ("receiving", "Receiving")
    inbound["updated_date"] = now
    return written(inbound, unused)


def create_return(req: Request) -> Reply:
    body, unused = checked_body(req, "create_return")
    data = req.connection().data
    order = _known(req, "orders", body["order_id"], "order_id") if "order_id" in body else None
    warehouse = body.get("warehouse_id") or (order["warehouse_id"] if order else None)
    if "warehouse_id" in body:
        _known(req, "warehouses", body["warehouse_id"], "warehouse_id")
    lines = body.get("line_items", [])
    items = _skus(req, lines)
    coll, now = data["returns"], now_iso()
    customer = order["warehouse_customer_id"] if order else (items[0]["warehouse_customer_id"] if items else None)
    ret = {
        "id": coll.new_id(),
        "warehouse_customer_id": customer,
        "created_date": now,
        "updated_date": now,
        "status": "open",
        "raw_status": "Open",
        "order_id": order["id"] if order else None,
        "notes": [],
        "line_items": [
            {
                "inventory_item_id": item["id"],
                "sku": item["sku"],
                "expected_quantity": line["quantity"],
                "received_quantity": 0,
                "restocked_quantity": 0,
                "return_reason": None,
                "quantity": line["quantity"],
                "warehouse_id": warehouse,
                "returned_date": None,
            }
            for item, line in zip(items, lines, strict=True)
        ],
        "shipments": [],
        "external_system_url": None,
        "trackstar_tags": body.get("trackstar_tags", []),
        "additional_fields": {},
    }
    return written(coll.add(ret), unused)


def _tagger(resource: str, id_param: str) -> Any:
    def handler(req: Request) -> Reply:
        body = req.json_object()
        unused = validate_body(body, {"trackstar_tags": F("tags", True)})
        item = find(req, resource, req.params[id_param])
        item["trackstar_tags"] = body["trackstar_tags"]  # replaces the list; tags live only in Trackstar
        return written(item, unused)

    return handler


def routes() -> list[Route]:
    out = [
        write_route("create_product", create_product),
        write_route("update_product", update_product),
        write_route("adjust_inventory", adjust_inventory),
        write_route("create_inbound_shipment", create_inbound),
        write_route("receive_inbound_shipment", receive_inbound),
        write_route("create_return", create_return),
    ]
    for resource in TAGGABLE:
        id_param = RESOURCES[resource].id_param
        out.append(write_route(f"set_tags_{resource.replace('-', '_')}", _tagger(resource, id_param)))
    return out
