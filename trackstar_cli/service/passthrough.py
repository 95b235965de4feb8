"""`trackstar passthrough`: a request to the connected system's own API, through Trackstar.

`POST /{wms|cart}/passthrough` takes {method, path, data, headers, params} and always answers 200 with
{status_code, headers, body}: the vendor's answer, wrapped. We unwrap it and turn the vendor's status into
our usual error (404 → exit 4, 401/403 → 3, 422 → 6, 429 → 5, 5xx → 8), so a script can branch on the exit
code as for any other command. Trackstar takes no Idempotency-Key on passthrough, so a passthrough that
writes is sent once and never repeated.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from trackstar_cli.errors import APIError, MalformedResponseError, UsageError, error_for_status
from trackstar_cli.service.api import parse_headers
from trackstar_cli.service.connections import resolve_connection
from trackstar_cli.spec import PASSTHROUGH_METHODS, PASSTHROUGH_PATHS

if TYPE_CHECKING:
    from trackstar_cli.service.core import Services

__all__ = ["PassthroughOptions", "PassthroughResult", "passthrough"]


@dataclass(frozen=True)
class PassthroughOptions:
    method: str
    path: str
    vertical: str = "wms"  # or "cart"
    data: str | None = None  # JSON text of the vendor request's body
    params: Sequence[str] = ()  # k=v query parameters for the vendor
    headers: Sequence[str] = ()  # 'Name: value' headers for the vendor
    connection: str | None = None


@dataclass(frozen=True)
class PassthroughResult:
    status_code: int
    headers: dict[str, Any]
    body: Any
    envelope: dict[str, Any] = field(default_factory=dict)

    def error(self) -> APIError | None:
        """The vendor's error status as our exception (None for 1xx-3xx)."""
        if self.status_code < 400:
            return None
        exc = error_for_status(self.status_code, self.body, None)
        said = self.body.get("error") or self.body.get("message") if isinstance(self.body, dict) else None
        exc.message = "the integration's API answered" + (
            f": {said}" if isinstance(said, str) and said else " an error"
        )
        exc.args = (exc.message,)
        exc.origin = "integration"
        exc.hint = exc.hint or "its body is on standard output (--include shows its headers too)"
        return exc


def _request_body(opts: PassthroughOptions) -> dict[str, Any]:
    method = opts.method.upper()
    if method not in PASSTHROUGH_METHODS:
        raise UsageError(f"unknown METHOD {opts.method!r}", hint="choose from " + ", ".join(PASSTHROUGH_METHODS))
    if not opts.path.startswith("/") or any(c in opts.path for c in "\r\n"):
        raise UsageError(f"PATH must start with / (the integration's own path), not {opts.path!r}")
    body: dict[str, Any] = {"method": method, "path": opts.path}
    if opts.data is not None:
        try:
            data = json.loads(opts.data)
        except ValueError as exc:
            raise UsageError(f"--data is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise UsageError("--data must be a JSON object (Trackstar's passthrough `data` is an object)")
        if method in ("GET", "DELETE"):
            raise UsageError(f"a {method} carries no body", hint="send query parameters with -p key=value")
        body["data"] = data
    if opts.params:
        params: dict[str, str] = {}
        for raw in opts.params:
            key, sep, value = raw.partition("=")
            if not sep or not key.strip():
                raise UsageError(f"invalid -p {raw!r}", hint="write -p key=value")
            params[key.strip()] = value
        body["params"] = params
    if opts.headers:
        body["headers"] = parse_headers(opts.headers)
    return body


def passthrough(svc: Services, opts: PassthroughOptions) -> PassthroughResult:
    """Send the vendor request through Trackstar once and unwrap its answer (errors included: see .error())."""
    path = PASSTHROUGH_PATHS.get(opts.vertical)
    if path is None:
        raise UsageError(f"unknown vertical {opts.vertical!r}", hint="wms (default) or --cart")
    body = _request_body(opts)
    conn = resolve_connection(svc, opts.connection)
    # No Idempotency-Key (Trackstar does not honour one here) and no retry once it may have been sent.
    envelope = svc.client().request("POST", path, json_body=body, access_token=conn.access_token, retry=False)
    status = envelope.get("status_code") if isinstance(envelope, dict) else None
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise MalformedResponseError(
            f"the reply to POST {path} is not the documented {{status_code, headers, body}}", status_code=200
        )
    headers = envelope.get("headers")
    return PassthroughResult(status, headers if isinstance(headers, dict) else {}, envelope.get("body"), envelope)
