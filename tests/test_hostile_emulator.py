"""The emulator's server under many concurrent clients and half-sent requests (issue #8 item 17)."""

from __future__ import annotations

import http.client
import select
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from trackstar_cli.emulator import Emulator
from trackstar_cli.emulator.server import DEFAULT_IDLE_TIMEOUT, LISTEN_BACKLOG


@pytest.fixture
def quick_idle() -> Iterator[Emulator]:
    with Emulator(port=0, seed=2, idle_timeout=0.5) as server:
        yield server


def test_a_half_sent_request_is_dropped_after_the_idle_timeout(quick_idle: Emulator) -> None:
    with socket.create_connection(("127.0.0.1", quick_idle.port)) as sock:
        sock.sendall(b"GET /wms/inventory HTTP/1.1\r\nHost: x\r\nx-trackstar-")  # and then nothing more
        sock.settimeout(20)  # far past the 0.5 s idle timeout; the old server never closed it
        assert sock.recv(1024) == b""  # the server hung up without an answer
    assert httpx.get(f"{quick_idle.url}/_emulator/health").status_code == 200  # and still serves others


def test_an_idle_keep_alive_connection_is_closed_too(quick_idle: Emulator) -> None:
    with socket.create_connection(("127.0.0.1", quick_idle.port)) as sock:
        sock.settimeout(20)
        assert sock.recv(1024) == b""


def test_the_default_idle_timeout_is_generous_but_finite() -> None:
    with Emulator(port=0) as server:
        assert server.idle_timeout == DEFAULT_IDLE_TIMEOUT and 5 < DEFAULT_IDLE_TIMEOUT <= 120


def test_a_burst_of_connections_waits_in_the_listen_backlog() -> None:
    """While the accept loop is held up, the kernel completes handshakes only up to the listen backlog: with
    socketserver's default of 5 the rest of a burst is dropped (clients then wait for TCP's SYN retransmit)."""
    burst = 200
    assert LISTEN_BACKLOG >= burst
    with Emulator(port=0, seed=2) as server:
        assert server._server is not None
        sockets: list[socket.socket] = []
        with server._server.sockets_lock:  # process_request waits on it: nothing more is accepted
            for _ in range(burst):
                sock = socket.socket()
                sock.setblocking(False)
                sock.connect_ex(("127.0.0.1", server.port))
                sockets.append(sock)
            pending = set(sockets)
            connected = 0
            while pending:
                _, writable, _ = select.select([], list(pending), [], 2.0)
                if not writable:
                    break  # the rest would wait for a retransmit
                for sock in writable:
                    connected += sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0
                    pending.discard(sock)
        for sock in sockets:
            sock.close()
        assert connected >= burst - 2


def test_many_concurrent_requests_are_all_answered() -> None:
    with Emulator(port=0, seed=2, rate_limit=False) as server:

        def one(i: int) -> int:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)  # a new connection each
            try:
                conn.request("GET", "/_emulator/health")
                return conn.getresponse().status
            finally:
                conn.close()

        with ThreadPoolExecutor(max_workers=100) as pool:
            assert set(pool.map(one, range(500))) == {200}
