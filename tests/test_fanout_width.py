"""How wide a fan-out runs: one request stream per access token, every token at once up to the
TRACKSTAR_MAX_CONNECTIONS cap. A server on 127.0.0.1 holds each request until the expected number are in
flight together (or gives up after a few seconds and answers 503), and records the peak per token."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.conftest import add_connection


class _Gate:
    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.expect = 1
        self.in_flight = 0
        self.per_token: Counter[str] = Counter()
        self.peak = 0
        self.peak_per_token = 0
        self.gave_up = 0


@pytest.fixture
def gate_server() -> Iterator[tuple[str, _Gate]]:
    gate = _Gate()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            token = self.headers.get("x-trackstar-access-token", "")
            with gate.cond:
                gate.in_flight += 1
                gate.per_token[token] += 1
                gate.peak = max(gate.peak, gate.in_flight)
                gate.peak_per_token = max(gate.peak_per_token, gate.per_token[token])
                gate.cond.notify_all()
                met = gate.cond.wait_for(lambda: gate.peak >= gate.expect, timeout=5)
                if not met:
                    gate.gave_up += 1
            body = json.dumps({"data": [{"id": f"wh_{token}", "name": "W"}], "next_token": None}).encode()
            self.send_response(200 if met else 503)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            with gate.cond:
                gate.in_flight -= 1
                gate.per_token[token] -= 1

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", gate
    server.shutdown()
    server.server_close()


def _connections(n: int, tokens: int | None = None) -> None:
    for i in range(n):
        add_connection(f"conn_{i:02d}", alias=f"c{i:02d}", token=f"tok_{i % (tokens or n):02d}_0000000000")


def test_fifty_connections_are_read_at_once(cli, logged_in, monkeypatch, gate_server):
    url, gate = gate_server
    monkeypatch.setenv("TRACKSTAR_BASE_URL", url)
    gate.expect = 50
    _connections(50)
    r = cli("warehouses", "list", "--all-connections", "--json")
    assert r.exit_code == 0, r.stderr
    assert gate.gave_up == 0 and gate.peak == 50
    assert len({row["connection_id"] for row in r.json()}) == 50


def test_connections_sharing_a_token_take_turns(cli, logged_in, monkeypatch, gate_server):
    url, gate = gate_server
    monkeypatch.setenv("TRACKSTAR_BASE_URL", url)
    gate.expect = 3  # three tokens, six connections: three streams at a time, never two on one token
    _connections(6, tokens=3)
    r = cli("warehouses", "list", "--all-connections", "--json")
    assert r.exit_code == 0, r.stderr
    assert gate.peak == 3 and gate.peak_per_token == 1 and gate.gave_up == 0
    assert len(r.json()) == 6


def test_the_cap_is_a_setting(cli, logged_in, monkeypatch, gate_server):
    url, gate = gate_server
    monkeypatch.setenv("TRACKSTAR_BASE_URL", url)
    monkeypatch.setenv("TRACKSTAR_MAX_CONNECTIONS", "3")
    gate.expect = 3
    _connections(8)
    r = cli("warehouses", "list", "--all-connections", "--json")
    assert r.exit_code == 0, r.stderr
    assert gate.peak == 3 and gate.gave_up == 0
    assert len(r.json()) == 8


@pytest.mark.parametrize("value", ["0", "many", "5000"])
def test_a_bad_cap_is_a_config_error(cli, logged_in, monkeypatch, value):
    monkeypatch.setenv("TRACKSTAR_MAX_CONNECTIONS", value)
    _connections(2)
    r = cli("warehouses", "list", "--all-connections")
    assert r.exit_code == 2, r.stderr  # ConfigError: bad settings, like a bad --timeout
    assert r.stderr.startswith("error: invalid max_connections") and "Traceback" not in r.stderr
