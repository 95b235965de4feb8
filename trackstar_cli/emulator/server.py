"""The HTTP side: a ThreadingHTTPServer whose handler parses requests, injects faults and writes replies,
and the Emulator object that owns server, state and thread.

It listens with a realistic backlog (LISTEN_BACKLOG; socketserver's default of 5 dropped SYNs under a burst of
concurrent clients, which then waited for TCP's retransmit) and drops a connection that sends nothing for
`idle_timeout` seconds (a half-sent request or an idle keep-alive would otherwise hold a thread forever)."""

from __future__ import annotations

import json
import select
import signal
import socket
import struct
import sys
import threading
import time
import traceback
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType, TracebackType
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from . import control, magic, mgmt, orders, syncs, wms, writes
from .core import ApiError, Reply, Request, error_body
from .faults import Fault, FaultPlan
from .ratelimit import RateLimiter
from .routes import App
from .state import State
from .webhooks import ATTEMPT_TIMEOUT, Sender

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_IDLE_TIMEOUT",
    "DEFAULT_PORT",
    "HANG_MAX_SECONDS",
    "LISTEN_BACKLOG",
    "SIZES",
    "Emulator",
    "parse_size",
]

DEFAULT_API_KEY = "sk_emulator_0000000000000000"
DEFAULT_PORT = 8787
SIZES = {"small": 200, "medium": 2_000, "large": 20_000}
HANG_MAX_SECONDS = 600.0  # a `hang` fault gives up after this even if the client never does
LISTEN_BACKLOG = 1024  # the kernel caps it at net.core.somaxconn (4096 on current Linux)
DEFAULT_IDLE_TIMEOUT = 30.0  # seconds a connection may stay silent (clients drop idle keep-alives after ~5)


def parse_size(size: str | int) -> int:
    """ "small" | "medium" | "large" | a positive int (or its string): inventory items per connection."""
    if isinstance(size, str) and size.strip().lower() in SIZES:
        return SIZES[size.strip().lower()]
    try:
        value = int(size)
    except (TypeError, ValueError):
        raise ValueError(f"size must be small, medium, large or a positive integer, not {size!r}") from None
    if value < 1:
        raise ValueError(f"size must be at least 1, not {value}")
    return value


ACCEPT_TIMEOUT = 0.5


def _printable(text: str, limit: int = 300) -> str:
    """A request path as the log line shows it: what a client sent may hold terminal escapes, so anything not
    printable is written as \\xNN, and a very long path is cut."""
    shown = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)
    return shown if len(shown) <= limit else shown[:limit] + "…"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(
        self,
        address: tuple[str, int],
        app: App,
        plan: FaultPlan,
        log_requests: bool,
        idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
    ) -> None:
        self.app, self.plan, self.log_requests = app, plan, log_requests
        self.idle_timeout = idle_timeout
        self.stopping = threading.Event()
        self.open_sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_activate(self) -> None:
        super().server_activate()
        # serve_forever selects, then accepts; a client that resets in between leaves accept() waiting for the
        # next connection, and shutdown() waiting for serve_forever. A timeout bounds that wait (the socket
        # accepted is blocking again: Python gives it no timeout when the default timeout is None).
        self.socket.settimeout(ACCEPT_TIMEOUT)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.sockets_lock:
            self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.sockets_lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)

    def close_open_sockets(self) -> None:
        """Wake keep-alive handler threads blocked on a read so they exit with the server."""
        with self.sockets_lock:
            for sock in list(self.open_sockets):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, TimeoutError, OSError)) and self.log_requests:
            traceback.print_exc()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive, as clients with a connection pool expect
    server_version = "trackstar-emulator"
    disable_nagle_algorithm = True  # headers and body go out in two writes; Nagle would add ~40 ms

    def setup(self) -> None:
        super().setup()
        # A read that waits longer raises TimeoutError: BaseHTTPRequestHandler then closes the connection
        # without an answer, as for any request that timed out.
        self.connection.settimeout(self.server.idle_timeout)

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_TRACE = do_GET

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Protocol-level errors (bad request line, unknown method) answer JSON like everything else."""
        payload = json.dumps(error_body(message or HTTPStatus(code).phrase)).encode()
        self.close_connection = True
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        self.send_header("X-Request-Id", f"req_{uuid.uuid4().hex}")
        self.end_headers()
        if getattr(self, "command", "") != "HEAD":
            self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet; with log_requests=True, _serve prints one line per request instead

    def _serve(self) -> None:
        started = time.perf_counter()
        parts = urlsplit(self.path)
        path = unquote(parts.path) or "/"
        length = self.headers.get("Content-Length") or "0"
        if not length.isdigit():
            self.send_error(400, "Bad Content-Length")
            return
        body = self.rfile.read(int(length))
        reply, terminal = self._faulted(path)
        if terminal is not None and terminal.kind == "hang":
            self._hang()
            return
        if terminal is not None and terminal.kind == "drop":
            self._drop()
            return
        if reply is None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            req = Request(
                self.command, path, parse_qsl(parts.query, keep_blank_values=True), headers, body, self.server.app.state
            )
            reply = self._dispatch(req)
        payload = reply.encode()
        if terminal is not None and terminal.kind == "malformed":
            payload = payload[: max(1, len(payload) // 2)]  # cut mid-document: not valid JSON any more
        self._send(reply, payload)
        if self.server.log_requests:
            ms = (time.perf_counter() - started) * 1000
            line = f"{self.command} {_printable(self.path)} -> {reply.status} ({ms:.1f} ms)"
            print(line, file=sys.stderr, flush=True)

    def _faulted(self, path: str) -> tuple[Reply | None, Fault | None]:
        """Apply latency; return an error reply for 429/5xx faults and the terminal fault, if any."""
        if path.startswith("/_emulator"):
            return None, None
        try:
            faults = self.server.plan.pick(path, self.headers.get("x-emulator-fault"))
        except ValueError as exc:
            return Reply(400, error_body(f"Bad x-emulator-fault header: {exc}")), None
        terminal = None
        for fault in faults:
            if fault.kind == "latency":
                self.server.stopping.wait(fault.ms / 1000)
            else:
                terminal = fault
        if terminal is None or terminal.kind in ("drop", "hang", "malformed"):
            return None, terminal
        if terminal.kind == "429":
            reset = str(int(time.time()) + 1)
            headers = {
                "retry-after": "1",
                "x-ratelimit-limit": "10",
                "x-ratelimit-remaining": "0",
                "x-ratelimit-reset": reset,
            }
            return Reply(429, error_body("Rate limit exceeded (injected fault)"), headers), terminal
        return Reply(int(terminal.kind), error_body(f"Injected fault {terminal.kind}")), terminal

    def _dispatch(self, req: Request) -> Reply:
        try:
            return self.server.app.handle(req)
        except ApiError as exc:
            return Reply(exc.status, exc.body, exc.headers)
        except Exception:  # a bug in the emulator must still answer like a server would
            if self.server.log_requests:
                traceback.print_exc()
            return Reply(500, error_body("Internal emulator error"))

    def _send(self, reply: Reply, payload: bytes) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("X-Request-Id", f"req_{uuid.uuid4().hex}")
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _drop(self) -> None:
        """Reset the connection without a response (SO_LINGER 0 makes close() send RST)."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def _hang(self) -> None:
        """Answer nothing until the client hangs up, the server stops, or HANG_MAX_SECONDS pass."""
        deadline = time.monotonic() + HANG_MAX_SECONDS
        sock = self.connection
        while not self.server.stopping.is_set() and time.monotonic() < deadline:
            readable, _, _ = select.select([sock], [], [], 0.05)
            if readable:
                try:
                    if not sock.recv(1, socket.MSG_PEEK):
                        break  # the client closed its end
                except OSError:
                    break
                self.server.stopping.wait(0.05)
        self._drop()


class Emulator:
    """A local Trackstar API. `start()` serves in a daemon thread; `serve_forever()` in the foreground."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 1,
        size: str | int = "small",
        api_key: str = DEFAULT_API_KEY,
        faults: str | None = None,
        rate_limit: bool = True,
        *,
        log_requests: bool = False,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        webhook_time_scale: float = 1.0,
        webhook_timeout: float = ATTEMPT_TIMEOUT,
        idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
    ) -> None:
        self.host, self.port, self.seed, self.api_key = host, port, seed, api_key
        self.idle_timeout = idle_timeout
        self.state = State(seed, parse_size(size))
        self.faults = FaultPlan.from_spec(faults, seed)
        self.limiter = RateLimiter(rate_limit)
        self.webhooks = Sender(time_scale=webhook_time_scale, timeout=webhook_timeout)
        if webhook_url:
            self.webhooks.add_endpoint(webhook_url, webhook_secret)  # ValueError for a bad URL or secret
        routes = [*control.routes(self.faults), *mgmt.routes(), *wms.routes(), *writes.routes(), *orders.routes()]
        routes += [*magic.routes(), *syncs.routes()]
        self.app = App(self.state, api_key, self.limiter, [*routes, *self.webhooks.routes()])
        self.app.observer = self.webhooks.observe
        self.log_requests = log_requests
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()
        self._foreground = False

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def _bind(self) -> _Server:
        if self._server is None:
            self._stopped.clear()
            self._server = _Server((self.host, self.port), self.app, self.faults, self.log_requests, self.idle_timeout)
            self.port = self._server.server_address[1]
        return self._server

    def start(self) -> Emulator:
        """Bind and serve in a background daemon thread; the socket accepts connections on return."""
        if self._thread is not None and self._thread.is_alive():
            return self
        server = self._bind()
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name=f"trackstar-emulator:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake hung or keep-alive handlers, close the socket. Safe to call twice."""
        self._stopped.set()
        self.webhooks.stop()
        if self._foreground:  # serve_forever() is running elsewhere: it cleans up when it returns
            self.shutdown()
            return
        server, self._server = self._server, None
        if server is None:
            return
        server.stopping.set()
        if self._thread is not None:
            server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        server.close_open_sockets()
        server.server_close()

    def shutdown(self) -> None:
        """Ask a foreground serve_forever() to return; callable from signal handlers and other threads."""
        self._stopped.set()
        server = self._server
        if server is not None:
            server.stopping.set()
            threading.Thread(target=server.shutdown, daemon=True).start()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until shutdown() or stop() is called (Ctrl-C still raises KeyboardInterrupt); True if so."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._stopped.is_set():
            left = 0.5 if deadline is None else min(0.5, deadline - time.monotonic())
            if left <= 0:
                break
            self._stopped.wait(left)  # short waits keep the main thread responsive to signals
        return self._stopped.is_set()

    def serve_forever(self) -> None:
        """Serve in the calling thread until Ctrl-C, SIGTERM or shutdown(); then clean up and return."""
        server = self._bind()
        previous = None
        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGTERM, self._on_sigterm)
        self._foreground = True
        try:
            server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            self._foreground = False
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
            self._server = None
            server.stopping.set()
            server.close_open_sockets()
            server.server_close()

    def _on_sigterm(self, signum: int, frame: FrameType | None) -> None:
        self.shutdown()

    def issue_auth_code(self, link_token: str, integration_name: str = "sandbox") -> str:
        """What the Link modal does: turn a live link token into a single-use auth code (ValueError if not)."""
        with self.state.lock:
            try:
                return self.state.issue_auth_code(link_token, integration_name)
            except ApiError as exc:
                raise ValueError(str(exc.body.get("error"))) from None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
