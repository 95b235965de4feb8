"""A one-shot HTTP server on 127.0.0.1 for a browser flow (`trackstar connect`), with no terminal I/O.

It answers only under `http://127.0.0.1:PORT/SECRET/` (a random port and a random path secret): a GET of that
page, and POSTs of small JSON objects to named actions below it. Anything else — another secret or path, a
Host other than 127.0.0.1/localhost with its port (DNS rebinding), an Origin other than the page's own — is a
404. Bodies must be `application/json` and at most MAX_BODY_BYTES.

The server parses requests in its own threads, but the actions run in the thread that calls `Jobs.next()`:
handler threads queue a Job and wait for it. So the caller's objects (an HTTP client, a SQLite connection)
are used from one thread only, and that thread stays free to notice a deadline or Ctrl-C.
"""

from __future__ import annotations

import hmac
import json
import queue
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["MAX_BODY_BYTES", "REQUEST_READ_TIMEOUT", "Job", "Jobs", "LoopbackServer", "Reply"]

MAX_BODY_BYTES = 16 * 1024  # the page posts tiny JSON objects; anything bigger is refused
REQUEST_READ_TIMEOUT = 10.0  # a connection that sends nothing is dropped after this
_POLL_SECONDS = 0.2

Reply = tuple[int, dict[str, Any]]  # HTTP status and JSON body

_SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the path secret never leaves in a Referer, not even to a loaded script
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'",
}


@dataclass
class Job:
    """Work a handler thread hands to the calling thread."""

    run: Callable[[], Reply]
    done: threading.Event = field(default_factory=threading.Event)
    sent: threading.Event = field(default_factory=threading.Event)  # the reply was written to the socket
    reply: Reply = (503, {"ok": False, "error": "the command has stopped"})


class Jobs:
    def __init__(self) -> None:
        self._queue: queue.Queue[Job] = queue.Queue()
        self.stopping = threading.Event()

    def submit(self, run: Callable[[], Reply]) -> Job:
        """From a handler thread: have the calling thread run this; return once it did (or stopped)."""
        job = Job(run)
        self._queue.put(job)
        while not job.done.wait(_POLL_SECONDS) and not self.stopping.is_set():
            pass
        return job

    def run_next(self, timeout: float) -> Job | None:
        """In the calling thread: run the next job, if one comes within `timeout` seconds."""
        try:
            job = self._queue.get(timeout=max(0.0, min(_POLL_SECONDS, timeout)))
        except queue.Empty:
            return None
        try:
            job.reply = job.run()
        finally:
            job.done.set()
        return job


class LoopbackServer(ThreadingHTTPServer):
    """`page()` builds the page; `on_page` and `actions[name](body)` run as jobs in the calling thread."""

    daemon_threads = True
    block_on_close = False

    def __init__(
        self,
        jobs: Jobs,
        page: Callable[[], bytes],
        on_page: Callable[[], Reply],
        actions: Mapping[str, Callable[[dict[str, Any]], Reply]],
    ) -> None:
        self.jobs, self.page, self.on_page, self.actions = jobs, page, on_page, actions
        self.secret = secrets.token_urlsafe(24)
        super().__init__(("127.0.0.1", 0), _Handler)
        self.port = int(self.server_address[1])
        self.hosts = (f"127.0.0.1:{self.port}", f"localhost:{self.port}")
        self.page_url = f"http://{self.hosts[0]}/{self.secret}/"
        self._thread: threading.Thread | None = None

    def __enter__(self) -> LoopbackServer:
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.jobs.stopping.set()
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


class _Handler(BaseHTTPRequestHandler):
    server: LoopbackServer
    timeout = REQUEST_READ_TIMEOUT
    server_version = "trackstar-connect"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        pass  # nothing goes to the terminal from here

    def do_GET(self) -> None:
        if self._route() != "":
            self._send(404, b"not found\n", "text/plain; charset=utf-8")
            return
        job = self.server.jobs.submit(self.server.on_page)
        self._send(200, self.server.page(), "text/html; charset=utf-8")
        job.sent.set()

    def do_POST(self) -> None:
        name = self._route()
        action = self.server.actions.get(name) if name else None
        if action is None:
            self._send(404, b"not found\n", "text/plain; charset=utf-8")
            return
        body = self._json_body()
        if isinstance(body, tuple):
            self._send(body[0], json.dumps(body[1]).encode(), "application/json")
            return
        job = self.server.jobs.submit(lambda: action(body))
        self._send(job.reply[0], json.dumps(job.reply[1]).encode(), "application/json")
        job.sent.set()

    def _route(self) -> str | None:
        """What follows /SECRET/ in the path, or None when the request is not for this server's page."""
        server = self.server
        if self.headers.get("Host", "") not in server.hosts:
            return None
        if self.headers.get("Origin") not in (None, *(f"http://{host}" for host in server.hosts)):
            return None
        parts = self.path.split("/", 2)
        if len(parts) != 3 or parts[0]:
            return None
        if not hmac.compare_digest(parts[1].encode("utf-8", "replace"), server.secret.encode()):
            return None
        return parts[2]

    def _json_body(self) -> dict[str, Any] | Reply:
        if (self.headers.get("Content-Type") or "").split(";")[0].strip().lower() != "application/json":
            return 415, {"ok": False, "error": "Content-Type must be application/json"}
        length = self.headers.get("Content-Length") or ""
        if not length.isdigit():
            return 411, {"ok": False, "error": "Content-Length is required"}
        if int(length) > MAX_BODY_BYTES:
            self.close_connection = True
            return 413, {"ok": False, "error": f"the body is larger than {MAX_BODY_BYTES} bytes"}
        try:
            body = json.loads(self.rfile.read(int(length)) or b"{}")
        except (ValueError, UnicodeDecodeError):
            return 400, {"ok": False, "error": "the body is not JSON"}
        if not isinstance(body, dict):
            return 400, {"ok": False, "error": "the body must be a JSON object"}
        return body

    def _send(self, status: int, payload: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in _SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)
