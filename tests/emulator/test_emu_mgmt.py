"""Auth, the Link flow, connections, sandbox generation, the integrations catalogue, disabled functions."""

from __future__ import annotations

import httpx
import pytest
from emu_helpers import client_for, connect

from trackstar_cli.emulator import Emulator


# -- auth -------------------------------------------------------------------------------------------------
def test_missing_or_wrong_api_key_is_401(emu: Emulator) -> None:
    for headers in ({}, {"x-trackstar-api-key": "sk_wrong"}):
        reply = httpx.get(f"{emu.url}/connections", headers=headers)
        assert reply.status_code == 401
        assert reply.json()["origin"] == "trackstar" and reply.json()["error"]


def test_missing_or_unknown_access_token_is_401(emu: Emulator, api: httpx.Client) -> None:
    assert api.get("/wms/inventory").status_code == 401
    assert api.get("/wms/inventory", headers={"x-trackstar-access-token": "nope"}).status_code == 401
    assert api.patch("/connections", json={}).status_code == 401
    assert api.post("/connections/sync").status_code == 401


def test_emulator_endpoints_need_no_key(emu: Emulator) -> None:
    assert httpx.get(f"{emu.url}/_emulator/health").json() == {"ok": True}
    assert httpx.get(f"{emu.url}/_emulator/info").json()["seed"] == 1


# -- link flow --------------------------------------------------------------------------------------------
def test_link_flow_creates_a_connection(emu: Emulator, api: httpx.Client) -> None:
    got = connect(api, emu, "shipbob")
    assert got["integration_name"] == "shipbob" and got["customer_id"] is None
    assert got["access_token"].startswith("trackstar_emu_")
    assert "get_inventory" in got["available_actions"] and "GET /wms/inventory" in got["available_endpoints"]
    with client_for(emu, got["access_token"]) as c:
        assert c.get("/wms/warehouses").status_code == 200


def test_exchange_stores_customer_id(emu: Emulator, api: httpx.Client) -> None:
    link_token = api.post("/link/token").json()["link_token"]
    code = emu.issue_auth_code(link_token)
    got = api.post("/link/exchange", json={"auth_code": code, "customer_id": "cust-42"}).json()
    assert got["customer_id"] == "cust-42" and got["integration_name"] == "sandbox"
    listed = api.get(f"/connections/{got['connection_id']}").json()["data"][0]
    assert listed["customer_id"] == "cust-42"


def test_customer_id_on_the_link_token_is_used_by_the_exchange(emu: Emulator, api: httpx.Client) -> None:
    assert connect(api, emu, customer_id="from-link")["customer_id"] == "from-link"


def test_auth_codes_are_single_use(emu: Emulator, api: httpx.Client) -> None:
    code = emu.issue_auth_code(api.post("/link/token").json()["link_token"])
    assert api.post("/link/exchange", json={"auth_code": code}).status_code == 200
    again = api.post("/link/exchange", json={"auth_code": code})
    assert again.status_code == 422
    assert "auth_code" in again.json()["detail"]["json"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"auth_code": "auth_emu_unknown"}, "auth_code"),
        ({}, "auth_code"),
        ({"auth_code": 5}, "auth_code"),
        ({"auth_code": "x", "extra": 1}, "extra"),
    ],
)
def test_bad_exchange_bodies_are_422(api: httpx.Client, body: dict[str, object], field: str) -> None:
    reply = api.post("/link/exchange", json=body)
    assert reply.status_code == 422
    assert field in reply.json()["detail"]["json"]


def test_expired_link_tokens_and_auth_codes(emu: Emulator, api: httpx.Client) -> None:
    link_token = api.post("/link/token").json()["link_token"]
    code = emu.issue_auth_code(link_token)
    real_clock = emu.state.clock
    emu.state.clock = lambda: real_clock() + emu.state.auth_code_ttl + 1
    assert api.post("/link/exchange", json={"auth_code": code}).status_code == 422
    emu.state.clock = lambda: real_clock() + emu.state.link_token_ttl + 1
    with pytest.raises(ValueError, match="link token"):
        emu.issue_auth_code(link_token)
    emu.state.clock = real_clock


def test_reinstall_keeps_id_and_token(emu: Emulator, api: httpx.Client) -> None:
    first = connect(api, emu, "shiphero")
    again = connect(api, emu, "sandbox", connection_id=first["connection_id"])  # the modal skips the picker
    assert again["connection_id"] == first["connection_id"]
    assert again["access_token"] == first["access_token"]
    assert again["integration_name"] == "shiphero"


def test_link_token_for_unknown_connection_is_422(api: httpx.Client) -> None:
    reply = api.post("/link/token", json={"connection_id": "nope"})
    assert reply.status_code == 422 and "connection_id" in reply.json()["detail"]["json"]


def test_emulator_auth_code_endpoint(emu: Emulator, api: httpx.Client) -> None:
    link_token = api.post("/link/token").json()["link_token"]
    reply = httpx.post(f"{emu.url}/_emulator/auth-code", json={"link_token": link_token, "integration_name": "shipbob"})
    assert reply.status_code == 200
    assert (
        api.post("/link/exchange", json={"auth_code": reply.json()["auth_code"]}).json()["integration_name"]
        == "shipbob"
    )
    bad = httpx.post(f"{emu.url}/_emulator/auth-code", json={"link_token": "link_emu_nope"})
    assert bad.status_code == 422 and bad.json()["error"]
    unknown = httpx.post(f"{emu.url}/_emulator/auth-code", json={"link_token": link_token, "integration_name": "acme"})
    assert unknown.status_code == 422
    with pytest.raises(ValueError):
        emu.issue_auth_code(link_token, "acme")


def test_link_page_is_self_contained_html(emu: Emulator, api: httpx.Client) -> None:
    link_token = api.post("/link/token").json()["link_token"]
    page = httpx.get(f"{emu.url}/_emulator/link", params={"link_token": link_token})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "/_emulator/auth-code" in page.text and "trackstar exchange" in page.text and "ShipBob" in page.text
    assert "http://" not in page.text and "https://" not in page.text  # no external assets
    assert "{{" not in page.text
    bad = httpx.get(f"{emu.url}/_emulator/link", params={"link_token": "</script><b>x"})
    assert bad.status_code == 400 and "</script><b>" not in bad.text


# -- connections ------------------------------------------------------------------------------------------
def test_sandbox_exists_from_the_start(api: httpx.Client) -> None:
    listed = api.get("/connections").json()
    assert listed["total_count"] == 1 and listed["next_token"] is None
    assert listed["data"][0]["integration_name"] == "sandbox"


def test_connections_pagination(emu: Emulator, api: httpx.Client) -> None:
    emu.state.connections_page_size = 2
    for _ in range(4):
        connect(api, emu)
    seen, token = [], None
    while True:
        page = api.get("/connections", params={"page_token": token} if token else {}).json()
        seen += [c["connection_id"] for c in page["data"]]
        assert page["total_count"] == len(page["data"])
        token = page["next_token"]
        if not token:
            break
    assert len(seen) == len(set(seen)) == 5
    assert api.get("/connections", params={"page_token": "garbage"}).status_code == 422


def test_get_connection_and_404(api: httpx.Client, emu: Emulator) -> None:
    got = connect(api, emu, "extensiv-3pl-central")
    one = api.get(f"/connections/{got['connection_id']}").json()
    assert one["total_count"] == 1 and one["data"][0]["integration_name"] == "extensiv-3pl-central"
    missing = api.get("/connections/nope")
    assert missing.status_code == 404 and missing.json()["id"] == "nope"


def test_patch_connection(emu: Emulator, api: httpx.Client, wms: httpx.Client) -> None:
    reply = wms.patch("/connections", json={"customer_id": "c1", "webhooks_disabled": True})
    assert reply.status_code == 200
    assert reply.json() == {"id": emu.state.sandbox_id, "object": "connection", "updated": True}
    conn = api.get(f"/connections/{emu.state.sandbox_id}").json()["data"][0]
    assert conn["customer_id"] == "c1" and conn["webhooks_disabled"] is True
    assert wms.patch("/connections", json={"webhooks_disabled": "yes"}).status_code == 422
    assert wms.patch("/connections", json={"nope": 1}).status_code == 422


def test_delete_connection_revokes_the_token(emu: Emulator, api: httpx.Client) -> None:
    got = connect(api, emu)
    with client_for(emu, got["access_token"]) as c:
        reply = c.delete("/connections")
        assert reply.json() == {"id": got["connection_id"], "object": "connection", "deleted": True}
        assert c.get("/wms/inventory").status_code == 401
    assert api.get(f"/connections/{got['connection_id']}").status_code == 404


def test_sync(wms: httpx.Client, emu: Emulator) -> None:
    reply = wms.post("/connections/sync", json={"functions_to_sync": ["get_inventory", "get_orders"]})
    assert reply.json() == {
        "id": emu.state.sandbox_id,
        "syncing": True,
        "functions_to_sync": ["get_inventory", "get_orders"],
    }
    assert wms.post("/connections/sync").json()["functions_to_sync"] == []
    assert wms.post("/connections/sync", json={"functions_to_sync": ["get_nothing"]}).status_code == 422


def test_times_used_and_last_used(api: httpx.Client, wms: httpx.Client, emu: Emulator) -> None:
    for _ in range(3):
        wms.get("/wms/warehouses")
    conn = api.get(f"/connections/{emu.state.sandbox_id}").json()["data"][0]
    assert conn["times_used"] >= 3 and conn["last_used"]


# -- sandbox ----------------------------------------------------------------------------------------------
def test_generate_sandbox_same_id_and_reset(api: httpx.Client, emu: Emulator) -> None:
    first = api.post("/sandbox/generate-sandbox/wms").json()
    assert first["integration_name"] == "sandbox" and first["connection_id"] == emu.state.sandbox_id
    with client_for(emu, first["access_token"]) as c:
        c.put("/wms/inventory/inv_00000001/trackstar-tags", json={"trackstar_tags": ["x"]})
        assert c.get("/wms/inventory/inv_00000001").json()["data"]["trackstar_tags"] == ["x"]
        second = api.post("/sandbox/generate-sandbox/wms").json()
        assert second["connection_id"] == first["connection_id"] and second["access_token"] == first["access_token"]
        assert c.get("/wms/inventory/inv_00000001").json()["data"]["trackstar_tags"] == []
    assert api.post("/sandbox/generate-sandbox/cart").status_code == 404


# -- integrations -----------------------------------------------------------------------------------------
def test_integrations_catalogue(api: httpx.Client) -> None:
    listed = api.get("/integrations/wms").json()["data"]
    names = {i["integration_name"] for i in listed}
    assert {"sandbox", "shipbob", "extensiv-3pl-central", "shiphero"} <= names
    shipbob = api.get("/integrations/wms/shipbob").json()["data"][0]
    create = next(op for op in shipbob["write_operations"] if op["action"] == "create_order")
    assert {"line_items.product_id", "reference_id"} <= set(create["required_base_schema_fields"])
    # ShipBob's spec variant (write_variants.json) takes warehouse_id, optionally
    assert "warehouse_id" in create["integration_specific_fields"]["properties"]
    assert create["integration_specific_fields"]["required_fields"] == []
    assert not any(op["action"] == "update_order" for op in shipbob["write_operations"])
    assert any(op["url"] == "GET /wms/inventory" for op in shipbob["list_operations"])
    assert api.get("/wms/integrations").json()["data"] == listed  # the spec's alias
    assert api.get("/integrations/cart").json() == {"data": []}
    assert api.get("/integrations/wms/acme").status_code == 404
    assert api.get("/integrations/erp").status_code == 422


def test_integration_enums_use_the_connection_when_a_token_is_sent(api: httpx.Client, emu: Emulator) -> None:
    token = api.post("/sandbox/generate-sandbox/wms").json()["access_token"]
    info = api.get("/integrations/wms/shipbob", headers={"x-trackstar-access-token": token}).json()["data"][0]
    create = next(op for op in info["write_operations"] if op["action"] == "create_order")
    assert create["integration_specific_fields"]["properties"]["warehouse_id"]["enum"][0] == "wh_00000001"


# -- capabilities -----------------------------------------------------------------------------------------
def test_501_when_the_integration_lacks_the_action(emu: Emulator, api: httpx.Client) -> None:
    got = connect(api, emu, "extensiv-3pl-central")
    with client_for(emu, got["access_token"]) as c:
        reply = c.get("/wms/returns")
        assert reply.status_code == 501
        assert reply.json() == {
            "error": "Endpoint get_returns is not implemented for Extensiv (3PL Central)",
            "origin": "trackstar",
        }
        assert c.get("/wms/billing/bill_00000001").status_code == 501
        assert c.put("/wms/inventory/inv_00000001/adjust", json={}).status_code == 501  # no adjust variant
    got = connect(api, emu, "shiphero")
    with client_for(emu, got["access_token"]) as c:
        assert c.get("/wms/inventory/ledger").status_code == 501
        assert c.get("/wms/inventory").status_code == 200


def test_403_when_a_function_is_disabled(emu: Emulator, api: httpx.Client, wms: httpx.Client) -> None:
    reply = httpx.post(
        f"{emu.url}/_emulator/disabled-functions",
        json={"connection_id": emu.state.sandbox_id, "functions": ["create_return", "get_bills"]},
    )
    assert reply.status_code == 200 and "create_return" not in reply.json()["available_actions"]
    blocked = wms.post("/wms/returns", json={})
    assert blocked.status_code == 403 and blocked.json()["error"] == "create_return is disabled for this connection"
    assert wms.get("/wms/billing").status_code == 403
    conn = api.get(f"/connections/{emu.state.sandbox_id}").json()["data"][0]
    assert "get_bills" not in conn["available_actions"]
    missing = httpx.post(f"{emu.url}/_emulator/disabled-functions", json={"connection_id": "x", "functions": []})
    assert missing.status_code == 404
