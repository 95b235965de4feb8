"""A tiny body-schema language for the write endpoints, and the documented non-null rule.

One schema per write both validates bodies and feeds the `required_base_schema_fields` /
`optional_base_schema_fields` lists of GET /integrations, so the two never drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..spec import NULL_LITERALS
from .core import validation_error

__all__ = ["F", "Schema", "dotted_fields", "reject_nulls", "validate_body"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")


@dataclass(frozen=True)
class F:
    """One body field: kind is str|int|pos_int|num|bool|date|tags|strlist, or a nested Schema."""

    kind: str | Schema
    required: bool = False
    many: bool = False  # a JSON array of `kind`
    enum: tuple[str, ...] = ()


Schema = dict[str, F]


def dotted_fields(schema: Schema, prefix: str = "") -> Iterator[tuple[str, bool]]:
    """(dotted name, required) for every leaf, e.g. ("line_items.product_id", True)."""
    for name, spec in schema.items():
        path = f"{prefix}{name}"
        if isinstance(spec.kind, dict):
            yield from ((p, spec.required and r) for p, r in dotted_fields(spec.kind, f"{path}."))
        else:
            yield path, spec.required


def reject_nulls(value: Any, path: str = "") -> dict[str, list[str]]:
    """Trackstar refuses null, "" and null-like string literals anywhere in a write body (422)."""
    problems: dict[str, list[str]] = {}
    if value is None:
        problems[path or "_schema"] = ["Field may not be null."]
    elif isinstance(value, str):
        if not value.strip():
            problems[path] = ["Field may not be empty."]
        elif value.strip().lower() in NULL_LITERALS:
            problems[path] = ["Field may not be a null literal."]
    elif isinstance(value, dict):
        for key, item in value.items():
            problems.update(reject_nulls(item, f"{path}.{key}" if path else str(key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            problems.update(reject_nulls(item, f"{path}.{i}"))
    return problems


def validate_body(body: dict[str, Any], schema: Schema) -> list[str]:
    """Check types and required fields (422 on failure); return the unknown fields (`unused_fields`)."""
    reject = reject_nulls(body)
    if reject:
        raise validation_error("json", reject)
    problems: dict[str, list[str]] = {}
    unused: list[str] = []
    _check_object(body, schema, "", problems, unused)
    if problems:
        raise validation_error("json", problems)
    return unused


def _check_object(
    obj: dict[str, Any], schema: Schema, prefix: str, problems: dict[str, list[str]], unused: list[str]
) -> None:
    for name, spec in schema.items():
        if spec.required and name not in obj:
            problems[f"{prefix}{name}"] = ["Missing data for required field."]
    for name, value in obj.items():
        known = schema.get(name)
        if known is None:
            unused.append(f"{prefix}{name}")
            continue
        spec = known
        if spec.many:
            if not isinstance(value, list):
                problems[f"{prefix}{name}"] = ["Not a valid list."]
            elif spec.required and not value:
                problems[f"{prefix}{name}"] = ["Shorter than minimum length 1."]
            else:
                for i, item in enumerate(value):
                    _check_value(item, spec, f"{prefix}{name}.{i}", problems, unused)
        else:
            _check_value(value, spec, f"{prefix}{name}", problems, unused)


def _check_value(value: Any, spec: F, path: str, problems: dict[str, list[str]], unused: list[str]) -> None:
    if isinstance(spec.kind, dict):
        if isinstance(value, dict):
            _check_object(value, spec.kind, f"{path}.", problems, unused)
        else:
            problems[path] = ["Not a valid object."]
        return
    message = _scalar_problem(value, spec)
    if message:
        problems[path] = [message]


def _scalar_problem(value: Any, spec: F) -> str | None:
    kind = spec.kind
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if kind in ("str", "date") and not isinstance(value, str):
        return "Not a valid string."
    if kind == "date" and not _DATE.match(value):
        return "Not a valid datetime (YYYY-MM-DDTHH:MM:SSZ)."
    if kind == "int" and not is_int:
        return "Not a valid integer."
    if kind == "pos_int" and (not is_int or value <= 0):
        return "Must be a positive integer."
    if kind == "num" and (isinstance(value, bool) or not isinstance(value, (int, float))):
        return "Not a valid number."
    if kind == "bool" and not isinstance(value, bool):
        return "Not a valid boolean."
    if kind == "strlist" and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        return "Not a valid list of strings."
    if kind == "tags" and not _valid_tags(value):
        return "Tags must be strings or single-key objects with a string value."
    if spec.enum and value not in spec.enum:
        return f"Must be one of: {', '.join(spec.enum)}."
    return None


def _valid_tags(value: Any) -> bool:
    if not isinstance(value, list):
        return False
    for tag in value:
        if isinstance(tag, dict):
            if len(tag) != 1 or not all(isinstance(v, str) for v in tag.values()):
                return False
        elif not isinstance(tag, str):
            return False
    return True
