"""connections list | show | use | remove | add, and how data commands pick a connection."""

from __future__ import annotations

import respx

from tests.conftest import BASE, TOKEN, add_connection

INV = {"data": [{"sku": "A1", "onhand": 1}], "next_token": None, "total_count": 1}


def test_list_empty(cli):
    r = cli("connections", "list", "-o", "table")
    assert r.exit_code == 0
    assert "No connections in profile 'default'" in r.stderr
    assert cli("connections", "list").json() == []  # piped stdout → JSON by default


def test_list_never_shows_tokens(cli):
    add_connection("conn_1", alias="acme")
    for fmt in ("table", "json", "ndjson", "csv"):
        r = cli("connections", "list", "-o", fmt)
        assert r.exit_code == 0
        assert "conn_1" in r.stdout and "acme" in r.stdout
        assert TOKEN not in r.stdout + r.stderr


def test_use_marks_the_default(cli):
    add_connection("conn_1", alias="acme")
    add_connection("conn_2")
    cli("connections", "use", "acme")
    rows = {row["connection_id"]: row["default"] for row in cli("connections", "list", "--json").json()}
    assert rows == {"conn_1": True, "conn_2": False}
    assert "│ *" in cli("connections", "list", "-o", "table").stdout


def test_show_by_alias_and_unknown(cli):
    add_connection("conn_1", alias="acme")
    r = cli("connections", "show", "acme", "--json")
    assert r.json()["connection_id"] == "conn_1"
    r = cli("connections", "show", "nope")
    assert r.exit_code == 4
    assert "error: no connection 'nope' in profile 'default' (known: acme)" in r.stderr


@respx.mock(base_url=BASE)
def _clear_default() -> None:
    import sqlite3

    from trackstar_cli.config import resolve_paths

    with sqlite3.connect(resolve_paths().database) as db:
        db.execute("DELETE FROM defaults")


def test_data_commands_pick_default_else_only_else_error(respx_mock, cli, logged_in):
    route = respx_mock.get("/wms/inventory").respond(200, json=INV)
    add_connection("conn_1", alias="one", token="tok_one_aaaaaaaa")
    assert cli("inventory", "list").exit_code == 0  # the only one
    assert route.calls.last.request.headers["x-trackstar-access-token"] == "tok_one_aaaaaaaa"
    add_connection("conn_2", alias="two", token="tok_two_bbbbbbbb")
    assert cli("inventory", "list").exit_code == 0  # the first one stored became the default
    assert route.calls.last.request.headers["x-trackstar-access-token"] == "tok_one_aaaaaaaa"
    assert cli("connections", "list", "--json").json()[0]["default"] is True
    _clear_default()
    r = cli("inventory", "list")
    assert r.exit_code == 2
    assert "several connections and no default: one, two" in r.stderr
    assert "--connection" in r.stderr
    cli("connections", "use", "two")
    assert cli("inventory", "list").exit_code == 0
    assert route.calls.last.request.headers["x-trackstar-access-token"] == "tok_two_bbbbbbbb"
    cli("inventory", "list", "--connection", "one")
    assert route.calls.last.request.headers["x-trackstar-access-token"] == "tok_one_aaaaaaaa"
    cli("inventory", "list", env={"TRACKSTAR_CONNECTION": "conn_1"})
    assert route.calls.last.request.headers["x-trackstar-access-token"] == "tok_one_aaaaaaaa"
    r = cli("inventory", "list", "--connection", "ghost")
    assert r.exit_code == 4


def test_connections_belong_to_their_profile(cli):
    add_connection("conn_1", profile="staging")
    assert cli("connections", "list", "--json").json() == []
    assert [c["connection_id"] for c in cli("--profile", "staging", "connections", "list", "--json").json()] == [
        "conn_1"
    ]


def test_remove_local(cli):
    add_connection("conn_1", alias="acme")
    r = cli("connections", "remove", "acme")
    assert r.exit_code == 0 and "still exists at Trackstar" in r.stderr
    assert cli("connections", "list", "--json").json() == []
    assert cli("connections", "remove", "acme").exit_code == 4


@respx.mock(base_url=BASE, assert_all_called=True)
def test_remove_revoke_calls_delete_with_token(respx_mock, cli, logged_in):
    route = respx_mock.delete("/connections").respond(
        200, json={"id": "conn_1", "object": "connection", "deleted": True}
    )
    add_connection("conn_1")
    r = cli("connections", "remove", "conn_1", "--revoke", "--yes")
    assert r.exit_code == 0, r.stderr
    assert route.calls.last.request.headers["x-trackstar-access-token"] == TOKEN
    assert cli("connections", "list", "--json").json() == []


@respx.mock(base_url=BASE)
def test_remove_revoke_failure_keeps_local_row(respx_mock, cli, logged_in):
    respx_mock.delete("/connections").respond(401, json={"error": "bad token", "origin": "trackstar"})
    add_connection("conn_1")
    r = cli("connections", "remove", "conn_1", "--revoke", "--yes")
    assert r.exit_code == 3
    assert len(cli("connections", "list", "--json").json()) == 1


@respx.mock(base_url=BASE, assert_all_called=True)
def test_add_from_stdin_looks_up_metadata(respx_mock, cli, logged_in):
    respx_mock.get("/connections/conn_9").respond(
        200,
        json={
            "data": [
                {
                    "connection_id": "conn_9",
                    "integration_name": "extensiv",
                    "customer_id": "c9",
                    "available_actions": ["get_inventory"],
                }
            ],
            "next_token": None,
            "total_count": 1,
        },
    )
    r = cli(
        "connections",
        "add",
        "--connection-id",
        "conn_9",
        "--access-token-stdin",
        "--name",
        "ext",
        input="tok_dashboard_123456\n",
    )
    assert r.exit_code == 0, r.stderr
    [row] = cli("connections", "list", "--json").json()
    assert row["integration_name"] == "extensiv" and row["alias"] == "ext" and row["customer_id"] == "c9"
    assert "tok_dashboard_123456" not in r.stdout + r.stderr


@respx.mock(base_url=BASE)
def test_add_unknown_connection_is_not_saved(respx_mock, cli, logged_in):
    respx_mock.get("/connections/nope").respond(404, json={"error": "Connection not found", "id": "nope"})
    r = cli("connections", "add", "--connection-id", "nope", "--access-token-stdin", input="tok_x_1234567890\n")
    assert r.exit_code == 4
    assert cli("connections", "list", "--json").json() == []


def test_add_requires_a_token(cli):
    r = cli("connections", "add", "--connection-id", "c", "--access-token-stdin", "--no-verify", input="")
    assert r.exit_code == 2


def test_invalid_alias(cli):
    r = cli(
        "connections",
        "add",
        "--connection-id",
        "c",
        "--access-token-stdin",
        "--no-verify",
        "--name",
        "1 bad",
        input="tok_1234567890ab\n",
    )
    assert r.exit_code == 2 and "invalid name" in r.stderr


def test_remove_revoke_in_a_script_needs_yes(cli, logged_in):
    add_connection("conn_1", alias="acme")
    r = cli("connections", "remove", "acme", "--revoke")
    assert r.exit_code == 2 and "pass --yes" in r.stderr
    assert len(cli("connections", "list", "--json").json()) == 1


def test_plain_remove_says_how_to_store_it_again(cli):
    add_connection("conn_1", alias="acme")
    r = cli("connections", "remove", "acme")
    assert r.exit_code == 0
    assert "trackstar connections add --connection-id conn_1 --access-token-stdin --name acme" in r.stderr
