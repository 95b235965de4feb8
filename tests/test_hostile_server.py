"""Hostile servers on 127.0.0.1 (issues #8 items 2, 4, 5, 7, 13, 15, 16; #7 item 7; #11 transport), via the CLI.

Each test starts a raw-socket server whose replies are scripted byte by byte: trickled headers, endless
chunks, gzip bombs, endless empty pages, redirects. Nothing here asserts a duration: a server that trickles
stops after a while on its own, so the old code finishes (and fails the assertions) instead of hanging.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from trackstar_cli import bounds
from trackstar_cli.client import MAX_EMPTY_PAGES, TrackstarClient
from trackstar_cli.config import DEFAULT_MAX_RESPONSE_BYTES, redact_url, resolve_settings
from trackstar_cli.errors import ExitCode, ResponseTooLargeError, UsageError

from .conftest import API_KEY, REPO, TOKEN, add_connection
from .test_client import tls_files, tls_server  # noqa: F401 - fixtures: a self-signed TLS server

TRICKLE_FOR = 6.0  # seconds a trickling server keeps going before it finishes its reply normally


@dataclass
class Seen:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


Handler = Callable[[socket.socket, Seen], None]


@dataclass
class HostileServer:
    """A threaded TCP server on 127.0.0.1 that hands each parsed request to `handler` with the raw socket."""

    handler: Handler
    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._stop.set()
        self._sock.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            self._serve_requests(conn)
        except OSError:
            pass  # the client hung up: that is what a deadline does
        finally:
            conn.close()

    def _serve_requests(self, conn: socket.socket) -> None:
        buf = b""
        while not self._stop.is_set():
            while b"\r\n\r\n" not in buf:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buf += chunk
            head, buf = buf.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
            length = int(headers.get("content-length", "0"))
            while len(buf) < length:
                buf += conn.recv(65536)
            body, buf = buf[:length], buf[length:]
            seen = Seen(method, target, headers, body)
            self.seen.append(seen)
            self.handler(conn, seen)


def reply(conn: socket.socket, status: str, body: bytes, headers: dict[str, str] | None = None) -> None:
    head = f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    for name, value in (headers or {}).items():
        head += f"{name}: {value}\r\n"
    conn.sendall(head.encode() + b"\r\n" + body)


def trickle(conn: socket.socket, data: bytes, every: float = 0.2) -> None:
    """Send `data` a byte at a time, each within a per-read timeout, for at most TRICKLE_FOR seconds."""
    end = time.monotonic() + TRICKLE_FOR
    step = max(1, int(len(data) / (TRICKLE_FOR / every)) + 1)
    for i in range(0, len(data), step):
        conn.sendall(data[i : i + step])
        if time.monotonic() < end:
            time.sleep(every)


@pytest.fixture
def hostile() -> Iterator[Callable[[Handler], HostileServer]]:
    servers: list[HostileServer] = []

    def start(handler: Handler) -> HostileServer:
        server = HostileServer(handler)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def point_at(monkeypatch: pytest.MonkeyPatch) -> Callable[[HostileServer], None]:
    def point(server: HostileServer) -> None:
        monkeypatch.setenv("TRACKSTAR_BASE_URL", server.url)
        monkeypatch.setenv("TRACKSTAR_API_KEY", API_KEY)

    return point


OK_BODY = json.dumps({"data": [], "next_token": None}).encode()


# -- item 2: an overall deadline per request -------------------------------------------------------------


def _trickled_headers(conn: socket.socket, seen: Seen) -> None:
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(OK_BODY)}\r\n"
    head += "X-Padding: " + "x" * 60 + "\r\n\r\n"
    trickle(conn, head.encode())
    conn.sendall(OK_BODY)


def _trickled_body(conn: socket.socket, seen: Seen) -> None:
    body = json.dumps({"data": [{"pad": "y" * 60}], "next_token": None}).encode()
    conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode())
    trickle(conn, body)


def _endless_chunks(conn: socket.socket, seen: Seen) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    conn.sendall(b"1\r\n[\r\n")
    end = time.monotonic() + TRICKLE_FOR
    while time.monotonic() < end:
        conn.sendall(b"1\r\n \r\n")
        time.sleep(0.2)
    conn.sendall(b"1\r\n]\r\n0\r\n\r\n")


@pytest.mark.parametrize("handler", [_trickled_headers, _trickled_body, _endless_chunks])
def test_timeout_bounds_a_whole_request_against_a_trickling_server(
    cli: Any, hostile: Any, point_at: Any, handler: Handler
) -> None:
    server = hostile(handler)
    point_at(server)
    result = cli("--timeout", "1", "api", "/connections")
    assert result.exit_code == ExitCode.NETWORK, result.stdout
    assert "within 1s" in result.stderr and "--timeout" in result.stderr
    assert len(server.seen) == 1  # a deadline that passed is not tried again


def test_the_deadline_is_per_page(cli: Any, hostile: Any, point_at: Any) -> None:
    """Each page gets the whole --timeout: three pages that each take most of it still succeed."""

    def pages(conn: socket.socket, seen: Seen) -> None:
        n = len(server.seen)
        time.sleep(0.4)
        reply(conn, "200 OK", json.dumps({"data": [{"n": n}], "next_token": f"t{n}" if n < 3 else None}).encode())

    server = hostile(pages)
    point_at(server)
    add_connection()
    result = cli("--timeout", "1", "api", "/wms/inventory", "--paginate")
    assert result.exit_code == 0, result.stderr
    assert [row["n"] for row in result.json()] == [1, 2, 3]


def test_timeout_help_and_readme_describe_the_deadline(cli: Any) -> None:
    assert "whole request" in cli("--help").stdout
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "## Security and bounds" in readme and "TRACKSTAR_MAX_RESPONSE_BYTES" in readme


# -- item 4: endless empty pages ----------------------------------------------------------------------------


def test_endless_empty_pages_stop_with_a_clear_error(cli: Any, hostile: Any, point_at: Any) -> None:
    def empty_pages(conn: socket.socket, seen: Seen) -> None:
        last = len(server.seen) > 60  # the old code would page on; end it so that it fails rather than hangs
        body = {"data": [], "next_token": None if last else uuid.uuid4().hex}
        reply(conn, "200 OK", json.dumps(body).encode())

    server = hostile(empty_pages)
    point_at(server)
    add_connection()
    result = cli("inventory", "list", "--limit", "5")
    assert result.exit_code == ExitCode.NETWORK, result.stdout
    assert f"{MAX_EMPTY_PAGES} empty pages in a row" in result.stderr
    assert len(server.seen) == MAX_EMPTY_PAGES


def test_a_few_empty_pages_between_full_ones_are_fine(cli: Any, hostile: Any, point_at: Any) -> None:
    def sparse(conn: socket.socket, seen: Seen) -> None:
        n = len(server.seen)
        data = [{"id": f"i{n}", "sku": f"S{n}"}] if n % 5 == 0 else []
        reply(conn, "200 OK", json.dumps({"data": data, "next_token": f"t{n}" if n < 20 else None}).encode())

    server = hostile(sparse)
    point_at(server)
    add_connection()
    result = cli("api", "/wms/inventory", "--paginate")
    assert result.exit_code == 0, result.stderr
    assert [row["id"] for row in result.json()] == ["i5", "i10", "i15", "i20"]


# -- item 5: a cap on the decoded size ----------------------------------------------------------------------


def _bomb(mib: int) -> bytes:
    """A gzip body that inflates to `mib` MiB of JSON. Compressed once per MiB (a full flush makes every MiB
    of zeros the same bytes), so building 512 MiB costs a CRC, not a compression."""
    prefix, suffix, zeros = b'{"data": ["', b'"], "next_token": null}', b"0" * (1 << 20)
    z = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    head = z.compress(prefix) + z.flush(zlib.Z_FULL_FLUSH)
    block = z.compress(zeros) + z.flush(zlib.Z_FULL_FLUSH)
    tail = z.compress(suffix) + z.flush()
    crc = zlib.crc32(prefix)
    for _ in range(mib):
        crc = zlib.crc32(zeros, crc)
    crc = zlib.crc32(suffix, crc)
    size = len(prefix) + mib * len(zeros) + len(suffix)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return header + head + block * mib + tail + struct.pack("<II", crc, size & 0xFFFFFFFF)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    data = _bomb(512)  # 512 MiB of JSON from ~0.5 MB on the wire
    assert json.loads(gzip.decompress(_bomb(3)))["data"] == ["0" * (3 << 20)]  # a valid gzip stream (CRC too)
    return data


def test_a_gzip_bomb_fails_fast_with_bounded_memory(hostile: Any, tmp_path: Path, bomb: bytes) -> None:
    """The real program in a child process, so that its peak memory is its own (os.wait4's rusage)."""
    server = hostile(lambda conn, seen: reply(conn, "200 OK", bomb, {"Content-Encoding": "gzip"}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKSTAR_")}
    env.update(TRACKSTAR_HOME=str(tmp_path / "h"), TRACKSTAR_BASE_URL=server.url, TRACKSTAR_API_KEY=API_KEY)
    out, err = tmp_path / "out", tmp_path / "err"
    with out.open("wb") as fo, err.open("wb") as fe:
        proc = subprocess.Popen(
            [sys.executable, "-m", "trackstar_cli", "api", "/connections"], env=env, stdout=fo, stderr=fe
        )
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = err.read_text()
    assert proc.returncode == ExitCode.NETWORK, stderr
    assert f"larger than {DEFAULT_MAX_RESPONSE_BYTES:,} bytes" in stderr
    assert out.read_bytes() == b""
    assert len(server.seen) == 1  # a reply too large is not asked for again
    peak_mib = usage.ru_maxrss / 1024  # kilobytes on Linux
    assert peak_mib < 3 * DEFAULT_MAX_RESPONSE_BYTES / (1 << 20), f"peak {peak_mib:.0f} MiB"


@pytest.mark.parametrize("framing", ["content-length", "chunked", "deflate"])
def test_the_cap_holds_for_every_framing_and_is_configurable(hostile: Any, framing: str) -> None:
    big = json.dumps({"data": ["z" * 5000], "next_token": None}).encode()

    def serve(conn: socket.socket, seen: Seen) -> None:
        if framing == "content-length":
            reply(conn, "200 OK", big)
        elif framing == "deflate":
            reply(conn, "200 OK", zlib.compress(big), {"Content-Encoding": "deflate"})
        else:
            conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            for i in range(0, len(big), 1000):
                part = big[i : i + 1000]
                conn.sendall(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            conn.sendall(b"0\r\n\r\n")

    server = hostile(serve)
    with TrackstarClient(API_KEY, base_url=server.url, max_response_bytes=4096) as small:
        with pytest.raises(ResponseTooLargeError, match="larger than 4,096 bytes"):
            small.request("GET", "/connections")
    with TrackstarClient(API_KEY, base_url=server.url, max_response_bytes=8192) as enough:
        assert enough.request("GET", "/connections")["data"] == ["z" * 5000]


def test_max_response_bytes_setting_resolves_from_env_and_config(tmp_path: Path) -> None:
    env = {"TRACKSTAR_HOME": str(tmp_path), "TRACKSTAR_MAX_RESPONSE_BYTES": "1048576"}
    assert resolve_settings(env=env).max_response_bytes == 1 << 20
    assert resolve_settings(env={"TRACKSTAR_HOME": str(tmp_path)}).max_response_bytes == DEFAULT_MAX_RESPONSE_BYTES
    (tmp_path / "config.json").write_text(json.dumps({"profiles": {"default": {"max_response_bytes": 2048}}}))
    assert resolve_settings(env={"TRACKSTAR_HOME": str(tmp_path)}).max_response_bytes == 2048


def test_a_gzip_reply_within_the_cap_still_decodes(cli: Any, hostile: Any, point_at: Any) -> None:
    body = json.dumps({"data": [{"connection_id": "c1"}]}).encode()
    server = hostile(lambda conn, seen: reply(conn, "200 OK", gzip.compress(body), {"Content-Encoding": "gzip"}))
    point_at(server)
    result = cli("api", "/connections")
    assert result.exit_code == 0, result.stderr
    assert result.json() == {"data": [{"connection_id": "c1"}]}
    assert server.seen[0].headers["accept-encoding"] == "gzip, deflate"


# -- item 7: keys and tokens with surrounding white space; header values never in errors -----------------


def test_a_key_and_token_with_crlf_are_stripped_before_they_are_sent(
    cli: Any, hostile: Any, monkeypatch: pytest.MonkeyPatch, home: Path
) -> None:
    server = hostile(lambda conn, seen: reply(conn, "200 OK", OK_BODY))
    monkeypatch.setenv("TRACKSTAR_BASE_URL", server.url)
    monkeypatch.setenv("TRACKSTAR_API_KEY", API_KEY + "\r\n")  # read from a CRLF file: KEY=$(cat key.txt)
    add_connection(token=TOKEN)
    import sqlite3

    with sqlite3.connect(home / "trackstar.db") as db:  # a token stored with its line end (hand edit, old version)
        db.execute("UPDATE connections SET access_token = ?", (TOKEN + "\r\n",))
    result = cli("inventory", "list")
    assert result.exit_code == 0, result.stderr
    assert server.seen[0].headers["x-trackstar-api-key"] == API_KEY
    assert server.seen[0].headers["x-trackstar-access-token"] == TOKEN


@pytest.mark.parametrize("bad", [API_KEY[:8] + "\r\n" + API_KEY[8:], API_KEY + "é", API_KEY[:5] + "\x7f" + API_KEY[5:]])
def test_a_key_that_no_header_can_carry_is_a_clear_error_without_the_key(
    cli: Any, hostile: Any, monkeypatch: pytest.MonkeyPatch, bad: str
) -> None:
    server = hostile(lambda conn, seen: reply(conn, "200 OK", OK_BODY))
    monkeypatch.setenv("TRACKSTAR_BASE_URL", server.url)
    monkeypatch.setenv("TRACKSTAR_API_KEY", bad)
    result = cli("api", "/connections")
    assert result.exit_code == ExitCode.AUTH
    assert "cannot carry" in result.stderr and "unexpected" not in result.stderr
    assert API_KEY[8:] not in result.stderr and API_KEY[8:] not in result.stdout
    assert server.seen == []


def test_a_header_value_is_never_quoted_in_an_error(cli: Any, hostile: Any, point_at: Any) -> None:
    server = hostile(lambda conn, seen: reply(conn, "200 OK", OK_BODY))
    point_at(server)
    result = cli("api", "/connections", "-H", "X-Custom: secret\x01value")
    assert result.exit_code == ExitCode.USAGE
    assert "secret" not in result.stderr and "unexpected" not in result.stderr


def test_a_deeply_nested_json_reply_is_a_malformed_reply(cli: Any, hostile: Any, point_at: Any) -> None:
    deep = b"[" * 200_000 + b"]" * 200_000
    server = hostile(lambda conn, seen: reply(conn, "200 OK", deep))
    point_at(server)
    result = cli("api", "/connections")
    assert result.exit_code == ExitCode.NETWORK
    assert "nested too deeply" in result.stderr and "unexpected" not in result.stderr


# -- item 13: dot segments --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/wms/inventory/..", "/wms/inventory/../../connections", "/wms/%2e%2e/x", "/./wms"])
def test_dot_segments_are_refused_before_anything_is_sent(cli: Any, hostile: Any, point_at: Any, path: str) -> None:
    server = hostile(lambda conn, seen: reply(conn, "200 OK", OK_BODY))
    point_at(server)
    add_connection()
    result = cli("api", path)
    assert result.exit_code == ExitCode.USAGE, result.stdout
    assert "'.' or '..' segment" in result.stderr
    assert server.seen == []


def test_an_id_of_dot_dot_does_not_reach_another_endpoint(cli: Any, hostile: Any, point_at: Any) -> None:
    server = hostile(lambda conn, seen: reply(conn, "200 OK", json.dumps({"data": {"id": "x"}}).encode()))
    point_at(server)
    add_connection()
    result = cli("inventory", "get", "..")
    assert result.exit_code == ExitCode.USAGE
    assert server.seen == []


def test_the_client_refuses_dot_segments_itself(hostile: Any) -> None:
    server = hostile(lambda conn, seen: reply(conn, "200 OK", OK_BODY))
    with TrackstarClient(API_KEY, base_url=server.url) as c, pytest.raises(UsageError):
        c.request("GET", "/wms/inventory/%2E%2E")
    assert server.seen == []


# -- item 15: user:password@ in the base URL --------------------------------------------------------------


def test_verbose_and_auth_status_never_show_the_base_url_password(
    cli: Any, hostile: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = hostile(lambda conn, seen: reply(conn, "200 OK", OK_BODY))
    url = f"http://ops:hunter2pass@127.0.0.1:{server.port}"
    monkeypatch.setenv("TRACKSTAR_BASE_URL", url)
    monkeypatch.setenv("TRACKSTAR_API_KEY", API_KEY)
    verbose = cli("--verbose", "api", "/connections")
    assert verbose.exit_code == 0, verbose.stderr
    assert "> GET http://***@127.0.0.1" in verbose.stderr
    status = cli("auth", "status")
    status_json = cli("auth", "status", "--json")
    for text in (verbose.stderr, verbose.stdout, status.stdout, status.stderr, status_json.stdout):
        assert "hunter2pass" not in text
    assert status_json.json()["base_url"] == f"http://***@127.0.0.1:{server.port}"
    outside = cli("api", f"http://ops:hunter2pass@127.0.0.1:{server.port + 1}/connections")
    assert outside.exit_code == ExitCode.USAGE and "hunter2pass" not in outside.stderr
    assert redact_url("https://u:p@h:1/x?y=1") == "https://***@h:1/x?y=1"
    assert redact_url("https://h/x") == "https://h/x"


# -- item 16: redirects -------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["301 Moved Permanently", "302 Found", "307 Temporary Redirect"])
def test_a_redirect_is_an_error_naming_the_location_and_is_not_followed(
    cli: Any, hostile: Any, point_at: Any, status: str
) -> None:
    elsewhere = hostile(lambda conn, seen: reply(conn, "200 OK", OK_BODY))
    target = f"{elsewhere.url}/steal"
    server = hostile(lambda conn, seen: reply(conn, status, b"", {"Location": target}))
    point_at(server)
    result = cli("api", "/connections")
    assert result.exit_code == ExitCode.REJECTED, result.stdout
    assert target in result.stderr and "not followed" in result.stderr
    assert result.stdout == ""
    assert elsewhere.seen == []
    add_connection()
    listed = cli("inventory", "list")
    assert listed.exit_code == ExitCode.REJECTED and target in listed.stderr
    assert elsewhere.seen == []


# -- #7 item 7: one SSL context per process -----------------------------------------------------------------


def test_one_ssl_context_per_process_and_none_for_http(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[Any] = []
    real = ssl.create_default_context

    def counting(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        made.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(bounds, "_ssl_contexts", {})
    monkeypatch.setattr(ssl, "create_default_context", counting)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    clients = [TrackstarClient(API_KEY, base_url="https://api.trackstar.test") for _ in range(5)]
    for c in clients:
        c.close()
    assert len(made) == 1
    with TrackstarClient(API_KEY, base_url="http://127.0.0.1:9"):
        pass
    assert len(made) == 1  # plain http loads no CA at all


def test_ssl_cert_file_and_ca_bundle_are_still_honoured(
    tls_server: str,  # noqa: F811
    tls_files: tuple[Path, Path],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bounds, "_ssl_contexts", {})
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_files[0]))
    with TrackstarClient(API_KEY, base_url=tls_server, timeout=5) as c:
        assert c.request("GET", "/connections") == {"path": "/connections", "key_ok": True}
    monkeypatch.delenv("SSL_CERT_FILE")
    with TrackstarClient(API_KEY, base_url=tls_server, ca_bundle=str(tls_files[0]), timeout=5) as c:
        assert c.request("GET", "/connections") == {"path": "/connections", "key_ok": True}


def test_the_ssl_seam_can_be_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str | None] = []

    def factory(ca_bundle: str | None) -> ssl.SSLContext:
        calls.append(ca_bundle)
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)

    monkeypatch.setattr(TrackstarClient, "ssl_context_factory", staticmethod(factory))
    with TrackstarClient(API_KEY, base_url="https://api.trackstar.test"):
        pass
    assert calls == [None]


# -- issue #11: the transport (transport.py): one pool per access token, no cookie jar ----------------------

PAGES = 3


def _paged(ports: dict[str, list[int]], lock: threading.Lock) -> Any:
    """Three pages per token; records the client port each request came from, by token."""

    def serve(conn: socket.socket, seen: Seen) -> None:
        token = seen.headers.get("x-trackstar-access-token", "")
        with lock:
            ports.setdefault(token, []).append(conn.getpeername()[1])
            n = len(ports[token])
        body = {"data": [{"id": f"{token}-{n}", "sku": f"S{n}"}], "next_token": None if n >= PAGES else f"p{n}"}
        reply(conn, "200 OK", json.dumps(body).encode(), {"Set-Cookie": f"session={token}-{n}; Path=/"})

    return serve


def test_each_access_token_keeps_one_connection_of_its_own(cli: Any, hostile: Any, point_at: Any) -> None:
    ports: dict[str, list[int]] = {}
    server = hostile(_paged(ports, threading.Lock()))
    point_at(server)
    tokens = [f"tok_{i}" for i in range(6)]
    for i, token in enumerate(tokens):
        add_connection(f"conn_{i}", alias=f"c{i}", token=token)
    result = cli("inventory", "list", "--all-connections", "-o", "ndjson")
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == len(tokens) * PAGES
    assert sorted(ports) == tokens
    for token, used in ports.items():
        assert len(used) == PAGES
        assert len(set(used)) == 1, f"{token}'s pages came over {len(set(used))} connections"
    by_port = {port: token for token, used in ports.items() for port in used}
    assert len(by_port) == len(tokens), "two tokens shared a connection"


def test_cookies_a_server_sets_are_never_sent_back(cli: Any, hostile: Any, point_at: Any) -> None:
    ports: dict[str, list[int]] = {}
    server = hostile(_paged(ports, threading.Lock()))
    point_at(server)
    add_connection()
    result = cli("inventory", "list", "-o", "json")
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)) == PAGES
    assert len(server.seen) == PAGES
    assert all("cookie" not in seen.headers for seen in server.seen), [s.headers for s in server.seen]
