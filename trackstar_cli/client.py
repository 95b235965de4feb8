"""TrackstarClient: the one httpx client of a process, with auth headers, retries, pacing and paging.

- Timeouts are explicit; `User-Agent: trackstar-cli/<version>`.
- No transport is passed unless a test injects one, because httpx stops reading HTTPS_PROXY/NO_PROXY from the
  environment once it is given a transport. SSL_CERT_FILE keeps working (httpx reads it); `ca_bundle` wins.
- Retries: connection errors, timeouts, 408, 429 and 5xx (never 501), at most `max_retries` times and within
  `retry_budget` seconds, honouring `retry-after` / `x-ratelimit-reset` (and the older `x-rate-limit-*`
  names). A request that may have reached the server is repeated only when the caller says a repeat is
  harmless (`retry=True`) or it carries an Idempotency-Key. Sleep and jitter sit behind `self._sleep` and
  `self._jitter` so tests can patch them.
- Pacing: GETs on one access token stay under 10 in any one-second window (Trackstar's limit per token).
- The verbose log redacts `x-trackstar-api-key` and `x-trackstar-access-token`.
"""

from __future__ import annotations

import email.utils
import json
import random
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from datetime import timezone
from typing import Any, Protocol

import httpx

from trackstar_cli import __version__
from trackstar_cli.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ConfigError,
    MalformedResponseError,
    error_for_status,
)

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_RETRY_BUDGET",
    "GET_RATE_PER_TOKEN",
    "RETRY_STATUSES",
    "SECRET_HEADERS",
    "TrackstarClient",
    "redact_headers",
    "retry_delay_from_headers",
]

DEFAULT_MAX_RETRIES = 3
DEFAULT_RETRY_BUDGET = 60.0  # seconds a single call may spend waiting between attempts, in total
MAX_BACKOFF = 8.0
GET_RATE_PER_TOKEN = 10.0
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
SECRET_HEADERS = frozenset({"x-trackstar-api-key", "x-trackstar-access-token", "authorization", "cookie"})
# Raised before a byte of the request left: always safe to repeat.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_MAYBE_SENT = (httpx.ReadTimeout, httpx.WriteTimeout, httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)

Log = Callable[[str], None]


class Pacer(Protocol):
    def wait(self, key: str) -> None: ...


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: ("***" if k.lower() in SECRET_HEADERS else v) for k, v in headers.items()}


def retry_delay_from_headers(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds the server asks us to wait: retry-after (seconds or HTTP date), else the reset epoch."""
    now = time.time() if now is None else now
    for name in ("retry-after", "x-rate-limit-retry-after"):
        raw = (headers.get(name) or "").strip()
        if not raw:
            continue
        try:
            return max(0.0, float(raw))
        except ValueError:
            pass
        try:
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return max(0.0, when.timestamp() - now)
    for name in ("x-ratelimit-reset", "x-rate-limit-reset"):
        raw = (headers.get(name) or "").strip()
        if not raw:
            continue
        try:
            return max(0.0, float(raw) - now)
        except ValueError:
            continue
    return None


class _Pacer:
    """Keeps each key under `rate` calls in any sliding window of one second (thread-safe).

    It lets a burst of `rate` calls through, then waits until the oldest leaves the window, plus a margin for
    the time between our clock and the server's."""

    WINDOW = 1.0
    MARGIN = 0.05

    def __init__(self, rate: float, sleep: Callable[[float], None]) -> None:
        self._rate = int(rate)
        self._sent: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._sleep = sleep

    def wait(self, key: str) -> None:
        with self._lock:
            now = time.monotonic()
            sent = self._sent.setdefault(key, deque())
            while sent and sent[0] <= now - self.WINDOW - self.MARGIN:
                sent.popleft()
            at = now if len(sent) < self._rate else max(now, sent[0] + self.WINDOW + self.MARGIN)
            sent.append(at)
            if len(sent) > self._rate:
                sent.popleft()
        if at > now:
            self._sleep(at - now)


class TrackstarClient:
    """Use as a context manager so the connection pool closes."""

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str,
        timeout: float = 30.0,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry_budget: float = DEFAULT_RETRY_BUDGET,
        ca_bundle: str | None = None,
        transport: httpx.BaseTransport | None = None,
        log: Log | None = None,
        pacer: Pacer | None = None,
    ) -> None:
        self._api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.max_retries = max_retries
        self.retry_budget = retry_budget
        self._log = log
        self._sleep: Callable[[float], None] = time.sleep
        self._jitter: Callable[[float], float] = lambda cap: random.uniform(0, cap)
        # `pacer` (pacing.SharedPacer) shares the per-token timeline with other processes on this machine.
        self._pacer: Pacer = pacer or _Pacer(GET_RATE_PER_TOKEN, lambda s: self._sleep(s))
        try:
            verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=ca_bundle) if ca_bundle else True
        except OSError as exc:  # ssl.SSLError is an OSError: not PEM, no certificate in it, unreadable
            raise ConfigError(
                f"cannot use the CA bundle {ca_bundle}: {exc}",
                hint="pass a PEM file holding the CA certificate(s) to trust",
            ) from exc
        kwargs: dict[str, Any] = {"transport": transport} if transport is not None else {}
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"User-Agent": f"trackstar-cli/{__version__}", "Accept": "application/json"},
            verify=verify,
            # a fan-out keeps one connection per access token open (up to 64 at once): keep them all alive
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=100),
            **kwargs,
        )

    def __enter__(self) -> TrackstarClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- public --------------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        access_token: str | None = None,
        retry: bool | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send one API call and return its decoded JSON body; raises a TrackstarError subclass on failure.

        `retry` says whether repeating the request is harmless; by default only GETs and requests with an
        Idempotency-Key are repeated after they may have reached the server."""
        attempt = 0
        options: dict[str, Any] = {"params": params, "json_body": json_body, "access_token": access_token}
        while True:
            response = self.send(method, path, retry=retry, headers=headers, **options)
            try:
                return self._decode(response)
            except MalformedResponseError:
                # A cut or garbled body: asking again is harmless for a GET, and only for a GET.
                if method.upper() != "GET" or attempt >= self.max_retries:
                    raise
                delay = self._backoff(attempt)
                self._note(f"retrying in {delay:.2f}s (the reply was not JSON)")
                self._sleep(delay)
                attempt += 1

    def send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        access_token: str | None = None,
        retry: bool | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Like request() but returns the successful httpx.Response (for callers that need headers)."""
        method = method.upper()
        request = self._build(method, path, params, json_body, access_token, headers)
        if retry is None:
            retry = method == "GET" or "idempotency-key" in request.headers
        response = self._send_with_retries(request, retry=retry, pace_key=access_token if method == "GET" else None)
        if response.status_code >= 400:
            raise self._error(response)
        return response

    def describe(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        access_token: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """The exact request `send` would make, secrets redacted, without sending it (for --dry-run)."""
        request = self._build(method.upper(), path, params, json_body, access_token, headers)
        return {
            "method": request.method,
            "url": str(request.url),
            "headers": redact_headers(request.headers),
            "body": json_body,
        }

    def iter_pages(
        self,
        path: str,
        params: Mapping[str, str] | None = None,
        *,
        access_token: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield each page's `data` list, following next_token -> page_token with every filter repeated.
        A server that hands out the same token twice would loop forever: that stops with an error."""
        query = dict(params or {})
        query.pop("page_token", None)
        seen: set[str] = set()
        while True:
            body = self.request("GET", path, params=query, access_token=access_token, headers=headers)
            if not isinstance(body, dict) or not isinstance(body.get("data"), list):
                raise MalformedResponseError(
                    f"unexpected reply from GET {path}: no 'data' list", status_code=200, body=body
                )
            yield body["data"]
            token = body.get("next_token")
            if not token:
                return
            if str(token) in seen:
                raise MalformedResponseError(
                    f"GET {path} answered the same next_token twice; stopped paging", status_code=200
                )
            seen.add(str(token))
            query["page_token"] = str(token)

    # -- internals -----------------------------------------------------------------------------------

    def _build(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        json_body: Any,
        access_token: str | None,
        headers: Mapping[str, str] | None,
    ) -> httpx.Request:
        all_headers = {"x-trackstar-api-key": self._api_key, **(headers or {})}
        if access_token:
            all_headers["x-trackstar-access-token"] = access_token
        return self._http.build_request(method, path, params=dict(params or {}), json=json_body, headers=all_headers)

    def _send_with_retries(self, request: httpx.Request, *, retry: bool, pace_key: str | None) -> httpx.Response:
        started = time.monotonic()
        attempt = 0
        while True:
            if pace_key:
                self._pacer.wait(pace_key)
            self._log_request(request, attempt)
            t0 = time.monotonic()
            try:
                response = self._http.send(request)
            except httpx.HTTPError as exc:
                may_retry = isinstance(exc, _NOT_SENT) or (retry and isinstance(exc, _MAYBE_SENT))
                may_retry = may_retry and "CERTIFICATE_VERIFY_FAILED" not in str(exc)  # would fail the same way
                delay = self._backoff(attempt)
                if not may_retry or not self._may_wait(attempt, started, delay, f"{type(exc).__name__}"):
                    raise self._transport_error(exc, request) from exc
            else:
                self._log_response(response, time.monotonic() - t0)
                if response.status_code not in RETRY_STATUSES or not retry:
                    return response
                server_delay = retry_delay_from_headers(response.headers)
                delay = server_delay if server_delay is not None else self._backoff(attempt)
                if not self._may_wait(attempt, started, delay, f"HTTP {response.status_code}"):
                    return response
                response.close()
            self._sleep(delay)
            attempt += 1

    def _backoff(self, attempt: int) -> float:
        return self._jitter(min(MAX_BACKOFF, 0.5 * 2**attempt))

    def _may_wait(self, attempt: int, started: float, delay: float, reason: str) -> bool:
        if attempt >= self.max_retries:
            self._note(f"giving up after {attempt + 1} attempts ({reason})")
            return False
        if time.monotonic() - started + delay > self.retry_budget:
            self._note(f"giving up: waiting {delay:.1f}s more would pass the {self.retry_budget:g}s retry budget")
            return False
        self._note(f"retrying in {delay:.2f}s ({reason}; attempt {attempt + 2} of {self.max_retries + 1})")
        return True

    def _decode(self, response: httpx.Response) -> Any:
        if not response.content:
            return None
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise MalformedResponseError(
                f"the API answered {response.request.method} {response.request.url.path} with a body that is not JSON",
                status_code=response.status_code,
                request_id=response.headers.get("x-request-id"),
                hint="try again; if it persists, report the request id to Trackstar",
            ) from None

    @staticmethod
    def _error(response: httpx.Response) -> APIError:
        try:
            body: Any = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = response.text
        return error_for_status(response.status_code, body, response.headers.get("x-request-id"))

    def _transport_error(self, exc: httpx.HTTPError, request: httpx.Request) -> APIConnectionError:
        where = f"{request.url.scheme}://{request.url.host}" + (f":{request.url.port}" if request.url.port else "")
        text = str(exc) or type(exc).__name__
        if isinstance(exc, httpx.TimeoutException):
            return APITimeoutError(
                f"no answer from {where} in time ({type(exc).__name__})",
                hint="raise --timeout / TRACKSTAR_TIMEOUT, or check the network",
            )
        if "CERTIFICATE_VERIFY_FAILED" in text:
            return APIConnectionError(
                f"TLS certificate of {where} could not be verified",
                hint="behind a TLS-inspecting proxy, pass --ca-bundle FILE (or set SSL_CERT_FILE)",
            )
        return APIConnectionError(
            f"cannot reach {where}: {text}",
            hint="check the network, --base-url, and HTTPS_PROXY/NO_PROXY",
        )

    def _note(self, message: str) -> None:
        if self._log:
            self._log(message)

    def _log_request(self, request: httpx.Request, attempt: int) -> None:
        if self._log:
            again = f" (attempt {attempt + 1})" if attempt else ""
            self._log(f"> {request.method} {request.url}{again}")
            for key, value in redact_headers(request.headers).items():
                self._log(f"> {key}: {value}")

    def _log_response(self, response: httpx.Response, elapsed: float) -> None:
        if self._log:
            rid = response.headers.get("x-request-id", "-")
            self._log(f"< {response.status_code} {response.reason_phrase} ({elapsed * 1000:.0f} ms, request id {rid})")
            for key, value in redact_headers(response.headers).items():
                if key.lower().startswith(("x-ratelimit", "x-rate-limit", "retry-after", "idempotent")):
                    self._log(f"< {key}: {value}")


# -- raw webhook POSTs (`webhooks listen --forward-to`, `replay`, `trigger`) ------------------------------

WEBHOOK_REPLY_CAP = 64 * 1024  # bytes of a receiver's answer we keep: enough to show why it failed


def post_webhook(url: str, body: bytes, headers: Mapping[str, str], *, timeout: float) -> tuple[int, bytes]:
    """POST `body` with exactly these headers (plus User-Agent); no retries, no redirects. (status, reply
    head). A receiver that cannot be reached or does not answer in time is an APIConnectionError."""
    sent = {"User-Agent": f"trackstar-cli/{__version__}", **headers}
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=False) as client,
            client.stream("POST", url, content=body, headers=sent) as response,
        ):
            head = b""
            for chunk in response.iter_bytes():
                head += chunk
                if len(head) >= WEBHOOK_REPLY_CAP:
                    break
            return response.status_code, head[:WEBHOOK_REPLY_CAP]
    except httpx.TimeoutException as exc:
        raise APITimeoutError(f"{url} did not answer within {timeout:g}s") from exc
    except (httpx.HTTPError, ValueError) as exc:
        raise APIConnectionError(f"cannot POST to {url}: {exc}") from exc
