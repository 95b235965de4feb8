"""link-token and exchange: the two halves of Trackstar Link."""

from __future__ import annotations

import json
import os
import stat

import httpx
import respx

from tests.conftest import API_KEY, BASE

EXCHANGED = {
    "access_token": "tok_EXCHANGED~5c2e8a11",
    "connection_id": "conn_new",
    "integration_name": "shipbob",
    "customer_id": "cust_1",
    "available_actions": ["get_inventory", "get_orders"],
    "available_endpoints": ["GET /inventory"],
}


@respx.mock(base_url=BASE, assert_all_called=True)
def test_link_token_prints_bare_token(respx_mock, cli, logged_in):
    route = respx_mock.post("/link/token").respond(200, json={"link_token": "lt_123"})
    r = cli("link-token", "-o", "table")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "lt_123\n"
    assert route.calls.last.request.content in (b"", b"null")


@respx.mock(base_url=BASE, assert_all_called=True)
def test_link_token_json_and_reinstall_body(respx_mock, cli, logged_in):
    route = respx_mock.post("/link/token").respond(200, json={"link_token": "lt_9"})
    r = cli("link-token", "--connection-id", "conn_abc", "--json")
    assert r.json() == {"link_token": "lt_9"}
    assert json.loads(route.calls.last.request.content) == {"connection_id": "conn_abc"}


@respx.mock(base_url=BASE)
def test_link_token_is_retried_on_503(respx_mock, cli, logged_in, monkeypatch):
    monkeypatch.setattr("time.sleep", lambda s: None)
    route = respx_mock.post("/link/token").mock(
        side_effect=[httpx.Response(503, headers={"retry-after": "0"}), httpx.Response(200, json={"link_token": "x"})]
    )
    r = cli("link-token")
    assert r.exit_code == 0 and route.call_count == 2


def test_link_token_without_key(cli):
    r = cli("link-token")
    assert r.exit_code == 3
    assert "error: no API key for profile 'default'" in r.stderr
    assert "hint: run `trackstar auth login`" in r.stderr


@respx.mock(base_url=BASE, assert_all_called=True)
def test_exchange_stores_connection_and_masks_token(respx_mock, cli, logged_in, home):
    route = respx_mock.post("/link/exchange").respond(200, json=EXCHANGED)
    r = cli("exchange", "code_1", "--customer-id", "cust_1", "--name", "acme", "--json")
    assert r.exit_code == 0, r.stderr
    assert json.loads(route.calls.last.request.content) == {"auth_code": "code_1", "customer_id": "cust_1"}
    out = r.json()
    assert out["connection_id"] == "conn_new" and out["alias"] == "acme"
    assert out["access_token"] == "****8a11"
    assert EXCHANGED["access_token"] not in r.stdout + r.stderr
    listed = cli("connections", "list", "--json").json()
    assert [c["connection_id"] for c in listed] == ["conn_new"]
    assert listed[0]["available_actions"] == ["get_inventory", "get_orders"]
    assert stat.S_IMODE(os.stat(home / "trackstar.db").st_mode) == 0o600


@respx.mock(base_url=BASE)
def test_exchange_show_token(respx_mock, cli, logged_in):
    respx_mock.post("/link/exchange").respond(200, json=EXCHANGED)
    r = cli("exchange", "code_1", "--show-token", "--json")
    assert r.json()["access_token"] == EXCHANGED["access_token"]


@respx.mock(base_url=BASE)
def test_exchange_body_without_customer_id(respx_mock, cli, logged_in):
    route = respx_mock.post("/link/exchange").respond(200, json=EXCHANGED)
    cli("exchange", "code_1")
    assert json.loads(route.calls.last.request.content) == {"auth_code": "code_1"}


@respx.mock(base_url=BASE)
def test_failed_exchange_stores_nothing_and_is_not_retried(respx_mock, cli, logged_in, monkeypatch):
    monkeypatch.setattr("time.sleep", lambda s: None)
    route = respx_mock.post("/link/exchange").respond(503, json={"error": "down", "origin": "trackstar"})
    r = cli("exchange", "code_1")
    assert r.exit_code == 8
    assert route.call_count == 1  # an auth code is single use: never repeat the exchange
    assert cli("connections", "list", "--json").json() == []


@respx.mock(base_url=BASE)
def test_exchange_invalid_code(respx_mock, cli, logged_in):
    respx_mock.post("/link/exchange").respond(
        400, json={"error": "Invalid auth code", "origin": "trackstar"}, headers={"x-request-id": "req_42"}
    )
    r = cli("exchange", "bad")
    assert r.exit_code == 6
    assert "error: Invalid auth code (HTTP 400, request id req_42)" in r.stderr


@respx.mock(base_url=BASE)
def test_reinstall_updates_the_row(respx_mock, cli, logged_in):
    respx_mock.post("/link/exchange").mock(
        side_effect=[
            httpx.Response(200, json=EXCHANGED),
            httpx.Response(200, json={**EXCHANGED, "available_actions": ["get_inventory"]}),
        ]
    )
    cli("exchange", "code_1", "--name", "acme")
    cli("exchange", "code_2")
    listed = cli("connections", "list", "--json").json()
    assert len(listed) == 1
    assert listed[0]["alias"] == "acme" and listed[0]["available_actions"] == ["get_inventory"]


@respx.mock(base_url=BASE)
def test_token_is_printed_when_it_cannot_be_stored(respx_mock, cli, logged_in, monkeypatch):
    from trackstar_cli.errors import StoreError
    from trackstar_cli.store import Store

    def broken(self, **kw):
        raise StoreError("disk full")

    monkeypatch.setattr(Store, "save_connection", broken)
    respx_mock.post("/link/exchange").respond(200, json=EXCHANGED)
    r = cli("exchange", "code_1")
    assert r.exit_code == 1
    assert "could not be saved" in r.stderr
    assert EXCHANGED["access_token"] in r.stderr  # the only copy: shown, not lost
    assert "connections add --connection-id conn_new --access-token-stdin" in r.stderr
    assert r.stdout == ""


def test_exchange_alias_conflict_is_checked_before_spending_the_code(cli, logged_in):
    from tests.conftest import add_connection

    add_connection("conn_old", alias="acme")
    r = cli("exchange", "code_1", "--name", "acme")  # no HTTP mock: would fail if it called the API
    assert r.exit_code == 2
    assert "already used by connection conn_old" in r.stderr


def test_exchange_with_env_key_and_bad_base_url(cli):
    r = cli("exchange", "c", env={"TRACKSTAR_API_KEY": API_KEY, "TRACKSTAR_BASE_URL": "http://example.com"})
    assert r.exit_code == 2
    assert "https is required" in r.stderr
