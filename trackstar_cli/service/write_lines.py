"""--line values as an integration's variant wants them (sku, product_id or inventory_item_id; quantity or
expected_quantity; unit_price or unit_cost; in line_items or in a box), with the SKU look-ups that needs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from trackstar_cli.errors import APIError
from trackstar_cli.models import Connection, Filter
from trackstar_cli.service.query import ListQuery
from trackstar_cli.service.variants import BodyRejectedError, Variant, integration_label
from trackstar_cli.service.wms import iter_items
from trackstar_cli.spec import FIELD_ALIASES, MAX_IN_VALUES, RESOURCES, WriteEndpoint

if TYPE_CHECKING:
    from trackstar_cli.service.core import Services

__all__ = ["LINE_SHAPES", "place_lines"]

# How `lines` (REF, QTY) become line_items: "product" (product_id, looked up by SKU), "sku" ({sku, quantity})
# or "expected" ({sku, expected_quantity}).
LINE_SHAPES = {
    "create_order": "product",
    "update_order": "product",
    "create_inbound_shipment": "expected",
}


def place_lines(
    svc: Services,
    conn: Connection,
    op: WriteEndpoint,
    variant: Variant,
    body: dict[str, Any],
    parsed: list[tuple[str, int, float | None]],
    command: str,
) -> None:
    """--line values as the variant wants them: sku or product_id or inventory_item_id, quantity or
    expected_quantity, unit_price or unit_cost; in `line_items`, or in one box (ShipBob inbound)."""
    if variant.schema is None:
        body["line_items"] = _line_items(svc, conn, LINE_SHAPES.get(op.name, "sku"), parsed)
        return
    who = integration_label(variant.integration)
    where = "line_items" if variant.has("line_items") else "boxes.line_items" if variant.has("boxes") else None
    if where is None or not variant.properties(where):
        raise BodyRejectedError(
            f"{command} on {who}: {who} does not take line items, so --line cannot be used: "
            "leave it out (nothing was sent)"
        )
    props, required = variant.properties(where), variant.required(where)
    qty_key = "quantity" if "quantity" in props else "expected_quantity"
    price_key = next((k for k in FIELD_ALIASES["unit_price"] if k in props), None)
    if price_key is None and any(price is not None for _, _, price in parsed):
        raise BodyRejectedError(
            f"{command} on {who}: {who} takes no price on a line: write --line SKU:QTY (nothing was sent)"
        )
    refs = list(dict.fromkeys(ref for ref, _, _ in parsed))
    by_product = (
        _by_sku(svc, conn, "products", refs)
        if "product_id" in props and ("product_id" in required or "sku" not in props)
        else None
    )
    by_item = _by_sku(svc, conn, "inventory", refs) if "inventory_item_id" in required else None
    lines: list[dict[str, Any]] = []
    for ref, qty, price in parsed:
        line: dict[str, Any] = {}
        if by_product is not None:
            product = by_product.get(ref)
            line["product_id"] = str(product["id"]) if product else ref
            if product and "sku" in props:
                line["sku"] = ref
        elif by_item is not None:
            item = by_item.get(ref)
            line["inventory_item_id"] = str(item["id"]) if item else ref
            if "sku" in props:
                line["sku"] = ref
        else:
            line["sku"] = ref
        line[qty_key] = qty
        if price is not None and price_key:
            line[price_key] = price
        lines.append(line)
    if where == "line_items":
        body["line_items"] = lines
        return
    box: dict[str, Any] = {"line_items": lines}
    if "tracking_number" in body and not variant.has("tracking_number"):
        box["tracking_number"] = body.pop("tracking_number")
    body["boxes"] = [box]


def _line_items(
    svc: Services, conn: Connection, shape: str, parsed: list[tuple[str, int, float | None]]
) -> list[dict[str, Any]]:
    """Lines for an integration nothing is known about locally (the generic unified shape)."""
    qty_key = "expected_quantity" if shape == "expected" else "quantity"
    priced = [{"unit_price": p} if p is not None else {} for _, _, p in parsed]
    if shape != "product":
        return [{"sku": ref, qty_key: qty, **extra} for (ref, qty, _), extra in zip(parsed, priced, strict=True)]
    products = _by_sku(svc, conn, "products", list(dict.fromkeys(ref for ref, _, _ in parsed)))
    items: list[dict[str, Any]] = []
    for (ref, qty, _), extra in zip(parsed, priced, strict=True):
        product = products.get(ref)
        if product is None:  # not a SKU we know: take it for a product id and let the API judge
            items.append({"product_id": ref, "quantity": qty, **extra})
        else:
            items.append({"product_id": str(product["id"]), "sku": ref, "quantity": qty, **extra})
    return items


def _by_sku(svc: Services, conn: Connection, resource: str, skus: list[str]) -> dict[str, dict[str, Any]]:
    """SKU → product or inventory item, from GET /wms/<resource>?sku[in]=…; unreadable gets {}."""
    found: dict[str, dict[str, Any]] = {}
    try:
        for chunk in _chunks(skus, MAX_IN_VALUES):
            query = ListQuery(filters=(Filter("sku", ",".join(chunk), "in"),))
            for record in iter_items(svc, RESOURCES[resource], conn, query):
                sku = record.get("sku")
                if isinstance(sku, str) and sku not in found and record.get("id"):
                    found[sku] = record
    except APIError as exc:
        if exc.status_code not in (403, 501):  # not readable here: refs go out as ids
            raise
    return found


def _chunks(values: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]
