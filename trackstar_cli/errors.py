"""One exception tree and the exit codes; the only module every layer may import.

    TrackstarError                     exit 1 unless a subclass says otherwise
    ├── UsageError                     2  bad input the parser could not catch (bad filter, bad URL…)
    ├── ConfigError                    2  settings that cannot work (http:// to a remote host, bad timeout)
    ├── CredentialsError               3  no API key, keyring unusable or timed out
    ├── NoConnectionError              4  unknown connection id/alias, or none to choose from
    ├── StoreError                     1  the local SQLite store cannot be read or written
    │   ├── UnsavedTokenError          1  an exchange succeeded but its token could not be stored
    │   └── AliasTakenError            1  another process took the connection name first
    ├── LinkClosedError                1  `connect`: the Link modal was closed before a WMS was connected
    ├── WaitTimeoutError              14  a wait ran out of time (`connect`, `--wait`, `connections wait`)
    ├── APIConnectionError             8  network error before an answer (DNS, refused, TLS, proxy)
    │   └── APITimeoutError            8
    ├── WebhookVerificationError       10-13  a webhook delivery is not valid (reason → exit code)
    ├── SyncFailedError                15  a backfill job ended stuck or cancelled, or a sync ended in error
    └── APIError                       6  the API answered with an error status
        ├── AuthenticationError        3  401
        ├── PermissionDeniedError      3  403
        ├── NotFoundError              4  404
        ├── ValidationError            6  400, 409, 422
        ├── RateLimitError             5  429 after retries
        ├── IntegrationError           7  origin "integration", whatever the status
        ├── NotImplementedByIntegrationError  7  501
        ├── ServerError                8  5xx after retries
        ├── RedirectError              6  a 3xx: never followed (it would carry the API key elsewhere)
        └── MalformedResponseError     8  a 2xx whose body is not the JSON we expect
            └── ResponseTooLargeError  8  a reply whose decoded size passes the cap

Status codes become exceptions in exactly one place: `error_for_status`.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

__all__ = [
    "APIConnectionError",
    "AliasTakenError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "ConfigError",
    "CredentialsError",
    "ExitCode",
    "IntegrationError",
    "LinkClosedError",
    "MalformedResponseError",
    "NoConnectionError",
    "NotFoundError",
    "NotImplementedByIntegrationError",
    "PermissionDeniedError",
    "RateLimitError",
    "RedirectError",
    "ResponseTooLargeError",
    "ServerError",
    "StoreError",
    "TrackstarError",
    "SyncFailedError",
    "UnsavedTokenError",
    "UsageError",
    "ValidationError",
    "WaitTimeoutError",
    "WebhookVerificationError",
    "error_for_status",
]


class ExitCode(IntEnum):
    """Process exit codes; the README's table lists the same values."""

    OK = 0
    ERROR = 1
    USAGE = 2
    AUTH = 3
    NOT_FOUND = 4
    RATE_LIMITED = 5
    REJECTED = 6
    INTEGRATION = 7
    NETWORK = 8
    PARTIAL = 9  # a query across several connections where at least one connection failed
    # `trackstar webhooks verify`: why a delivery is not valid (see WebhookVerificationError)
    WEBHOOK_MISSING_HEADER = 10
    WEBHOOK_MALFORMED = 11
    WEBHOOK_STALE = 12
    WEBHOOK_BAD_SIGNATURE = 13
    TIMED_OUT = 14  # a wait (for the Link modal in `connect`) ended before it was done
    SYNC_FAILED = 15  # a backfill job ended stuck or cancelled, or a sync status became error
    INTERRUPTED = 130


class TrackstarError(Exception):
    """Base of every error the CLI expects; `hint` says how to fix it when we know."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"error": self.message, "exit_code": int(self.exit_code)}
        if self.hint:
            data["hint"] = self.hint
        return data


class UsageError(TrackstarError):
    exit_code = ExitCode.USAGE


class ConfigError(TrackstarError):
    exit_code = ExitCode.USAGE


class CredentialsError(TrackstarError):
    exit_code = ExitCode.AUTH


class NoConnectionError(TrackstarError):
    exit_code = ExitCode.NOT_FOUND


class StoreError(TrackstarError):
    exit_code = ExitCode.ERROR


class UnsavedTokenError(StoreError):
    """The auth code is spent and the token exists only in memory: the CLI must show it, not drop it."""

    def __init__(self, message: str, *, connection_id: str, access_token: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.connection_id = connection_id
        self.access_token = access_token


class WebhookVerificationError(TrackstarError):
    """A webhook delivery failed verification; `reason` is missing_header | malformed | stale | bad_signature."""

    _CODES = {
        "missing_header": ExitCode.WEBHOOK_MISSING_HEADER,
        "malformed": ExitCode.WEBHOOK_MALFORMED,
        "stale": ExitCode.WEBHOOK_STALE,
        "bad_signature": ExitCode.WEBHOOK_BAD_SIGNATURE,
    }

    def __init__(self, reason: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.reason = reason
        self.exit_code = self._CODES[reason]


class LinkClosedError(TrackstarError):
    exit_code = ExitCode.ERROR


class WaitTimeoutError(TrackstarError):
    exit_code = ExitCode.TIMED_OUT


class AliasTakenError(StoreError):
    """The name was free when checked but another connection holds it now (parallel runs): nothing saved."""

    def __init__(self, message: str, *, alias: str, holder: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.alias = alias
        self.holder = holder


class SyncFailedError(TrackstarError):
    exit_code = ExitCode.SYNC_FAILED


class APIConnectionError(TrackstarError):
    exit_code = ExitCode.NETWORK


class APITimeoutError(APIConnectionError):
    pass


class APIError(TrackstarError):
    """The API answered with an error; carries status, request id, origin and the decoded body."""

    exit_code = ExitCode.REJECTED

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        request_id: str | None = None,
        origin: str | None = None,
        body: Any = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status_code = status_code
        self.request_id = request_id
        self.origin = origin
        self.body = body

    def __str__(self) -> str:
        suffix = f" (HTTP {self.status_code}"
        suffix += f", request id {self.request_id})" if self.request_id else ")"
        return self.message + suffix

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data.update(status=self.status_code, request_id=self.request_id, origin=self.origin)
        return data


class AuthenticationError(APIError):
    exit_code = ExitCode.AUTH


class PermissionDeniedError(APIError):
    exit_code = ExitCode.AUTH


class NotFoundError(APIError):
    exit_code = ExitCode.NOT_FOUND


class ValidationError(APIError):
    exit_code = ExitCode.REJECTED


class RateLimitError(APIError):
    exit_code = ExitCode.RATE_LIMITED


class IntegrationError(APIError):
    exit_code = ExitCode.INTEGRATION


class NotImplementedByIntegrationError(APIError):
    exit_code = ExitCode.INTEGRATION


class ServerError(APIError):
    exit_code = ExitCode.NETWORK


class RedirectError(APIError):
    exit_code = ExitCode.REJECTED


class MalformedResponseError(APIError):
    exit_code = ExitCode.NETWORK


class ResponseTooLargeError(MalformedResponseError):
    pass


_BY_STATUS: dict[int, type[APIError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ValidationError,
    422: ValidationError,
    429: RateLimitError,
    501: NotImplementedByIntegrationError,
}

_HINTS: dict[type[APIError], str] = {
    RateLimitError: "wait a moment and try again; Trackstar allows 10 GET/s per access token",
    NotImplementedByIntegrationError: "this connection's integration does not support that endpoint",
    ServerError: "Trackstar had a problem; try again later",
}


def _message_from_body(body: Any, status_code: int) -> str:
    if isinstance(body, dict):
        message = str(body.get("error") or body.get("message") or f"HTTP {status_code}")
        detail = body.get("detail")
        if isinstance(detail, dict) and detail:
            leaves = [
                str(m).rstrip(".")
                for f in detail.values()
                if isinstance(f, dict)
                for v in f.values()
                for m in (v if isinstance(v, list) else [v])
            ]
            if not leaves or not all(leaf in message for leaf in leaves):  # skip a detail that repeats the message
                message += ": " + _flatten_detail(detail)
        return message
    if isinstance(body, str) and body.strip():
        return body.strip().splitlines()[0][:200]
    return f"HTTP {status_code}"


def _flatten_detail(detail: dict[str, Any]) -> str:
    """Turn 422 `{"detail": {"json": {"field": ["msg"]}}}` into `field: msg`."""
    parts: list[str] = []
    for location, fields in detail.items():
        if isinstance(fields, dict):
            for name, msgs in fields.items():
                text = "; ".join(map(str, msgs)) if isinstance(msgs, list) else str(msgs)
                # marshmallow's `_schema` is the whole body, not a field anyone can set
                parts.append(text if name == "_schema" else f"{name}: {text}")
        else:
            parts.append(f"{location}: {fields}")
    return ", ".join(parts)


# A 401/403 on a request that carried a connection's access token is most often that token (revoked, or
# stored against an emulator that has since restarted), not the API key: point at the connection.
_TOKEN_HINT = (
    "the connection's access token may be revoked or stale: check it with `trackstar connections reconcile`, "
    "and re-link it with `trackstar link-token --connection-id ID` (then `trackstar exchange`)"
)
_KEY_HINT = "check the API key with `trackstar auth status` (it may be for another server or revoked)"


def error_for_status(
    status_code: int,
    body: Any,
    request_id: str | None,
    *,
    url: str | None = None,
    with_access_token: bool = False,
) -> APIError:
    """Build the exception for an error response (the one status → exception factory). `url` (already
    redacted) is named by a 401/403, and `with_access_token` picks its hint: the connection or the key."""
    origin = body.get("origin") if isinstance(body, dict) else None
    if origin == "integration":
        cls: type[APIError] = IntegrationError
    elif status_code in _BY_STATUS:
        cls = _BY_STATUS[status_code]
    elif status_code >= 500:
        cls = ServerError
    else:
        cls = APIError
    message = _message_from_body(body, status_code)
    hint = _HINTS.get(cls)
    if origin == "integration":
        message = f"the connected system answered: {message}"
    elif cls in (AuthenticationError, PermissionDeniedError):
        blames_key = "api key" in message.lower() or "api-key" in message.lower()
        if url:
            message = f"{message} (sent to {url})"
        hint = _TOKEN_HINT if with_access_token and not blames_key else _KEY_HINT
    return cls(
        message,
        status_code=status_code,
        request_id=request_id,
        origin=origin,
        body=body,
        hint=hint,
    )
