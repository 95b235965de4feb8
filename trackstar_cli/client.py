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
- The verbose log redacts `x-trackstar-api-key` and `x-trackstar-access-token`, and the password of a
  `user:password@` base URL.

Bounds against a hostile or broken server (README "Security and bounds"; the machinery is in bounds.py):
- Deadline: `timeout` bounds each attempt as a whole (connect, send, headers, body), not only each read: the
  network streams under httpx's pools check a per-thread deadline, so a server trickling bytes is cut off at
  it. A request that ran out its deadline is not repeated.
- Size: the decoded body is capped at `max_response_bytes`; we ask only for gzip/deflate and inflate it
  ourselves with a bounded output, so a gzip bomb fails fast without the memory.
- Pagination stops on a repeated next_token and after MAX_EMPTY_PAGES empty pages in a row.
- A 3xx is an error naming its Location; redirects are never followed (they would carry the key elsewhere).
- A path with `.`/`..` segments is refused; a header value that cannot be sent is an error without the value.
- TLS: one SSLContext per process and CA file (`shared_ssl_context`), built only for an https base URL.
"""

from __future__ import annotations

import email.utils
import json
import os
import random
import re
import ssl
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from datetime import timezone
from typing import Any, Protocol
from urllib.parse import unquote

import httpx

from trackstar_cli import __version__
from trackstar_cli.bounds import Deadline, Inflater, shared_ssl_context
from trackstar_cli.config import DEFAULT_MAX_RESPONSE_BYTES, redact_url
from trackstar_cli.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ConfigError,
    CredentialsError,
    MalformedResponseError,
    RedirectError,
    ResponseTooLargeError,
    TrackstarError,
    UsageError,
    error_for_status,
)
from trackstar_cli.transport import TOKEN_HEADER, PooledClient

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "MAX_EMPTY_PAGES",
    "DEFAULT_RETRY_BUDGET",
    "GET_RATE_PER_TOKEN",
    "RETRY_STATUSES",
    "SECRET_HEADERS",
    "TrackstarClient",
    "redact_headers",
    "retry_delay_from_headers",
    "shared_ssl_context",
]

DEFAULT_MAX_RETRIES = 3
DEFAULT_RETRY_BUDGET = 60.0  # seconds a single call may spend waiting between attempts, in total
MAX_BACKOFF = 8.0
GET_RATE_PER_TOKEN = 10.0
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
SECRET_HEADERS = frozenset({"x-trackstar-api-key", TOKEN_HEADER, "authorization", "cookie"})
# Raised before a byte of the request left: always safe to repeat.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_MAYBE_SENT = (httpx.ReadTimeout, httpx.WriteTimeout, httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)
# A real listing never has more than one empty page (the last); a server handing out tokens for empty pages
# forever would page forever, even under --limit.
MAX_EMPTY_PAGES = 10
_PROXY_HINT = "check HTTPS_PROXY/HTTP_PROXY/ALL_PROXY (http://HOST:PORT)"
_ACCEPT_ENCODING = "gzip, deflate"  # what Inflater can bound; no br/zstd even when their packages are installed

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


def _check_path(path: str) -> None:
    """Refuse `.`/`..` segments (also percent-encoded): httpx and servers resolve them to another endpoint."""
    bare = path.split("?", 1)[0].split("#", 1)[0]
    if any(unquote(segment) in (".", "..") for segment in bare.split("/")):
        raise UsageError(
            f"refusing to request {bare[:200]!r}: it has a '.' or '..' segment",
            hint="ids never contain '/', '.' or '..' on their own; check the id you passed",
        )


_CONTROL = re.compile("[\x00-\x1f\x7f]")  # what no header value may hold


def _header_value(value: str, what: str, error: type[TrackstarError] = CredentialsError) -> str:
    """Strip surrounding white space; refuse what HTTP cannot carry, without ever quoting the value."""
    value = value.strip()
    if not value.isascii() or _CONTROL.search(value):
        raise error(
            f"{what} contains characters an HTTP header cannot carry (non-ASCII or control characters)",
            hint="copy it again, without quotes or line breaks",
        )
    return value


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
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self._api_key = _header_value(api_key, "the API key")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_retries = max_retries
        self.retry_budget = retry_budget
        self.max_response_bytes = max_response_bytes
        self._log = log
        self._sleep: Callable[[float], None] = time.sleep
        self._jitter: Callable[[float], float] = lambda cap: random.uniform(0, cap)
        # `pacer` (pacing.SharedPacer) shares the per-token timeline with other processes on this machine.
        self._pacer: Pacer = pacer or _Pacer(GET_RATE_PER_TOKEN, lambda s: self._sleep(s))
        self._deadline = Deadline(lambda: time.monotonic())
        kwargs: dict[str, Any] = {"transport": transport} if transport is not None else {}
        try:
            httpx.URL(self.base_url)
        except httpx.InvalidURL as exc:
            raise ConfigError(f"invalid base URL {redact_url(self.base_url)!r}: {exc}") from None
        try:
            self._http = PooledClient(
                deadline=self._deadline,
                base_url=self.base_url,
                timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
                headers={
                    "User-Agent": f"trackstar-cli/{__version__}",
                    "Accept": "application/json",
                    "Accept-Encoding": _ACCEPT_ENCODING,
                },
                verify=self._ssl_context(ca_bundle),
                follow_redirects=False,
                # per access token (transport.py): a fan-out keeps one connection per token alive
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=100),
                **kwargs,
            )
        except httpx.InvalidURL as exc:  # the base URL parsed above: this is a proxy variable's URL
            raise ConfigError(f"unusable proxy setting: {exc}", hint=_PROXY_HINT) from None
        except ImportError as exc:  # httpx asks for socksio only when a SOCKS proxy is configured
            if "socksio" not in str(exc):
                raise
            raise ConfigError(
                "a SOCKS proxy is configured (ALL_PROXY/HTTPS_PROXY) but SOCKS support is not installed",
                hint="install it next to trackstar-cli: pip install 'httpx[socks]' (or unset the proxy variable)",
            ) from exc
        except ValueError as exc:  # "Unknown scheme for proxy URL"
            raise ConfigError(f"unusable proxy setting: {exc}", hint=_PROXY_HINT) from None
        self._http_base = str(self._http.base_url).rstrip("/")  # for _quick_request
        self._timeouts = self._http.timeout.as_dict()

    # The seam for TLS: one context per process and CA file; tests may swap this for their own.
    ssl_context_factory: Callable[[str | None], ssl.SSLContext] = staticmethod(shared_ssl_context)

    def _ssl_context(self, ca_bundle: str | None) -> ssl.SSLContext:
        if not self.base_url.lower().startswith("https:"):
            # Plain http (the loopback emulator) never does TLS: skip loading any CA (~90 ms). An empty context
            # still verifies, so it could not trust anything if it were ever used.
            return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        try:
            return type(self).ssl_context_factory(ca_bundle)
        except OSError as exc:  # ssl.SSLError is an OSError: not PEM, no certificate in it, unreadable
            raise ConfigError(
                f"cannot use the CA bundle {ca_bundle or os.environ.get('SSL_CERT_FILE')}: {exc}",
                hint="pass a PEM file holding the CA certificate(s) to trust",
            ) from exc

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
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        form: Mapping[str, str] | None = None,
    ) -> Any:
        """Send one API call and return its decoded JSON body; raises a TrackstarError subclass on failure.

        `retry` says whether repeating the request is harmless; by default only GETs and requests with an
        Idempotency-Key are repeated after they may have reached the server."""
        attempt = 0
        options: dict[str, Any] = {"params": params, "json_body": json_body, "access_token": access_token}
        options.update(files=files, form=form)
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
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        form: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Like request() but returns the successful httpx.Response (for callers that need headers).

        `files` (name → (file name, content, content type)) and `form` make a multipart/form-data body."""
        method = method.upper()
        request = self._build(method, path, params, json_body, access_token, headers, files, form)
        if retry is None:
            retry = method == "GET" or "idempotency-key" in request.headers
        response = self._send_with_retries(request, retry=retry, pace_key=access_token if method == "GET" else None)
        if response.status_code >= 400:
            raise self._error(response)
        if 300 <= response.status_code < 400:
            raise self._redirect_error(response)
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
        on_page: Callable[[Mapping[str, Any]], None] | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield each page's `data` list, following next_token -> page_token with every filter repeated.
        A server that hands out the same token twice, or new tokens for MAX_EMPTY_PAGES empty pages in a row,
        would page forever: that stops with an error. `on_page` sees each page's envelope (total_count,
        next_token) before its items are yielded."""
        query = dict(params or {})
        query.pop("page_token", None)
        seen: set[str] = set()
        empty = 0
        while True:
            body = self.request("GET", path, params=query, access_token=access_token, headers=headers)
            if not isinstance(body, dict) or not isinstance(body.get("data"), list):
                raise MalformedResponseError(
                    f"unexpected reply from GET {path}: no 'data' list", status_code=200, body=body
                )
            if on_page is not None:
                on_page(body)
            yield body["data"]
            token = body.get("next_token")
            if not token:
                return
            if str(token) in seen:
                raise MalformedResponseError(
                    f"GET {path} answered the same next_token twice; stopped paging", status_code=200
                )
            seen.add(str(token))
            empty = 0 if body["data"] else empty + 1
            if empty >= MAX_EMPTY_PAGES:
                raise MalformedResponseError(
                    f"GET {path} answered {empty} empty pages in a row, each with a new next_token; stopped paging",
                    status_code=200,
                    hint="the server is paging without results; narrow the query or report it to Trackstar",
                )
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
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        form: Mapping[str, str] | None = None,
    ) -> httpx.Request:
        _check_path(path)
        all_headers = {"x-trackstar-api-key": self._api_key}
        for name, value in (headers or {}).items():
            all_headers[name] = _header_value(value, f"the header {name[:40]!r}", UsageError)
        if access_token:
            all_headers[TOKEN_HEADER] = _header_value(access_token, "the connection's access token")
        try:
            if files or form:
                # Text fields go as parts without a file name, so the body is multipart even without a file.
                parts: dict[str, Any] = {k: (None, v) for k, v in (form or {}).items()}
                parts.update(files or {})
                return self._http.build_request(
                    method, path, params=dict(params or {}), files=parts, headers=all_headers
                )
            if path.startswith("/") and not path.startswith("//") and "?" not in path and "#" not in path:
                return self._quick_request(method, path, params, json_body, all_headers)
            return self._http.build_request(
                method, path, params=dict(params or {}), json=json_body, headers=all_headers
            )
        except (httpx.InvalidURL, UnicodeEncodeError) as exc:
            # Never the text: httpx/h11 quote the offending value, which may be a secret.
            raise UsageError(f"cannot build the request {method} {path[:80]}: {type(exc).__name__}") from None

    def _quick_request(
        self, method: str, path: str, params: Mapping[str, str] | None, json_body: Any, headers: dict[str, str]
    ) -> httpx.Request:
        """What build_request makes of a plain path, for a quarter of its cost (it parses the URL three times,
        ~0.1 ms a request, a tenth of a request's CPU in a 50-connection fan-out). The same URL, headers and
        timeout; `test_quick_requests_are_what_httpx_builds` holds the two together."""
        query = str(httpx.QueryParams(params)) if params else ""
        url = httpx.URL(self._http_base + path + ("?" + query if query else ""))
        merged = httpx.Headers(self._http.headers)
        merged.update(headers)
        return httpx.Request(method, url, json=json_body, headers=merged, extensions={"timeout": dict(self._timeouts)})

    def _send_with_retries(self, request: httpx.Request, *, retry: bool, pace_key: str | None) -> httpx.Response:
        started = time.monotonic()
        attempt = 0
        while True:
            if pace_key:
                self._pacer.wait(pace_key)
            self._log_request(request, attempt)
            t0 = time.monotonic()
            self._deadline.at, self._deadline.expired = t0 + self.timeout, False
            try:
                response = self._http.send(request, stream=True)
                try:
                    self._read_body(response)
                finally:
                    response.close()
            except httpx.HTTPError as exc:
                if self._deadline.expired:  # a server trickling bytes would do it again: no retry
                    raise self._deadline_error(request) from exc
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
            finally:
                self._deadline.at = None
            self._sleep(delay)
            attempt += 1

    def _read_body(self, response: httpx.Response) -> None:
        """Read and decode the body within the cap and the deadline; the result is what .content returns."""
        cap = self.max_response_bytes
        if response.is_stream_consumed:  # an in-memory reply (httpx.MockTransport): nothing left to bound
            if len(response.content) > cap:
                raise self._too_large(response)
            return
        declared = response.headers.get("content-length", "").strip()
        encoding = response.headers.get("content-encoding", "").strip().lower()
        if encoding in ("", "identity") and declared.isdigit() and int(declared) > cap:
            raise self._too_large(response)
        try:
            inflater = Inflater(encoding, cap)
        except ValueError as exc:
            raise self._malformed(response, str(exc)) from None
        body = bytearray()
        try:
            for chunk in response.iter_raw():
                body += inflater.feed(chunk)
                if self._deadline.at is not None and time.monotonic() > self._deadline.at:
                    self._deadline.expired = True  # a transport without our network streams (tests, mounts)
                    raise httpx.ReadTimeout("the request's overall deadline passed", request=response.request)
        except OverflowError:
            raise self._too_large(response) from None
        except zlib.error:
            raise self._malformed(response, f"its {encoding} body is corrupt") from None
        response._content = bytes(body)

    def _too_large(self, response: httpx.Response) -> ResponseTooLargeError:
        req = response.request
        return ResponseTooLargeError(
            f"the reply to {req.method} {req.url.path} is larger than {self.max_response_bytes:,} bytes "
            "(TRACKSTAR_MAX_RESPONSE_BYTES); stopped reading",
            status_code=response.status_code,
            request_id=response.headers.get("x-request-id"),
            hint="raise TRACKSTAR_MAX_RESPONSE_BYTES if this reply is expected, or ask for smaller pages (--page-size)",
        )

    @staticmethod
    def _malformed(response: httpx.Response, why: str) -> MalformedResponseError:
        req = response.request
        return MalformedResponseError(
            f"the API answered {req.method} {req.url.path} with a body that cannot be read: {why}",
            status_code=response.status_code,
            request_id=response.headers.get("x-request-id"),
        )

    def _deadline_error(self, request: httpx.Request) -> APITimeoutError:
        return APITimeoutError(
            f"{self._where(request)} did not finish answering {request.method} {request.url.path} "
            f"within {self.timeout:g}s (the --timeout deadline for a whole request)",
            hint="raise --timeout / TRACKSTAR_TIMEOUT, or check the network and the server",
        )

    @staticmethod
    def _redirect_error(response: httpx.Response) -> RedirectError:
        location = response.headers.get("location", "").strip()
        req = response.request
        where = f" to {location[:300]}" if location else " without a Location"
        return RedirectError(
            f"the API answered {req.method} {req.url.path} with a redirect{where}; not followed, "
            "because it would send the API key elsewhere",
            status_code=response.status_code,
            request_id=response.headers.get("x-request-id"),
            hint="check --base-url / TRACKSTAR_BASE_URL (it should be the API's own address)",
        )

    @staticmethod
    def _where(request: httpx.Request) -> str:
        host = f"[{request.url.host}]" if ":" in request.url.host else request.url.host
        return f"{request.url.scheme}://{host}" + (f":{request.url.port}" if request.url.port else "")

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
        except RecursionError:
            raise self._malformed(response, "its JSON is nested too deeply") from None
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
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            body = response.text
        req = response.request
        return error_for_status(
            response.status_code,
            body,
            response.headers.get("x-request-id"),
            url=redact_url(str(req.url.copy_with(query=None))),  # the server it went to, never a password
            with_access_token=TOKEN_HEADER in req.headers,
        )

    def _transport_error(self, exc: httpx.HTTPError, request: httpx.Request) -> TrackstarError:
        where = self._where(request)
        if isinstance(exc, httpx.LocalProtocolError):  # h11 quotes the offending header value: never show it
            return UsageError(f"cannot send {request.method} {request.url.path}: a header is not valid HTTP")
        text = str(exc) or type(exc).__name__
        for secret in (self._api_key, request.headers.get(TOKEN_HEADER)):
            if secret:
                text = text.replace(secret, "***")
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
            self._log(f"> {request.method} {redact_url(str(request.url))}{again}")
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
