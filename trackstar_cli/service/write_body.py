"""Reading and checking a write's body before anything is sent: --data JSON, the non-null rule, --line, tags."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from typing import Any

from trackstar_cli.errors import UsageError
from trackstar_cli.spec import NULL_LITERALS

__all__ = [
    "MAX_JSON_DEPTH",
    "check_body",
    "check_json_depth",
    "null_problems",
    "parse_data",
    "parse_lines",
    "parse_measurements",
    "parse_tags",
]

# Our own bound, not Trackstar's: no request body nests deeper than a few levels, and far deeper JSON would
# exhaust Python's recursion limit in json, in the null check or when sending (RecursionError).
MAX_JSON_DEPTH = 64


def check_json_depth(value: Any, source: str) -> None:
    """UsageError when arrays/objects nest deeper than MAX_JSON_DEPTH (counted without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise UsageError(f"{source} nests arrays/objects deeper than {MAX_JSON_DEPTH} levels")
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)


_DIMENSIONS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*x\s*(\d+(?:\.\d+)?)\s*x\s*(\d+(?:\.\d+)?)\s*(cm|in)\s*$", re.I)
_WEIGHT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(kg|oz|lb)\s*$", re.I)


def parse_data(text: str, source: str = "--data") -> dict[str, Any]:
    """The JSON object given with --data; anything else is a usage error (exit 2)."""

    def no_constant(name: str) -> Any:
        raise UsageError(f"{source}: {name} is not valid JSON", hint="Trackstar accepts numbers only")

    try:
        value = json.loads(text, parse_constant=no_constant)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{source} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            hint="""pass a JSON object: --data '{"sku": "A1"}', --data @body.json or --data - (standard input)""",
        ) from None
    except RecursionError:
        raise UsageError(f"{source} nests arrays/objects deeper than {MAX_JSON_DEPTH} levels") from None
    check_json_depth(value, source)
    if not isinstance(value, dict):
        raise UsageError(f"{source} must be a JSON object, not {_json_kind(value)}")
    return value


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return "a boolean" if isinstance(value, bool) else "a number"


def null_problems(value: Any, path: str = "") -> list[tuple[str, str]]:
    """(field path, what is wrong) for every null, empty or null-like value; paths look like line_items.0.sku."""
    where = path or "(body)"
    if value is None:
        return [(where, "null")]
    if isinstance(value, str):
        if not value.strip():
            return [(where, "empty string")]
        if value.strip().lower() in NULL_LITERALS:
            return [(where, f"null-like string {value!r}")]
        return []
    if isinstance(value, float) and not math.isfinite(value):
        return [(where, "not a finite number")]
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in null_problems(item, f"{path}.{key}" if path else str(key))]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in null_problems(item, f"{path}.{i}" if path else str(i))]
    return []


def check_body(body: Any) -> None:
    """Refuse what Trackstar documents as a 422: null, "" and null-like values anywhere in a write body."""
    if not isinstance(body, dict):
        raise UsageError(f"the request body must be a JSON object, not {_json_kind(body)}")
    problems = null_problems(body)
    if problems:
        listed = ", ".join(f"{p} ({why})" for p, why in problems)
        raise UsageError(
            f"Trackstar refuses null, empty and null-like values in a write body: {listed}",
            hint="leave such fields out instead of sending them empty",
        )


def parse_lines(raw: Sequence[str], kind: str) -> list[tuple[str, int, float | None]]:
    """`REF:QTY` or `REF:QTY@PRICE` values (REF may itself contain ':'; QTY a positive integer, PRICE a
    non-negative number) → (REF, QTY, PRICE or None)."""
    out: list[tuple[str, int, float | None]] = []
    for value in raw:
        ref, sep, rest = value.rpartition(":")
        qty, at, price_text = rest.partition("@")
        ref = ref.strip()
        try:
            number = int(qty.strip()) if sep else 0
            price = float(price_text) if at else None
        except ValueError:
            number, price = 0, None
        if not ref or number <= 0 or (price is not None and (not math.isfinite(price) or price < 0)):
            what = "SKU_OR_PRODUCT_ID" if kind == "product" else "SKU"
            raise UsageError(
                f"invalid --line {value!r}",
                hint=f"write --line {what}:QUANTITY or {what}:QUANTITY@PRICE, e.g. --line TEE-RED:2@9.99",
            )
        out.append((ref, number, int(price) if price is not None and price.is_integer() else price))
    return out


def parse_tags(raw: Sequence[str]) -> list[str | dict[str, str]]:
    """Tags as Trackstar stores them: `vip` → "vip", `priority=high` → {"priority": "high"}."""
    tags: list[str | dict[str, str]] = []
    for value in raw:
        key, sep, val = value.partition("=")
        if sep and not key.strip():
            raise UsageError(f"invalid tag {value!r}", hint="write a tag as NAME or KEY=VALUE")
        tags.append({key.strip(): val} if sep else value)
    return tags


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


def parse_measurements(dimensions: str | None, weight: str | None) -> dict[str, Any]:
    """`30x20x10cm` and `1.2kg` → Trackstar's measurements object (whole numbers stay integers)."""
    out: dict[str, Any] = {}
    if dimensions:
        m = _DIMENSIONS.match(dimensions)
        if not m:
            raise UsageError(
                f"invalid --measurements {dimensions!r}", hint="write LENGTHxWIDTHxHEIGHT and cm or in, e.g. 30x20x10cm"
            )
        out.update(length=_number(m[1]), width=_number(m[2]), height=_number(m[3]), unit=m[4].lower())
    if weight:
        m = _WEIGHT.match(weight)
        if not m:
            raise UsageError(f"invalid --weight {weight!r}", hint="write a number and kg, oz or lb, e.g. 1.2kg")
        out.update(weight=_number(m[1]), weight_unit=m[2].lower())
    return out
