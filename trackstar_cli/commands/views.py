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
    "HELP_FIELD_COLUMNS",
    "WRITE_VARIANT_COLUMNS",
    "PLACEMENT",
    "QUANTITY_COLUMNS",
    "RESOURCE_GROUPS",
    "WRITE_COMMANDS",
    "WRITE_SUMMARY",
    "render_local_connections",
]


def _c(header: str, path: str | None = None, numeric: bool = False) -> Column:
    return Column(header, path or header, numeric)


# The quantities of an inventory item (and of each of its warehouses), in the order operators read them.
QUANTITY_COLUMNS: tuple[Column, ...] = tuple(
    _c(name, numeric=True) for name in ("onhand", "fulfillable", "committed", "unfulfillable", "awaiting")
)
BY_WAREHOUSE_COLUMNS = (_c("sku"), _c("warehouse_id"), *QUANTITY_COLUMNS)
SUMMARY_COLUMNS = (_c("sku"), _c("name"), *QUANTITY_COLUMNS, _c("where (onhand)", "_where"))
CONNECTION_COLUMN = _c("connection", "_connection")

COLUMNS: dict[str, tuple[Column, ...]] = {
    "inventory": (_c("sku"), _c("name"), *QUANTITY_COLUMNS),
    "inventory-ledger": (
        _c("entry_date"),
        _c("sku"),
        _c("quantity", numeric=True),
        _c("event_type"),
        _c("object_type"),
        _c("object_id"),
        _c("warehouse_id"),
    ),
    "products": (
        _c("id"),
        _c("sku"),
        _c("name"),
        _c("gtin"),
        _c("unit_price", numeric=True),
        _c("is_kit"),
        _c("active"),
    ),
    "orders": (
        _c("id"),
        _c("order_number"),
        _c("status"),
        _c("created_date"),
        _c("ship_to", "ship_to_address.full_name"),
        _c("warehouse_id"),
        _c("total_price", numeric=True),
    ),
    "order-channels": (_c("id"), _c("name")),
    "inbound-shipments": (
        _c("id"),
        _c("purchase_order_number"),
        _c("status"),
        _c("expected_arrival_date"),
        _c("warehouse_id"),
        _c("supplier", "supplier_object.supplier_name"),
    ),
    "inbound-shipment-suppliers": (_c("id"), _c("name")),
    "returns": (_c("id"), _c("order_id"), _c("status"), _c("created_date"), _c("updated_date")),
    "warehouses": (_c("id"), _c("name"), _c("code"), _c("city", "address.city"), _c("country", "address.country")),
    "warehouse-locations": (_c("id"), _c("name"), _c("type"), _c("warehouse_id")),
    "warehouse-customers": (_c("id"), _c("name"), _c("email")),
    "shipping-methods": (_c("id"), _c("name"), _c("carrier", "carrier_name"), _c("scac")),
    "bills": (
        _c("id"),
        _c("charge_type"),
        _c("amount", numeric=True),
        _c("currency", "currency_code"),
        _c("object_type"),
        _c("created_date"),
    ),
    "labor-activities": (
        _c("id"),
        _c("activity_type"),
        _c("user", "user_first_name"),
        _c("quantity", numeric=True),
        _c("start", "activity_start_time"),
        _c("warehouse_id"),
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
    "products": "Products and kits (/wms/products): list, get; create, update (kits: `trackstar kits`).",
    "orders": "Orders (/wms/orders): list, get, packs, channels; create, update, cancel, ship, attach-file.",
    "inbound-shipments": "Inbound shipments (ASNs) and their suppliers: list, get; create, update, receive.",
    "returns": "Returns (RMAs) (/wms/returns): list, get; create, update, cancel.",
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
    "returns update": ("update_return", "Updated return"),
    "returns cancel": ("cancel_return", "Cancelled return"),
    "kits create": ("create_kit", "Created kit"),
    "kits update": ("update_kit", "Updated kit"),
    "inbound-shipments update": ("update_inbound_shipment", "Updated inbound shipment"),
    "orders attach-file": ("attach_order_file", "Attached a file to order"),
    **{f"tags set {r}": (f"set_tags_{r.replace('-', '_')}", f"Set the tags of {r}") for r in TAGGABLE},
}

# What a terminal shows of the written object, by the write command's group.
WRITE_SUMMARY: dict[str, tuple[Column, ...]] = {
    "orders": (_c("id"), _c("order_number"), _c("status"), _c("warehouse_id"), _c("line_items"), _c("trackstar_tags")),
    "products": (_c("id"), _c("sku"), _c("name"), _c("gtin")),
    "inventory": (_c("id"), _c("sku"), *QUANTITY_COLUMNS),
    "inbound-shipments": (_c("id"), _c("purchase_order_number"), _c("status"), _c("warehouse_id"), _c("line_items")),
    "returns": (_c("id"), _c("order_id"), _c("status")),
    "tags": (_c("id"), _c("trackstar_tags")),
    "kits": (_c("id"), _c("sku"), _c("name"), _c("is_kit")),
}
# `<write> --help-fields`: what the connection's integration takes.
HELP_FIELD_COLUMNS = (_c("field"), _c("required"), _c("type"), _c("option"))
# `integrations write-info NAME`: each write the integration takes and its required fields.
WRITE_VARIANT_COLUMNS = (_c("write action", "action"), _c("url"), _c("required fields", "required"), _c("source"))

CONNECTION_COLUMNS = (
    _c("default", "default_mark"),
    _c("connection_id"),
    _c("alias"),
    _c("integration", "integration_name"),
    _c("customer_id"),
    _c("created_at"),
)
REMOTE_COLUMNS = (
    _c("connection_id"),
    _c("integration", "integration_name"),
    _c("customer_id"),
    _c("created_at"),
    _c("last_used"),
    _c("sync"),
    _c("errors", "error_count", numeric=True),
    _c("first_error"),
    _c("stored"),
)
RECONCILE_COLUMNS = (
    _c("status"),
    _c("connection_id"),
    _c("alias"),
    _c("integration", "integration_name"),
    _c("errors", "error_count", numeric=True),
    _c("first_error"),
    _c("fix", "action"),
)
INTEGRATION_COLUMNS = (
    _c("integration_name"),
    _c("display_name"),
    _c("install_method"),
    _c("actions", "action_count", numeric=True),
    _c("available_actions", "action_names"),
)
WRITE_INFO_COLUMNS = (
    _c("write action", "action"),
    _c("url"),
    _c("required fields", "required_fields"),
    _c("integration-specific fields", "integration_fields"),
    _c("optional", "optional_count", numeric=True),
)
INTEGRATION_FIELDS = (
    _c("integration_name"),
    _c("display_name"),
    _c("install_method"),
    _c("description"),
    _c("available_actions"),
)


EVENT_COLUMNS = (
    _c("id", numeric=True),
    _c("received_at"),
    _c("event_type"),
    _c("connection", "connection_id"),
    _c("object", "object_id"),
    _c("verified", "verified_mark"),
    _c("attempts", numeric=True),
    _c("forward"),
    _c("svix_id"),
)
TYPE_COLUMNS = (_c("event_type"), _c("description"))


def render_local_connections(svc: Services, fmt: Format) -> None:
    """`trackstar connections list`: the stored connections of the profile, tokens never shown."""
    from trackstar_cli.service.connections import list_connections

    conns = [c.to_public_dict() for c in list_connections(svc)]
    if is_human(fmt) or fmt is Format.csv:
        for row in conns:
            row["default_mark"] = "*" if row["default"] else ""
    empty = f"No connections in profile '{svc.profile}'. Add one with `trackstar exchange CODE`."
    emit(View(CONNECTION_COLUMNS, empty=empty), conns, fmt)
