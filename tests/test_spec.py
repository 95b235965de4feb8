"""spec.py against Trackstar's published OpenAPI spec (../shared/trackstar/openapi.json; skipped without it):
every resource's path and filters, and every write endpoint's method and path, are the spec's."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from trackstar_cli import spec
from trackstar_cli.commands import views

SPEC_PATH = Path(__file__).resolve().parents[1] / ".." / "shared" / "trackstar" / "openapi.json"


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    if not SPEC_PATH.is_file():
        pytest.skip(f"Trackstar's openapi.json not found at {SPEC_PATH}")
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _template(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def _operation(openapi: dict[str, Any], method: str, path: str) -> dict[str, Any] | None:
    for template, item in openapi["paths"].items():
        if _template(template) == _template(path) and method.lower() in item:
            return item[method.lower()]  # type: ignore[no-any-return]
    return None


def _filters(operation: dict[str, Any]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for param in operation.get("parameters", []):
        if param.get("in") != "query" or param["name"] in ("page_token", "limit", "ids[in]"):
            continue
        field, _, op = param["name"].partition("[")
        out.setdefault(field, set()).add(op.rstrip("]") if op else "eq")  # a bare `field=` is eq
    return out


@pytest.mark.parametrize("name", list(spec.RESOURCES))
def test_every_resource_lists_at_the_spec_path_with_the_spec_filters(openapi: dict[str, Any], name: str) -> None:
    resource = spec.RESOURCES[name]
    path = resource.path.replace("{parent_id}", "{x}")
    operation = _operation(openapi, "GET", path)
    assert operation is not None, f"GET {resource.path} is not in the spec"
    published = _filters(operation)
    ours = {field: set(ops) for field, ops in resource.filters.items()}
    assert ours == {f: ops for f, ops in published.items() if f in ours}, name
    assert set(published) <= set(ours), f"{name}: filters the spec has and spec.py lacks: {set(published) - set(ours)}"
    if resource.has_get:
        assert _operation(openapi, "GET", f"{path}/{{{resource.id_param}}}") is not None, name


@pytest.mark.parametrize("name", list(spec.WRITES))
def test_every_write_endpoint_is_in_the_spec(openapi: dict[str, Any], name: str) -> None:
    endpoint = spec.WRITES[name]
    operation = _operation(openapi, endpoint.method, endpoint.path)
    assert operation is not None, f"{endpoint.method} {endpoint.path} is not in the spec"
    template = next(t for t in openapi["paths"] if _template(t) == _template(endpoint.path))
    assert template == endpoint.path, "path parameters are named as in the spec"


def test_every_resource_has_columns_and_a_place_on_the_command_line() -> None:
    assert set(views.COLUMNS) == set(spec.RESOURCES) == set(views.PLACEMENT)
    assert {name for name, _ in views.WRITE_COMMANDS.values()} == set(spec.WRITES)


@pytest.mark.parametrize(("raw", "encoded"), [("ord_1", "ord_1"), ("a b?#", "a%20b%3F%23"), ("ü", "%C3%BC")])
def test_ids_are_percent_encoded_as_one_segment(raw: str, encoded: str) -> None:
    assert spec.RESOURCES["orders"].item_path(raw) == f"/wms/orders/{encoded}"
    assert spec.WRITES["cancel_order"].url(raw) == f"/wms/orders/{encoded}/cancel"


@pytest.mark.parametrize("bad", ["", " ", ".", "..", "../connections", "a/b"])
def test_ids_that_cannot_be_one_segment_are_refused(bad: str) -> None:
    with pytest.raises(spec.InvalidSegmentError):
        spec.RESOURCES["inventory"].item_path(bad)
    with pytest.raises(spec.InvalidSegmentError):
        spec.RESOURCES["warehouse-locations"].list_path(bad)


@pytest.mark.parametrize("name", [n for n, r in spec.RESOURCES.items() if r.enums])
def test_filter_enums_are_the_spec_enums(openapi: dict[str, Any], name: str) -> None:
    resource = spec.RESOURCES[name]
    operation = _operation(openapi, "GET", resource.path.replace("{parent_id}", "{x}"))
    assert operation is not None
    published = {
        p["name"]: tuple(p["schema"]["enum"])
        for p in operation["parameters"]
        if p.get("in") == "query" and "enum" in p.get("schema", {})
    }
    for field, values in resource.enums.items():
        assert published[field] == values, f"{name}.{field}"
