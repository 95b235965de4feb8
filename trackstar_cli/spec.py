"""Trackstar's facts, in one place: resources and their filters, write endpoints, enums, limits, display names.

Everything here comes from Trackstar's OpenAPI spec (2025-10) and its docs (../shared/trackstar/api-notes.md);
`tests/test_spec.py` pins the filters and write paths to the published spec. The CLI builds its commands from
these tables and the emulator serves and validates against them, so a fact is written once. This module
imports nothing of ours and no third-party package; presentation (table columns, command layout) lives in
`commands/views.py`.

Adding a WMS resource: one `Resource` below (and, for a table, one entry in `commands/views.py`).
Adding a write: one `WriteEndpoint` below (and its options in `commands/writes.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

__all__ = [
    "ADJUSTMENT_TYPES",
    "DATE_OPS",
    "DISPLAY_NAMES",
    "EVENT_NOUNS",
    "FILTER_OPS",
    "GET_RATE_PER_TOKEN",
    "INTEGRATION_TYPES",
    "LABOR_ACTIVITY_TYPES",
    "LABOR_OBJECT_TYPES",
    "LEDGER_EVENT_TYPES",
    "LINK_SCRIPT_URL",
    "MAX_IN_VALUES",
    "MAX_PAGE_SIZE",
    "NULL_LITERALS",
    "ORDER_STATUSES",
    "ORDER_TYPES",
    "RESOURCES",
    "SANDBOX",
    "SANDBOX_TYPES",
    "SHIPMENT_STATUSES",
    "SIGNATURE_TOLERANCE",
    "STRING_OPS",
    "SVIX_ATTEMPT_TIMEOUT",
    "SVIX_HEADERS",
    "SVIX_SCHEDULE",
    "SYNC_FUNCTIONS",
    "TAGGABLE",
    "TRACKSTAR_DOMAIN",
    "WRITES",
    "WEBHOOK_SECRET_BYTES",
    "WEBHOOK_SECRET_PREFIX",
    "WRITE_RATE_PER_TOKEN",
    "Resource",
    "WriteEndpoint",
    "path_segment",
]

# -- filters ---------------------------------------------------------------------------------------------

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

# -- limits ----------------------------------------------------------------------------------------------

MAX_PAGE_SIZE = 1000  # `limit` of every list endpoint: 1-1000, default 1000
MAX_IN_VALUES = 100  # values in one `in`/`nin` filter
GET_RATE_PER_TOKEN = 10  # GET requests per second per access token
WRITE_RATE_PER_TOKEN = 50  # writes per second per access token

# -- enums -----------------------------------------------------------------------------------------------

ORDER_STATUSES: tuple[str, ...] = (
    "open",
    "confirmed",
    "processing",
    "picked",
    "packed",
    "partially_fulfilled",
    "fulfilled",
    "exception",
    "cancelled",
    "backordered",
    "other",
)
ORDER_TYPES: tuple[str, ...] = ("d2c", "b2b", "dropship", "transfer")
SHIPMENT_STATUSES: tuple[str, ...] = ("open", "in-transit", "receiving", "received", "cancelled", "other")
LEDGER_EVENT_TYPES: tuple[str, ...] = (
    "adjustment",
    "return_receipt",
    "inbound_receipt",
    "order_shipment",
    "supplier_return",
    "movement",
    "other",
)
LABOR_ACTIVITY_TYPES: tuple[str, ...] = ("pick", "pack", "put_away", "transfer", "receive")
LABOR_OBJECT_TYPES: tuple[str, ...] = ("order", "inbound_shipment", "return", "inventory")
ADJUSTMENT_TYPES: tuple[str, ...] = ("increase", "decrease")
INTEGRATION_TYPES: tuple[str, ...] = ("wms", "freight", "cart")  # the spec's enum for /integrations/{type}
# The `functions_to_sync` enum of ConnectionResourceSyncSchema in Trackstar's OpenAPI spec (2025-10);
# a test compares it with ../shared/trackstar/openapi.json when that file is there.
SYNC_FUNCTIONS: tuple[str, ...] = (
    "get_inventory",
    "get_products",
    "get_inbound_shipments",
    "get_orders",
    "get_warehouses",
    "get_shipping_methods",
    "get_returns",
    "get_bills",
    "get_warehouse_customers",
    "get_warehouse_locations",
    "get_inventory_ledger",
    "get_shipments",
)
SANDBOX_TYPES: tuple[str, ...] = ("wms", "cart", "carrier")  # the spec says "string"; the docs name these three
SANDBOX = "sandbox"  # the integration_name of the sandbox WMS

# Trackstar Link: the script @trackstar/react-trackstar-link injects (its only URL), and Trackstar's domain,
# whose API hosts get that script without asking (`trackstar connect`).
LINK_SCRIPT_URL = "https://link.trackstarhq.com/main.js"
TRACKSTAR_DOMAIN = "trackstarhq.com"

# Write bodies: "All fields in the write body are non-nullable … This includes null string literals such as
# "null", "none", or any similar variation" (Trackstar's programmatic-writes guide) → 422.
NULL_LITERALS: frozenset[str] = frozenset({"null", "none", "nil", "undefined", "nan"})


def path_segment(value: str) -> str | None:
    """`value` percent-encoded as one path segment, or None when it cannot be one: empty, `.`, `..`, or holding
    a `/` (no Trackstar id does, and an encoded one is decoded back into a separator by some servers)."""
    if not value.strip() or value in (".", "..") or "/" in value:
        return None
    return quote(value, safe="")


# -- resources -------------------------------------------------------------------------------------------

# Every WMS list endpoint accepts these (plus `limit`, `page_token` and `ids[in]`).
_STANDARD: dict[str, tuple[str, ...]] = {"created_date": DATE_OPS, "updated_date": DATE_OPS}
_WITH_CUSTOMER: dict[str, tuple[str, ...]] = {**_STANDARD, "warehouse_customer_id": STRING_OPS}


@dataclass(frozen=True)
class Resource:
    """A WMS resource: where it lives, how its items are named and how it filters."""

    name: str  # our key, e.g. "inventory"
    path: str  # list path, e.g. "/wms/inventory"
    id_param: str  # path parameter of the single-item endpoint
    action: str  # available_actions name that gates the list endpoint
    display: str  # what a 404 calls one item: "Inventory item"
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # field -> allowed operators
    date_fields: tuple[str, ...] = ("created_date", "updated_date")
    parent: str | None = None  # for nested lists: the parent's id name, the path holds {parent_id}
    has_get: bool = True  # False where the API has no single-item endpoint (ledger, channels, suppliers)
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)  # filter field -> its allowed values

    def list_path(self, parent_id: str | None = None) -> str:
        if not self.parent:
            return self.path
        return self.path.replace("{parent_id}", _segment(parent_id or "", self.parent))

    def item_path(self, item_id: str, parent_id: str | None = None) -> str:
        return f"{self.list_path(parent_id)}/{_segment(item_id, self.id_param)}"

    def allows(self, name: str, op: str) -> bool:
        return op in self.filters.get(name, ())


class InvalidSegmentError(ValueError):
    """An id that cannot be one path segment; the service turns it into a usage error."""


def _segment(value: str, what: str) -> str:
    encoded = path_segment(value)
    if encoded is None:
        raise InvalidSegmentError(f"invalid {what.replace('_', ' ')} {value!r}")
    return encoded


RESOURCES: dict[str, Resource] = {
    r.name: r
    for r in (
        Resource(
            "inventory",
            "/wms/inventory",
            "inventory_id",
            "get_inventory",
            "Inventory item",
            {**_WITH_CUSTOMER, "active": ("eq",), "sku": SKU_OPS},
        ),
        Resource(
            "inventory-ledger",
            "/wms/inventory/ledger",
            "ledger_id",
            "get_inventory_ledger",
            "Ledger entry",
            {**_WITH_CUSTOMER, "event_type": STRING_OPS},
            has_get=False,
            enums={"event_type": LEDGER_EVENT_TYPES},
        ),
        Resource(
            "products",
            "/wms/products",
            "product_id",
            "get_products",
            "Product",
            {**_WITH_CUSTOMER, "sku": SKU_OPS},
        ),
        Resource(
            "orders",
            "/wms/orders",
            "order_id",
            "get_orders",
            "Order",
            {
                **_WITH_CUSTOMER,
                "status": STRING_OPS,
                "channel": STRING_OPS,
                "type": STRING_OPS,
                "order_number": INSENSITIVE_OPS,
                "reference_id": INSENSITIVE_OPS,
                "required_ship_date": RANGE_OPS,
            },
            enums={"status": ORDER_STATUSES, "type": ORDER_TYPES},
        ),
        Resource(
            "order-channels",
            "/wms/orders/channels",
            "channel_id",
            "get_orders",
            "Channel",
            dict(_WITH_CUSTOMER),
            has_get=False,
        ),
        Resource(
            "inbound-shipments",
            "/wms/inbound-shipments",
            "inbound_shipment_id",
            "get_inbound_shipments",
            "Inbound shipment",
            {
                **_WITH_CUSTOMER,
                "status": STRING_OPS,
                "warehouse_id": ("eq", "contains", "not_contains"),
                "expected_arrival_date": RANGE_OPS,
                "purchase_order_number": STRING_OPS,
            },
            enums={"status": SHIPMENT_STATUSES},
        ),
        Resource(
            "inbound-shipment-suppliers",
            "/wms/inbound-shipments/suppliers",
            "supplier_id",
            "get_inbound_shipments",
            "Supplier",
            dict(_WITH_CUSTOMER),
            has_get=False,
        ),
        Resource(
            "returns",
            "/wms/returns",
            "return_id",
            "get_returns",
            "Return",
            {**_WITH_CUSTOMER, "status": STRING_OPS},
            enums={"status": SHIPMENT_STATUSES},
        ),
        Resource("warehouses", "/wms/warehouses", "warehouse_id", "get_warehouses", "Warehouse", dict(_STANDARD)),
        Resource(
            "warehouse-locations",
            "/wms/warehouses/{parent_id}/locations",
            "location_id",
            "get_warehouse_locations",
            "Location",
            {**_STANDARD, "type": STRING_OPS},
            parent="warehouse_id",
        ),
        Resource(
            "warehouse-customers",
            "/wms/warehouse-customers",
            "warehouse_customer_id",
            "get_warehouse_customers",
            "Warehouse customer",
            dict(_STANDARD),
        ),
        Resource(
            "shipping-methods",
            "/wms/shipping-methods",
            "shipping_method_id",
            "get_shipping_methods",
            "Shipping method",
            dict(_STANDARD),
        ),
        Resource("bills", "/wms/billing", "bill_id", "get_bills", "Bill", dict(_WITH_CUSTOMER)),
        Resource(
            "labor-activities",
            "/wms/labor-activities",
            "labor_activity_id",
            "get_labor_activities",
            "Labor activity",
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
            enums={"activity_type": LABOR_ACTIVITY_TYPES, "associated_object_type": LABOR_OBJECT_TYPES},
        ),
    )
}
DISPLAY_NAMES: dict[str, str] = {r.name: r.display for r in RESOURCES.values()}

# -- writes ----------------------------------------------------------------------------------------------

TAGGABLE: tuple[str, ...] = ("inventory", "products", "orders", "inbound-shipments", "returns", "warehouses")


@dataclass(frozen=True)
class WriteEndpoint:
    """One write endpoint. `name` is Trackstar's action name where the docs give one; they name none for ship,
    adjust and receive, so those are `ship_order`, `adjust_inventory` and `receive_inbound_shipment`; the tag
    writes are `set_tags_<resource>`. `action` is what gates it in a connection's available_actions."""

    name: str
    method: str
    path: str  # "/wms/orders/{order_id}/cancel"
    resource: str  # the RESOURCES key the write changes
    has_body: bool = True
    gate: str | None = None  # the available_actions entry, when it is not `name`

    @property
    def action(self) -> str:
        return self.gate or self.name

    @property
    def id_param(self) -> str | None:
        start = self.path.find("{")
        return self.path[start + 1 : self.path.index("}")] if start >= 0 else None

    def url(self, item_id: str | None = None) -> str:
        """The path with the item's id filled in (percent-encoded); raises InvalidSegmentError."""
        if self.id_param is None:
            return self.path
        return self.path.replace(f"{{{self.id_param}}}", _segment(item_id or "", self.id_param))


WRITES: dict[str, WriteEndpoint] = {
    w.name: w
    for w in (
        WriteEndpoint("create_order", "POST", "/wms/orders", "orders"),
        WriteEndpoint("update_order", "PUT", "/wms/orders/{order_id}", "orders"),
        WriteEndpoint("cancel_order", "PUT", "/wms/orders/{order_id}/cancel", "orders", has_body=False),
        WriteEndpoint("ship_order", "POST", "/wms/orders/{order_id}/shipments", "orders"),
        WriteEndpoint("create_product", "POST", "/wms/products", "products"),
        WriteEndpoint("update_product", "PUT", "/wms/products/{product_id}", "products"),
        WriteEndpoint("adjust_inventory", "PUT", "/wms/inventory/{inventory_id}/adjust", "inventory"),
        WriteEndpoint("create_inbound_shipment", "POST", "/wms/inbound-shipments", "inbound-shipments"),
        WriteEndpoint(
            "receive_inbound_shipment",
            "PUT",
            "/wms/inbound-shipments/{inbound_shipment_id}/receive",
            "inbound-shipments",
        ),
        WriteEndpoint("create_return", "POST", "/wms/returns", "returns"),
        *(
            WriteEndpoint(
                f"set_tags_{r.replace('-', '_')}",
                "PUT",
                f"/wms/{r}/{{{RESOURCES[r].id_param}}}/trackstar-tags",
                r,
                gate=RESOURCES[r].action,
            )
            for r in TAGGABLE
        ),
    )
}

# -- webhooks (Svix) -------------------------------------------------------------------------------------

SVIX_HEADERS: tuple[str, str, str] = ("svix-id", "svix-timestamp", "svix-signature")
SIGNATURE_TOLERANCE = 300  # seconds either way, Svix's and Standard Webhooks' window
WEBHOOK_SECRET_PREFIX = "whsec_"
WEBHOOK_SECRET_BYTES = (24, 64)  # Standard Webhooks: a key of 24 to 64 bytes
# Svix's retry schedule: the delay before each attempt (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h).
SVIX_SCHEDULE: tuple[float, ...] = (0.0, 5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0)
SVIX_ATTEMPT_TIMEOUT = 15.0  # seconds a receiver has to answer
# The event noun of each resource that has `<noun>.created|updated|…` events.
EVENT_NOUNS: dict[str, str] = {
    "inventory": "inventory",
    "products": "product",
    "orders": "order",
    "inbound-shipments": "inbound-shipment",
    "returns": "return",
    "warehouses": "warehouse",
}

# -- connections: sync status, on-demand syncs (backfills), schedules, magic links -----------------------
# api-notes §2.3 and §3.1-3.7; the on-demand and schedule endpoints are newer than the 2025-10 spec.

FIRST_SYNC_STATUS = "first_sync_in_progress"
RUNNING_SYNC_STATUSES: tuple[str, ...] = ("sync_in_progress", "first_sync_in_progress")
PAUSED_SYNC_STATUS = "disabled"
ERROR_SYNC_STATUS = "error"
ON_DEMAND_SYNCS_PATH = "/connections/on-demand-syncs"
ON_DEMAND_FUNCTIONS: tuple[str, ...] = (
    "get_products",
    "get_orders",
    "get_inbound_shipments",
    "get_returns",
    "get_bills",
    "get_inventory_ledger",
)
JOB_STATES: tuple[str, ...] = ("open", "completed", "cancelled", "stuck")
FAILED_JOB_STATES: tuple[str, ...] = ("cancelled", "stuck")
SCHEDULE_TOGGLE_PATH = "/schedules/{function_name}/toggle"
SCHEDULE_TOGGLE_ALL_PATH = "/schedules/toggle-all"
MAGIC_LINKS_PATH = "/magic-links"
MAGIC_LINK_DEFAULT_DAYS = 7
