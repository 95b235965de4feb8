"""The writes added with per-integration variants: kits, inbound-shipment and return updates, return cancel,
and attaching a file to an order (multipart/form-data).

Kits are products (`is_kit: true`) whose `inventory_items` are the components; reading them is `GET
/wms/products`. Bodies are checked by writes.checked_body (the integration's variant, then normalised).
"""

from __future__ import annotations

from email.parser import BytesParser
from email.policy import default as default_policy

from .core import ApiError, Json, Reply, Request, now_iso, validation_error
from .routes import Route, write_route
from .wms import find
from .writes import by_sku, checked_body, written

__all__ = ["routes"]

_RETURN_STATUSES_FINAL = ("received", "cancelled")


def _components(req: Request, body: Json) -> list[Json]:
    inventory = req.connection().data["inventory"]
    out = []
    for n, part in enumerate(body.get("inventory_items", [])):
        item = by_sku(inventory, part["sku"])
        if item is None:
            raise validation_error("json", {f"inventory_items.{n}.sku": [f"Unknown SKU {part['sku']}."]})
        out.append({"inventory_item_id": item["id"], "sku": item["sku"], "unit_quantity": part["unit_quantity"]})
    return out


def create_kit(req: Request) -> Reply:
    body, unused = checked_body(req, "create_kit")
    data = req.connection().data
    products = data["products"]
    if by_sku(products, body["sku"]) is not None:
        raise validation_error("json", {"sku": [f"A product with SKU {body['sku']} already exists."]})
    parts = _components(req, body)
    now, kit_id = now_iso(), products.new_id()
    kit = {
        "id": kit_id,
        "warehouse_customer_id": body.get("warehouse_customer_id") or data.gen.customer(len(products)),
        "created_date": now,
        "updated_date": now,
        "name": body["name"],
        "sku": body["sku"],
        "gtin": body.get("gtin"),
        "unit_price": None,
        "inventory_items": parts,
        "is_kit": True,
        "active": True,
        "supplier": None,
        "supplier_object": {},
        "country_of_origin": None,
        "harmonized_code": None,
        "supplier_products": [],
        "external_system_url": data.gen.url("products", kit_id),
        "trackstar_tags": body.get("trackstar_tags", []),
        "additional_fields": {},
    }
    return written(products.add(kit), unused)


def update_kit(req: Request) -> Reply:
    body, unused = checked_body(req, "update_kit")
    kit = find(req, "products", req.params["kit_id"])
    if not kit["is_kit"]:
        raise validation_error("json", {"_schema": [f"Product {kit['id']} is not a kit."]})
    products = req.connection().data["products"]
    if "sku" in body and body["sku"] != kit["sku"] and by_sku(products, body["sku"]) is not None:
        raise validation_error("json", {"sku": [f"A product with SKU {body['sku']} already exists."]})
    if "inventory_items" in body:
        kit["inventory_items"] = _components(req, body)
    kit.update({k: body[k] for k in ("name", "sku", "gtin", "trackstar_tags") if k in body})
    kit["updated_date"] = now_iso()
    return written(kit, unused)


def update_inbound(req: Request) -> Reply:
    body, unused = checked_body(req, "update_inbound_shipment")
    inbound = find(req, "inbound-shipments", req.params["inbound_shipment_id"])
    if inbound["status"] in ("received", "cancelled") and body.get("status") != inbound["status"]:
        raise validation_error("json", {"_schema": [f"Inbound shipment is {inbound['status']}."]})
    if "line_items" in body:
        received = {li["sku"]: li["received_quantity"] for li in inbound["line_items"]}
        by_item = {li["sku"]: li for li in inbound["line_items"]}
        inventory = req.connection().data["inventory"]
        lines = []
        for n, line in enumerate(body["line_items"]):
            item = by_sku(inventory, line["sku"])
            if item is None:
                raise validation_error("json", {f"line_items.{n}.sku": [f"Unknown SKU {line['sku']}."]})
            old = by_item.get(line["sku"], {})
            lines.append(
                {
                    "inventory_item_id": item["id"],
                    "sku": item["sku"],
                    "expected_quantity": line["expected_quantity"],
                    "received_quantity": received.get(line["sku"], 0),
                    "unit_cost": old.get("unit_cost", item["unit_cost"]),
                    "external_id": line.get("external_id", old.get("external_id")),
                }
            )
        inbound["line_items"] = lines
    for key in ("purchase_order_number", "expected_arrival_date", "supplier", "warehouse_id", "trackstar_tags"):
        if key in body:
            inbound[key] = body[key]
    if "tracking_number" in body:
        inbound["tracking_numbers"] = [body["tracking_number"]]
    if "status" in body:
        inbound["status"], inbound["raw_status"] = body["status"], body["status"].title()
    inbound["updated_date"] = now_iso()
    return written(inbound, unused)


def update_return(req: Request) -> Reply:
    body, unused = checked_body(req, "update_return")
    ret = find(req, "returns", req.params["return_id"])
    if "line_items" in body:
        inventory = req.connection().data["inventory"]
        lines = []
        for n, line in enumerate(body["line_items"]):
            item = by_sku(inventory, line["sku"])
            if item is None:
                raise validation_error("json", {f"line_items.{n}.sku": [f"Unknown SKU {line['sku']}."]})
            lines.append(
                {
                    "inventory_item_id": item["id"],
                    "sku": item["sku"],
                    "expected_quantity": line["quantity"],
                    "received_quantity": 0,
                    "restocked_quantity": 0,
                    "return_reason": None,
                    "quantity": line["quantity"],
                    "warehouse_id": body.get("warehouse_id"),
                    "returned_date": None,
                }
            )
        ret["line_items"] = lines
    for key in ("order_id", "trackstar_tags"):
        if key in body:
            ret[key] = body[key]
    if "status" in body:
        ret["status"], ret["raw_status"] = body["status"], body["status"].title()
    ret["updated_date"] = now_iso()
    return written(ret, unused)


def cancel_return(req: Request) -> Reply:
    checked_body(req, "cancel_return")
    ret = find(req, "returns", req.params["return_id"])
    if ret["status"] in _RETURN_STATUSES_FINAL:
        raise validation_error("json", {"_schema": [f"Return {ret['id']} is {ret['status']} and cannot be cancelled."]})
    ret["status"], ret["raw_status"], ret["updated_date"] = "cancelled", "Cancelled", now_iso()
    return written(ret, [])


def _form(req: Request) -> dict[str, tuple[str | None, bytes]]:
    """name → (file name or None, content) of a multipart/form-data body."""
    ctype = req.header("content-type") or ""
    if not ctype.lower().startswith("multipart/form-data") or "boundary=" not in ctype:
        raise ApiError.plain(415, "Content-Type must be multipart/form-data with a boundary")
    message = BytesParser(policy=default_policy).parsebytes(
        b"Content-Type: " + ctype.encode("latin-1") + b"\r\nMIME-Version: 1.0\r\n\r\n" + req.body
    )
    if not message.is_multipart():
        raise validation_error("form", {"_schema": ["Not a multipart body."]})
    out: dict[str, tuple[str | None, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str):
            payload = part.get_payload(decode=True)
            out[name] = (part.get_filename(), payload if isinstance(payload, bytes) else b"")
    return out


def attach_order_file(req: Request) -> Reply:
    """The spec's AttachFileSchema: `file` (binary) and/or `file_url`, and `file_name`; → data "success"."""
    order = find(req, "orders", req.params["order_id"])
    form = _form(req)
    unknown = [k for k in form if k not in ("file", "file_name", "file_url")]
    if unknown:
        raise validation_error("form", {k: ["Unknown field."] for k in unknown})
    if "file" not in form and "file_url" not in form:
        raise validation_error("form", {"file": ["Give a file or a file_url."]})
    name = form["file_name"][1].decode("utf-8", "replace") if "file_name" in form else form.get("file", ("", b""))[0]
    size = len(form["file"][1]) if "file" in form else 0
    files = order.setdefault("additional_fields", {}).setdefault("files", [])
    files.append({"file_name": name or "file", "bytes": size, "attached_date": now_iso()})
    return Reply(body={"data": "success", "id": order["id"], "unused_fields": []})


def routes() -> list[Route]:
    return [
        write_route("create_kit", create_kit),
        write_route("update_kit", update_kit),
        write_route("update_inbound_shipment", update_inbound),
        write_route("update_return", update_return),
        write_route("cancel_return", cancel_return),
        write_route("attach_order_file", attach_order_file),
    ]
