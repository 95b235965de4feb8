"""The JSON shapes scripts rely on (README, "Output formats"): keys pinned here, so a change is deliberate."""

from __future__ import annotations

import pytest

CONNECTION_KEYS = {
    "connection_id",
    "alias",
    "integration_name",
    "customer_id",
    "available_actions",
    "profile",
    "default",
    "created_at",
    "updated_at",
}


@pytest.fixture
def connected(cli, emu):
    code = emu.issue_auth_code(cli("link-token").stdout.strip(), "sandbox")
    exchanged = cli("exchange", code, "--name", "sbx", "--json")
    assert exchanged.exit_code == 0, exchanged.stderr
    return exchanged.json()


def test_exchange_and_connections(cli, connected):
    assert set(connected) == CONNECTION_KEYS | {"access_token"}
    assert connected["access_token"].startswith("****")
    [listed] = cli("connections", "list", "--json").json()
    assert set(listed) == CONNECTION_KEYS
    assert set(cli("connections", "show", "sbx", "--json").json()) == CONNECTION_KEYS
    generated = cli("sandbox", "generate", "--json")
    assert generated.exit_code == 0, generated.stderr
    assert set(generated.json()) == CONNECTION_KEYS | {"access_token"}


def test_link_token_and_auth_status(cli, connected):
    assert set(cli("link-token", "--json").json()) == {"link_token"}
    status = cli("auth", "status", "--json").json()
    assert status["key_valid"] is True and status["checked_url"].endswith("/connections")
    assert set(status) == {
        "profile",
        "base_url",
        "base_url_source",
        "logged_in",
        "key_source",
        "api_key",
        "key_valid",
        "checked_url",
        "check_error",
        "keyring_backend",
        "keyring_error",
    }


def test_lists_are_the_api_objects_and_fan_out_adds_two_keys(cli, emu, connected):
    import httpx

    api = httpx.get(
        f"{emu.url}/wms/inventory",
        params={"limit": "3"},
        headers={"x-trackstar-api-key": emu.api_key, "x-trackstar-access-token": _token(cli)},
    ).json()["data"]
    assert cli("inventory", "list", "--limit", "3", "--json").json() == api
    merged = cli("inventory", "list", "--all-connections", "--limit", "3", "--json").json()
    assert [{k: v for k, v in row.items() if k not in ("connection_id", "integration_name")} for row in merged] == api
    assert all(row["integration_name"] == "sandbox" for row in merged)


def test_inventory_summary_rows(cli, connected):
    [row] = cli("inventory", "summary", "--sku", "TSH-RED-000000", "--json").json()
    assert set(row) == {"sku", "name", "onhand", "fulfillable", "committed", "unfulfillable", "awaiting", "locations"}
    assert set(row["locations"][0]) == {"connection_id", "integration_name", "warehouse_id", "onhand", "fulfillable"}


def _token(cli) -> str:
    import sqlite3

    from trackstar_cli.config import resolve_paths

    with sqlite3.connect(resolve_paths().database) as db:
        return str(db.execute("SELECT access_token FROM connections").fetchone()[0])


def test_webhook_events_json(cli):
    from trackstar_cli.config import resolve_paths
    from trackstar_cli.store import NewDelivery, Store

    with Store(resolve_paths().database) as store:
        store.save_delivery(
            "default", NewDelivery("msg_1", "2026-01-01T00:00:00Z", [("svix-id", "msg_1")], b"{}", True, None)
        )
    listed = cli("webhooks", "events", "list", "--json").json()
    keys = {"id", "svix_id", "received_at", "event_type", "connection_id", "object_id", "verified", "reason"}
    assert set(listed[0]) == keys | {"attempts", "forward_status", "forward_error"}
    shown = cli("webhooks", "events", "show", "msg_1", "--json").json()
    assert set(shown) == set(listed[0]) | {"headers", "body"} and shown["headers"] == [["svix-id", "msg_1"]]
