"""`trackstar webhooks listen`: a webhook receiver on http.server that verifies, stores and forwards.

Every POST (any path) is verified with the endpoint secret and stored once per svix-id, raw body and
headers as received, with the verification result. The answer is 200 only for a valid delivery and 4xx
otherwise (400 missing/malformed headers, 401 stale or unsigned, 413 too big), so that a sender with a
misconfigured secret keeps retrying visibly instead of dropping events. Each handled delivery is reported
through a callback (the command prints it); nothing here writes to the terminal.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from trackstar_cli.errors import TrackstarError, UsageError, WebhookVerificationError
from trackstar_cli.models import Delivery, NewDelivery
from trackstar_cli.service import webhooks
from trackstar_cli.store import Store

if TYPE_CHECKING:
    from trackstar_cli.service import Services

__all__ = ["MAX_BODY_BYTES", "ListenOptions", "Received", "Receiver"]

MAX_BODY_BYTES = 1024 * 1024  # Trackstar truncates oversized events (`data_truncated`), so 1 MiB is plenty
_STATUS_FOR = {"missing_header": 400, "malformed": 400, "stale": 401, "bad_signature": 401}


@dataclass(frozen=True)
class ListenOptions:
    host: str = "127.0.0.1"
    port: int = 0
    forward_to: str | None = None
    events: tuple[str, ...] = ()  # globs; others are still verified and stored, not shown or forwarded
    store_connections: bool = False
    max_body: int = MAX_BODY_BYTES
    forward_timeout: float = webhooks.DEFAULT_SEND_TIMEOUT


@dataclass(frozen=True)
class Received:
    """One handled delivery, as reported to the callback."""

    delivery: Delivery
    new: bool  # False for a repeat of a svix-id already stored
    status: int  # what the receiver answered
    summary: dict[str, Any]
    connection_label: str | None
    shown: bool  # matches --events
    forwarded: webhooks.SendResult | None = None
    stored_connection: str | None = None  # the connection id saved from connection.created
    offer_connection: bool = False  # connection.created for a connection not stored yet


def _matches(event_type: str | None, patterns: tuple[str, ...]) -> bool:
    from fnmatch import fnmatchcase

    return not patterns or (event_type is not None and any(fnmatchcase(event_type, p) for p in patterns))


class Receiver:
    """Bind on construction (so the port is known), serve with start(), stop() from any thread."""

    def __init__(self, svc: Services, opts: ListenOptions, on_event: Callable[[Received], None]) -> None:
        if opts.forward_to:
            webhooks.check_target(opts.forward_to)
        self.secret = webhooks.resolve_secret(svc)[0]
        self.profile = svc.settings.profile
        self.database = svc.settings.paths.database
        self.opts, self.on_event = opts, on_event
        Store(self.database).close()  # migrate now, and fail now if the store is unusable
        try:
            self._server = _Server((opts.host, opts.port), self)
        except OSError as exc:
            raise TrackstarError(
                f"cannot listen on {opts.host}:{opts.port}: {exc.strerror or exc}",
                hint="pass --port 0 to pick a free port",
            ) from None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        address, port = self._server.server_address[:2]
        host = address.decode() if isinstance(address, bytes) else str(address)
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    def start(self) -> Receiver:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name="webhooks-listen", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # -- one delivery ----------------------------------------------------------------------------------

    def handle(self, headers: list[tuple[str, str]], body: bytes) -> tuple[int, dict[str, Any]]:
        lower = {k.lower(): v for k, v in headers}
        try:
            verified: webhooks.Verified | None = webhooks.verify(self.secret, body, lower)
            reason, status = None, 200
        except WebhookVerificationError as exc:
            verified, reason, status = None, f"{exc.reason}: {exc.message}", _STATUS_FOR[exc.reason]
        event = verified.event if verified else None
        summary = webhooks.event_summary(event if event is not None else _loose(body))
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        new = NewDelivery(
            svix_id=lower.get("svix-id") or lower.get("webhook-id"),
            received_at=now,
            headers=headers,
            body=body,
            verified=verified is not None,
            reason=reason,
            event_type=summary["event_type"],
            connection_id=summary["connection_id"],
            object_id=None if summary["object_id"] is None else str(summary["object_id"]),
        )
        with Store(self.database) as store:
            delivery, fresh = store.save_delivery(self.profile, new)
            report = self._follow_up(store, delivery, fresh, status, summary, event)
        self._report(report)
        if status == 200:
            return 200, {"ok": True, "id": delivery.id}
        return status, {"ok": False, "error": reason}

    def _follow_up(
        self, store: Store, d: Delivery, fresh: bool, status: int, summary: dict[str, Any], event: Any
    ) -> Received:
        shown = _matches(d.event_type, self.opts.events)
        conn = store.get(self.profile, d.connection_id) if d.connection_id else None
        label = (conn.alias or conn.connection_id) if conn else d.connection_id
        forwarded = stored = None
        offer = False
        if d.verified and fresh and d.event_type == "connection.created" and conn is None:
            data = event.get("data") if isinstance(event, dict) else None
            if isinstance(data, dict) and data.get("access_token"):
                if self.opts.store_connections:
                    stored = store.save_connection(
                        profile=self.profile,
                        connection_id=str(d.connection_id),
                        integration_name=str(event.get("integration_name") or "unknown"),
                        access_token=str(data["access_token"]),
                    ).connection_id
                else:
                    offer = True
        if d.verified and fresh and shown and self.opts.forward_to:
            forwarded = webhooks.send(self.opts.forward_to, d.body, list(d.headers), timeout=self.opts.forward_timeout)
            store.set_delivery_forward(d.id, forwarded.status, forwarded.error)
        return Received(d, fresh, status, summary, label, shown, forwarded, stored, offer)

    def _report(self, report: Received) -> None:
        try:
            self.on_event(report)
        except Exception:  # noqa: BLE001 - a display problem must not turn a stored delivery into a 500
            pass


def _loose(body: bytes) -> dict[str, Any] | None:
    """An unverified body's fields, for the listing only (never acted upon)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], receiver: Receiver) -> None:
        self.receiver = receiver
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "trackstar-webhooks-listen"
    timeout = 30  # seconds a client may take to send its request: no slow-loris holds a thread for ever

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            self._answer(411, {"ok": False, "error": "Content-Length required"}, close=True)
            return
        limit = self.server.receiver.opts.max_body
        if int(length) > limit:
            self._answer(413, {"ok": False, "error": f"body over {limit} bytes"}, close=True)
            return
        body = self.rfile.read(int(length))
        try:
            status, reply = self.server.receiver.handle(list(self.headers.items()), body)
        except (TrackstarError, UsageError) as exc:
            status, reply = 500, {"ok": False, "error": exc.message}
        self._answer(status, reply)

    def do_GET(self) -> None:
        self._answer(405, {"ok": False, "error": "webhook deliveries are POSTs"}, allow="POST")

    do_PUT = do_PATCH = do_DELETE = do_GET

    def _answer(self, status: int, reply: dict[str, Any], *, close: bool = False, allow: str | None = None) -> None:
        payload = json.dumps(reply).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        if allow:
            self.send_header("Allow", allow)
        if close:
            self.close_connection = True
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)
