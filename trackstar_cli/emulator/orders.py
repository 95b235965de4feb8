"""Order writes: create, update, cancel and ship, with their effect on inventory.

Creating an order reserves stock (fulfillable → committed) in the order's warehouse, cancelling releases
it, and a shipment consumes it (onhand and committed go down, a ledger entry is written).
"""

from __future__ import annotations

from . import stock
from .core import Json, Reply, Request, now_iso, validation_error
from .routes import Route, write_route
from .sales import order_shipment
from .wms import find
from .writes import checked_body, written

__all__ = ["routes", "ship"]

_RAW = {
    "open": "Awaiting",
    "cancelled": "Cancelled",
    "fulfilled": "Completed",
    "partially_fulfilled": "PartiallyShipped",
}
_FINAL = ("cancelled", "fulfilled")
_ADDRESS_KEYS = (
    "full_name",
    "company",
    "address1",
    "address2",
    "address3",
    "city",
    "state",
    "postal_code",
    "country",
    "phone_number",
    "email_address",
)


def _lines(req: Request, lines: list[Json]) -> list[Json]:
    """Order lines in the response shape; every product must exist in the connection."""
    out = []
    for n, line in enumerate(lines):
        product = req.connection().data["products"].get(line["product_id"])
        if product is None:
            raise validation_error("json", {f"line_items.{n}.product_id": [f"Unknown product {line['product_id']}."]})
        out.append(
            {
                "product_id": product["id"],
                "sku": product["sku"],
                "quantity": line["quantity"],
                "unit_price": line.get("unit_price", product["unit_price"]),
                "is_picked": False,
                "discount_amount": line.get("discount_amount", 0.0),
            }
        )
    return out


def _inventory_lines(req: Request, lines: list[Json]) -> list[tuple[Json, int, str | None]]:
    """(inventory item, quantity, parent kit id) for order lines; kits expand into their components."""
    out = []
    for line in lines:
        product = find(req, "products", line["product_id"])
        parent = product["id"] if product["is_kit"] else None
        for part in product["inventory_items"]:
            out.append(
                (find(req, "inventory", part["inventory_item_id"]), line["quantity"] * part["unit_quantity"], parent)
            )
    return out


def _reserve(req: Request, order: Json, sign: int) -> None:
    for item, qty, _ in _inventory_lines(req, order["line_items"]):
        (stock.commit if sign > 0 else stock.release)(item, order["warehouse_id"], qty)


def _shipping_method(req: Request, order: Json, method_id: str | None) -> None:
    method = req.connection().data["shipping-methods"].get(method_id or "")
    order.update(
        {
            "shipping_method_id": method_id,
            "shipping_method_name": method["name"] if method else None,
            "carrier_id": method["carrier_id"] if method else None,
            "carrier_name": method["carrier_name"] if method else None,
            "scac": method["scac"] if method else None,
        }
    )


def _apply(req: Request, order: Json, body: Json) -> None:
    simple = (
        "reference_id",
        "order_number",
        "channel",
        "trading_partner",
        "shipping_method",
        "service_level",
        "invoice_currency_code",
        "total_price",
        "total_tax",
        "total_discount",
        "total_shipping",
        "warehouse_customer_id",
        "trackstar_tags",
    )
    order.update({k: body[k] for k in simple if k in body})
    if "channel_object" in body:
        order["channel_object"] = {
            "channel_id": body["channel_object"].get("channel_id", ""),
            "channel_name": body["channel_object"].get("channel_name"),
        }
    if "ship_to_address" in body:
        order["ship_to_address"].update(body["ship_to_address"])
    if "shipping_method_id" in body:
        _shipping_method(req, order, body["shipping_method_id"])


def create_order(req: Request) -> Reply:
    body, unused = checked_body(req, "create_order")
    data = req.connection().data
    lines = _lines(req, body["line_items"])
    # warehouse_id is an integration-specific field (ShipBob); elsewhere it is unused and orders go to the first.
    warehouse = body["warehouse_id"] if "warehouse_id" in body and "warehouse_id" not in unused else "wh_00000001"
    if data["warehouses"].get(warehouse) is None:
        raise validation_error("json", {"warehouse_id": [f"Unknown warehouse {warehouse}."]})
    first = find(req, "products", lines[0]["product_id"])
    coll, now = data["orders"], now_iso()
    order: Json = {
        "id": coll.new_id(),
        "warehouse_customer_id": first["warehouse_customer_id"],
        "warehouse_id": warehouse,
        "created_date": now,
        "updated_date": now,
        "reference_id": body.get("reference_id", body["order_number"]),
        "order_number": body["order_number"],
        "status": "open",
        "raw_status": _RAW["open"],
        "channel": None,
        "channel_object": {},
        "type": "d2c",
        "trading_partner": None,
        "shipping_method": None,
        "service_level": None,
        "invoice_currency_code": "USD",
        "total_price": None,
        "total_tax": None,
        "total_discount": None,
        "total_shipping": None,
        "is_third_party_freight": False,
        "third_party_freight_account_number": None,
        "first_party_freight_account_number": None,
        "ship_to_address": dict.fromkeys(_ADDRESS_KEYS),
        "line_items": lines,
        "tags": [],
        "required_ship_date": None,
        "saturday_delivery": False,
        "signature_required": False,
        "international_duty_paid_by": None,
        "shipments": [],
        "external_system_url": None,
        "trackstar_tags": [],
        "additional_fields": {},
    }
    _shipping_method(req, order, None)
    _apply(req, order, body)
    if order["total_price"] is None:
        order["total_price"] = round(sum(li["quantity"] * (li["unit_price"] or 0) for li in lines), 2)
    _reserve(req, order, +1)
    return written(coll.add(order), unused)


def _editable(order: Json, verb: str) -> None:
    if order["status"] in _FINAL:
        raise validation_error("json", {"_schema": [f"Order {order['id']} is {order['status']} and cannot be {verb}."]})


def update_order(req: Request) -> Reply:
    body, unused = checked_body(req, "update_order")
    order = find(req, "orders", req.params["order_id"])
    _editable(order, "updated")
    if "line_items" in body:
        lines = _lines(req, body["line_items"])
        _reserve(req, order, -1)
        order["line_items"] = lines
        _reserve(req, order, +1)
    _apply(req, order, body)
    if "status" in body:
        order["status"], order["raw_status"] = body["status"], _RAW.get(body["status"], body["status"].title())
    order["updated_date"] = now_iso()
    return written(order, unused)


def cancel_order(req: Request) -> Reply:
    body, unused = checked_body(req, "cancel_order")
    order = find(req, "orders", req.params["order_id"])
    _editable(order, "cancelled")
    if order["status"] == "partially_fulfilled":
        raise validation_error("json", {"_schema": [f"Order {order['id']} has shipped in part."]})
    _reserve(req, order, -1)
    order["status"], order["raw_status"], order["updated_date"] = "cancelled", _RAW["cancelled"], now_iso()
    return written(order, unused)


def _to_ship(req: Request, order: Json, wanted: list[Json] | None) -> list[tuple[Json, int, str | None]]:
    """What this shipment carries: the requested SKUs, or everything not shipped yet."""
    owed: dict[str, int] = {}
    plan = _inventory_lines(req, order["line_items"])
    for item, qty, _ in plan:
        owed[item["sku"]] = owed.get(item["sku"], 0) + qty
    for shipment in order["shipments"]:
        for line in shipment["line_items"]:
            owed[line["sku"]] = owed.get(line["sku"], 0) - line["quantity"]
    if wanted is None:
        return [(item, max(0, owed[item["sku"]]), parent) for item, _, parent in plan if owed[item["sku"]] > 0]
    by_sku = {item["sku"]: (item, parent) for item, _, parent in plan}
    out = []
    for n, line in enumerate(wanted):
        if line["sku"] not in by_sku:
            raise validation_error("json", {f"line_items.{n}.sku": [f"SKU {line['sku']} is not on this order."]})
        item, parent = by_sku[line["sku"]]
        out.append((item, line["quantity"], parent))
    return out


def ship_order(req: Request) -> Reply:
    body, unused = checked_body(req, "ship_order")
    order = find(req, "orders", req.params["order_id"])
    return written(ship(req, order, body), unused)


def ship(req: Request, order: Json, body: Json) -> Json:
    """Record a shipment (the body normalised: shipped_date, tracking_number, warehouse_id, …); → the order."""
    data = req.connection().data
    _editable(order, "shipped")
    if data["warehouses"].get(body["warehouse_id"]) is None:
        raise validation_error("json", {"warehouse_id": [f"Unknown warehouse {body['warehouse_id']}."]})
    plan = _to_ship(req, order, body.get("line_items"))
    if not plan:
        raise validation_error("json", {"line_items": ["Nothing left to ship on this order."]})
    lines = []
    for item, qty, parent in plan:
        shipped = stock.ship(data, item, order["warehouse_id"], qty)
        stock.ledger_entry(
            data, item, -shipped, "order_shipment", "ship", ("order", order["id"]), order["warehouse_id"]
        )
        lines.append(
            {"inventory_item_id": item["id"], "sku": item["sku"], "quantity": qty, "parent_product_id": parent}
        )
    number = len(order["shipments"]) + 1
    packages = [(p["package_id"], p["tracking_number"]) for p in body.get("packages", [])]
    shipment = order_shipment(
        order,
        f"shp_{order['id'][4:]}_{number}",
        lines,
        body["shipped_date"],
        packages or [(f"pkg_{order['id'][4:]}_{number}", body["tracking_number"])],
        body["shipping_cost"],
        {**dict.fromkeys(_MEASURE_KEYS), **body["measurements"]},
    )
    order["shipments"].append(shipment)
    left = _to_ship(req, order, None)
    order["status"] = "partially_fulfilled" if left else "fulfilled"
    order["raw_status"], order["updated_date"] = _RAW[order["status"]], now_iso()
    return order


_MEASURE_KEYS = ("length", "width", "height", "unit", "weight", "weight_unit")


def routes() -> list[Route]:
    return [
        write_route("create_order", create_order),
        write_route("update_order", update_order),
        write_route("cancel_order", cancel_order),
        write_route("ship_order", ship_order),
    ]
