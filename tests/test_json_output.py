"""`-o json` streamed with json's C encoder: in a file or pipe each item is its NDJSON line indented by two
spaces; on a terminal each item is indented in full. Either way the parsed value is the API's, and C1 and bidi
characters are escaped as \\uXXXX, as in NDJSON."""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.conftest import add_connection
from tests.ptyrun import run_on_pty

ITEMS = [
    {"id": "wh_1", "name": "East \u202egnp.exe", "address": {"city": "Bremen", "lines": ["a", "b"]}, "tags": []},
    {"id": "wh_2", "name": "West\x85next", "address": {}, "n": 1.5, "ok": True, "none": None},
]


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            body = json.dumps({"data": ITEMS, "next_token": None}).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_port}"
    monkeypatch.setenv("TRACKSTAR_BASE_URL", url)
    yield url
    httpd.shutdown()
    httpd.server_close()


def test_json_in_a_pipe_is_the_ndjson_lines_in_an_array(cli, logged_in, server):
    add_connection()
    nd = cli("warehouses", "list", "-o", "ndjson")
    js = cli("warehouses", "list", "-o", "json")
    assert nd.exit_code == js.exit_code == 0, js.stderr
    lines = nd.stdout.splitlines()
    assert js.stdout == "[\n" + ",\n".join("  " + line for line in lines) + "\n]\n"
    assert js.json() == ITEMS == [json.loads(line) for line in lines]
    assert "\\u202e" in js.stdout and "\\u0085" in js.stdout  # escaped, never raw
    assert "\u202e" not in js.stdout and "\x85" not in js.stdout


def test_an_empty_list_is_an_empty_array(cli, logged_in, server, monkeypatch):
    add_connection()
    monkeypatch.setattr(sys.modules[__name__], "ITEMS", [])
    r = cli("warehouses", "list", "--json")
    assert r.exit_code == 0 and r.stdout == "[]\n"


def test_json_on_a_terminal_is_indented_in_full(logged_in, server):
    add_connection()
    env = {**os.environ, "TRACKSTAR_API_KEY": "sk_test_0000000000000000"}
    code, raw, err = run_on_pty(["warehouses", "list", "--json"], env, stderr_on_pty=False)
    text = raw.decode().replace("\r\n", "\n")
    assert code == 0, err
    expected = "[\n" + ",\n".join("  " + _pretty(i).replace("\n", "\n  ") for i in ITEMS) + "\n]\n"
    assert text == expected


def _pretty(item: dict[str, Any]) -> str:
    text = json.dumps(item, indent=2, ensure_ascii=False)
    return text.replace("\u202e", "\\u202e").replace("\x85", "\\u0085")
