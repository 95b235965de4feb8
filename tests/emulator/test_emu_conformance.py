"""Conformance: every emulator endpoint's replies validate against Trackstar's published OpenAPI spec.

The spec is read from <repo>/../shared/trackstar/openapi.json (never copied into the project); the test
skips when it is absent. OpenAPI 3.0 schemas are translated to JSON Schema (draft 4) first: `nullable: true`
becomes a type list (or an anyOf with null) and enums gain null. Statuses the spec does not document
(400, 401, 403, 405, 415, 429, 501) are checked against the generic {"error", "origin"} body instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from emu_helpers import VERIFY

from trackstar_cli.emulator import Emulator
from trackstar_cli.spec import RESOURCES

SPEC_PATH = Path(__file__).resolve().parents[2] / ".." / "shared" / "trackstar" / "openapi.json"
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_SUBSCHEMA = ("items", "not", "additionalProperties")
_GENERIC_ERROR = {
    "type": "object",
    "required": ["error", "origin"],
    "properties": {"error": {"type": "string", "minLength": 1}, "origin": {"enum": ["trackstar", "integration"]}},
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def to_json_schema(node: Any) -> Any:
    """One OpenAPI 3.0 schema object → JSON Schema draft 4 (recursively)."""
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("example", "examples", "discriminator", "xml", "externalDocs", "nullable", "deprecated"):
            continue
        if key == "properties":
            out[key] = {name: to_json_schema(sub) for name, sub in value.items()}
        elif key in _SUBSCHEMA_LISTS:
            out[key] = [to_json_schema(sub) for sub in value]
        elif key in _SUBSCHEMA and isinstance(value, dict):
            out[key] = to_json_schema(value)
        else:
            out[key] = value
    if node.get("nullable"):
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        elif any(k in out for k in ("$ref", *_SUBSCHEMA_LISTS)):
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def test_converter_translates_nullable() -> None:
    assert to_json_schema({"type": "string", "nullable": True, "enum": ["a"]}) == {
        "type": ["string", "null"],
        "enum": ["a", None],
    }
    assert to_json_schema({"$ref": "#/x", "nullable": True}) == {"anyOf": [{"$ref": "#/x"}, {"type": "null"}]}
    nested = to_json_schema({"type": "object", "properties": {"example": {"type": "integer", "nullable": True}}})
    assert nested["properties"]["example"] == {"type": ["integer", "null"]}  # a property may be called "example"


def _validator_rejects(spec: Spec, name: str, body: Any) -> bool:
    schema = {"$ref": f"#/components/schemas/{name}", **spec.root}
    return bool(list(jsonschema.Draft4Validator(schema, format_checker=spec.formats).iter_errors(body)))


def test_the_validator_catches_mistakes(spec: Spec, wms: httpx.Client) -> None:
    good = wms.get("/wms/inventory/inv_00000001").json()
    assert not _validator_rejects(spec, "WmsInventorySingleItemEndpoint", good)
    for broken in (
        {"surprise": 1},
        {"onhand": None},
        {"onhand": "5"},
        {"created_date": "2025-01-01"},
        {"measurements": {**good["data"]["measurements"], "unit": "furlong"}},
    ):
        assert _validator_rejects(spec, "WmsInventorySingleItemEndpoint", {"data": {**good["data"], **broken}}), broken


class Spec:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.paths = raw["paths"]
        schemas = {name: to_json_schema(s) for name, s in raw["components"]["schemas"].items()}
        self.root = {"components": {"schemas": schemas}}
        self.formats = jsonschema.FormatChecker()
        self.formats.checks("date-time")(lambda value: not isinstance(value, str) or bool(_DATE.match(value)))
        self.seen: set[tuple[str, str, int]] = set()

    def schema_for(self, method: str, template: str, status: int) -> dict[str, Any] | None:
        responses = self.paths[template][method.lower()]["responses"]
        documented = responses.get(str(status))
        if documented is None:
            return None
        return dict(documented["content"]["application/json"]["schema"])

    def check(self, method: str, template: str, reply: httpx.Response, status: int) -> Any:
        assert reply.status_code == status, f"{method} {template}: {reply.status_code} {reply.text[:300]}"
        assert reply.headers["content-type"] == "application/json" and reply.headers["x-request-id"]
        body = reply.json()
        schema = self.schema_for(method, template, status)
        validator = jsonschema.Draft4Validator({**(schema or _GENERIC_ERROR), **self.root}, format_checker=self.formats)
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        assert not errors, f"{method} {template} {status}: " + "; ".join(
            f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in errors[:5]
        )
        if schema is None:
            assert set(body) >= {"error", "origin"}
        self.seen.add((method, template, status))
        return body


@pytest.fixture(scope="module")
def spec() -> Spec:
    if not SPEC_PATH.is_file():
        pytest.skip(f"Trackstar's openapi.json not found at {SPEC_PATH}")
    return Spec(json.loads(SPEC_PATH.read_text()))


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(port=0, seed=3, size="small", rate_limit=False) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def api(emu: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emu.url, headers={"x-trackstar-api-key": emu.api_key}, verify=VERIFY) as client:
        yield client


@pytest.fixture(scope="module")
def wms(emu: Emulator, api: httpx.Client) -> Iterator[httpx.Client]:
    token = api.post("/sandbox/generate-sandbox/wms").json()["access_token"]
    headers = {"x-trackstar-api-key": emu.api_key, "x-trackstar-access-token": token}
    with httpx.Client(base_url=emu.url, headers=headers, verify=VERIFY) as client:
        yield client


def _template(name: str) -> tuple[str, str | None]:
    resource = RESOURCES[name]
    path = resource.path.replace("{parent_id}", "{warehouse_id}")
    return path, (f"{path}/{{{resource.id_param}}}" if resource.has_get else None)


@pytest.mark.parametrize("name", list(RESOURCES))
def test_reads_conform(spec: Spec, wms: httpx.Client, name: str) -> None:
    list_template, item_template = _template(name)
    concrete = list_template.replace("{warehouse_id}", "wh_00000001")
    everything = spec.check("GET", list_template, wms.get(concrete), 200)  # every generated item is validated
    assert everything["data"]
    paged = spec.check("GET", list_template, wms.get(concrete, params={"limit": 2}), 200)
    other_filters = {"page_token": paged["next_token"], "created_date[gte]": "2020-01-01T00:00:00Z"}
    spec.check("GET", list_template, wms.get(concrete, params=other_filters), 422)
    spec.check("GET", list_template, wms.get(concrete, params={"nope[eq]": "1"}), 422)
    if item_template:
        item_id = everything["data"][-1]["id"]
        spec.check("GET", item_template, wms.get(f"{concrete}/{item_id}"), 200)
        spec.check("GET", item_template, wms.get(f"{concrete}/missing_1"), 404)


def test_order_packs_conform(spec: Spec, wms: httpx.Client) -> None:
    for order in wms.get("/wms/orders", params={"status[in]": "fulfilled,open", "limit": 20}).json()["data"]:
        spec.check("GET", "/wms/orders/{order_id}/packs", wms.get(f"/wms/orders/{order['id']}/packs"), 200)
    spec.check("GET", "/wms/orders/{order_id}/packs", wms.get("/wms/orders/nope/packs"), 404)


def test_writes_conform(spec: Spec, wms: httpx.Client) -> None:
    measurements = {"length": 1, "width": 1, "height": 1, "unit": "in", "weight": 1, "weight_unit": "lb"}
    product = spec.check(
        "POST",
        "/wms/products",
        wms.post(
            "/wms/products", json={"sku": "CONF-1", "name": "Conformance", "gtin": "123", "measurements": measurements}
        ),
        200,
    )["data"]
    spec.check("POST", "/wms/products", wms.post("/wms/products", json={"sku": None, "name": "x"}), 422)
    pid = product["id"]
    spec.check("PUT", "/wms/products/{product_id}", wms.put(f"/wms/products/{pid}", json={"name": "C2"}), 200)
    spec.check("PUT", "/wms/products/{product_id}", wms.put("/wms/products/prod_99999999", json={"name": "C"}), 404)
    spec.check("PUT", "/wms/products/{product_id}", wms.put(f"/wms/products/{pid}", json={"name": ""}), 422)

    inv = "inv_00000002"
    adjust = {"quantity": 3, "adjustment_type": "increase", "warehouse_id": "wh_00000001"}
    template = "/wms/inventory/{inventory_id}/adjust"
    spec.check("PUT", template, wms.put(f"/wms/inventory/{inv}/adjust", json=adjust), 200)
    spec.check("PUT", template, wms.put(f"/wms/inventory/{inv}/adjust", json={**adjust, "quantity": -1}), 422)
    spec.check("PUT", template, wms.put("/wms/inventory/nope/adjust", json=adjust), 404)

    address = {"address1": "1 Main", "city": "Austin", "state": "TX", "postal_code": "78701", "country": "US"}
    order_body = {
        "order_number": "C-1",
        "ship_to_address": address,
        "line_items": [{"product_id": "prod_00000002", "quantity": 1}],
    }
    order = spec.check("POST", "/wms/orders", wms.post("/wms/orders", json=order_body), 200)["data"]
    spec.check("POST", "/wms/orders", wms.post("/wms/orders", json={"order_number": "x"}), 422)
    oid = order["id"]
    spec.check("PUT", "/wms/orders/{order_id}", wms.put(f"/wms/orders/{oid}", json={"status": "processing"}), 200)
    spec.check("PUT", "/wms/orders/{order_id}", wms.put("/wms/orders/nope", json={"status": "open"}), 404)
    ship = {
        "shipped_date": "2025-10-02T00:00:00Z",
        "tracking_number": "T1",
        "shipping_cost": 1.5,
        "warehouse_id": "wh_00000001",
        "measurements": measurements,
    }
    ship_template = "/wms/orders/{order_id}/shipments"
    spec.check("POST", ship_template, wms.post(f"/wms/orders/{oid}/shipments", json=ship), 200)
    spec.check("POST", ship_template, wms.post(f"/wms/orders/{oid}/shipments", json={}), 422)
    spec.check("POST", ship_template, wms.post("/wms/orders/nope/shipments", json=ship), 404)
    second = spec.check("POST", "/wms/orders", wms.post("/wms/orders", json=order_body), 200)["data"]
    spec.check("PUT", "/wms/orders/{order_id}/cancel", wms.put(f"/wms/orders/{second['id']}/cancel"), 200)
    spec.check("PUT", "/wms/orders/{order_id}/cancel", wms.put(f"/wms/orders/{second['id']}/cancel"), 422)
    spec.check("PUT", "/wms/orders/{order_id}/cancel", wms.put("/wms/orders/nope/cancel"), 404)

    sku = wms.get(f"/wms/inventory/{inv}").json()["data"]["sku"]
    inbound_body = {
        "supplier": "Evergreen Goods",
        "purchase_order_number": "PO-C",
        "warehouse_id": "wh_00000001",
        "expected_arrival_date": "2025-10-09T00:00:00Z",
        "tracking_number": "PRO-C",
        "line_items": [{"sku": sku, "expected_quantity": 5}],
    }
    inbound = spec.check("POST", "/wms/inbound-shipments", wms.post("/wms/inbound-shipments", json=inbound_body), 200)
    spec.check("POST", "/wms/inbound-shipments", wms.post("/wms/inbound-shipments", json={"supplier": "x"}), 422)
    receive = {"warehouse_location_id": "loc_00000001", "line_items": [{"sku": sku, "quantity": 2}]}
    rtemplate = "/wms/inbound-shipments/{inbound_shipment_id}/receive"
    iid = inbound["data"]["id"]
    spec.check("PUT", rtemplate, wms.put(f"/wms/inbound-shipments/{iid}/receive", json=receive), 200)
    spec.check("PUT", rtemplate, wms.put(f"/wms/inbound-shipments/{iid}/receive", json={}), 422)
    spec.check("PUT", rtemplate, wms.put("/wms/inbound-shipments/nope/receive", json=receive), 404)

    ret = {"order_id": oid, "line_items": [{"sku": order["line_items"][0]["sku"], "quantity": 1}]}
    spec.check("POST", "/wms/returns", wms.post("/wms/returns", json=ret), 200)
    spec.check("POST", "/wms/returns", wms.post("/wms/returns", json={"order_id": "null"}), 422)

    for resource, item_id in (
        ("inventory", inv),
        ("products", pid),
        ("orders", oid),
        ("inbound-shipments", iid),
        ("returns", "ret_00000001"),
        ("warehouses", "wh_00000001"),
    ):
        template = f"/wms/{resource}/{{{_template(resource)[1].rsplit('{', 1)[1][:-1]}}}/trackstar-tags"  # type: ignore[union-attr]
        path = f"/wms/{resource}/{item_id}/trackstar-tags"
        spec.check("PUT", template, wms.put(path, json={"trackstar_tags": ["a", {"b": "c"}]}), 200)
        spec.check("PUT", template, wms.put(path, json={"trackstar_tags": [""]}), 422)
        spec.check("PUT", template, wms.put(f"/wms/{resource}/nope_1/trackstar-tags", json={"trackstar_tags": []}), 404)


def test_newer_writes_conform(spec: Spec, wms: httpx.Client, api: httpx.Client) -> None:
    measurements = {"length": 1, "width": 1, "height": 1, "unit": "in", "weight": 1, "weight_unit": "lb"}
    sku = wms.get("/wms/inventory/inv_00000003").json()["data"]["sku"]
    kit_body = {"sku": "KIT-C", "name": "Kit", "gtin": "1", "measurements": measurements,
                "inventory_items": [{"sku": sku, "unit_quantity": 2}]}  # fmt: skip
    kit = spec.check("POST", "/wms/kits", wms.post("/wms/kits", json=kit_body), 200)["data"]
    assert kit["is_kit"] and kit["inventory_items"][0]["unit_quantity"] == 2
    spec.check("POST", "/wms/kits", wms.post("/wms/kits", json={"sku": "K"}), 422)
    spec.check("PUT", "/wms/kits/{kit_id}", wms.put(f"/wms/kits/{kit['id']}", json={"name": "Kit 2"}), 200)
    spec.check("PUT", "/wms/kits/{kit_id}", wms.put("/wms/kits/prod_99999999", json={"name": "K"}), 404)

    inbound = wms.get("/wms/inbound-shipments", params={"status": "open", "limit": 1}).json()["data"][0]
    itemplate = "/wms/inbound-shipments/{inbound_shipment_id}"
    spec.check("PUT", itemplate, wms.put(f"/wms/inbound-shipments/{inbound['id']}", json={"tracking_number": "T"}), 200)
    spec.check("PUT", itemplate, wms.put(f"/wms/inbound-shipments/{inbound['id']}", json={"colour": "red"}), 422)
    spec.check("PUT", itemplate, wms.put("/wms/inbound-shipments/nope", json={"tracking_number": "T"}), 404)

    ret = wms.get("/wms/returns", params={"limit": 1}).json()["data"][0]
    spec.check("PUT", "/wms/returns/{return_id}", wms.put(f"/wms/returns/{ret['id']}", json={"order_id": "o"}), 200)
    spec.check("PUT", "/wms/returns/{return_id}", wms.put("/wms/returns/nope", json={}), 404)

    address = {"address1": "1 Main", "city": "Austin", "state": "TX", "postal_code": "78701", "country": "US"}
    order_body = {"order_number": "C-9", "ship_to_address": address,
                  "line_items": [{"product_id": "prod_00000002", "quantity": 1}]}  # fmt: skip
    oid = wms.post("/wms/orders", json=order_body).json()["id"]
    ftemplate = "/wms/orders/{order_id}/file"
    attached = wms.post(f"/wms/orders/{oid}/file", files={"file": ("a.txt", b"hi")}, data={"file_name": "a.txt"})
    spec.check("POST", ftemplate, attached, 200)
    spec.check("POST", ftemplate, wms.post("/wms/orders/nope/file", files={"file": ("a.txt", b"hi")}), 404)
    simulate = "/sandbox/simulate/orders/{order_id}/fulfill"
    fulfilled = spec.check("PUT", simulate, api.put(f"/sandbox/simulate/orders/{oid}/fulfill"), 200)["data"]
    assert fulfilled["status"] == "fulfilled"
    spec.check("PUT", simulate, api.put("/sandbox/simulate/orders/nope/fulfill"), 404)
    spec.check("PUT", simulate, api.put(f"/sandbox/simulate/orders/{oid}/fulfill", params={"partial": "x"}), 422)


def test_management_conforms(spec: Spec, emu: Emulator, api: httpx.Client) -> None:
    sandbox = spec.check(
        "POST", "/sandbox/generate-sandbox/{integration_type}", api.post("/sandbox/generate-sandbox/wms"), 200
    )
    spec.check("POST", "/sandbox/generate-sandbox/{integration_type}", api.post("/sandbox/generate-sandbox/x"), 404)
    link_token = spec.check("POST", "/link/token", api.post("/link/token"), 200)["link_token"]
    spec.check("POST", "/link/token", api.post("/link/token", json={"connection_id": sandbox["connection_id"]}), 200)
    spec.check("POST", "/link/token", api.post("/link/token", json={"connection_id": "nope"}), 422)
    code = emu.issue_auth_code(link_token, "shiphero")
    exchanged = spec.check("POST", "/link/exchange", api.post("/link/exchange", json={"auth_code": code}), 200)
    spec.check("POST", "/link/exchange", api.post("/link/exchange", json={"auth_code": code}), 422)
    spec.check("GET", "/connections", api.get("/connections"), 200)
    spec.check("GET", "/connections", api.get("/connections", params={"page_token": "x"}), 422)
    cid = exchanged["connection_id"]
    spec.check("GET", "/connections/{connection_id}", api.get(f"/connections/{cid}"), 200)
    spec.check("GET", "/connections/{connection_id}", api.get("/connections/nope"), 404)
    token = {"x-trackstar-access-token": exchanged["access_token"]}
    spec.check("PATCH", "/connections", api.patch("/connections", json={"customer_id": "c"}, headers=token), 200)
    spec.check("PATCH", "/connections", api.patch("/connections", json={"customer_id": 5}, headers=token), 422)
    spec.check("POST", "/connections/sync", api.post("/connections/sync", headers=token), 200)
    sync = api.post("/connections/sync", json={"functions_to_sync": ["get_inventory"]}, headers=token)
    spec.check("POST", "/connections/sync", sync, 200)
    spec.check(
        "POST", "/connections/sync", api.post("/connections/sync", json={"functions_to_sync": [1]}, headers=token), 422
    )
    for template, path in (
        ("/integrations/{integration_type}", "/integrations/wms"),
        ("/{integration_type}/integrations", "/wms/integrations"),
        ("/integrations/{integration_type}/{integration_name}", "/integrations/wms/shipbob"),
        ("/{integration_type}/integrations/{integration_name}", "/wms/integrations/sandbox"),
    ):
        spec.check("GET", template, api.get(path), 200)
        spec.check("GET", template, api.get(path, headers=token), 200)
    spec.check("GET", "/integrations/{integration_type}", api.get("/integrations/erp"), 422)
    spec.check("GET", "/integrations/{integration_type}/{integration_name}", api.get("/integrations/wms/acme"), 404)
    spec.check("DELETE", "/connections", api.delete("/connections", headers=token), 200)


def test_undocumented_errors_have_the_generic_body(
    spec: Spec, emu: Emulator, api: httpx.Client, wms: httpx.Client
) -> None:
    spec.check("GET", "/wms/inventory", httpx.get(f"{emu.url}/wms/inventory", verify=VERIFY), 401)
    spec.check("GET", "/wms/inventory", api.get("/wms/inventory"), 401)
    spec.check(
        "POST", "/wms/products", wms.post("/wms/products", content=b"x", headers={"content-type": "text/plain"}), 415
    )
    spec.check(
        "POST",
        "/wms/products",
        wms.post("/wms/products", content=b"{", headers={"content-type": "application/json"}),
        400,
    )
    spec.check("GET", "/wms/inventory", wms.get("/wms/inventory", headers={"x-emulator-fault": "429"}), 429)
    spec.check("GET", "/wms/inventory", wms.get("/wms/inventory", headers={"x-emulator-fault": "503"}), 503)
    link_token = api.post("/link/token").json()["link_token"]
    token = api.post("/link/exchange", json={"auth_code": emu.issue_auth_code(link_token, "extensiv-3pl-central")})
    spec.check(
        "GET",
        "/wms/returns",
        api.get("/wms/returns", headers={"x-trackstar-access-token": token.json()["access_token"]}),
        501,
    )
    not_allowed = api.get("/link/token")
    assert not_allowed.status_code == 405 and set(not_allowed.json()) >= {"error", "origin"}


def test_every_emulated_operation_was_checked(spec: Spec) -> None:
    """Guards the lists above: each spec operation the emulator serves was exercised with a 200."""
    if not spec.seen:
        pytest.skip("needs the other tests of this module to have run")
    served = {("GET", t) for name in RESOURCES for t in _template(name) if t}
    served |= {(m, t) for m, t, s in spec.seen if s == 200}
    missing = sorted(op for op in served if (*op, 200) not in spec.seen)
    assert not missing, missing
