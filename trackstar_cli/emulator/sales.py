"""Seeded generation of a connection's orders (with their shipments and packs) and order channels.

Order i is a pure function of (generator context, i); its status, channel and type are pure too, so list
filters can probe them and returns can find shipped orders without building the orders collection.
Order lines draw from one warehouse customer's SKUs (inventory index % 3 is the owner).
"""

from __future__ import annotations

from .core import Json, iso
from .data import SHIPPING, WAREHOUSES, price_for, sku_for, warehouse_address
from .gen import Gen, make_id, mix

__all__ = [
    "CHANNELS",
    "make_channel",
    "make_order",
    "order_channel",
    "order_number",
    "order_packs",
    "order_shipment",
    "order_status",
    "order_type",
    "pick",
    "reference_id",
    "ship_from",
    "sku_of_customer",
]

CHANNELS = ("Shopify", "Amazon", "Wholesale", "TikTok Shop")
_FIRST = ("Ava", "Liam", "Maya", "Noah", "Zoe", "Ethan", "Iris", "Omar", "Lena", "Kai", "Rosa", "Theo")
_LAST = ("Nguyen", "Garcia", "Smith", "Okafor", "Kowalski", "Rossi", "Chen", "Patel", "Silva", "Berg")
_CITIES = (
    ("Austin", "TX", "78701"),
    ("Portland", "OR", "97205"),
    ("Denver", "CO", "80202"),
    ("Chicago", "IL", "60601"),
    ("Brooklyn", "NY", "11201"),
    ("Miami", "FL", "33131"),
    ("Seattle", "WA", "98101"),
    ("Boston", "MA", "02108"),
)
_RAW = {
    "open": "Awaiting",
    "confirmed": "Confirmed",
    "processing": "Processing",
    "picked": "Picked",
    "packed": "Packed",
    "partially_fulfilled": "PartiallyShipped",
    "fulfilled": "Completed",
    "exception": "OnHold",
    "cancelled": "Cancelled",
    "backordered": "Backorder",
    "other": "Unknown",
}


def pick(weights: tuple[tuple[str, int], ...], roll: int) -> str:
    """Weighted choice from a 0..99 roll."""
    for value, weight in weights:
        if roll < weight:
            return value
        roll -= weight
    return weights[-1][0]


def sku_of_customer(g: Gen, customer: int, k: int) -> int:
    """An inventory index owned by warehouse customer `customer` (index % 3 is the owner)."""
    n = g.sizes.inventory
    return (3 * (k % max(1, n // 3)) + customer) % n


_OLD = (("fulfilled", 84), ("cancelled", 7), ("partially_fulfilled", 4), ("exception", 2), ("other", 3))
_NEW = (
    ("open", 18),
    ("confirmed", 10),
    ("processing", 14),
    ("picked", 8),
    ("packed", 8),
    ("backordered", 6),
    ("partially_fulfilled", 8),
    ("fulfilled", 22),
    ("exception", 3),
    ("cancelled", 3),
)


def order_status(g: Gen, i: int) -> str:
    """Older orders are mostly shipped; the last tenth spread across the whole lifecycle."""
    n = g.sizes.orders
    return pick(_OLD if i < n * 0.9 else _NEW, mix(g.base, i, 11) % 100)


def order_channel(g: Gen, i: int) -> str:
    return make_id("chan", mix(g.base, i, 12) % len(CHANNELS) + 1)


def order_type(g: Gen, i: int) -> str:
    return pick((("d2c", 85), ("b2b", 10), ("dropship", 5)), mix(g.base, i, 13) % 100)


def order_number(i: int) -> str:
    return f"#{100000 + i + 1}"


def reference_id(i: int) -> str:
    return f"SO-{i + 1:07d}"


def _address(rng_roll: int) -> Json:
    first, last = _FIRST[rng_roll % len(_FIRST)], _LAST[rng_roll // 13 % len(_LAST)]
    city, state, postal = _CITIES[rng_roll // 7 % len(_CITIES)]
    return {
        "full_name": f"{first} {last}",
        "company": None,
        "address1": f"{100 + rng_roll % 900} Main St",
        "address2": None,
        "address3": None,
        "city": city,
        "state": state,
        "postal_code": postal,
        "country": "US",
        "phone_number": None,
        "email_address": f"{first.lower()}.{last.lower()}@example.com",
    }


def ship_from(w: int) -> Json:
    return warehouse_address(w)


def make_order(g: Gen, i: int) -> Json:
    n, rng = g.sizes.orders, g.rng("orders", i)
    c, w = i % 3, mix(g.base, i, 14) % len(WAREHOUSES)
    status, roll = order_status(g, i), int(rng.random() * 1_000_000)
    method = SHIPPING[roll % 7]  # the last method is LTL freight, kept for b2b orders below
    kind = order_type(g, i)
    if kind == "b2b":
        method = SHIPPING[-1]
    lines: list[Json] = []
    for k in range(1 + int(rng.random() * 4)):
        j = sku_of_customer(g, c, int(rng.random() * 1_000_000) + k)
        lines.append(
            {
                "product_id": make_id("prod", j + 1),
                "sku": sku_for(j),
                "quantity": 1 + int(rng.random() * 3),
                "unit_price": price_for(j),
                "is_picked": status in ("picked", "packed", "fulfilled"),
                "discount_amount": 0.0,
            }
        )
    subtotal = round(sum(line["quantity"] * line["unit_price"] for line in lines), 2)
    shipping, tax = round(4.5 + roll % 10, 2), round(subtotal * 0.07, 2)
    order_id, created, channel = make_id("ord", i + 1), g.created(i, n), order_channel(g, i)
    order: Json = {
        "id": order_id,
        "warehouse_customer_id": make_id("cust", c + 1),
        "warehouse_id": make_id("wh", w + 1),
        "created_date": created,
        "updated_date": g.updated(i, n),
        "reference_id": reference_id(i),
        "order_number": order_number(i),
        "status": status,
        "raw_status": _RAW[status],
        "channel": channel,
        "channel_object": {"channel_id": channel, "channel_name": CHANNELS[int(channel[-4:]) - 1]},
        "type": kind,
        "trading_partner": "Target" if kind == "b2b" else None,
        "shipping_method": method[0],
        "service_level": "Standard" if roll % 3 else "Expedited",
        "shipping_method_id": make_id("shm", SHIPPING.index(method) + 1),
        "shipping_method_name": method[1],
        "carrier_id": method[2],
        "carrier_name": method[3],
        "scac": method[4],
        "is_third_party_freight": False,
        "third_party_freight_account_number": None,
        "first_party_freight_account_number": None,
        "invoice_currency_code": "USD",
        "total_price": round(subtotal + shipping + tax, 2),
        "total_tax": tax,
        "total_discount": 0.0,
        "total_shipping": shipping,
        "ship_to_address": _address(roll),
        "line_items": lines,
        "tags": ["gift"] if roll % 11 == 0 else [],
        "required_ship_date": iso(g.created_epoch(i, n) + 3 * 86400) if kind == "b2b" else None,
        "saturday_delivery": False,
        "signature_required": roll % 17 == 0,
        "international_duty_paid_by": None,
        "shipments": [],
        "external_system_url": g.url("orders", order_id),
        "trackstar_tags": [],
        "additional_fields": {},
    }
    if status in ("fulfilled", "partially_fulfilled"):
        shipped = lines if status == "fulfilled" else lines[:1]
        inv_lines = [
            {
                "inventory_item_id": "inv_" + line["product_id"][5:],
                "sku": line["sku"],
                "quantity": line["quantity"],
                "parent_product_id": None,
            }
            for line in shipped
        ]
        order["shipments"].append(
            order_shipment(
                order,
                f"shp_{i + 1:08d}",
                inv_lines,
                order["updated_date"],
                [(f"pkg_{i + 1:08d}", f"1Z{roll:06d}{i:08d}")],
            )
        )
    return order


def order_shipment(
    order: Json,
    shipment_id: str,
    inv_lines: list[Json],
    shipped_date: str,
    packages: list[tuple[str, str]],
    cost: float = 7.5,
    measurements: Json | None = None,
) -> Json:
    """One shipment of inventory lines ({inventory_item_id, sku, quantity, parent_product_id}) in
    packages given as (package_id, tracking_number); the lines travel in the first package."""
    w = int(order["warehouse_id"].rpartition("_")[2]) - 1
    size = measurements or {
        "length": 12.0,
        "width": 9.0,
        "height": 4.0,
        "unit": "in",
        "weight": 2.0,
        "weight_unit": "lb",
    }
    boxes = [
        {
            "package_id": pid,
            "package_name": "Box",
            "tracking_number": tracking,
            "tracking_url": f"https://track.example.com/{tracking}",
            "shipping_method": order["shipping_method"],
            "carrier": order["carrier_name"],
            "shipping_method_id": order["shipping_method_id"],
            "shipping_method_name": order["shipping_method_name"],
            "carrier_id": order["carrier_id"],
            "carrier_name": order["carrier_name"],
            "scac": order["scac"],
            "shipping_cost": cost if k == 0 else 0.0,
            "measurements": size,
            "line_items": [{**line, "lot_id": None, "expiration_date": None} for line in inv_lines] if k == 0 else [],
        }
        for k, (pid, tracking) in enumerate(packages)
    ]
    return {
        "shipment_id": shipment_id,
        "warehouse_id": order["warehouse_id"],
        "raw_status": "Shipped",
        "status": "shipped",
        "shipped_date": shipped_date,
        "shipping_method": order["shipping_method"],
        "line_items": inv_lines,
        "ship_to_address": order["ship_to_address"],
        "ship_from_address": ship_from(w),
        "packages": boxes,
    }


def order_packs(order: Json) -> Json:
    """GET /wms/orders/{id}/packs: one pack per shipped package."""
    packs = [
        {
            "pack_id": p["package_id"],
            "measurements": p["measurements"],
            "line_items": [{k: li[k] for k in ("inventory_item_id", "sku", "quantity")} for li in p["line_items"]],
        }
        for s in order["shipments"]
        for p in s["packages"]
    ]
    return {
        "packs": packs,
        "carrier": order["carrier_name"],
        "carrier_id": order["carrier_id"],
        "carrier_name": order["carrier_name"],
        "scac": order["scac"],
        "shipping_method": order["shipping_method"],
        "shipping_method_id": order["shipping_method_id"],
        "shipping_method_name": order["shipping_method_name"],
        "ship_to_address": order["ship_to_address"],
        "order_line_items": [{k: li[k] for k in ("product_id", "sku", "quantity")} for li in order["line_items"]],
        "additional_fields": {},
    }


def make_channel(g: Gen, i: int) -> Json:
    n = len(CHANNELS)
    return {
        "id": make_id("chan", i + 1),
        "name": CHANNELS[i],
        "warehouse_customer_id": None,
        "created_date": g.created(i - n, n),
        "updated_date": g.created(i - n, n),
        "additional_fields": {},
    }
