"""Shared plumbing for the emulator: the request/reply objects, the API error, and date helpers."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .state import Connection, State

__all__ = [
    "REFERENCE_EPOCH",
    "ApiError",
    "Handler",
    "Json",
    "Reply",
    "Request",
    "error_body",
    "iso",
    "not_found",
    "now_iso",
    "validation_error",
]

Json = dict[str, Any]

# Generated data is dated before this fixed instant (2025-10-01T00:00:00Z) so a seed always yields the same bytes.
REFERENCE_EPOCH = 1759276800


def iso(epoch: float) -> str:
    """Trackstar's date format: YYYY-MM-DDTHH:MM:SSZ, always UTC."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(epoch)))


def now_iso() -> str:
    return iso(time.time())


def error_body(message: str, **extra: Any) -> Json:
    """The documented generic error body; every error carries `error` and `origin`."""
    return {"error": message, "origin": "trackstar", **extra}


class ApiError(Exception):
    """Raised anywhere in a handler; the server turns it into a JSON error reply."""

    def __init__(self, status: int, body: Json, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(body.get("error", ""))
        self.status = status
        self.body = body
        self.headers = dict(headers or {})

    @classmethod
    def plain(cls, status: int, message: str, **extra: Any) -> ApiError:
        return cls(status, error_body(message, **extra))


def not_found(what: str, item_id: str) -> ApiError:
    """404 in the spec's HTTPError shape ({"error", "id"}) plus the `origin` every error body carries."""
    return ApiError(404, error_body(f"{what} {item_id} not found", id=item_id))


def validation_error(location: str, problems: Mapping[str, list[str]], message: str = "") -> ApiError:
    """422 in the spec's ValidationError shape: {"error", "detail": {location: {field: [messages]}}}."""
    first = next(iter(problems), "")
    text = message or f"Invalid {location} parameter{'s' if len(problems) > 1 else ''}: {', '.join(problems)}"
    if not message and first and len(problems) == 1:
        text = f"Invalid {location} field {first}: {problems[first][0]}"
    return ApiError(422, error_body(text, detail={location: dict(problems)}))


@dataclass
class Reply:
    """A handler's answer: status, JSON body (or raw bytes for the HTML page) and extra headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    content_type: str = "application/json"

    def encode(self) -> bytes:
        if self.raw is not None:
            return self.raw
        return json.dumps(self.body, separators=(",", ":")).encode()


@dataclass
class Request:
    """One parsed HTTP request as the route handlers see it."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: Mapping[str, str]
    body: bytes
    state: State
    params: dict[str, str] = field(default_factory=dict)
    conn: Connection | None = None
    _json: Any = None

    def header(self, name: str) -> str | None:
        value = self.headers.get(name.lower())
        return None if value is None else str(value)

    def json(self) -> Any:
        """The body as JSON; an empty body reads as {} (optional bodies); bad JSON is a 400."""
        if self._json is None:
            if not self.body.strip():
                self._json = {}
            else:
                try:
                    self._json = json.loads(self.body)
                except (ValueError, UnicodeDecodeError):
                    raise ApiError.plain(400, "Request body is not valid JSON") from None
        return self._json

    def json_object(self) -> Json:
        data = self.json()
        if not isinstance(data, dict):
            raise validation_error("json", {"_schema": ["Request body must be a JSON object."]})
        return data

    def connection(self) -> Connection:
        if self.conn is None:  # routes that need it are declared token-scoped, so this is a bug
            raise ApiError.plain(401, "Missing access token")
        return self.conn


Handler = Callable[[Request], Reply]
