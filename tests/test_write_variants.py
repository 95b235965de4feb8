"""Writes per integration (issue #13): for Sandbox, ShipBob, ShipHero and Extensiv, every write command either
sends a body that integration's variant in Trackstar's published spec accepts (checked with jsonschema against
../shared/trackstar/openapi.json itself, not our table) and that the emulator accepts, or is refused locally
with the option to add or drop. Also: the table is what the generator derives, the emulator's stdlib validator
agrees with jsonschema, write-info is cached, and unsupported writes are exit 7 without a request.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.conftest import REPO, SHARED, connect
from trackstar_cli.emulator import variants as emu_variants
from trackstar_cli.service import variants
from trackstar_cli.spec import WRITES

SPEC_PATH = SHARED / "trackstar" / "openapi.json"
INTEGRATIONS = ("sandbox", "shipbob", "shiphero", "extensiv-3pl-central")
ALIAS = {"sandbox": "sb", "shipbob": "bob", "shiphero": "hero", "extensiv-3pl-central": "ext"}
ADDRESS = {
    "full_name": "Ada Lovelace",
    "address1": "1 Main St",
    "city": "Springfield",
    "state": "IL",
    "postal_code": "62701",
    "country": "US",
}
SKU = "TSH-RED-000000"
WH = "wh_00000001"


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    if not SPEC_PATH.is_file():
        pytest.skip(f"Trackstar's openapi.json not found at {SPEC_PATH}")
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def spec_validator(openapi: dict[str, Any], write: str, integration: str) -> jsonschema.protocols.Validator:
    """A validator for the integration's variant exactly as the published spec writes it."""
    op = WRITES[write]
    body = openapi["paths"][op.path][op.method.lower()]["requestBody"]["content"]["application/json"]["schema"]
    wrapper = openapi["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
    ref = wrapper["discriminator"]["mapping"][integration]
    registry = Registry().with_resource(
        "urn:trackstar", Resource.from_contents(openapi, default_specification=DRAFT202012)
    )
    checker = jsonschema.FormatChecker()
    checker.checks("date-time")(lambda v: bool(variants.DATE_TIME.match(v)) if isinstance(v, str) else True)
    return jsonschema.Draft202012Validator({"$ref": f"urn:trackstar{ref}"}, registry=registry, format_checker=checker)


# -- the matrix ------------------------------------------------------------------------------------------


def _data(value: Any) -> list[str]:
    return ["--data", json.dumps(value)]


def steps(integ: str, ids: dict[str, str]) -> list[tuple[str, list[str], int]]:
    """(write, arguments, expected exit code) for every write command on `integ`; 7 = refused locally."""
    o, p, i, r = ids["order"], ids["product"], ids["inbound"], ids["return"]
    sb, bob, hero, ext = (integ == n for n in INTEGRATIONS)
    cust = _data({"warehouse_customer_id": "cust_00000001"})
    out: list[tuple[str, list[str], int]] = []
    if sb:
        out += [
            ("update_order", ["orders", "update", o, "--shipping-method", "shm_00000001", "--reference-id", "R-2"], 0),
            ("ship_order", ["orders", "ship", o, "--tracking-number", "1Z", "--warehouse", WH, "--shipping-cost",
                            "5", "--measurements", "30x20x10cm", "--weight", "1kg", "--line", f"{SKU}:1"], 0),
            ("create_product", ["products", "create", "--sku", "NEW-SB", "--name", "New", "--measurements",
                                "10x10x10in", "--weight", "2lb"], 0),
            ("update_product", ["products", "update", p, "--name", "Renamed"], 0),
            ("create_kit", ["kits", "create", "--sku", "KIT-SB", "--name", "Kit", "--gtin", "0001", "--component",
                            f"{SKU}:2", "--measurements", "30x20x10cm", "--weight", "1kg"], 0),
            ("adjust_inventory", ["inventory", "adjust", ids["inventory"], "--quantity", "3", "--type", "increase",
                                  "--warehouse", WH], 0),
            ("create_inbound_shipment", ["inbound-shipments", "create", "--po", "PO-SB", "--supplier",
                                         "Northwind Textiles", "--warehouse", WH, "--expected-arrival", "2026-12-20",
                                         "--tracking-number", "1Z", "--line", f"{SKU}:10"], 0),
            ("update_inbound_shipment", ["inbound-shipments", "update", i, "--tracking-number", "1Z8"], 0),
            ("receive_inbound_shipment", ["inbound-shipments", "receive", i, "--line", f"{ids['inbound_sku']}:1",
                                          "--location", ids["location"]], 0),
            ("create_return", ["returns", "create", "--order", o, "--line", f"{SKU}:1"], 0),
            ("update_return", ["returns", "update", r, "--line", f"{SKU}:2"], 0),
        ]  # fmt: skip
    if bob:
        out += [
            ("update_order", ["orders", "update", o, "--reference-id", "R-2"], 7),
            ("ship_order", ["orders", "ship", o, "--tracking-number", "1Z"], 7),
            ("create_product", ["products", "create", "--sku", "NEW-BOB", "--name", "New"], 7),
            ("update_product", ["products", "update", p, "--name", "Renamed"], 7),
            ("create_kit", ["kits", "create", "--sku", "KIT-BOB", "--name", "Kit", "--component", f"{SKU}:2"], 7),
            ("adjust_inventory", ["inventory", "adjust", ids["inventory"], "--quantity", "3", "--type", "increase",
                                  "--warehouse", WH], 7),
            ("create_inbound_shipment", ["inbound-shipments", "create", "--warehouse", WH, "--expected-arrival",
                                         "2026-12-20", "--package-type", "Package", "--box-packaging",
                                         "EverythingInOneBox", "--tracking-number", "1Z", "--line", f"{SKU}:10"], 0),
            ("update_inbound_shipment", ["inbound-shipments", "update", i, "--status", "cancelled"], 0),
            ("receive_inbound_shipment", ["inbound-shipments", "receive", i, "--line", f"{SKU}:1"], 7),
            ("create_return", ["returns", "create", "--reference-id", "RMA-1", "--warehouse", WH, "--line",
                               f"{SKU}:1"], 0),
            ("update_return", ["returns", "update", r, "--status", "cancelled"], 0),
        ]  # fmt: skip
    if hero:
        inbound_lines = [{"sku": SKU, "expected_quantity": 10, "expected_weight": 1.5, "unit_cost": 2.5}]
        ret = {
            "label_cost": 4.5,
            "label_type": "PAID",
            "shipping_method": "ground",
            "ship_from_address": ADDRESS,
            "line_items": [{"sku": SKU, "quantity": 1, "return_reason": "too small"}],
        }
        out += [
            ("update_order", ["orders", "update", o, "--reference-id", "R-2"], 0),
            ("ship_order", ["orders", "ship", o, "--warehouse", WH, "--shipping-cost", "5", "--measurements",
                            "30x20x10cm", "--weight", "1kg", "--tracking-number", "1Z"], 0),
            ("create_product", ["products", "create", "--sku", "NEW-HERO", "--name", "New"], 0),
            ("update_product", ["products", "update", p, "--name", "Renamed"], 0),
            ("create_kit", ["kits", "create", "--sku", "KIT-HERO", "--name", "Kit", "--component", f"{SKU}:2"], 0),
            ("adjust_inventory", ["inventory", "adjust", ids["inventory"], "--quantity", "3", "--type", "increase",
                                  "--warehouse", WH], 0),
            ("create_inbound_shipment", ["inbound-shipments", "create", "--po", "PO-H", "--warehouse", WH,
                                         "--expected-arrival", "2026-12-20",
                                         *_data({"shipping_price": 12.0, "line_items": inbound_lines})], 0),
            ("update_inbound_shipment", ["inbound-shipments", "update", i, "--tracking-number", "1Z8"], 0),
            ("receive_inbound_shipment", ["inbound-shipments", "receive", i, "--line", f"{SKU}:1"], 7),
            ("create_return", ["returns", "create", "--order", o, "--warehouse", WH, "--reason", "too small",
                               "--measurements", "30x20x10cm", "--weight", "1kg", *_data(ret)], 0),
            ("update_return", ["returns", "update", r, "--status", "received", *_data({"trackstar_tags": ["rma"]})], 0),
        ]  # fmt: skip
    if ext:
        out += [
            ("update_order", ["orders", "update", o, "--reference-id", "R-2"], 0),
            ("ship_order", ["orders", "ship", o, "--shipping-cost", "5", "--tracking-number", "1Z"], 0),
            ("create_product", ["products", "create", "--sku", "NEW-EXT", "--name", "New"], 0),
            ("update_product", ["products", "update", p, "--name", "Renamed", *cust], 0),
            ("create_kit", ["kits", "create", "--sku", "KIT-EXT", "--name", "Kit", "--component", f"{SKU}:2", *cust],
             0),
            ("adjust_inventory", ["inventory", "adjust", ids["inventory"], "--quantity", "3", "--type", "increase",
                                  "--warehouse", WH], 7),
            ("create_inbound_shipment", ["inbound-shipments", "create", "--reference-id", "REF-1", "--warehouse", WH,
                                         "--line", f"{SKU}:10"], 0),
            ("update_inbound_shipment", ["inbound-shipments", "update", i, "--line", f"{SKU}:5"], 0),
            ("receive_inbound_shipment", ["inbound-shipments", "receive", i], 0),
            ("create_return", ["returns", "create", "--reference-id", "RMA-1", "--warehouse", WH, "--line",
                               f"{SKU}:1"], 0),
            ("update_return", ["returns", "update", r, "--status", "cancelled"], 7),
        ]  # fmt: skip
    out.append(("set_tags_orders", ["tags", "set", "orders", o, "vip", "priority=high"], 0))
    return out


def _create_order(integ: str) -> list[str]:
    """The create_order arguments for `integ`."""
    args = {
        "sandbox": ["--order-number", "V-1", "--line", f"{SKU}:2"],
        "shipbob": ["--reference-id", "V-1", "--line", f"{SKU}:2", "--warehouse", WH],
        "shiphero": ["--order-number", "V-1", "--line", f"{SKU}:2@9.99"],
        "extensiv-3pl-central": ["--order-number", "V-1", "--warehouse", WH, "--line", f"{SKU}:2"],
    }[integ]
    return ["orders", "create", *args, *_data({"ship_to_address": ADDRESS})]


def _first(cli: Any, *args: str) -> dict[str, Any]:
    r = cli(*args, "--limit", "1", "--json")
    assert r.exit_code == 0, r.stderr
    return r.json()[0]  # type: ignore[no-any-return]


@pytest.mark.parametrize("integ", INTEGRATIONS)
def test_every_write_sends_a_body_the_integrations_spec_variant_accepts(
    cli: Any, emu: Any, openapi: dict[str, Any], integ: str
) -> None:
    connect(cli, emu, integ, ALIAS[integ])
    problems: list[str] = []

    def run(write: str, args: list[str], code: int) -> dict[str, Any] | None:
        dry = cli(*args, "--dry-run", "--json")
        if code == 7:
            if dry.exit_code != 7 or "does not support" not in dry.stderr:
                problems.append(f"{write}: expected a local refusal (7), got {dry.exit_code}: {dry.stderr}")
            return None
        if dry.exit_code != 0:
            problems.append(f"{write}: dry run failed ({dry.exit_code}): {dry.stderr}")
            return None
        body = dry.json()["body"]
        errors = [e.message for e in spec_validator(openapi, write, integ).iter_errors(body)]
        if errors:
            problems.append(f"{write}: the spec's {integ} variant refuses {body}: {errors}")
        sent = cli(*args, "--yes", "--json")
        if sent.exit_code != 0:
            problems.append(f"{write}: the emulator refused it ({sent.exit_code}): {sent.stderr}")
            return None
        return sent.json()  # type: ignore[no-any-return]

    created = run("create_order", _create_order(integ), 0)
    assert created is not None, problems
    ids = {
        "order": created["id"],
        "product": _first(cli, "products", "list")["id"],
        "inventory": "inv_00000001",
        "inbound": _first(cli, "inbound-shipments", "list", "--status", "open")["id"],
        "return": "rma_00000001",
    }
    inbound = cli("inbound-shipments", "get", ids["inbound"], "--json").json()
    ids["inbound_sku"] = inbound["line_items"][0]["sku"]
    loc = cli("warehouses", "locations", inbound["warehouse_id"], "--limit", "1", "--json")
    ids["location"] = loc.json()[0]["id"] if loc.exit_code == 0 and loc.json() else "loc_00000001"
    returns = cli("returns", "list", "--limit", "1", "--json")
    if returns.exit_code == 0 and returns.json():
        ids["return"] = returns.json()[0]["id"]
    for write, args, code in steps(integ, ids):
        result = run(write, args, code)
        if write == "create_kit" and result is not None:
            ids["kit"] = result["id"]
            kit_args = ["kits", "update", result["id"], "--name", "Kit (large)"]
            if integ == "extensiv-3pl-central":
                kit_args += ["--component", f"{SKU}:1", *_data({"warehouse_customer_id": "cust_00000001"})]
            run("update_kit", kit_args, 0)
    assert not problems, "\n".join(problems)


# -- local refusals name the option ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("integ", "args", "expected"),
    [
        ("sandbox", ["orders", "create", "--order-number", "X", "--line", f"{SKU}:1", "--warehouse", WH],
         "Sandbox does not take --warehouse (warehouse_id): leave it out"),
        ("shiphero", ["orders", "create", "--order-number", "X", "--line", f"{SKU}:1@2", "--warehouse", WH],
         "ShipHero does not take --warehouse (warehouse_id): it takes line_items.warehouse_id instead"),
        ("shiphero", ["orders", "create", "--order-number", "X", "--line", f"{SKU}:1"],
         "ShipHero requires --line SKU:QTY@PRICE (line_items.unit_price)"),
        ("shipbob", ["orders", "create", "--line", f"{SKU}:1"], "ShipBob requires --reference-id (reference_id)"),
        ("shipbob", ["orders", "create", "--reference-id", "R", "--line", f"{SKU}:1@3"],
         "ShipBob takes no price on a line"),
        ("shiphero", ["orders", "ship", "ord_00000001", "--line", f"{SKU}:1"], "ShipHero does not take line items"),
        ("shiphero", ["orders", "update", "ord_00000001", "--status", "packed"],
         "--status (status) must be one of fulfilled"),
        ("extensiv-3pl-central", ["orders", "update", "ord_00000001", "--status", "packed"],
         "Extensiv (3PL Central) does not take --status (status)"),
        ("extensiv-3pl-central", ["returns", "create", "--warehouse", WH, "--line", f"{SKU}:1"],
         "requires --reference-id (reference_num)"),
        ("extensiv-3pl-central", ["inbound-shipments", "create", "--warehouse", WH, "--line", f"{SKU}:1"],
         "requires --reference-id (reference_number)"),
        ("sandbox", ["orders", "ship", "ord_00000001", "--tracking-number", "1Z", "--warehouse", WH,
                     "--shipping-cost", "1", "--weight", "1kg"],
         "Sandbox requires --measurements (measurements.height, measurements.length, measurements.unit, "
         "measurements.width)"),
        ("sandbox", ["inbound-shipments", "receive", "ibs_00000001", "--line", f"{SKU}:1", "--warehouse", WH,
                     "--location", "loc_1"],
         "Sandbox does not take --warehouse (warehouse_id)"),
        ("shipbob", ["inbound-shipments", "create", "--warehouse", WH, "--line", f"{SKU}:1", "--package-type",
                     "Crate", "--box-packaging", "OneSkuPerBox", "--expected-arrival", "2026-12-01",
                     "--tracking-number", "1Z"],
         "--package-type (package_type) must be one of Package, Pallet, FloorLoadedContainer"),
    ],
)  # fmt: skip
def test_forbidden_and_missing_fields_are_local_errors_naming_the_option(
    cli: Any, emu: Any, integ: str, args: list[str], expected: str
) -> None:
    connect(cli, emu, integ, ALIAS[integ])
    r = cli(*args, "--data", json.dumps({"ship_to_address": ADDRESS}) if args[1] == "create" and args[0] == "orders"
            else "{}", "--yes")  # fmt: skip
    assert r.exit_code == 2, r.stderr
    assert expected in r.stderr
    assert "nothing was sent" in r.stderr and r.stdout == ""


def test_an_unsupported_write_is_exit_7_and_sends_nothing(cli: Any, emu: Any) -> None:
    connect(cli, emu, "shipbob", "bob")
    before = cli("orders", "get", "ord_00000001", "--json").json()
    r = cli("orders", "update", "ord_00000001", "--reference-id", "NEW", "--yes")
    assert r.exit_code == 7
    assert r.stderr.startswith("error: ShipBob does not support update_order (PUT /wms/orders/{order_id})")
    assert cli("orders", "get", "ord_00000001", "--json").json() == before


def test_help_fields_lists_what_the_integration_requires_and_sends_nothing(cli: Any, emu: Any) -> None:
    connect(cli, emu, "shipbob", "bob")
    r = cli("orders", "create", "--help-fields", "--json")
    assert r.exit_code == 0, r.stderr
    rows = {row["field"]: row for row in r.json()}
    assert rows["reference_id"] == {"field": "reference_id", "required": True, "type": "string",
                                    "option": "--reference-id"}  # fmt: skip
    assert rows["line_items.product_id"]["required"] and rows["line_items.product_id"]["option"] == "--line"
    assert "order_number" in rows and not rows["order_number"]["required"]
    assert "unit_price" not in " ".join(rows)


# -- one source of truth ---------------------------------------------------------------------------------


def test_the_committed_table_is_what_the_generator_derives_from_the_spec(openapi: dict[str, Any]) -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "tools" / "gen_write_variants.py"), str(SPEC_PATH), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (
        "gen_write_variants.py"
        in json.loads((REPO / "trackstar_cli" / "write_variants.json").read_text())["_generated"]
    )


def _mutations(schema: dict[str, Any], valid: dict[str, Any]) -> list[Any]:
    """Bodies near a valid one: an unknown key, each required key dropped, a bad enum, a wrong type."""
    out: list[Any] = [{**valid, "not_a_field": "x"}, [], "text"]
    for name in schema.get("required", []):
        out.append({k: v for k, v in valid.items() if k != name})
    for name, prop in schema.get("properties", {}).items():
        if "enum" in prop:
            out.append({**valid, name: "NOT-IN-ENUM"})
        if prop.get("type") == "array":
            out.append({**valid, name: "not an array"})
            out.append({**valid, name: [{"not_a_field": 1}]})
        if prop.get("type") in ("number", "integer"):
            out.append({**valid, name: "1"})
        if prop.get("format") == "date-time":
            out.append({**valid, name: "2026-13-01"})
    return out


def _example(schema: dict[str, Any]) -> Any:
    """A minimal valid value: required keys only, first enum values, plausible scalars."""
    if "oneOf" in schema:
        return _example(schema["oneOf"][0])
    kind = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "object" or "properties" in schema:
        return {n: _example(schema["properties"][n]) for n in schema.get("required", [])}
    if kind == "array":
        return [_example(schema["items"])] if schema.get("items") else ["tag"]
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    return "2026-12-01T00:00:00Z" if schema.get("format") == "date-time" else "text"


@pytest.mark.parametrize("write", sorted(variants.table()["writes"]))
def test_the_emulators_validator_accepts_and_refuses_what_jsonschema_does(write: str) -> None:
    checker = jsonschema.FormatChecker()
    checker.checks("date-time")(lambda v: bool(variants.DATE_TIME.match(v)) if isinstance(v, str) else True)
    for integ, schema in variants.table()["writes"][write]["variants"].items():
        valid = _example(schema)
        validator = jsonschema.Draft202012Validator(schema, format_checker=checker)
        assert validator.is_valid(valid) and emu_variants.check(schema, valid), (write, integ, valid)
        for body in _mutations(schema, valid):
            assert validator.is_valid(body) == emu_variants.check(schema, body), (write, integ, body)


def test_write_info_is_fetched_once_and_then_read_from_the_store(cli: Any, emu: Any) -> None:
    connect(cli, emu, "shiphero", "hero")
    seen: list[str] = []
    original = emu.app.handle

    def counting(req: Any) -> Any:
        seen.append(req.path)
        return original(req)

    emu.app.handle = counting
    try:
        for _ in range(2):
            r = cli("products", "create", "--sku", "WI-1", "--name", "W", "--dry-run", "--json")
            assert r.exit_code == 0, r.stderr
            assert r.json()["rules"] == "write-info"
    finally:
        emu.app.handle = original
    assert seen.count("/integrations/wms/shiphero/write-info") == 1


def test_write_info_is_per_connection_and_falls_back_to_the_table(cli: Any, emu: Any) -> None:
    import httpx

    info = httpx.get(
        f"{emu.url}/integrations/wms/shipbob/write-info", headers={"x-trackstar-api-key": emu.api_key}
    ).json()
    assert info["openapi"] == "3.1.0" and "/wms/orders" in info["paths"]
    assert "put" not in info["paths"].get("/wms/orders/{order_id}", {})  # ShipBob has no update_order
    assert (
        httpx.get(
            f"{emu.url}/integrations/wms/nope/write-info", headers={"x-trackstar-api-key": emu.api_key}
        ).status_code
        == 404
    )
    hero = connect(cli, emu, "shiphero", "hero")
    mine = httpx.get(
        f"{emu.url}/integrations/wms/shiphero/write-info",
        headers={"x-trackstar-api-key": emu.api_key, "x-trackstar-access-token": hero["access_token"]},
    ).json()
    schema = next(iter(mine["components"]["schemas"].values()))
    assert "examples" in json.dumps(schema)  # the connection's warehouses are listed
    assert variants.table_variant("create_order", "packiyo").schema is None  # not in the table: no local check
    with pytest.raises(Exception, match="does not support"):
        variants.table_variant("update_order", "shipbob")


def test_a_path_in_the_table_is_the_spec_writes_path() -> None:
    for name, entry in variants.table()["writes"].items():
        assert (WRITES[name].method, WRITES[name].path) == (entry["method"], entry["path"])


def test_package_data_ships_the_table() -> None:
    assert Path(variants.__file__).parent.parent.joinpath("write_variants.json").is_file()


def test_integrations_write_info_shows_an_integrations_writes_without_a_connection(cli: Any, emu: Any) -> None:
    r = cli("integrations", "write-info", "shipbob", "--json")
    assert r.exit_code == 0, r.stderr
    by_action = {row["action"]: row for row in r.json()}
    assert "update_order" not in by_action and by_action["create_order"]["source"] == "write-info"
    assert by_action["create_order"]["required"].split(", ")[:2] == ["line_items", "line_items.product_id"]
    fields = cli("integrations", "write-info", "extensiv-3pl-central", "create_return", "--json")
    assert fields.exit_code == 0, fields.stderr
    assert {"field": "reference_num", "required": True, "type": "string"} in fields.json()
    assert cli("integrations", "write-info", "shipbob", "update_order").exit_code == 7
    assert cli("integrations", "write-info", "shipbob", "make_tea").exit_code == 2


# -- a hostile write-info --------------------------------------------------------------------------------


def _serve_write_info(monkeypatch: pytest.MonkeyPatch, doc: Any) -> list[str]:
    """A server on 127.0.0.1 whose write-info is `doc` and whose writes are counted, never applied."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self, body: Any) -> None:
            raw = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self) -> None:  # noqa: N802
            seen.append(f"GET {self.path}")
            self._answer(doc if "write-info" in self.path else {"data": [], "next_token": None})

        def do_POST(self) -> None:  # noqa: N802
            seen.append(f"POST {self.path}")
            self._answer({"data": {"id": "x"}, "id": "x", "unused_fields": []})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("TRACKSTAR_BASE_URL", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setenv("TRACKSTAR_API_KEY", "sk_test_hostile")
    return seen


def test_a_hostile_write_info_cannot_paint_the_terminal_or_blow_up(
    cli: Any, logged_in: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import add_connection

    evil = "\x1b[2J\x1b]52;c;cGF3bmVk\x07[red]x[/red]"
    schema = {"type": "object", "required": [evil], "properties": {evil: {"type": "string"}}}
    doc = {"openapi": "3.1.0", "paths": {"/wms/products": {"post": {"requestBody": {"content": {
        "application/json": {"schema": schema}}}}}}}  # fmt: skip
    seen = _serve_write_info(monkeypatch, doc)
    add_connection("conn_h", alias="h", integration="packiyo")
    r = cli("products", "create", "--sku", "A", "--name", "B", "--yes")
    assert r.exit_code == 2 and r.stderr.startswith("error: products create on packiyo: packiyo requires ")
    assert "\x1b" not in r.stderr and "\x07" not in r.stderr
    assert "[red]x[/red]" in r.stderr  # shown as text, not taken for markup
    assert not [s for s in seen if s.startswith("POST")]  # refused locally, nothing sent


def test_a_write_info_that_inlines_past_the_budget_falls_back_to_the_table(
    cli: Any, logged_in: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import add_connection

    schemas = {f"S{i}": {"type": "object", "properties": {k: {"$ref": f"#/components/schemas/S{i + 1}"}
                                                          for k in "abcdefgh"}} for i in range(12)}  # fmt: skip
    schemas["S12"] = {"type": "string"}
    body = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/S0"}}}}
    doc = {"paths": {"/wms/products": {"post": {"requestBody": body}}}, "components": {"schemas": schemas}}
    _serve_write_info(monkeypatch, doc)
    add_connection("conn_h", alias="h", integration="shiphero")
    r = cli("products", "create", "--sku", "A", "--name", "B", "--dry-run")
    assert r.exit_code == 0, r.stderr
    assert r.json()["rules"] == "table"  # 8**12 nodes would not fit: ShipHero's committed variant decided


def test_a_line_field_no_option_sets_points_at_data(cli: Any, emu: Any) -> None:
    connect(cli, emu, "shiphero", "hero")
    args = ["returns", "create", "--order", "ord_00000001", "--warehouse", WH, "--line", f"{SKU}:1", "--yes"]
    r = cli(*args, "--data", "{}")
    assert r.exit_code == 2
    assert "line_items.return_reason (in --data)" in r.stderr
    assert "a line field --line cannot set needs the whole line_items in --data instead" in r.stderr


def test_write_info_paths_match_whatever_their_parameters_are_called(
    cli: Any, logged_in: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import add_connection

    schema = {"type": "object", "additionalProperties": False, "properties": {"name": {"type": "string"}}}
    doc = {"paths": {"/wms/products/{id}": {"put": {"requestBody": {"content": {
        "application/json": {"schema": schema}}}}}}}  # fmt: skip
    _serve_write_info(monkeypatch, doc)
    add_connection("conn_h", alias="h", integration="packiyo")
    ok = cli("products", "update", "prod_1", "--name", "N", "--dry-run")
    assert ok.exit_code == 0, ok.stderr
    assert ok.json()["rules"] == "write-info"
    refused = cli("products", "update", "prod_1", "--gtin", "1", "--dry-run")
    assert refused.exit_code == 2 and "packiyo does not take --gtin (gtin)" in refused.stderr
    missing = cli("orders", "cancel", "ord_1", "--dry-run")  # no body: write-info does not decide
    assert missing.exit_code == 0, missing.stderr
    absent = cli("products", "create", "--sku", "A", "--name", "B", "--dry-run")
    assert absent.exit_code == 7 and "packiyo does not support create_product" in absent.stderr


def test_the_write_info_cache_expires_and_goes_with_the_connection(tmp_path: Path) -> None:
    from trackstar_cli.store import Store

    with Store(tmp_path / "t.db") as store:
        store.save_write_info("c1", '{"paths": {}}')
        assert store.get_write_info("c1", 3600) == '{"paths": {}}'
        assert store.get_write_info("c1", -1) is None  # older than the TTL
        store.save_connection(
            profile="p", connection_id="c1", integration_name="x", access_token="t", alias=None, available_actions=[]
        )
        store.remove("p", "c1")
        assert store.get_write_info("c1", 3600) is None
