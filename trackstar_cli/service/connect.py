"""`trackstar connect`: the whole Trackstar Link flow from a terminal, like `gh auth login --web`.

A one-shot HTTP server on 127.0.0.1 (a random port and a random path secret) serves a page that loads the Link
script and calls `Trackstar.init`. The page's `getLinkToken` asks this server, which answers with
`POST /link/token`; its `onSuccess(authCode)` posts the code back, and it is exchanged and stored exactly as
`trackstar exchange` does it (`service.link.exchange`). `onClose` before a success ends the wait with
LinkClosedError; the deadline with WaitTimeoutError.

The server (service/loopback.py) parses requests in its own threads, but everything that touches the Services
(HTTP client, SQLite store) or reports progress runs in the calling thread, between checks of the deadline;
so Ctrl-C (KeyboardInterrupt there) ends the wait with the server closed. Nothing here prints: progress goes
to a callback.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from trackstar_cli.config import is_loopback
from trackstar_cli.errors import (
    APIConnectionError,
    LinkClosedError,
    TrackstarError,
    UsageError,
    WaitTimeoutError,
)
from trackstar_cli.models import ExchangeResult
from trackstar_cli.service.connections import check_alias
from trackstar_cli.service.core import Services
from trackstar_cli.service.link import ExchangeOptions, create_link_token, exchange
from trackstar_cli.spec import LINK_SCRIPT_URL, TRACKSTAR_DOMAIN

if TYPE_CHECKING:  # http.server costs ~30 ms to import: only `connect` itself pays it, not `trackstar --help`
    from trackstar_cli.service.loopback import Job, LoopbackServer, Reply

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "ConnectEvent",
    "ConnectOptions",
    "connect",
    "duration_text",
    "link_script_url",
]

# The emulator's counterparts (its own endpoints, under /_emulator).
EMULATOR_HEALTH_PATH = "/_emulator/health"
EMULATOR_SCRIPT_PATH = "/_emulator/main.js"

DEFAULT_CONNECT_TIMEOUT = 600.0  # seconds to wait for the customer to finish in the browser
_INTEGRATION_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


@dataclass(frozen=True)
class ConnectOptions:
    alias: str | None = None
    customer_id: str | None = None
    integration: str | None = None  # integrationAllowList: [integration]
    sandbox: bool = False  # sandbox: true
    timeout: float = DEFAULT_CONNECT_TIMEOUT
    script_url: str | None = None  # None: Trackstar's, or the emulator's when the base URL is an emulator


@dataclass(frozen=True)
class ConnectEvent:
    """Progress: `ready` (url = the page to open, detail = the Link script), `page` (a browser loaded the
    page), `link_token` (the page got a link token), `exchanging` (an auth code arrived)."""

    kind: str
    url: str = ""
    detail: str = ""


def link_script_url(svc: Services, override: str | None = None) -> str:
    """The Link script for the API at the base URL: the override; Trackstar's own for trackstarhq.com hosts;
    the emulator's when GET /_emulator/health answers {"ok": true}; else Trackstar's."""
    if override:
        return _checked_script_url(override)
    base = svc.settings.base_url
    host = (urlsplit(base).hostname or "").lower()
    if host == TRACKSTAR_DOMAIN or host.endswith("." + TRACKSTAR_DOMAIN):
        return LINK_SCRIPT_URL
    try:
        data = svc.client().request("GET", EMULATOR_HEALTH_PATH, retry=False)
    except TrackstarError:
        return LINK_SCRIPT_URL
    if isinstance(data, dict) and data.get("ok") is True:
        return base.rstrip("/") + EMULATOR_SCRIPT_PATH
    return LINK_SCRIPT_URL


def connect(
    svc: Services, opts: ConnectOptions, progress: Callable[[ConnectEvent], None] | None = None
) -> ExchangeResult:
    """Serve the Link page until the customer connects (returns the stored connection), closes Link
    (LinkClosedError) or the time is up (WaitTimeoutError). Bad options and a taken --name fail before
    anything is served; so does an API key the API refuses (the first link token is created up front)."""
    _check(opts)
    check_alias(svc, opts.alias, None)
    svc.store.check_writable()  # a broken store fails now, before the customer does any work
    script = link_script_url(svc, opts.script_url)
    session = _Session(svc, opts, progress or (lambda event: None), script, first_token=create_link_token(svc))
    with session.server() as server:  # closed on every way out, Ctrl-C included
        session.progress(ConnectEvent("ready", url=server.page_url, detail=script))
        return session.run(time.monotonic() + opts.timeout)


def _check(opts: ConnectOptions) -> None:
    if opts.integration is not None and opts.sandbox:
        raise UsageError("--integration and --sandbox exclude each other")
    if opts.integration is not None and not _INTEGRATION_RE.match(opts.integration):
        raise UsageError(
            f"invalid integration name {opts.integration!r}",
            hint="integration names look like shipbob or extensiv-3pl-central (`trackstar integrations list`)",
        )
    if not 0 < opts.timeout <= 86400:
        raise UsageError(f"--wait-timeout must be more than 0 and at most 86400 seconds (a day), not {opts.timeout:g}")


def _checked_script_url(url: str) -> str:
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return url.strip()
    if parts.scheme == "http" and is_loopback(host):
        return url.strip()
    raise UsageError(
        f"invalid Link script URL {url!r}: expected https://…, or http:// on loopback",
        hint=f"Trackstar's is {LINK_SCRIPT_URL}",
    )


class _Session:
    """One connect run. Its methods run in the calling thread (the server hands requests over as jobs)."""

    def __init__(
        self,
        svc: Services,
        opts: ConnectOptions,
        progress: Callable[[ConnectEvent], None],
        script_url: str,
        first_token: str,
    ) -> None:
        from trackstar_cli.service.loopback import Jobs

        self.svc, self.opts, self.progress, self.script_url = svc, opts, progress, script_url
        self.jobs = Jobs()
        self.outcome: ExchangeResult | TrackstarError | None = None
        self._tokens = [first_token]

    def server(self) -> LoopbackServer:
        from trackstar_cli.service.loopback import LoopbackServer

        actions = {"link-token": lambda body: self.link_token(), "auth-code": self.auth_code, "closed": self.closed}
        return LoopbackServer(self.jobs, self.page, self.page_loaded, actions)

    def config(self) -> dict[str, Any]:
        """The options for Trackstar.init besides the callbacks."""
        config: dict[str, Any] = {}
        if self.opts.integration:
            config["integrationAllowList"] = [self.opts.integration]
        if self.opts.sandbox:
            config["sandbox"] = True
        return config

    def run(self, deadline: float) -> ExchangeResult:
        from trackstar_cli.service.loopback import REQUEST_READ_TIMEOUT

        last: Job | None = None
        while self.outcome is None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise WaitTimeoutError(
                    f"timed out after {duration_text(self.opts.timeout)} waiting for the customer to finish "
                    "in Trackstar Link; nothing was stored",
                    hint="run `trackstar connect` again (`--wait-timeout SECONDS` waits longer)",
                )
            last = self.jobs.run_next(left) or last
        if last is not None:  # let the page read the outcome before this process goes away
            last.sent.wait(REQUEST_READ_TIMEOUT)
        if isinstance(self.outcome, TrackstarError):
            raise self.outcome
        return self.outcome

    # -- jobs (calling thread) --------------------------------------------------------------------------

    def page_loaded(self) -> Reply:
        self.progress(ConnectEvent("page"))
        return 200, {"ok": True}

    def link_token(self) -> Reply:
        if self.outcome is not None:
            return 409, {"ok": False, "error": "this connect session is over"}
        try:
            token = self._tokens.pop() if self._tokens else create_link_token(self.svc)
        except TrackstarError as exc:
            self.outcome = exc
            return 502, {"ok": False, "error": exc.message}
        self.progress(ConnectEvent("link_token"))
        return 200, {"ok": True, "link_token": token}

    def auth_code(self, body: dict[str, Any]) -> Reply:
        if self.outcome is not None:
            return 409, {"ok": False, "error": "this connect session has already ended"}
        code = body.get("auth_code")
        if not isinstance(code, str) or not code.strip() or len(code) > 4096:
            return 400, {"ok": False, "error": "auth_code must be a non-empty string"}
        self.progress(ConnectEvent("exchanging"))
        try:
            options = ExchangeOptions(auth_code=code, customer_id=self.opts.customer_id, alias=self.opts.alias)
            result = exchange(self.svc, options)
        except TrackstarError as exc:  # the code is spent or bad either way: this session is over
            self.outcome = exc
            return 502, {"ok": False, "error": exc.message, "hint": exc.hint or ""}
        self.outcome = result
        conn = result.connection
        return 200, {
            "ok": True,
            "connection_id": conn.connection_id,
            "integration_name": conn.integration_name,
            "alias": conn.alias,
            "profile": conn.profile,
        }

    def closed(self, body: dict[str, Any]) -> Reply:
        if self.outcome is None:
            if body.get("reason") == "script_error":
                self.outcome = APIConnectionError(
                    f"the browser could not load the Trackstar Link script {self.script_url}",
                    hint="check the browser's network access to it (or set TRACKSTAR_LINK_SCRIPT_URL)",
                )
            else:
                self.outcome = LinkClosedError(
                    "Trackstar Link was closed before a WMS was connected; nothing was stored",
                    hint="run `trackstar connect` again when the customer is ready",
                )
        return 200, {"ok": True}

    def page(self) -> bytes:
        template = resources.files(__package__).joinpath("connect.html").read_text(encoding="utf-8")
        page = template.replace("{{SCRIPT_URL_JSON}}", _script_json(self.script_url))
        return page.replace("{{CONFIG_JSON}}", _script_json(self.config())).encode()


def duration_text(seconds: float) -> str:
    return f"{seconds / 60:g} min" if seconds >= 60 and seconds % 60 == 0 else f"{seconds:g} s"


def _script_json(value: Any) -> str:
    """JSON safe inside <script>: no "</script>" or HTML comment can be formed."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
