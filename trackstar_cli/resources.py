"""Declarative table of the WMS resources: paths, id names, list filters and table columns.

Facts here come from Trackstar's OpenAPI spec (2025-10). The CLI builds its commands from this table and
the emulator validates query parameters against it, so one list serves both. No I/O, no third-party imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "DATE_OPS",
    "FILTER_OPS",
    "NULL_LITERALS",
    "QUANTITY_COLUMNS",
    "RESOURCES",
    "STRING_OPS",
    "Column",
    "Resource",
    "get_resource",
]

DATE_OPS: tuple[str, ...] = ("eq", "neq", "gt", "gte", "lt", "lte", "in", "nin")
STRING_OPS: tuple[str, ...] = ("eq", "neq", "in", "nin", "contains", "not_contains")
RANGE_OPS: tuple[str, ...] = ("eq", "neq", "gt", "gte", "lt", "lte")
SKU_OPS: tuple[str, ...] = ("eq", "in", "nin", "contains", "not_contains")
INSENSITIVE_OPS: tuple[str, ...] = (
    "eq",
    "eq-insensitive",
    "in",
    "in-insensitive",
    "nin",
    "contains",
    "contains-insensitive",
    "not_contains",
)
FILTER_OPS: tuple[str, ...] = (
    *DATE_OPS,
    "contains",
    "not_contains",
    "eq-insensitive",
    "in-insensitive",
    "contains-insensitive",
)

# Write bodies: "All fields in the write body are non-nullable … This includes null string literals such as
# "null", "none", or any similar variation" (Trackstar's programmatic-writes guide) → 422. The CLI checks
# before sending; the emulator answers 422.
NULL_LITERALS: frozenset[str] = frozenset({"null", "none", "nil", "undefined", "nan"})

# Every WMS list endpoint accepts these (plus `limit`, `page_token` and `ids[in]`).
_STANDARD: dict[str, tuple[str, ...]] = {"created_date": DATE_OPS, "updated_date": DATE_OPS}
_WITH_CUSTOMER: dict[str, tuple[str, ...]] = {**_STANDARD, "warehouse_customer_id": STRING_OPS}


@dataclass(frozen=True)
class Column:
    """One table column: a header and a dotted path into the API object."""

    header: str
    path: str
    numeric: bool = False


@dataclass(frozen=True)
class Resource:
    """A WMS resource: where it lives, how its items are named, how it filters and how it is shown."""

    name: str  # CLI noun, e.g. "inventory"
    path: str  # list path, e.g. "/wms/inventory"
    id_param: str  # path parameter of the single-item endpoint
    action: str  # available_actions name that gates the list endpoint
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # field -> allowed operators
    columns: tuple[Column, ...] = ()
    date_fields: tuple[str, ...] = ("created_date", "updated_date")
    parent: str | None = None  # for nested lists: the parent's id name, the path holds {parent_id}
    has_get: bool = True  # False where the API has no single-item endpoint (ledger, channels, suppliers)

    def list_path(self, parent_id: str | None = None) -> str:
        return self.path.replace("{parent_id}", parent_id or "") if self.parent else self.path

    def item_path(self, item_id: str, parent_id: str | None = None) -> str:
        return f"{self.list_path(parent_id)}/{item_id}"

    def allows(self, name: str, op: str) -> bool:
        return op in self.filters.get(name, ())


def _c(header: str, path: str, numeric: bool = False) -> Column:
    return Column(header, path, numeric)


# The quantities of an inventory item (and of each of its warehouses), in the order operators read them.
QUANTITY_COLUMNS: tuple[Column, ...] = tuple(
    Column(name, name, True) for name in ("onhand", "fulfillable", "committed", "unfulfillable", "awaiting")
)

RESOURCES: dict[str, Resource] = {
    r.name: r
    for r in (
        Resource(
            "inventory",
            "/wms/inventory",
            "inventory_id",
            "get_inventory",
            {**_WITH_CUSTOMER, "active": ("eq",), "sku": SKU_OPS},
            (_c("sku", "sku"), _c("name", "name"), *QUANTITY_COLUMNS),
        ),
        Resource(
            "inventory-ledger",
            "/wms/inventory/ledger",
            "ledger_id",
            "get_inventory_ledger",
            {**_WITH_CUSTOMER, "event_type": STRING_OPS},
            (
                _c("entry_date", "entry_date"),
                _c("sku", "sku"),
                _c("quantity", "quantity", True),
                _c("event_type", "event_type"),
                _c("object_type", "object_type"),
                _c("object_id", "object_id"),
                _c("warehouse_id", "warehouse_id"),
            ),
            has_get=False,
        ),
        Resource(
            "products",
            "/wms/products",
            "product_id",
            "get_products",
            {**_WITH_CUSTOMER, "sku": SKU_OPS},
            (
                _c("id", "id"),
                _c("sku", "sku"),
                _c("name", "name"),
                _c("gtin", "gtin"),
                _c("unit_price", "unit_price", True),
                _c("is_kit", "is_kit"),
                _c("active", "active"),
            ),
        ),
        Resource(
            "orders",
            "/wms/orders",
            "order_id",
            "get_orders",
            {
                **_WITH_CUSTOMER,
                "status": STRING_OPS,
                "channel": STRING_OPS,
                "type": STRING_OPS,
                "order_number": INSENSITIVE_OPS,
                "reference_id": INSENSITIVE_OPS,
                "required_ship_date": RANGE_OPS,
            },
            (
                _c("id", "id"),
                _c("order_number", "order_number"),
                _c("status", "status"),
                _c("created_date", "created_date"),
                _c("ship_to", "ship_to_address.full_name"),
                _c("warehouse_id", "warehouse_id"),
                _c("total_price", "total_price", True),
            ),
        ),
        Resource(
            "order-channels",
            "/wms/orders/channels",
            "channel_id",
            "get_orders",
            dict(_WITH_CUSTOMER),
            (_c("id", "id"), _c("name", "name")),
            has_get=False,
        ),
        Resource(
            "inbound-shipments",
            "/wms/inbound-shipments",
            "inbound_shipment_id",
            "get_inbound_shipments",
            {
                **_WITH_CUSTOMER,
                "status": STRING_OPS,
                "warehouse_id": ("eq", "contains", "not_contains"),
                "expected_arrival_date": RANGE_OPS,
                "purchase_order_number": STRING_OPS,
            },
            (
                _c("id", "id"),
                _c("purchase_order_number", "purchase_order_number"),
                _c("status", "status"),
                _c("expected_arrival_date", "expected_arrival_date"),
                _c("warehouse_id", "warehouse_id"),
                _c("supplier", "supplier_object.supplier_name"),
            ),
        ),
        Resource(
            "inbound-shipment-suppliers",
            "/wms/inbound-shipments/suppliers",
            "supplier_id",
            "get_inbound_shipments",
            dict(_WITH_CUSTOMER),
            (_c("id", "id"), _c("name", "name")),
            has_get=False,
        ),
        Resource(
            "returns",
            "/wms/returns",
            "return_id",
            "get_returns",
            {**_WITH_CUSTOMER, "status": STRING_OPS},
            (
                _c("id", "id"),
                _c("order_id", "order_id"),
                _c("status", "status"),
                _c("created_date", "created_date"),
                _c("updated_date", "updated_date"),
            ),
        ),
        Resource(
            "warehouses",
            "/wms/warehouses",
            "warehouse_id",
            "get_warehouses",
            dict(_STANDARD),
            (
                _c("id", "id"),
                _c("name", "name"),
                _c("code", "code"),
                _c("city", "address.city"),
                _c("country", "address.country"),
            ),
        ),
        Resource(
            "warehouse-locations",
            "/wms/warehouses/{parent_id}/locations",
            "location_id",
            "get_warehouse_locations",
            {**_STANDARD, "type": STRING_OPS},
            (_c("id", "id"), _c("name", "name"), _c("type", "type"), _c("warehouse_id", "warehouse_id")),
            parent="warehouse_id",
        ),
        Resource(
            "warehouse-customers",
            "/wms/warehouse-customers",
            "warehouse_customer_id",
            "get_warehouse_customers",
            dict(_STANDARD),
            (_c("id", "id"), _c("name", "name"), _c("email", "email")),
        ),
        Resource(
            "shipping-methods",
            "/wms/shipping-methods",
            "shipping_method_id",
            "get_shipping_methods",
            dict(_STANDARD),
            (_c("id", "id"), _c("name", "name"), _c("carrier", "carrier_name"), _c("scac", "scac")),
        ),
        Resource(
            "bills",
            "/wms/billing",
            "bill_id",
            "get_bills",
            dict(_WITH_CUSTOMER),
            (
                _c("id", "id"),
                _c("charge_type", "charge_type"),
                _c("amount", "amount", True),
                _c("currency", "currency_code"),
                _c("object_type", "object_type"),
                _c("created_date", "created_date"),
            ),
        ),
        Resource(
            "labor-activities",
            "/wms/labor-activities",
            "labor_activity_id",
            "get_labor_activities",
            {
                **_WITH_CUSTOMER,
                "user_id": ("eq",),
                "warehouse_id": ("eq",),
                "activity_type": ("eq",),
                "associated_object_type": ("eq",),
                "associated_object_id": ("eq",),
                "activity_start_time": DATE_OPS,
                "activity_end_time": DATE_OPS,
            },
            (
                _c("id", "id"),
                _c("activity_type", "activity_type"),
                _c("user", "user_first_name"),
                _c("quantity", "quantity", True),
                _c("start", "activity_start_time"),
                _c("warehouse_id", "warehouse_id"),
            ),
        ),
    )
}


def get_resource(name: str) -> Resource:
    """Look a resource up by its CLI name; KeyError when unknown."""
    return RESOURCES[name]
