"""Once the single-use auth code is spent, the access token is never lost: a hostile or broken server on
127.0.0.1 answers /link/exchange with every malformed shape we could think of, and the CLI either stores the
connection or prints the token with the `connections add` command that stores it later."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

TOKEN = "at_spent_code_token_0123456789"
REPLY: dict[str, Any] = {}


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        raw = json.dumps(REPLY["body"]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    monkeypatch.setenv("TRACKSTAR_BASE_URL", f"http://127.0.0.1:{httpd.server_address[1]}")
    monkeypatch.setenv("TRACKSTAR_API_KEY", "sk_test_0000000000")
    yield
    httpd.shutdown()
    httpd.server_close()


BASE = {"access_token": TOKEN, "connection_id": "conn_9", "integration_name": "shipbob"}
STORED = [
    {**BASE, "available_actions": 5},
    {**BASE, "available_actions": True},
    {**BASE, "available_actions": "get_inventory"},
    {**BASE, "available_actions": [1, None, {"a": 1}, "get_orders"]},
    {**BASE, "integration_name": None},
    {**BASE, "integration_name": ["x"]},
    {**BASE, "customer_id": {"nested": True}},
    {**BASE, "customer_id": 42},
    {**BASE, "connection_id": 12345},
    {**BASE, "available_endpoints": 7},
]
PRINTED = [
    {"access_token": TOKEN},
    {**BASE, "connection_id": None},
    {**BASE, "connection_id": ["conn_9"]},
    {**BASE, "connection_id": ""},
    {**BASE, "connection_id": True},
]


@pytest.mark.parametrize("body", STORED, ids=lambda b: json.dumps(b)[:60])
def test_odd_but_usable_replies_are_stored(server: None, cli: Any, body: dict[str, Any]) -> None:
    REPLY["body"] = body
    r = cli("exchange", "code_1", "--json")
    assert r.exit_code == 0, r.stderr
    stored = cli("connections", "show", str(body["connection_id"]), "--json").json()
    assert stored["connection_id"] == str(body["connection_id"])
    assert isinstance(stored["available_actions"], list)


@pytest.mark.parametrize("body", PRINTED, ids=lambda b: json.dumps(b)[:60])
def test_a_reply_that_cannot_be_stored_prints_the_token(server: None, cli: Any, body: dict[str, Any]) -> None:
    REPLY["body"] = body
    r = cli("exchange", "code_1")
    assert r.exit_code == 1
    assert "Traceback" not in r.stderr and "unexpected" not in r.stderr
    assert TOKEN in r.stderr
    assert "trackstar connections add --connection-id" in r.stderr
    assert r.stdout == ""


def test_a_store_that_fails_after_the_exchange_prints_the_token(
    server: None, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trackstar_cli.store import Store

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise TypeError("simulated bug in the store")

    monkeypatch.setattr(Store, "save_connection", broken)
    REPLY["body"] = BASE
    r = cli("exchange", "code_1")
    assert r.exit_code == 1
    assert TOKEN in r.stderr and "--connection-id conn_9" in r.stderr
