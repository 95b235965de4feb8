"""errors.py: the status → exception factory, the messages users read, and the exit-code contract."""

from __future__ import annotations

from typing import Any

import pytest

from trackstar_cli import errors
from trackstar_cli.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    ConfigError,
    CredentialsError,
    ExitCode,
    IntegrationError,
    MalformedResponseError,
    NoConnectionError,
    NotFoundError,
    NotImplementedByIntegrationError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    StoreError,
    TrackstarError,
    UnsavedTokenError,
    UsageError,
    ValidationError,
    error_for_status,
)


def test_exit_code_values_are_the_documented_contract() -> None:
    # Scripts branch on these numbers; changing one is a breaking change, and a new one needs a README row.
    assert {code.name: int(code) for code in ExitCode} == {
        "OK": 0,
        "ERROR": 1,
        "USAGE": 2,
        "AUTH": 3,
        "NOT_FOUND": 4,
        "RATE_LIMITED": 5,
        "REJECTED": 6,
        "INTEGRATION": 7,
        "NETWORK": 8,
        "PARTIAL": 9,
        "WEBHOOK_MISSING_HEADER": 10,
        "WEBHOOK_MALFORMED": 11,
        "WEBHOOK_STALE": 12,
        "WEBHOOK_BAD_SIGNATURE": 13,
        "TIMED_OUT": 14,
        "SYNC_FAILED": 15,
        "INTERRUPTED": 130,
    }


@pytest.mark.parametrize(
    ("status", "cls", "exit_code"),
    [
        (400, ValidationError, 6),
        (401, AuthenticationError, 3),
        (403, PermissionDeniedError, 3),
        (404, NotFoundError, 4),
        (409, ValidationError, 6),
        (422, ValidationError, 6),
        (429, RateLimitError, 5),
        (500, ServerError, 8),
        (502, ServerError, 8),
        (503, ServerError, 8),
        (504, ServerError, 8),
        (501, NotImplementedByIntegrationError, 7),
        (418, APIError, 6),
    ],
)
def test_status_maps_to_class_and_exit_code(status: int, cls: type[APIError], exit_code: int) -> None:
    exc = error_for_status(status, {"error": "boom", "origin": "trackstar"}, "req_1")
    assert type(exc) is cls
    assert exc.exit_code == exit_code
    assert exc.status_code == status
    assert exc.origin == "trackstar"
    assert isinstance(exc, APIError) and isinstance(exc, TrackstarError)


@pytest.mark.parametrize("status", [400, 404, 422, 500, 501])
def test_origin_integration_wins_over_status(status: int) -> None:
    exc = error_for_status(status, {"error": "SKU unknown to the WMS", "origin": "integration"}, None)
    assert type(exc) is IntegrationError
    assert exc.exit_code == ExitCode.INTEGRATION == 7
    # The user must be able to tell the connected system's error from Trackstar's.
    assert exc.message == "the connected system answered: SKU unknown to the WMS"


def test_message_and_request_id_are_in_str() -> None:
    exc = error_for_status(404, {"error": "Order not found", "origin": "trackstar"}, "req_abc123")
    assert str(exc) == "Order not found (HTTP 404, request id req_abc123)"
    assert exc.request_id == "req_abc123"


def test_str_without_request_id() -> None:
    assert str(error_for_status(404, {"error": "gone"}, None)) == "gone (HTTP 404)"


def test_422_detail_is_flattened_into_readable_field_messages() -> None:
    body = {
        "error": "Validation failed",
        "origin": "trackstar",
        "detail": {"json": {"sku": ["Field may not be null.", "Too long."], "quantity": "Must be positive."}},
    }
    exc = error_for_status(422, body, "req_9")
    assert exc.message == "Validation failed: sku: Field may not be null.; Too long., quantity: Must be positive."
    assert "req_9" in str(exc)
    assert exc.body == body


def test_detail_that_is_not_a_field_map_is_still_shown() -> None:
    exc = error_for_status(400, {"error": "Bad filter", "detail": {"query": "unknown field 'colour'"}}, None)
    assert exc.message == "Bad filter: query: unknown field 'colour'"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"message": "older shape"}, "older shape"),
        ({}, "HTTP 500"),
        (None, "HTTP 500"),
        ("", "HTTP 500"),
        ("<html>\n<h1>502 Bad Gateway</h1>\n</html>", "<html>"),
        (["unexpected", "list"], "HTTP 500"),
    ],
)
def test_odd_bodies_still_give_a_message(body: Any, expected: str) -> None:
    exc = error_for_status(500, body, None)
    assert exc.message == expected
    assert type(exc) is ServerError


def test_long_text_body_is_truncated() -> None:
    exc = error_for_status(500, "x" * 5000, None)
    assert len(exc.message) == 200


@pytest.mark.parametrize(
    ("cls", "needle"),
    [(AuthenticationError, "API key"), (RateLimitError, "10 GET/s"), (ServerError, "try again")],
)
def test_hints_for_statuses_the_user_can_act_on(cls: type[APIError], needle: str) -> None:
    status = {AuthenticationError: 401, RateLimitError: 429, ServerError: 500}[cls]
    exc = error_for_status(status, {"error": "x"}, None)
    assert exc.hint is not None and needle in exc.hint


def test_api_error_to_dict_carries_status_request_id_and_origin() -> None:
    exc = error_for_status(429, {"error": "slow down", "origin": "trackstar"}, "req_5")
    data = exc.to_dict()
    assert data["error"] == "slow down"
    assert data["exit_code"] == 5
    assert data["status"] == 429
    assert data["request_id"] == "req_5"
    assert data["origin"] == "trackstar"
    assert "hint" in data


@pytest.mark.parametrize(
    ("cls", "exit_code"),
    [
        (TrackstarError, 1),
        (UsageError, 2),
        (ConfigError, 2),
        (CredentialsError, 3),
        (NoConnectionError, 4),
        (StoreError, 1),
        (APIConnectionError, 8),
        (APITimeoutError, 8),
    ],
)
def test_local_errors_exit_codes(cls: type[TrackstarError], exit_code: int) -> None:
    exc = cls("something", hint="do this")
    assert exc.exit_code == exit_code
    assert exc.to_dict() == {"error": "something", "exit_code": exit_code, "hint": "do this"}


def test_timeout_is_a_connection_error_and_malformed_is_an_api_error() -> None:
    # Callers catch the parent classes; the tree drawn in the docstring must hold.
    assert issubclass(APITimeoutError, APIConnectionError)
    assert issubclass(MalformedResponseError, APIError)
    assert MalformedResponseError("bad", status_code=200).exit_code == ExitCode.NETWORK


def test_unsaved_token_error_keeps_the_token_for_the_cli_to_show() -> None:
    exc = UnsavedTokenError("could not store", connection_id="conn_1", access_token="tok_x")
    assert isinstance(exc, StoreError)
    assert exc.access_token == "tok_x" and exc.connection_id == "conn_1"
    assert "tok_x" not in str(exc)


def test_every_exported_error_is_a_trackstar_error() -> None:
    for name in errors.__all__:
        obj = getattr(errors, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, TrackstarError), name
