"""An integration's write body, once valid for its variant, in the one shape the emulator's handlers apply.

The variants differ in names and nesting (ShipHero's order lines name a SKU where the sandbox names a
product id; ShipBob's inbound lines sit in boxes and its return lines name inventory items; ShipBob orders
carry reference_id instead of order_number; ShipHero and Extensiv ship without lines or dates). This maps
them onto the unified fields, the way Trackstar maps them onto each WMS's API.
"""

from __future__ import annotations

from typing import Any

from .core import Json, Request, now_iso, validation_error
from .dataset import Collection

__all__ = ["normalize"]


def _by(coll: Collection, key: str, value: Any) -> Json | None:
    return next((coll.at(i) for i in coll.scan() if coll.value(i, key) == value), None)


def _order_lines(req: Request, lines: list[Json]) -> list[Json]:
    products = req.connection().data["products"]
    out = []
    for n, line in enumerate(lines):
        if "product_id" in line or "sku" not in line:
            out.append(line)
            continue
        product = _by(products, "sku", line["sku"])
        if product is None:
            raise validation_error("json", {f"line_items.{n}.sku": [f"Unknown SKU {line['sku']}."]})
        out.append({**line, "product_id": product["id"]})
    return out


def _sku_lines(req: Request, lines: list[Json], where: str) -> list[Json]:
    """Lines that name an inventory item instead of a SKU get its SKU."""
    inventory = req.connection().data["inventory"]
    out = []
    for n, line in enumerate(lines):
        if "sku" in line or "inventory_item_id" not in line:
            out.append(line)
            continue
        item = inventory.get(line["inventory_item_id"])
        if item is None:
            raise validation_error(
                "json", {f"{where}.{n}.inventory_item_id": [f"Unknown item {line['inventory_item_id']}."]}
            )
        out.append({**line, "sku": item["sku"]})
    return out


_COUNTS = ("quantity", "expected_quantity", "unit_quantity")


def _positive(value: Any, path: str, problems: dict[str, list[str]]) -> None:
    """Quantities the spec types as integers must also be positive (a WMS refuses 0 or fewer units)."""
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else key
            if key in _COUNTS and isinstance(item, int) and item <= 0:
                problems[where] = ["Must be a positive integer."]
            _positive(item, where, problems)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _positive(item, f"{path}.{i}", problems)


def normalize(req: Request, action: str, body: Json) -> Json:
    problems: dict[str, list[str]] = {}
    _positive(body, "", problems)
    if problems:
        raise validation_error("json", problems)
    out = dict(body)
    if action in ("create_order", "update_order"):
        if "line_items" in out:
            out["line_items"] = _order_lines(req, out["line_items"])
        if action == "create_order" and "order_number" not in out:
            out["order_number"] = out["reference_id"]
    elif action in ("create_inbound_shipment", "update_inbound_shipment"):
        _inbound(req, action, out)
    elif action in ("create_return", "update_return") and "line_items" in out:
        out["line_items"] = _sku_lines(req, out["line_items"], "line_items")
    elif action == "ship_order":
        _shipment(req, out)
    return out


def _inbound(req: Request, action: str, out: Json) -> None:
    if "boxes" in out:  # ShipBob: lines packed in boxes, each with its own tracking number
        boxes = out.pop("boxes")
        out["line_items"] = [line for box in boxes for line in box["line_items"]]
        out.setdefault("tracking_number", boxes[0]["tracking_number"] if boxes else None)
    if "line_items" in out:
        out["line_items"] = _sku_lines(req, out["line_items"], "line_items")
    supplier = out.get("supplier_object") or {}
    if "supplier" not in out and "supplier_name" in supplier:
        out["supplier"] = supplier["supplier_name"]
    if action == "create_inbound_shipment" and "purchase_order_number" not in out:
        out["purchase_order_number"] = out.get("reference_number") or f"PO-{now_iso()[:10]}"


def _shipment(req: Request, out: Json) -> None:
    order = req.connection().data["orders"].get(req.params.get("order_id", ""))
    out.setdefault("shipped_date", now_iso())
    out.setdefault("shipping_cost", 0.0)
    out.setdefault("measurements", {})
    if order is not None:
        out.setdefault("warehouse_id", order["warehouse_id"])
        out.setdefault("tracking_number", f"TRK{order['id'][4:]}{len(order['shipments']) + 1}")
