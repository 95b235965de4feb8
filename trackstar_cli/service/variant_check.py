"""Checking a write body against an integration's variant (jsonschema), and describing a variant.

Every failure becomes a sentence that names the option to add or drop (`options` maps a dotted body field,
`line_items.quantity`, to the option that sets it, `--line`), so nothing reaches the API that its variant refuses.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from trackstar_cli.service.variants import DATE_TIME, BodyRejectedError, Variant, integration_label, object_of
from trackstar_cli.spec import FIELD_ALIASES

__all__ = ["check", "field_rows"]


# -- checking a body -------------------------------------------------------------------------------------


def check(variant: Variant, body: dict[str, Any], options: Mapping[str, str], command: str) -> None:
    """Raise BodyRejectedError listing every missing, forbidden or out-of-range field, by option name.

    `options` maps a body field (dotted, `line_items.quantity`) to the option that sets it (`--line`)."""
    if variant.schema is None:
        return
    from jsonschema import Draft202012Validator, FormatChecker

    checker = FormatChecker(formats=())  # date-time only, as the emulator checks it
    checker.checks("date-time")(lambda v: not isinstance(v, str) or bool(DATE_TIME.match(v)))
    validator = Draft202012Validator(variant.schema, format_checker=checker)
    missing: list[str] = []
    extra: list[str] = []
    other: list[str] = []
    for error in _leaf_errors(validator.iter_errors(body)):
        where = ".".join(str(p) for p in error.absolute_path)
        if error.validator == "required":
            for name in error.validator_value:
                if isinstance(error.instance, dict) and name not in error.instance:
                    missing.append(_join(where, name))
        elif error.validator == "additionalProperties":
            known = error.schema.get("properties", {})
            extra.extend(_join(where, k) for k in error.instance if k not in known)
        elif error.validator == "enum":
            other.append(f"{_label(where, options)} must be one of {', '.join(map(str, error.validator_value))}")
        else:
            other.append(f"{_label(where, options)}: {error.message}")
    if not (missing or extra or other):
        return
    who = integration_label(variant.integration)
    parts: list[str] = []
    if missing:
        parts.append(f"{who} requires {', '.join(_grouped(missing, options))}")
    for field in dict.fromkeys(extra):
        parts.append(f"{who} does not take {_label(field, options)}{_alternative(variant, field)}")
    parts.extend(dict.fromkeys(other))
    hint = f"`trackstar {command} --help-fields` lists what {who} takes"
    lined = [m for m in missing if "." in m and _generic(m) not in options and m.split(".")[0] in options]
    if lined:
        parent = options[lined[0].split(".")[0]]
        hint += f"; a line field {parent} cannot set needs the whole {lined[0].split('.')[0]} in --data instead"
    raise BodyRejectedError(f"{command} on {who}: " + "; ".join(parts) + " (nothing was sent)", hint=hint)


def _grouped(paths: list[str], options: Mapping[str, str]) -> list[str]:
    """`--measurements (measurements.height, measurements.unit)`: one entry per option, fields in order."""
    by_option: dict[str, list[str]] = {}
    for path in paths:
        generic = _generic(path)
        option = options.get(generic) or options.get(_canonical(generic)) or ""
        by_option.setdefault(option, [])
        if generic not in by_option[option]:
            by_option[option].append(generic)
    out = [f"{option} ({', '.join(fields)})" for option, fields in by_option.items() if option]
    out.extend(f"{field} (in --data)" for field in by_option.get("", []))
    return out


def _leaf_errors(errors: Iterator[Any]) -> Iterator[Any]:
    """oneOf/anyOf failures stand for their sub-errors (e.g. supplier_object's two shapes)."""
    for error in errors:
        if error.validator in ("oneOf", "anyOf") and error.context:
            yield min(error.context, key=lambda e: len(list(e.absolute_path)))
        else:
            yield error


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _generic(path: str) -> str:
    """line_items.0.sku → line_items.sku (options name fields, not positions)."""
    return ".".join(p for p in path.split(".") if not p.isdigit())


def _canonical(path: str) -> str:
    """reference_num → reference_id: the name the option is filed under."""
    head, _, last = path.rpartition(".")
    for canon, names in FIELD_ALIASES.items():
        if last in names:
            return _join(head, canon)
    return path


def _label(path: str, options: Mapping[str, str]) -> str:
    generic = _generic(path)
    option = options.get(generic) or options.get(_canonical(generic))
    if option is None:
        return f"{generic} (in --data)"
    return f"{option} ({generic})" if not option.endswith(f"({generic})") else option


def _alternative(variant: Variant, field: str) -> str:
    """Where the integration takes the idea instead, e.g. ShipHero's warehouse_id per line item."""
    generic = _generic(field)
    leaf = generic.rsplit(".", 1)[-1]
    for path in _all_paths(variant.properties(), ""):
        if path != generic and path.rsplit(".", 1)[-1] == leaf:
            return f": it takes {path} instead (set it in --data)"
    return ": leave it out"


def _all_paths(props: dict[str, Any], prefix: str) -> Iterator[str]:
    for name, sub in props.items():
        path = _join(prefix, name)
        yield path
        inner = object_of(sub) if isinstance(sub, dict) else {}
        if isinstance(inner.get("properties"), dict):
            yield from _all_paths(inner["properties"], path)


# -- describing a variant --------------------------------------------------------------------------------


def field_rows(variant: Variant, options: Mapping[str, str]) -> list[dict[str, Any]]:
    """One row per field (dotted), with whether it is required, its type or choices, and its option."""
    rows: list[dict[str, Any]] = []

    def walk(node: dict[str, Any], prefix: str, parent_required: bool) -> None:
        node = object_of(node)
        required = set(node.get("required", []))
        for name, sub in node.get("properties", {}).items():
            path = _join(prefix, name)
            inner = object_of(sub)
            kind = sub.get("type") or ("object" if "oneOf" in sub else "")
            if "enum" in inner:
                kind = "one of " + ", ".join(map(str, inner["enum"]))
            rows.append(
                {
                    "field": path,
                    "required": parent_required and name in required,
                    "type": kind,
                    "option": options.get(path) or options.get(_canonical(path)) or "",
                }
            )
            if isinstance(inner.get("properties"), dict):
                walk(inner, path, parent_required and name in required)

    if variant.schema is not None:
        walk(variant.schema, "", True)
    return rows
