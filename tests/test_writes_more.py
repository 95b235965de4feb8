"""The writes issue #13 added, over real HTTP to the emulator: attaching a file (multipart, also through
`trackstar api`), returns cancel, passthrough and its status mapping, sandbox simulate fulfill; and the
emulator's stricter edges (enum filters, repeated and comma `in` filters, the meta endpoints)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import connect

ADDRESS = {"full_name": "A B", "address1": "1 Main", "city": "X", "state": "IL", "postal_code": "6", "country": "US"}


def _order(cli: Any, number: str = "M-1") -> str:
    r = cli(
        "orders", "create", "--order-number", number, "--line", "TSH-RED-000000:2",
        "--data", json.dumps({"ship_to_address": ADDRESS}), "--json",
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    return str(r.json()["id"])


def test_orders_attach_file_uploads_multipart(cli: Any, emu: Any, tmp_path: Path) -> None:
    connect(cli, emu)
    order = _order(cli)
    slip = tmp_path / "packing slip.pdf"
    slip.write_bytes(b"%PDF-1.4\x00\xff binary")
    dry = cli("orders", "attach-file", order, str(slip), "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    described = dry.json()
    assert described["content_type"] == "multipart/form-data"
    assert described["body"] == {
        "file_name": "packing slip.pdf",
        "file": {"file_name": "packing slip.pdf", "bytes": 17, "content_type": "application/pdf"},
    }
    r = cli("orders", "attach-file", order, str(slip), "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json() == {"data": "success", "id": order, "unused_fields": []}
    files = cli("orders", "get", order, "--json").json()["additional_fields"]["files"]
    assert files[-1]["file_name"] == "packing slip.pdf" and files[-1]["bytes"] == 17
    by_url = cli("orders", "attach-file", order, "--url", "https://example.com/l.pdf", "--name", "l.pdf")
    assert by_url.exit_code == 0, by_url.stderr
    nothing = cli("orders", "attach-file", order)
    assert nothing.exit_code == 2 and "nothing to attach" in nothing.stderr
    missing = cli("orders", "attach-file", order, str(tmp_path / "nope.pdf"))
    assert missing.exit_code == 2 and missing.stderr.startswith("error: cannot read")


def test_api_sends_multipart_with_form_fields_and_files(cli: Any, emu: Any, tmp_path: Path) -> None:
    connect(cli, emu)
    order = _order(cli, "M-2")
    label = tmp_path / "label.png"
    label.write_bytes(b"\x89PNG\r\n\x1a\n")
    r = cli("api", "POST", f"/wms/orders/{order}/file", "-F", f"file=@{label}", "-f", "file_name=label.png")
    assert r.exit_code == 0, r.stderr  # multipart because the spec takes multipart there
    assert r.json()["data"] == "success"
    assert cli("orders", "get", order, "--json").json()["additional_fields"]["files"][-1]["bytes"] == 8
    as_json = cli("api", "POST", f"/wms/orders/{order}/file", "--input", "-", input='{"file_url": "x"}')
    assert as_json.exit_code == 6 or as_json.exit_code == 2, as_json.stderr  # 415: JSON is not a form
    empty = cli("api", "POST", "/wms/orders/x/file", "--form")
    assert empty.exit_code == 2 and "at least one" in empty.stderr


def test_returns_cancel(cli: Any, emu: Any) -> None:
    connect(cli, emu)
    order = _order(cli, "M-3")
    ret = cli("returns", "create", "--order", order, "--line", "TSH-RED-000000:1", "--json").json()["id"]
    r = cli("returns", "cancel", ret, "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json()["data"]["status"] == "cancelled"
    again = cli("returns", "cancel", ret)
    assert again.exit_code == 6 and "cannot be cancelled" in again.stderr


@pytest.mark.parametrize(
    ("path", "code", "text"),
    [
        ("/status/200", 0, '"status": 200'),
        ("/status/404", 4, "error: the integration's API answered an error (HTTP 404)"),
        ("/status/401", 3, "answered an error (HTTP 401)"),
        ("/status/422", 6, "answered an error (HTTP 422)"),
        ("/status/429", 5, "answered an error (HTTP 429)"),
        ("/status/503", 8, "answered an error (HTTP 503)"),
        ("/nowhere", 4, "answered: /nowhere is not an endpoint of the shiphero API (HTTP 404)"),
    ],
)
def test_passthrough_unwraps_and_maps_the_vendors_status(cli: Any, emu: Any, path: str, code: int, text: str) -> None:
    connect(cli, emu, "shiphero", "hero")
    r = cli("passthrough", "GET", path)
    assert r.exit_code == code, r.stderr
    assert text in (r.stdout if code == 0 else r.stderr + r.stdout)
    if code:
        assert r.stderr.startswith("error: ") and json.loads(r.stdout)  # the vendor's body is still data


def test_passthrough_sends_data_params_and_headers(cli: Any, emu: Any) -> None:
    connect(cli, emu, "shipbob", "bob")
    r = cli(
        "passthrough", "POST", "/echo", "-d", '{"query": "{ me }"}', "-p", "page=2", "-H", "X-Vendor: 1", "--include"
    )
    assert r.exit_code == 0, r.stderr
    envelope = r.json()
    assert envelope["status_code"] == 200 and envelope["headers"]["x-vendor"] == "emulated"
    assert envelope["body"] == {
        "method": "POST",
        "path": "/echo",
        "data": {"query": "{ me }"},
        "params": {"page": "2"},
        "headers": {"X-Vendor": "1"},
    }
    assert cli("passthrough", "GET", "/echo", "-d", "{}").exit_code == 2  # a GET carries no body
    assert cli("passthrough", "BREW", "/echo").exit_code == 2
    assert cli("passthrough", "GET", "echo").exit_code == 2


def test_passthrough_on_the_sandbox_is_exit_7(cli: Any, emu: Any) -> None:
    connect(cli, emu)
    r = cli("passthrough", "GET", "/status/200")
    assert r.exit_code == 7 and "not implemented for Sandbox" in r.stderr


def test_sandbox_simulate_fulfill_ships_the_order(cli: Any, emu: Any) -> None:
    connect(cli, emu)
    order = _order(cli, "M-4")
    partial = cli("sandbox", "simulate", "fulfill", order, "--partial", "--json")
    assert partial.exit_code == 0, partial.stderr
    assert partial.json()["status"] == "partially_fulfilled"
    done = cli("sandbox", "simulate", "fulfill", order, "--json")
    assert done.exit_code == 0, done.stderr
    assert done.json()["status"] == "fulfilled" and len(done.json()["shipments"]) == 2
    assert cli("orders", "get", order, "--json").json()["status"] == "fulfilled"
    again = cli("sandbox", "simulate", "fulfill", order)
    assert again.exit_code == 6
    assert cli("sandbox", "simulate", "fulfill", "ord_nope").exit_code == 4
    assert cli("sandbox", "simulate", "fulfill", "a/b").exit_code == 2


# -- the emulator's edges --------------------------------------------------------------------------------


@pytest.fixture
def wms(emu: Any) -> Any:
    token = emu.state.generate_sandbox().access_token
    with httpx.Client(
        base_url=emu.url, headers={"x-trackstar-api-key": emu.api_key, "x-trackstar-access-token": token}
    ) as client:
        yield client


def test_enum_filters_are_validated(wms: httpx.Client) -> None:
    bad = wms.get("/wms/orders", params={"status[eq]": "AAA"})
    assert bad.status_code == 422 and "status[eq]" in bad.json()["detail"]["query"]
    assert wms.get("/wms/orders", params={"status[in]": "open,nope"}).status_code == 422
    assert wms.get("/wms/returns", params={"status": "in-transit"}).status_code == 200
    assert wms.get("/wms/orders", params={"status[contains]": "ful"}).status_code == 200  # a substring


def test_in_filters_take_repeated_keys_and_the_comma_form_alike(wms: httpx.Client) -> None:
    skus = [p["sku"] for p in wms.get("/wms/products", params={"limit": 3}).json()["data"]]
    repeated = wms.get("/wms/products", params=[("sku[in]", skus[0]), ("sku[in]", skus[1])]).json()["data"]
    comma = wms.get("/wms/products", params={"sku[in]": f"{skus[0]},{skus[1]}"}).json()["data"]
    assert [p["sku"] for p in repeated] == [p["sku"] for p in comma] == skus[:2]


def test_orders_meta_is_the_write_schema_not_an_order(wms: httpx.Client, emu: Any) -> None:
    meta = wms.get("/wms/orders/meta", params={"method": "PUT"})
    assert meta.status_code == 200
    assert meta.json()["$ref"] == "#/definitions/update_order"
    by_name = httpx.get(f"{emu.url}/wms/orders/meta/shipbob", headers={"x-trackstar-api-key": emu.api_key})
    assert by_name.json()["definitions"]["create_order"]["required"] == [
        "line_items",
        "reference_id",
        "ship_to_address",
    ]
    assert wms.get("/wms/orders/meta", params={"method": "GET"}).status_code == 422


def test_wrong_methods_are_405(wms: httpx.Client) -> None:
    for method, path in [("DELETE", "/wms/orders/ord_00000001"), ("GET", "/wms/passthrough"), ("POST", "/wms/kits/x")]:
        reply = wms.request(method, path)
        assert reply.status_code == 405, (method, path)
        assert reply.headers["allow"]
