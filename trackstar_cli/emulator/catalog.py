"""The integrations the emulator offers, what each one can do, and the write operations' body schemas.

Action names for reads and the CRUD writes are Trackstar's; the docs name no action for ship/adjust/receive,
so the emulator calls them `ship_order`, `adjust_inventory` and `receive_inbound_shipment`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..spec import ADJUSTMENT_TYPES, INTEGRATION_DISPLAY_NAMES, ORDER_STATUSES, RESOURCES, WRITES
from . import variants
from .core import Json
from .validate import F, Schema, dotted_fields

__all__ = [
    "INTEGRATIONS",
    "READ_ACTIONS",
    "WRITE_ACTIONS",
    "WRITE_OPS",
    "Integration",
    "WriteOp",
    "endpoints_for",
    "integration_info",
]

READ_ACTIONS: tuple[str, ...] = tuple(dict.fromkeys(r.action for r in RESOURCES.values()))


@dataclass(frozen=True)
class WriteOp:
    """A write endpoint of spec.WRITES with the body schema the emulator checks it against."""

    action: str
    schema: Schema

    @property
    def method(self) -> str:
        return WRITES[self.action].method

    @property
    def url(self) -> str:
        return WRITES[self.action].path


_ADDRESS: Schema = {
    "full_name": F("str"),
    "company": F("str"),
    "address1": F("str", True),
    "address2": F("str"),
    "city": F("str", True),
    "state": F("str", True),
    "postal_code": F("str", True),
    "country": F("str", True),
}
_MEASURE: Schema = {
    "length": F("num"),
    "width": F("num"),
    "height": F("num"),
    "unit": F("str", enum=("cm", "in")),
    "weight": F("num"),
    "weight_unit": F("str", enum=("kg", "oz", "lb")),
}
_ORDER_COMMON: Schema = {
    "trackstar_tags": F("tags"),
    "reference_id": F("str"),
    "channel": F("str"),
    "trading_partner": F("str"),
    "shipping_method_id": F("str"),
    "shipping_method": F("str"),
    "service_level": F("str"),
    "invoice_currency_code": F("str"),
    "total_price": F("num"),
    "total_tax": F("num"),
    "total_discount": F("num"),
    "total_shipping": F("num"),
    "warehouse_customer_id": F("str"),
    "channel_object": F({"channel_id": F("str"), "channel_name": F("str")}),
}
_ORDER_LINE: Schema = {
    "product_id": F("str", True),
    "sku": F("str"),
    "quantity": F("pos_int", True),
    "unit_price": F("num"),
    "discount_amount": F("num"),
}
# Required sets follow the spec's "WMS Sandbox" variants, the most concrete ones it publishes.
WRITE_OPS: dict[str, WriteOp] = {
    op.action: op
    for op in (
        WriteOp(
            "create_order",
            {
                **_ORDER_COMMON,
                "order_number": F("str", True),
                "ship_to_address": F(_ADDRESS, True),
                "line_items": F(_ORDER_LINE, True, many=True),
            },
        ),
        WriteOp(
            "update_order",
            {
                **_ORDER_COMMON,
                "order_number": F("str"),
                "ship_to_address": F({k: F(v.kind, enum=v.enum) for k, v in _ADDRESS.items()}),
                "line_items": F(_ORDER_LINE, many=True),
                "status": F("str", enum=ORDER_STATUSES),
            },
        ),
        WriteOp("cancel_order", {}),
        WriteOp(
            "ship_order",
            {
                "shipped_date": F("date", True),
                "tracking_number": F("str", True),
                "tracking_url": F("str"),
                "carrier_id": F("str"),
                "carrier": F("str"),
                "shipping_method_id": F("str"),
                "shipping_method": F("str"),
                "shipping_cost": F("num", True),
                "measurements": F(_MEASURE, True),
                "warehouse_id": F("str", True),
                "packages": F({"package_id": F("str", True), "tracking_number": F("str", True)}, many=True),
                "line_items": F({"sku": F("str", True), "quantity": F("pos_int", True)}, many=True),
            },
        ),
        WriteOp(
            "create_product",
            {
                "trackstar_tags": F("tags"),
                "sku": F("str", True),
                "name": F("str", True),
                "gtin": F("str"),
                "measurements": F(_MEASURE),
            },
        ),
        WriteOp(
            "update_product",
            {
                "trackstar_tags": F("tags"),
                "sku": F("str"),
                "name": F("str"),
                "gtin": F("str"),
                "measurements": F(_MEASURE),
            },
        ),
        WriteOp(
            "adjust_inventory",
            {
                "quantity": F("pos_int", True),
                "adjustment_type": F("str", True, enum=ADJUSTMENT_TYPES),
                "warehouse_id": F("str", True),
                "location_id": F("str"),
            },
        ),
        WriteOp(
            "create_inbound_shipment",
            {
                "trackstar_tags": F("tags"),
                "supplier": F("str", True),
                "purchase_order_number": F("str", True),
                "expected_arrival_date": F("date", True),
                "warehouse_id": F("str", True),
                "tracking_number": F("str", True),
                "line_items": F({"sku": F("str", True), "expected_quantity": F("pos_int", True)}, True, many=True),
            },
        ),
        WriteOp(
            "receive_inbound_shipment",
            {
                "line_items": F({"sku": F("str", True), "quantity": F("pos_int", True)}, True, many=True),
                "warehouse_location_id": F("str", True),
                "warehouse_id": F("str"),
            },
        ),
        WriteOp(
            "create_return",
            {
                "trackstar_tags": F("tags"),
                "warehouse_id": F("str"),
                "order_id": F("str"),
                "line_items": F({"sku": F("str", True), "quantity": F("pos_int", True)}, many=True),
            },
        ),
    )
}
# Every spec write; each integration supports those it has a variant for in write_variants.json (plus the
# writes without a JSON body, which the table does not cover).
WRITE_ACTIONS: tuple[str, ...] = tuple(WRITES)


def _writes_of(integration: str) -> tuple[str, ...]:
    return tuple(a for a in WRITE_ACTIONS if not variants.has_table(a) or variants.variant(a, integration) is not None)


@dataclass(frozen=True)
class Integration:
    name: str
    display_name: str
    install_method: str
    description: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]

    @property
    def actions(self) -> tuple[str, ...]:
        return self.reads + self.writes


def _without(names: tuple[str, ...], *drop: str) -> tuple[str, ...]:
    return tuple(n for n in names if n not in drop)


INTEGRATIONS: dict[str, Integration] = {
    i.name: i
    for i in (
        Integration(
            "sandbox",
            INTEGRATION_DISPLAY_NAMES["sandbox"],
            "input",
            "Trackstar's WMS sandbox with mocked data; supports everything.",
            READ_ACTIONS,
            _writes_of("sandbox"),
        ),
        Integration(
            "shipbob",
            INTEGRATION_DISPLAY_NAMES["shipbob"],
            "oauth",
            "ShipBob fulfillment network (emulated).",
            _without(READ_ACTIONS, "get_labor_activities", "get_warehouse_locations"),
            _writes_of("shipbob"),
        ),
        Integration(
            "extensiv-3pl-central",
            INTEGRATION_DISPLAY_NAMES["extensiv-3pl-central"],
            "input",
            "Extensiv 3PL Central (emulated).",
            _without(READ_ACTIONS, "get_returns", "get_bills", "get_labor_activities"),
            _writes_of("extensiv-3pl-central"),
        ),
        Integration(
            "shiphero",
            INTEGRATION_DISPLAY_NAMES["shiphero"],
            "input",
            "ShipHero WMS (emulated).",
            _without(READ_ACTIONS, "get_inventory_ledger", "get_labor_activities"),
            _writes_of("shiphero"),
        ),
    )
}


def endpoints_for(actions: tuple[str, ...] | list[str]) -> list[str]:
    """The deprecated `available_endpoints` strings ("GET /wms/inventory") for a list of actions."""
    out: list[str] = []
    for resource in RESOURCES.values():
        if resource.action in actions and not resource.parent:
            out.append(f"GET {resource.path}")
    out.extend(f"{WRITES[a].method} {WRITES[a].path}" for a in actions if a in WRITES)
    return out


def integration_info(integ: Integration, samples: Mapping[str, Json], warehouse_ids: list[str] | None) -> Json:
    """IntegrationInfo as GET /integrations returns it; `warehouse_ids` fills enums when a token was sent."""
    return {
        "integration_name": integ.name,
        "display_name": integ.display_name,
        "install_method": integ.install_method,
        "description": integ.description,
        "logo_url": f"https://example.com/logos/{integ.name}.png",
        "write_operations": [_write_op(integ, a, warehouse_ids) for a in integ.writes],
        "list_operations": [
            {
                "action": r.action,
                "url": f"GET {r.path.replace('{parent_id}', '{warehouse_id}')}",
                "implemented_fields": dict.fromkeys(samples.get(r.name, {}), True),
            }
            for r in RESOURCES.values()
            if r.action in integ.reads
        ],
        "available_actions": list(integ.actions),
    }


def _write_op(integ: Integration, action: str, warehouse_ids: list[str] | None) -> Json:
    """One write_operations entry: base fields from the base schema, the rest of the variant as specific."""
    endpoint = WRITES[action]
    schema = variants.variant(action, integ.name) or {}
    fields = dict(variants.dotted_fields(schema))
    base = dict(dotted_fields(WRITE_OPS[action].schema)) if action in WRITE_OPS else {}
    specific = {n: r for n, r in fields.items() if n.split(".")[0] not in {b.split(".")[0] for b in base}}
    options = warehouse_ids or ["N/A - Connect an account to see options"]
    props: dict[str, Json] = {}
    for name in specific:
        prop: Json = {"title": name, "type": "string", "description": name, "example": ""}
        if name == "warehouse_id":
            prop["enum"] = options
        props[name] = prop
    return {
        "action": action,
        "url": f"{endpoint.method} {endpoint.path}",
        "required_base_schema_fields": [n for n, req in fields.items() if req and n not in specific],
        "optional_base_schema_fields": [n for n, req in fields.items() if not req and n not in specific],
        "integration_specific_fields": {
            "properties": props,
            "type": "object",
            "required_fields": [n for n, req in specific.items() if req],
        },
    }
