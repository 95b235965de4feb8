"""Connections as Trackstar sees them (connections list --remote, sync, reconcile), the sandbox and the
integrations catalogue: respx where a reply must be shaped by hand, the in-process emulator end to end."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

from tests.conftest import API_KEY, BASE, SHARED, TOKEN, add_connection, connect
from trackstar_cli import spec as facts
from trackstar_cli.commands.integrations import IntegrationType, SandboxType
from trackstar_cli.emulator import Emulator
from trackstar_cli.errors import UsageError
from trackstar_cli.service import reconcile as remote

SPEC = SHARED / "trackstar" / "openapi.json"


def remote_conn(cid: str, **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "connection_id": cid,
        "integration_name": "shipbob",
        "customer_id": None,
        "created_at": "2025-01-01T00:00:00Z",
        "last_used": None,
        "times_used": 0,
        "latest_sync": None,
        "sync_schedules": [],
        "errors": [],
        "available_actions": ["get_inventory"],
        "available_endpoints": [],
        "integration_type": "wms",
        "webhooks_disabled": False,
    }
    return {**base, **extra}


def schedule(fn: str, status: str | None) -> dict[str, Any]:
    return {
        "function_name": fn,
        "latest_sync": None,
        "last_crawl_start": None,
        "last_crawl_end": None,
        "sync_frequency": 3600,
        "in_progress": False,
        "sync_status": status,
    }


def conn_error(message: str) -> dict[str, Any]:
    return {
        "error_message": message,
        "affected_endpoints": [{"endpoint": "GET /wms/inventory", "preventing_sync": True}],
        "first_seen": "2025-01-02T00:00:00Z",
        "last_seen": "2025-01-03T00:00:00Z",
    }


def page(*items: dict[str, Any], next_token: str | None = None) -> dict[str, Any]:
    return {"data": list(items), "next_token": next_token, "total_count": len(items)}


# -- facts shared with the spec and the command layer ------------------------------------------------------


def test_names_match_the_spec_and_the_command_choices():
    assert [t.value for t in IntegrationType] == list(facts.INTEGRATION_TYPES)
    assert [t.value for t in SandboxType] == list(facts.SANDBOX_TYPES)
    if not SPEC.exists():
        pytest.skip("the OpenAPI spec is not in ../shared")
    spec = json.loads(SPEC.read_text())
    sync = spec["components"]["schemas"]["ConnectionResourceSyncSchema"]["properties"]["functions_to_sync"]
    assert list(facts.SYNC_FUNCTIONS) == sync["items"]["enum"]
    params = spec["paths"]["/integrations/{integration_type}"]["get"]["parameters"]
    [kind] = [p for p in params if p["name"] == "integration_type"]
    assert list(facts.INTEGRATION_TYPES) == kind["schema"]["enum"]


def test_parse_functions_splits_dedupes_and_rejects_unknown_names():
    assert remote.parse_functions(["get_inventory,get_orders", " get_orders ", ""]) == ["get_inventory", "get_orders"]
    with pytest.raises(UsageError, match="unknown sync functions: get_nope, get_labor_activities"):
        remote.parse_functions(["get_nope,get_labor_activities"])


# -- unit level (respx) ------------------------------------------------------------------------------------


@respx.mock(base_url=BASE)
def test_list_remote_follows_next_token_and_prints_the_api_objects_unchanged(respx_mock, cli, logged_in):
    first, second = remote_conn("c1"), remote_conn("c2", errors=[conn_error("bad password")])
    route = respx_mock.get("/connections")
    route.side_effect = [httpx.Response(200, json=page(first, next_token="n1")), httpx.Response(200, json=page(second))]
    r = cli("connections", "list", "--remote", "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json() == [first, second]
    assert [dict(c.request.url.params) for c in route.calls] == [{}, {"page_token": "n1"}]
    request = route.calls.last.request
    assert request.headers["x-trackstar-api-key"] == API_KEY
    assert "x-trackstar-access-token" not in request.headers  # GET /connections takes the API key only


@respx.mock(base_url=BASE)
def test_list_remote_table_summarises_sync_status_errors_and_local_presence(respx_mock, cli, logged_in):
    add_connection("c1", alias="acme")
    add_connection("c2")
    healthy = remote_conn(
        "c1",
        last_used="2025-02-01T00:00:00Z",
        sync_schedules=[schedule("get_inventory", "enabled"), schedule("get_orders", "enabled")],
    )
    broken = remote_conn(
        "c2",
        sync_schedules=[schedule("get_inventory", "error"), schedule("get_orders", "enabled"), schedule("x", None)],
        errors=[conn_error("Invalid credentials"), conn_error("Missing permission: returns")],
    )
    respx_mock.get("/connections").respond(200, json=page(healthy, broken, remote_conn("c3")))
    rows = cli("connections", "list", "--remote", "-o", "csv").stdout.splitlines()
    assert rows == [
        "connection_id,integration,customer_id,created_at,last_used,sync,errors,first_error,stored",
        "c1,shipbob,,2025-01-01T00:00:00Z,2025-02-01T00:00:00Z,2 enabled,0,,acme",
        'c2,shipbob,,2025-01-01T00:00:00Z,,"1 enabled, 1 error, 1 unknown",2,Invalid credentials,yes',
        "c3,shipbob,,2025-01-01T00:00:00Z,,,0,,no",
    ]
    table = cli("connections", "list", "--remote", "-o", "table")
    assert table.exit_code == 0
    assert "Invalid credentials" in table.stdout and "first_error" in table.stdout
    assert TOKEN not in table.stdout + table.stderr


@respx.mock(base_url=BASE)
def test_list_remote_empty(respx_mock, cli, logged_in):
    respx_mock.get("/connections").respond(200, json=page())
    assert cli("connections", "list", "--remote", "--json").json() == []
    r = cli("connections", "list", "--remote", "-o", "table")
    assert r.exit_code == 0 and r.stdout == ""
    assert "No connections at Trackstar" in r.stderr


@respx.mock(base_url=BASE)
def test_sync_sends_the_token_and_a_body_only_when_functions_are_given(respx_mock, cli, logged_in):
    add_connection("conn_1", alias="acme")
    route = respx_mock.post("/connections/sync")
    route.side_effect = lambda request: httpx.Response(
        200,
        json={
            "id": "conn_1",
            "syncing": True,
            "functions_to_sync": json.loads(request.content)["functions_to_sync"] if request.content else [],
        },
    )
    r = cli("connections", "sync", "acme", "-o", "table")
    assert r.exit_code == 0, r.stderr
    sent = route.calls.last.request
    assert sent.content == b""
    assert sent.headers["x-trackstar-access-token"] == TOKEN
    assert "Sync started for acme (sandbox): all functions." in r.stderr
    assert "all functions" in r.stdout

    r = cli("connections", "sync", "--functions", "get_inventory,get_orders", "-f", "get_inventory", "--json")
    assert r.exit_code == 0, r.stderr  # the only connection, so no argument needed
    assert json.loads(route.calls.last.request.content) == {"functions_to_sync": ["get_inventory", "get_orders"]}
    assert r.json() == {"id": "conn_1", "syncing": True, "functions_to_sync": ["get_inventory", "get_orders"]}


@respx.mock(base_url=BASE, assert_all_called=False)
def test_sync_rejects_unknown_functions_before_sending(respx_mock, cli, logged_in):
    add_connection("conn_1")
    route = respx_mock.post("/connections/sync").respond(200, json={})
    r = cli("connections", "sync", "-f", "get_inventory,get_everything")
    assert r.exit_code == 2
    assert "error: unknown sync function: get_everything" in r.stderr
    assert "hint: choose from get_inventory, get_products" in r.stderr
    assert not route.called
    r = cli("connections", "sync", "ghost")
    assert r.exit_code == 4


@respx.mock(base_url=BASE)
def test_reconcile_reports_each_kind_and_check_exits_1(respx_mock, cli, logged_in):
    add_connection("c_ok", alias="fine")
    add_connection("c_err", alias="broken")
    add_connection("c_gone", alias="old")
    respx_mock.get("/connections").respond(
        200,
        json=page(
            remote_conn("c_ok"),
            remote_conn("c_err", errors=[conn_error("Invalid credentials")]),
            remote_conn("c_new", integration_name="shiphero", customer_id="cust_9"),
        ),
    )
    r = cli("connections", "reconcile", "--json")
    assert r.exit_code == 0, r.stderr  # finding problems is not a failure without --check
    rows = {row["connection_id"]: row for row in r.json()}
    assert {cid: row["status"] for cid, row in rows.items()} == {
        "c_ok": "ok",
        "c_err": "errored",
        "c_gone": "gone",
        "c_new": "unknown-locally",
    }
    assert set(rows["c_ok"]) == {
        "status",
        "connection_id",
        "alias",
        "integration_name",
        "customer_id",
        "error_count",
        "first_error",
        "action",
    }
    assert rows["c_err"]["error_count"] == 1 and rows["c_err"]["first_error"] == "Invalid credentials"
    assert rows["c_err"]["action"] == "trackstar link-token --connection-id c_err"
    assert rows["c_gone"]["action"] == "trackstar connections remove old"
    assert rows["c_new"]["action"] == "trackstar connections add --connection-id c_new --access-token-stdin"
    assert rows["c_new"]["integration_name"] == "shiphero" and rows["c_new"]["alias"] is None
    assert rows["c_ok"]["action"] is None
    assert r.stderr == ""  # no summary in JSON mode unless --check finds something

    r = cli("connections", "reconcile", "-o", "table")
    assert "4 connections: 1 ok, 1 errored, 1 gone, 1 unknown-locally." in r.stderr
    r = cli("connections", "reconcile", "--check", "-o", "csv")
    assert r.exit_code == 1
    assert r.stdout.splitlines()[0] == "status,connection_id,alias,integration,errors,first_error,fix"
    assert "4 connections:" in r.stderr


@respx.mock(base_url=BASE)
def test_reconcile_check_passes_when_everything_is_ok(respx_mock, cli, logged_in):
    respx_mock.get("/connections").respond(200, json=page())
    r = cli("connections", "reconcile", "--check", "-o", "table")
    assert r.exit_code == 0
    assert "No connections, neither here nor at Trackstar." in r.stderr


@respx.mock(base_url=BASE)
def test_sandbox_generate_picks_the_alias_carefully(respx_mock, cli, logged_in):
    reply = {
        "access_token": "trackstar_sandbox_tok_0001",
        "connection_id": "sbx",
        "integration_name": "sandbox",
        "customer_id": None,
        "available_actions": ["get_inventory"],
        "available_endpoints": ["GET /inventory"],
    }
    route = respx_mock.post("/sandbox/generate-sandbox/wms").respond(200, json=reply)
    add_connection("other", alias="sandbox", integration="shipbob")
    r = cli("sandbox", "generate", "--json")  # `sandbox` is taken by another connection: stored without alias
    assert r.exit_code == 0, r.stderr
    assert r.json()["alias"] is None and r.json()["access_token"] == "****0001"
    assert route.calls.last.request.headers["x-trackstar-api-key"] == API_KEY
    assert cli("sandbox", "generate", "--name", "sb", "--json").json()["alias"] == "sb"
    assert cli("sandbox", "generate", "--json").json()["alias"] == "sb"  # keeps the alias it has
    assert cli("sandbox", "generate", "--name", "sb", "--json").exit_code == 0  # its own name is not a conflict
    calls = route.call_count
    r = cli("sandbox", "generate", "--name", "sandbox")
    assert r.exit_code == 2
    assert "already used by connection other" in r.stderr
    assert route.call_count == calls  # checked before the sandbox is reset
    r = cli("sandbox", "generate", "crm")
    assert r.exit_code == 2
    assert [c["connection_id"] for c in cli("connections", "list", "--json").json()] == ["other", "sbx"]


@respx.mock(base_url=BASE)
def test_sandbox_generate_rejects_a_reply_without_a_token(respx_mock, cli, logged_in):
    respx_mock.post("/sandbox/generate-sandbox/wms").respond(200, json={"connection_id": "sbx"})
    r = cli("sandbox", "generate")
    assert r.exit_code == 8
    assert "the reply to POST /sandbox/generate-sandbox/wms has no access_token" in r.stderr
    assert cli("connections", "list", "--json").json() == []


@respx.mock(base_url=BASE)
def test_integrations_send_a_token_only_with_connection(respx_mock, cli, logged_in):
    add_connection("conn_1", alias="acme")
    info = {"integration_name": "shipbob", "display_name": "ShipBob", "install_method": "oauth", "write_operations": []}
    route = respx_mock.get("/integrations/cart").respond(200, json={"data": [info]})
    assert cli("integrations", "list", "--type", "cart", "--json").json() == [info]
    assert "x-trackstar-access-token" not in route.calls.last.request.headers
    cli("integrations", "list", "-t", "cart", "-c", "acme", "--json")
    assert route.calls.last.request.headers["x-trackstar-access-token"] == TOKEN
    r = cli("integrations", "list", "-t", "crm")
    assert r.exit_code == 2
    respx_mock.get("/integrations/wms/shipbob").respond(200, json={"data": []})
    r = cli("integrations", "show", "shipbob")
    assert r.exit_code == 8 and "empty 'data' list" in r.stderr
    assert cli("integrations", "show", "../x").exit_code == 2


# -- end to end, against the emulator ----------------------------------------------------------------------


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """A fresh emulator per test: these tests delete and reconcile connections."""
    with Emulator(port=0) as server:
        yield server


def test_e2e_reconcile_finds_gone_and_unknown_connections(cli, emu):
    kept = connect(cli, emu, "shipbob", "kept")
    dropped = connect(cli, emu, "shiphero", "dropped")
    deleted = httpx.delete(
        f"{emu.url}/connections",
        headers={"x-trackstar-api-key": emu.api_key, "x-trackstar-access-token": dropped["access_token"]},
    )
    assert deleted.status_code == 200
    r = cli("connections", "reconcile", "--check", "--json")
    assert r.exit_code == 1
    status = {row["connection_id"]: row["status"] for row in r.json()}
    sandbox_id = emu.state.sandbox_id  # Trackstar creates the WMS sandbox at sign-up: not stored here yet
    assert status == {kept["connection_id"]: "ok", dropped["connection_id"]: "gone", sandbox_id: "unknown-locally"}

    assert cli("connections", "remove", "dropped").exit_code == 0
    assert cli("sandbox", "generate").exit_code == 0
    r = cli("connections", "reconcile", "--check", "-o", "table")
    assert r.exit_code == 0, r.stderr
    assert "2 connections: 2 ok." in r.stderr


def test_e2e_list_remote_marks_what_is_stored(cli, emu):
    acme = connect(cli, emu, "shipbob", "acme")
    everything = cli("connections", "list", "--remote", "--json").json()
    assert [c["connection_id"] for c in everything] == [emu.state.sandbox_id, acme["connection_id"]]
    assert {"sync_schedules", "errors", "times_used"} <= set(everything[1])  # the API's objects, unchanged
    rows = cli("connections", "list", "--remote", "-o", "csv").stdout.splitlines()
    assert rows[1].startswith(emu.state.sandbox_id) and rows[1].endswith(",no")
    assert rows[2].startswith(acme["connection_id"]) and rows[2].endswith(",acme")


def test_e2e_sync(cli, emu):
    connect(cli, emu, "extensiv-3pl-central", "ext")
    r = cli("connections", "sync", "ext", "-f", "get_inventory", "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json()["syncing"] is True and r.json()["functions_to_sync"] == ["get_inventory"]
    r = cli("connections", "sync", "ext", "-f", "get_returns")  # a real name this integration lacks: the API says no
    assert r.exit_code == 6
    assert "functions_to_sync" in r.stderr


def test_e2e_sandbox_generate_stores_a_usable_connection(cli, emu):
    r = cli("sandbox", "generate", "-o", "table")
    assert r.exit_code == 0, r.stderr
    assert f"Generated the wms sandbox {emu.state.sandbox_id}; saved in profile 'default' as 'sandbox'." in r.stderr
    token = emu.state.connections[emu.state.sandbox_id].access_token
    assert token not in r.stdout + r.stderr and "****" in r.stdout
    shown = cli("sandbox", "generate", "--show-token", "--json").json()
    assert shown["access_token"] == token and shown["connection_id"] == emu.state.sandbox_id
    assert len(cli("connections", "list", "--json").json()) == 1  # generated again: the same row
    inventory = cli("inventory", "list", "-c", "sandbox", "--limit", "2", "--json")
    assert inventory.exit_code == 0, inventory.stderr
    assert len(inventory.json()) == 2
    r = cli("sandbox", "generate", "cart")
    assert r.exit_code == 4  # the emulator has only the wms sandbox


def test_e2e_integrations_list_and_show(cli, emu):
    names = [i["integration_name"] for i in cli("integrations", "list", "--json").json()]
    assert names == ["sandbox", "shipbob", "extensiv-3pl-central", "shiphero"]
    table = cli("integrations", "list", "-o", "table")
    assert table.exit_code == 0 and "ShipBob" in table.stdout

    r = cli("integrations", "show", "shipbob", "-o", "table")
    assert r.exit_code == 0, r.stderr
    assert "create_order" in r.stdout and "POST /wms/orders" in r.stdout
    shown = cli("integrations", "show", "shipbob", "--json").json()
    create = next(op for op in shown["write_operations"] if op["action"] == "create_order")
    assert create["integration_specific_fields"]["properties"]["warehouse_id"]["enum"][0].startswith("N/A")
    assert create["integration_specific_fields"]["required_fields"] == []  # optional in ShipBob's spec variant
    connect(cli, emu, "shipbob", "acme")
    r = cli("integrations", "show", "shipbob", "--connection", "acme", "--json")
    create = next(op for op in r.json()["write_operations"] if op["action"] == "create_order")
    enum = create["integration_specific_fields"]["properties"]["warehouse_id"]["enum"]
    assert enum[0].startswith("wh_")  # the connection's own warehouses

    info = cli("integrations", "show", "shipbob", "--json").json()
    assert info["integration_name"] == "shipbob" and "write_operations" in info
    r = cli("integrations", "show", "nope")
    assert r.exit_code == 4
    assert "hint: `trackstar integrations list --type wms` shows the names" in r.stderr


@respx.mock(base_url=BASE)
def test_sandbox_token_is_shown_when_it_cannot_be_stored(respx_mock, cli, logged_in, monkeypatch):
    from trackstar_cli.errors import StoreError
    from trackstar_cli.store import Store

    def broken(self, **kw):
        raise StoreError("disk full")

    monkeypatch.setattr(Store, "save_connection", broken)
    respx_mock.post("/sandbox/generate-sandbox/wms").respond(
        200,
        json={
            "access_token": "tok_SANDBOX~9a8b7c6d",
            "connection_id": "conn_sb",
            "integration_name": "sandbox",
            "customer_id": None,
            "available_actions": ["get_inventory"],
        },
    )
    r = cli("sandbox", "generate")
    assert r.exit_code == 1
    assert "the sandbox was generated, but the connection could not be saved: disk full" in r.stderr
    assert "tok_SANDBOX~9a8b7c6d" in r.stderr
    assert "connections add --connection-id conn_sb --access-token-stdin" in r.stderr
