"""Seeded generation of a connection's other activity: inbound shipments, returns, bills, ledger entries,
labor activities and inbound suppliers.

Like data.py, item i is a pure function of (generator context, i). Cross references only use facts that are
themselves pure (ids, SKUs, an order's status), so an item never needs another collection to exist.
"""

from __future__ import annotations

from .core import REFERENCE_EPOCH, Json, iso
from .data import SUPPLIERS, WAREHOUSES, location_id, price_for, sku_for
from .gen import Gen, make_id, mix
from .sales import make_order, order_status, pick, sku_of_customer

__all__ = [
    "ledger_event",
    "ledger_item",
    "make_bill",
    "make_inbound",
    "make_labor",
    "make_ledger",
    "make_return",
    "make_supplier",
]

_USERS = (
    ("usr_00000001", "Dana", "Ortiz"),
    ("usr_00000002", "Sam", "Lee"),
    ("usr_00000003", "Priya", "Shah"),
    ("usr_00000004", "Marco", "Bianchi"),
    ("usr_00000005", "June", "Park"),
)


_INBOUND_OLD = (("received", 85), ("cancelled", 5), ("receiving", 10))
_INBOUND_NEW = (("open", 35), ("in-transit", 35), ("receiving", 20), ("received", 10))


def make_inbound(g: Gen, i: int) -> Json:
    n, rng = g.sizes.inbound, g.rng("inbound", i)
    c, w = i % 3, mix(g.base, i, 21) % len(WAREHOUSES)
    status = pick(_INBOUND_OLD if i < n * 0.8 else _INBOUND_NEW, mix(g.base, i, 22) % 100)
    created = g.created(i, n)
    arrival = g.created_epoch(i, n) + (7 + int(rng.random() * 14)) * 86400
    lines, receipts_lines = [], []
    for k in range(1 + int(rng.random() * 5)):
        j = sku_of_customer(g, c, int(rng.random() * 1_000_000) + k)
        expected = 24 * (1 + int(rng.random() * 20))
        received = {"received": expected, "receiving": expected // 2}.get(status, 0)
        lines.append(
            {
                "inventory_item_id": make_id("inv", j + 1),
                "sku": sku_for(j),
                "expected_quantity": expected,
                "received_quantity": received,
                "unit_cost": round(price_for(j) * 0.4, 2),
                "external_id": None,
            }
        )
        if received:
            receipts_lines.append({"inventory_item_id": make_id("inv", j + 1), "sku": sku_for(j), "quantity": received})
    sup_id, sup_name = SUPPLIERS[mix(g.base, i, 23) % len(SUPPLIERS)]
    inbound_id = make_id("ibs", i + 1)
    return {
        "id": inbound_id,
        "warehouse_customer_id": make_id("cust", c + 1),
        "created_date": created,
        "updated_date": g.updated(i, n),
        "purchase_order_number": f"PO-{20000 + i + 1}",
        "status": status,
        "raw_status": status.replace("-", " ").title(),
        "supplier": sup_name,
        "supplier_object": {"supplier_id": sup_id, "supplier_name": sup_name},
        "expected_arrival_date": iso(min(arrival, REFERENCE_EPOCH + 30 * 86400)),
        "warehouse_id": make_id("wh", w + 1),
        "line_items": lines,
        "receipts": [
            {
                "id": f"rcpt_{i + 1:08d}",
                "arrived_date": iso(min(arrival, REFERENCE_EPOCH - 60)),
                "line_items": receipts_lines,
            }
        ]
        if receipts_lines
        else [],
        "ship_from_address": {
            "address1": "88 Harbor Rd",
            "address2": None,
            "address3": None,
            "city": "Oakland",
            "state": "CA",
            "postal_code": "94607",
            "country": "US",
        },
        "tracking_numbers": [f"PRO{mix(g.base, i, 24) % 10**9:09d}"],
        "notes": [],
        "external_system_url": g.url("inbound-shipments", inbound_id),
        "trackstar_tags": [],
        "additional_fields": {},
    }


def _shipped_order_before(g: Gen, i: int, n: int) -> int:
    """A fulfilled (or partly fulfilled) order created before return i, found from a pure roll."""
    limit = max(1, i * g.sizes.orders // max(n, 1))
    j = mix(g.base, i, 31) % limit
    for step in range(limit):
        candidate = (j - step) % limit
        if order_status(g, candidate) in ("fulfilled", "partially_fulfilled"):
            return candidate
    return j


_REASONS = ("Too small", "Too large", "Damaged", "Changed mind", "Wrong item")


def make_return(g: Gen, i: int) -> Json:
    n, rng = g.sizes.returns, g.rng("returns", i)
    order = make_order(g, _shipped_order_before(g, i, n))
    status = pick(
        (("received", 70), ("receiving", 10), ("in-transit", 10), ("open", 6), ("cancelled", 4)),
        mix(g.base, i, 32) % 100,
    )
    lines, ship_lines = [], []
    for line in order["line_items"][: 1 + int(rng.random() * 2)]:
        qty = line["quantity"]
        got = qty if status == "received" else (qty // 2 if status == "receiving" else 0)
        inv_id = "inv_" + line["product_id"][5:]
        lines.append(
            {
                "inventory_item_id": inv_id,
                "sku": line["sku"],
                "expected_quantity": qty,
                "received_quantity": got,
                "restocked_quantity": got,
                "return_reason": _REASONS[int(rng.random() * len(_REASONS))],
                "quantity": qty,
                "warehouse_id": order["warehouse_id"],
                "returned_date": None,
            }
        )
        details = [{"quantity": got, "condition": "good", "disposition": "restocked"}] if got else []
        ship_lines.append(
            {"inventory_item_id": inv_id, "sku": line["sku"], "quantity": qty, "receiving_details": details}
        )
    created, return_id = g.created(i, n), make_id("ret", i + 1)
    return {
        "id": return_id,
        "warehouse_customer_id": order["warehouse_customer_id"],
        "created_date": created,
        "updated_date": g.updated(i, n),
        "status": status,
        "raw_status": status.replace("-", " ").title(),
        "order_id": order["id"],
        "notes": [],
        "line_items": lines,
        "shipments": [
            {
                "tracking_number": f"9400{mix(g.base, i, 33) % 10**12:012d}",
                "shipped_date": created,
                "arrived_date": None if status in ("open", "in-transit") else g.updated(i, n),
                "warehouse_id": order["warehouse_id"],
                "carrier": "USPS",
                "carrier_id": "usps",
                "carrier_name": "USPS",
                "scac": "USPS",
                "shipping_cost": 6.25,
                "measurements": {
                    "length": 12.0,
                    "width": 9.0,
                    "height": 4.0,
                    "unit": "in",
                    "weight": 1.5,
                    "weight_unit": "lb",
                },
                "line_items": ship_lines,
            }
        ],
        "external_system_url": g.url("returns", return_id),
        "trackstar_tags": [],
        "additional_fields": {},
    }


_CHARGES = (
    ("order", "shipping", 40),
    ("order", "pick_pack", 30),
    ("inbound_shipment", "receiving", 12),
    ("return", "returns_processing", 8),
    (None, "storage", 10),
)


def make_bill(g: Gen, i: int) -> Json:
    n, roll = g.sizes.bills, mix(g.base, i, 41)
    object_type, charge, _ = _CHARGES[-1]
    pick = roll % 100
    for kind, name, weight in _CHARGES:
        if pick < weight:
            object_type, charge = kind, name
            break
        pick -= weight
    counts = {
        "order": (g.sizes.orders, "ord"),
        "inbound_shipment": (g.sizes.inbound, "ibs"),
        "return": (g.sizes.returns, "ret"),
    }
    object_id = None
    if object_type:  # bill an object that existed when the bill was raised
        count, prefix = counts[object_type]
        object_id = make_id(prefix, roll // 100 % max(1, i * count // n) + 1)
    return {
        "id": make_id("bill", i + 1),
        "warehouse_customer_id": g.customer(i),
        "created_date": g.created(i, n),
        "updated_date": g.updated(i, n),
        "object_id": object_id,
        "object_type": object_type,
        "charge_type": charge,
        "amount": round(0.5 + roll % 4000 / 100, 2),
        "currency_code": "USD",
        "additional_fields": {},
    }


_EVENTS = (
    ("order_shipment", "ship", -1, "order", 45),
    ("inbound_receipt", "receipt_into_system", 1, "inbound_shipment", 20),
    ("adjustment", "cycle_count", 0, None, 15),
    ("return_receipt", "return_restock", 1, "return", 8),
    ("movement", "bin_move", 0, None, 8),
    ("other", "misc", 0, None, 4),
)


def ledger_item(g: Gen, i: int) -> int:
    return mix(g.base, i, 51) % g.sizes.inventory


def ledger_event(g: Gen, i: int) -> tuple[str, str, int, str | None]:
    roll = mix(g.base, i, 52) % 100
    for event, raw, sign, obj, weight in _EVENTS:
        if roll < weight:
            return event, raw, sign, obj
        roll -= weight
    return _EVENTS[-1][:4]


def make_ledger(g: Gen, i: int) -> Json:
    n, j = g.sizes.ledger, ledger_item(g, i)
    event, raw, sign, obj = ledger_event(g, i)
    roll, w = mix(g.base, i, 53), mix(g.base, i, 54) % len(WAREHOUSES)
    qty = 1 + roll % 24
    if sign == 0:
        qty = qty if roll % 2 else -qty
    counts = {
        "order": (g.sizes.orders, "ord"),
        "inbound_shipment": (g.sizes.inbound, "ibs"),
        "return": (g.sizes.returns, "ret"),
    }
    object_id = make_id(counts[obj][1], roll // 7 % counts[obj][0] + 1) if obj else None
    created = g.created(i, n)
    return {
        "id": make_id("led", i + 1),
        "created_date": created,
        "updated_date": created,
        "entry_date": created,
        "inventory_item_id": make_id("inv", j + 1),
        "sku": sku_for(j),
        "quantity": qty * (sign or 1),
        "raw_event_type": raw,
        "event_type": event,
        "reason": "Cycle count" if event == "adjustment" else None,
        "object_id": object_id,
        "object_type": obj,
        "warehouse_id": make_id("wh", w + 1),
        "location_id": location_id(g, w, roll % g.sizes.locations_per_warehouse),
        "additional_fields": {},
    }


_LABOR = (
    ("pick", "order"),
    ("pack", "order"),
    ("receive", "inbound_shipment"),
    ("put_away", "inbound_shipment"),
    ("transfer", "inventory"),
)


def make_labor(g: Gen, i: int) -> Json:
    n, roll = g.sizes.labor, mix(g.base, i, 61)
    activity, obj = _LABOR[roll % len(_LABOR)]
    user_id, first, last = _USERS[roll // 5 % len(_USERS)]
    counts = {
        "order": (g.sizes.orders, "ord"),
        "inbound_shipment": (g.sizes.inbound, "ibs"),
        "inventory": (g.sizes.inventory, "inv"),
    }
    created = g.created(i, n)
    start = g.created_epoch(i, n)
    return {
        "id": make_id("lab", i + 1),
        "created_date": created,
        "updated_date": created,
        "user_id": user_id,
        "user_first_name": first,
        "user_last_name": last,
        "warehouse_id": make_id("wh", roll // 50 % len(WAREHOUSES) + 1),
        "activity_type": activity,
        "activity_start_time": created,
        "activity_end_time": iso(start + 60 + roll % 1800),
        "associated_object_type": obj,
        "associated_object_id": make_id(counts[obj][1], roll // 7 % counts[obj][0] + 1),
        "quantity": 1 + roll % 12,
        "additional_fields": {},
    }


def make_supplier(g: Gen, i: int) -> Json:
    n = len(SUPPLIERS)
    sup_id, name = SUPPLIERS[i]
    return {
        "id": sup_id,
        "name": name,
        "warehouse_customer_id": None,
        "created_date": g.created(i - n, n),
        "updated_date": g.created(i - n, n),
        "additional_fields": {},
    }
