"""What to ask a list endpoint for: filters in the API's `field[op]=value` syntax, dates, page sizes; and how an
inventory item splits into per-warehouse rows. Pure functions, no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from trackstar_cli.errors import UsageError
from trackstar_cli.models import Filter
from trackstar_cli.spec import FILTER_OPS, MAX_PAGE_SIZE

__all__ = ["ListQuery", "parse_filter", "parse_since", "warehouse_rows"]

_FILTER_RE = re.compile(r"^(?P<field>[A-Za-z_][A-Za-z0-9_.]*)(\[(?P<op>[A-Za-z_-]+)\])?=(?P<value>.*)$", re.S)
_RELATIVE_RE = re.compile(r"^(?P<n>\d{1,12})(?P<unit>[smhdw])$")
_DATE_HINT = "use YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ, or a relative age such as 7d, 12h, 30m"


def parse_since(value: str, *, now: datetime | None = None) -> str:
    """`2026-01-31`, `2026-01-31T08:00:00Z` or a relative `7d`/`12h`/`30m` → the API's YYYY-MM-DDTHH:MM:SSZ."""
    now = now or datetime.now(timezone.utc)
    text = value.strip()
    rel = _RELATIVE_RE.match(text)
    try:
        if rel:
            seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[rel["unit"]] * int(rel["n"])
            moment = now - timedelta(seconds=seconds)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        raise UsageError(f"invalid date {value!r}", hint=_DATE_HINT) from None
    except OverflowError:
        raise UsageError(f"date {value!r} is out of range", hint=_DATE_HINT) from None


def parse_filter(raw: str) -> Filter:
    """`field=value` or `field[op]=value` (the --filter syntax) → a Filter."""
    match = _FILTER_RE.match(raw)
    if not match:
        raise UsageError(
            f"invalid filter {raw!r}",
            hint="write filters as field=value or field[op]=value, e.g. 'sku[in]=A1,B2'",
        )
    op = match["op"]
    if op and op not in FILTER_OPS:
        raise UsageError(f"unknown filter operator {op!r} in {raw!r}", hint="operators: " + ", ".join(FILTER_OPS))
    return Filter(match["field"], match["value"], op)


@dataclass(frozen=True)
class ListQuery:
    """What to ask a list endpoint for; `params()` renders the API's query string."""

    filters: tuple[Filter, ...] = ()
    page_size: int | None = None
    limit: int | None = None  # most items to yield, None = all

    def params(self) -> dict[str, str]:
        params: dict[str, str] = {}
        for f in self.filters:
            if f.key in params:
                raise UsageError(f"filter {f.key} given twice", hint="use [in] with a comma-separated list instead")
            params[f.key] = f.value
        if self.page_size is not None:
            if not 1 <= self.page_size <= MAX_PAGE_SIZE:
                raise UsageError(f"--page-size must be between 1 and {MAX_PAGE_SIZE}, not {self.page_size}")
            params["limit"] = str(self.page_size)
        if self.limit is not None and self.limit < 0:
            raise UsageError("--limit cannot be negative")
        return params


def warehouse_rows(item: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per warehouse of an inventory item, from `inventory_by_warehouse_id`."""
    by_wh = item.get("inventory_by_warehouse_id") or {}
    if not isinstance(by_wh, dict) or not by_wh:
        return [{**item, "warehouse_id": None}]
    return [
        {"sku": item.get("sku"), "name": item.get("name"), "warehouse_id": wh, **(qty if isinstance(qty, dict) else {})}
        for wh, qty in sorted(by_wh.items())
    ]
