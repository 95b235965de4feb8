"""One query across connections (--all-connections, --connections) and `inventory summary`, against the emulator."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.conftest import add_connection, connect


@pytest.fixture
def two(cli, emu) -> dict[str, str]:
    return {
        "sb": connect(cli, emu, "shipbob", "sb")["connection_id"],
        "ext": connect(cli, emu, "extensiv-3pl-central", "ext")["connection_id"],
    }


def test_rows_are_merged_and_tagged_with_their_connection(cli, emu, two):
    r = cli("inventory", "list", "--all-connections", "--json")
    assert r.exit_code == 0, r.stderr
    rows = r.json()
    per_conn = {cid: sum(1 for x in rows if x["connection_id"] == cid) for cid in two.values()}
    single = {name: len(cli("inventory", "list", "-c", name, "--json").json()) for name in two}
    assert per_conn == {two["sb"]: single["sb"], two["ext"]: single["ext"]}
    assert {x["integration_name"] for x in rows} == {"shipbob", "extensiv-3pl-central"}


def test_unsupported_endpoint_is_skipped_with_a_note(cli, emu, two):
    r = cli("returns", "list", "--all-connections", "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json() and {x["connection_id"] for x in r.json()} == {two["sb"]}
    assert "ext (extensiv-3pl-central) skipped: Endpoint get_returns is not implemented" in r.stderr


def test_one_failing_connection_gives_partial_exit_9(cli, emu, two):
    add_connection("conn_broken", alias="broken", token="tok_revoked_0000000000", integration="shipbob")
    r = cli("warehouses", "list", "--connections", "sb,broken", "--json")
    assert r.exit_code == 9
    assert r.json() and {x["connection_id"] for x in r.json()} == {two["sb"]}
    assert "error: broken (shipbob):" in r.stderr and "HTTP 401" in r.stderr
    assert "tok_revoked_0000000000" not in r.stderr


def test_all_connections_failing_gives_their_exit_code(cli, emu):
    add_connection("conn_broken", alias="broken", token="tok_revoked_0000000000")
    r = cli("warehouses", "list", "--connections", "broken")
    assert r.exit_code == 3


def test_a_rate_limited_connection_is_retried_while_others_stream(cli, emu, two):
    httpx.post(f"{emu.url}/_emulator/faults", json={"kind": "429", "count": 2, "path": "/wms/inventory"})
    r = cli("inventory", "list", "--all-connections", "--json", "--page-size", "50", "--verbose")
    assert r.exit_code == 0, r.stderr
    assert r.stderr.count("< 429") == 2
    expected = sum(len(cli("inventory", "list", "-c", n, "--json").json()) for n in two)
    assert len(r.json()) == expected


def test_table_has_a_connection_column_and_limit_is_total(cli, emu, two):
    r = cli("inventory", "list", "-A", "-o", "csv", "--limit", "3")
    lines = r.stdout.splitlines()
    assert lines[0].startswith("connection,sku,")
    assert len(lines) == 4 and all(line.split(",")[0] in {"sb", "ext"} for line in lines[1:])


def test_selection_errors(cli, emu, two):
    assert cli("inventory", "list", "--connections", "sb,ghost").exit_code == 4
    r = cli("inventory", "list", "--connections", "sb", "-c", "ext")
    assert r.exit_code == 2 and "--connections" in r.stderr
    r = cli("inventory", "list", "--connections", "sb", "--all-connections")
    assert r.exit_code == 2


def test_summary_adds_up_across_connections_and_warehouses(cli, emu, two):
    items = cli("inventory", "list", "-A", "--json").json()
    summary = cli("inventory", "summary", "--json")
    assert summary.exit_code == 0, summary.stderr
    rows = {row["sku"]: row for row in summary.json()}
    sku = items[0]["sku"]
    same = [i for i in items if i["sku"] == sku]
    assert rows[sku]["onhand"] == sum(i["onhand"] for i in same)
    assert rows[sku]["fulfillable"] == sum(i["fulfillable"] for i in same)
    assert sum(loc["onhand"] for loc in rows[sku]["locations"]) == rows[sku]["onhand"]
    assert {loc["connection_id"] for loc in rows[sku]["locations"]} == {i["connection_id"] for i in same}


def test_summary_filters_by_sku_and_warehouse(cli, emu, two):
    items = cli("inventory", "list", "-c", "sb", "--json", "--limit", "1").json()
    sku = items[0]["sku"]
    wh = sorted(items[0]["inventory_by_warehouse_id"])[0]
    r = cli("inventory", "summary", "--sku", sku, "--warehouse", wh, "--connections", "sb", "--json")
    [row] = r.json()
    assert row["onhand"] == items[0]["inventory_by_warehouse_id"][wh]["onhand"]
    assert [loc["warehouse_id"] for loc in row["locations"]] == [wh]
    table = cli("inventory", "summary", "--sku", sku, "-o", "table")
    assert f"sb/{wh}" in table.stdout


def test_orders_packs(cli, emu, two):
    order = cli("orders", "list", "-c", "sb", "--limit", "1", "--json").json()[0]
    r = cli("orders", "packs", order["id"], "-c", "sb", "--json")
    assert r.exit_code == 0, r.stderr
    assert "packs" in r.json()
    assert cli("orders", "packs", "ord_missing", "-c", "sb").exit_code == 4


def test_every_resource_lists_and_gets_against_the_emulator(cli, emu):
    from trackstar_cli.commands.views import PLACEMENT
    from trackstar_cli.spec import RESOURCES

    connect(cli, emu, "sandbox", "sbx")  # the sandbox implements every read
    warehouse = cli("warehouses", "list", "-c", "sbx", "--json").json()[0]["id"]
    for name, (group, sub) in PLACEMENT.items():
        args = [group, sub] if sub else [group, "list"]
        if name == "warehouse-locations":
            args.append(warehouse)
        r = cli(*args, "-c", "sbx", "--limit", "2", "--json")
        assert r.exit_code == 0, f"{args}: {r.stderr}"
        listed = json.loads(r.stdout)
        assert isinstance(listed, list) and listed, f"{args}: no items"
        resource = RESOURCES[name]
        if resource.has_get:
            get = [group, sub.rstrip("s")] if sub else [group, "get"]
            parent = [warehouse] if resource.parent else []
            one = cli(*get, *parent, listed[0]["id"], "-c", "sbx", "--json")
            assert one.exit_code == 0, f"{get}: {one.stderr}"
            assert one.json()["id"] == listed[0]["id"]
