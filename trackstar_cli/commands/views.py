"""Presentation, Typer-free (the fast path `_fast.py` uses it too): every table's columns and the command layout.

- `COLUMNS`: the table/CSV columns of each WMS resource (keys of `spec.RESOURCES`); JSON is never cut down.
- `PLACEMENT` / `GROUP_HELP`: where each resource appears on the command line and its group's help line;
  `RESOURCE_GROUPS` is derived from it (cli.py registers one sub-app per group).
- `WRITE_COMMANDS`: each write command's spec endpoint and the past-tense line a terminal shows after it.
- The other tables: connections (local, remote, reconcile), integrations, summaries after a write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trackstar_cli.output import Column, Format, View, emit, is_human
from trackstar_cli.spec import TAGGABLE

if TYPE_CHECKING:
    from trackstar_cli.service import Services

__all__ = [
    "BY_WAREHOUSE_COLUMNS",
    "COLUMNS",
    "CONNECTION_COLUMN",
    "CONNECTION_COLUMNS",
    "GROUP_HELP",
    "JOBS_VIEW",
    "MAGIC_LINKS_VIEW",
    "PLACEMENT",
    "QUANTITY_COLUMNS",
    "RESOURCE_GROUPS",
    "SCHEDULES_VIEW",
    "WRITE_COMMANDS",
    "WRITE_OPTION_FIELDS",
    "WRITE_SUMMARY",
    "render_local_connections",
]


def _c(header: str, path: str | None = None, numeric: bool = False, prio: int = 1, text: bool = False) -> Column:
    """A column; `prio` 0 is always shown, higher numbers are dropped first on a narrow terminal; `text` is
    free text (cut with … to fit) rather than an id, SKU, date, status or number (never split)."""
    return Column(header, path or header, numeric, "text" if text else "key", prio)


def _key(header: str, path: str | None = None) -> Column:
    return _c(header, path, prio=0)


def _name(header: str = "name", path: str | None = None, prio: int = 1) -> Column:
    return _c(header, path, prio=prio, text=True)


# The quantities of an inventory item (and of each of its warehouses), in the order operators read them.
QUANTITY_COLUMNS: tuple[Column, ...] = tuple(
    _c(name, numeric=True, prio=prio)
    for name, prio in (("onhand", 0), ("fulfillable", 0), ("committed", 2), ("unfulfillable", 3), ("awaiting", 2))
)
BY_WAREHOUSE_COLUMNS = (_key("sku"), _key("warehouse_id"), *QUANTITY_COLUMNS)
SUMMARY_COLUMNS = (_key("sku"), _name(), *QUANTITY_COLUMNS, _name("where (onhand)", "_where", prio=2))
CONNECTION_COLUMN = _key("connection", "_connection")

COLUMNS: dict[str, tuple[Column, ...]] = {
    "inventory": (_key("sku"), _name(), *QUANTITY_COLUMNS),
    "inventory-ledger": (
        _key("entry_date"),
        _key("sku"),
        _c("quantity", numeric=True, prio=0),
        _c("event_type"),
        _c("object_type", prio=2),
        _c("object_id", prio=2),
        _c("warehouse_id", prio=3),
    ),
    "products": (
        _key("id"),
        _key("sku"),
        _name(),
        _c("gtin", prio=3),
        _c("unit_price", numeric=True, prio=2),
        _c("is_kit", prio=2),
        _c("active", prio=2),
    ),
    "orders": (
        _key("id"),
        _key("order_number"),
        _key("status"),
        _c("created_date"),
        _name("ship_to", "ship_to_address.full_name", prio=2),
        _c("warehouse_id", prio=3),
        _c("total_price", numeric=True, prio=2),
    ),
    "order-channels": (_key("id"), _name(prio=0)),
    "inbound-shipments": (
        _key("id"),
        _key("purchase_order_number"),
        _key("status"),
        _c("expected_arrival_date"),
        _c("warehouse_id", prio=3),
        _name("supplier", "supplier_object.supplier_name", prio=2),
    ),
    "inbound-shipment-suppliers": (_key("id"), _name(prio=0)),
    "returns": (_key("id"), _key("order_id"), _key("status"), _c("created_date"), _c("updated_date", prio=2)),
    "warehouses": (
        _key("id"),
        _name(prio=0),
        _c("code"),
        _name("city", "address.city", prio=2),
        _c("country", "address.country", prio=2),
    ),
    "warehouse-locations": (_key("id"), _name(prio=0), _c("type"), _c("warehouse_id", prio=2)),
    "warehouse-customers": (_key("id"), _name(prio=0), _name("email")),
    "shipping-methods": (_key("id"), _name(prio=0), _name("carrier", "carrier_name"), _c("scac", prio=2)),
    "bills": (
        _key("id"),
        _key("charge_type"),
        _c("amount", numeric=True, prio=0),
        _c("currency", "currency_code"),
        _c("object_type", prio=2),
        _c("created_date"),
    ),
    "labor-activities": (
        _key("id"),
        _key("activity_type"),
        _name("user", "user_first_name", prio=2),
        _c("quantity", numeric=True, prio=0),
        _c("start", "activity_start_time"),
        _c("warehouse_id", prio=3),
    ),
}

# Where each resource appears on the command line: (group, sub-command or None for the group itself).
PLACEMENT: dict[str, tuple[str, str | None]] = {
    "inventory": ("inventory", None),
    "inventory-ledger": ("inventory", "ledger"),
    "products": ("products", None),
    "orders": ("orders", None),
    "order-channels": ("orders", "channels"),
    "inbound-shipments": ("inbound-shipments", None),
    "inbound-shipment-suppliers": ("inbound-shipments", "suppliers"),
    "returns": ("returns", None),
    "warehouses": ("warehouses", None),
    "warehouse-locations": ("warehouses", "locations"),
    "warehouse-customers": ("warehouse-customers", None),
    "shipping-methods": ("shipping-methods", None),
    "bills": ("bills", None),
    "labor-activities": ("labor-activities", None),
}
RESOURCE_GROUPS: tuple[str, ...] = tuple(dict.fromkeys(group for group, _ in PLACEMENT.values()))

GROUP_HELP = {
    "inventory": "Inventory: quantities per SKU and warehouse, the ledger, a summary across connections; adjust.",
    "products": "Products and kits (/wms/products): list, get; create, update.",
    "orders": "Orders (/wms/orders): list, get, packs, channels; create, update, cancel, ship.",
    "inbound-shipments": "Inbound shipments (ASNs) and their suppliers: list, get; create, receive.",
    "returns": "Returns (RMAs) (/wms/returns): list, get; create.",
    "warehouses": "Warehouses and their locations (GET /wms/warehouses).",
    "warehouse-customers": "Warehouse customers: the merchants of a 3PL (GET /wms/warehouse-customers).",
    "shipping-methods": "Shipping methods (GET /wms/shipping-methods).",
    "bills": "Bills (GET /wms/billing).",
    "labor-activities": "Labor activities: picks, packs, put-aways … (GET /wms/labor-activities).",
}

# command → (spec.WRITES name, what a terminal says after it)
WRITE_COMMANDS: dict[str, tuple[str, str]] = {
    "orders create": ("create_order", "Created order"),
    "orders update": ("update_order", "Updated order"),
    "orders cancel": ("cancel_order", "Cancelled order"),
    "orders ship": ("ship_order", "Shipped order"),
    "products create": ("create_product", "Created product"),
    "products update": ("update_product", "Updated product"),
    "inventory adjust": ("adjust_inventory", "Adjusted inventory item"),
    "inbound-shipments create": ("create_inbound_shipment", "Created inbound shipment"),
    "inbound-shipments receive": ("receive_inbound_shipment", "Received items on inbound shipment"),
    "returns create": ("create_return", "Created return"),
    **{f"tags set {r}": (f"set_tags_{r.replace('-', '_')}", f"Set the tags of {r}") for r in TAGGABLE},
}

# The write options and the API body field each one sets, so that a 422 names the option to add or fix.
WRITE_OPTION_FIELDS: dict[str, str] = {
    "--order-number": "order_number",
    "--shipping-method": "shipping_method_id",
    "--warehouse": "warehouse_id",
    "--tracking-number": "tracking_number",
    "--carrier": "carrier_id",
    "--shipped-date": "shipped_date",
    "--shipping-cost": "shipping_cost",
    "--sku": "sku",
    "--name": "name",
    "--gtin": "gtin",
    "--quantity": "quantity",
    "--type": "adjustment_type",
    "--location": "location_id",
    "--po": "purchase_order_number",
    "--supplier": "supplier",
    "--expected-arrival": "expected_arrival_date",
    "--order": "order_id",
    "--line": "line_items",
    "--status": "status",
}

# What a terminal shows of the written object, by the write command's group.
WRITE_SUMMARY: dict[str, tuple[Column, ...]] = {
    "orders": (_c("id"), _c("order_number"), _c("status"), _c("warehouse_id"), _c("line_items"), _c("trackstar_tags")),
    "products": (_c("id"), _c("sku"), _c("name"), _c("gtin")),
    "inventory": (_c("id"), _c("sku"), *QUANTITY_COLUMNS),
    "inbound-shipments": (_c("id"), _c("purchase_order_number"), _c("status"), _c("warehouse_id"), _c("line_items")),
    "returns": (_c("id"), _c("order_id"), _c("status")),
    "tags": (_c("id"), _c("trackstar_tags")),
}

CONNECTION_COLUMNS = (
    _key("default", "default_mark"),
    _key("connection_id"),
    _key("alias"),
    _c("integration", "integration_name"),
    _c("customer_id", prio=2),
    _c("created_at", prio=3),
)
REMOTE_COLUMNS = (
    _key("connection_id"),
    _key("integration", "integration_name"),
    _c("customer_id", prio=2),
    _c("created_at", prio=3),
    _c("last_used", prio=3),
    _c("sync"),
    _c("errors", "error_count", numeric=True, prio=0),
    _name("first_error", prio=2),
    _c("stored"),
)
# reconcile's suggested fix is printed under the table, one line per connection, never inside a cell
RECONCILE_COLUMNS = (
    _key("status"),
    _key("connection_id"),
    _c("alias"),
    _c("integration", "integration_name"),
    _c("errors", "error_count", numeric=True, prio=2),
    _name("first_error", prio=2),
    Column("fix", "action", in_table=False),
)
INTEGRATION_COLUMNS = (
    _key("integration_name"),
    _name("display_name"),
    _c("install_method", prio=2),
    _c("actions", "action_count", numeric=True),
    _name("available_actions", "action_names", prio=3),
)
WRITE_INFO_COLUMNS = (
    _key("write action", "action"),
    _c("url"),
    _name("required fields", "required_fields"),
    _name("integration-specific fields", "integration_fields", prio=2),
    _c("optional", "optional_count", numeric=True, prio=2),
)
INTEGRATION_FIELDS = (
    _c("integration_name"),
    _c("display_name"),
    _c("install_method"),
    _c("description"),
    _c("available_actions"),
)
EVENT_COLUMNS = (
    _c("id", numeric=True, prio=0),
    _key("received_at"),
    _key("event_type"),
    _c("connection", "connection_id"),
    _c("object", "object_id"),
    _key("verified", "verified_mark"),
    _c("attempts", numeric=True, prio=2),
    _c("forward", prio=2),
    _c("svix_id", prio=3),
)
TYPE_COLUMNS = (_key("event_type"), _name("description"))


def render_local_connections(svc: Services, fmt: Format) -> None:
    """`trackstar connections list`: the stored connections of the profile, tokens never shown."""
    from trackstar_cli.service.connections import list_connections

    conns = [c.to_public_dict() for c in list_connections(svc)]
    if is_human(fmt) or fmt is Format.csv:
        for row in conns:
            row["default_mark"] = "*" if row["default"] else ""
    empty = f"No connections in profile '{svc.profile}'. Add one with `trackstar exchange CODE`."
    emit(View(CONNECTION_COLUMNS, empty=empty), conns, fmt)


# -- connection operations: schedules, backfill jobs, magic links (commands/connection_ops.py, schedules.py,
# magic_links.py) ------------------------------------------------------------------------------------------

SCHEDULES_VIEW = View(
    (
        _c("function", "function_name"),
        _c("status", "sync_status"),
        _c("last_crawl_start"),
        _c("last_crawl_end"),
        _c("every (s)", "sync_frequency", numeric=True),
    ),
    empty="No sync schedules.",
)
JOBS_VIEW = View(
    (
        _c("job_id", "id"),
        _c("connection_id"),
        _c("function", "function_name"),
        _c("status"),
        _c("since", "requested_start_time"),
        _c("until", "requested_end_time"),
        _c("created_at"),
    ),
    empty="No backfill jobs started from this profile.",
)
MAGIC_LINKS_VIEW = View(
    (
        _c("id"),
        _c("customer_id"),
        _c("type", "integration_type"),
        _c("allow", "integration_allow_list"),
        _c("block", "integration_block_list"),
        _c("expires_at"),
    ),
    empty="No magic links.",
)
