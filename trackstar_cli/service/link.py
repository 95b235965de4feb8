"""Link: create a link token, spend an auth code for a connection's access token, and store it at once.

Once a single-use auth code is spent, the access token may exist nowhere else: if the reply cannot be parsed
or the connection cannot be stored, the use case raises `UnsavedTokenError` carrying the token (and the
connection id when the reply had one) so that the CLI can print it with the command that stores it later.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trackstar_cli.errors import AliasTakenError, MalformedResponseError, TrackstarError, UnsavedTokenError, UsageError
from trackstar_cli.models import ExchangeResult
from trackstar_cli.service.connections import check_alias, metadata
from trackstar_cli.service.core import Services

__all__ = [
    "ExchangeOptions",
    "create_link_token",
    "emulator_auth_code",
    "exchange",
    "save_exchanged",
]


def create_link_token(svc: Services, connection_id: str | None = None) -> str:
    body = {"connection_id": connection_id} if connection_id else None
    # A second link token is harmless, so this POST may be retried.
    data = svc.client().request("POST", "/link/token", json_body=body, retry=True)
    token = data.get("link_token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token:
        raise MalformedResponseError("the API's reply to POST /link/token has no link_token", status_code=200)
    return token


@dataclass(frozen=True)
class ExchangeOptions:
    auth_code: str
    customer_id: str | None = None
    alias: str | None = None


def exchange(svc: Services, opts: ExchangeOptions) -> ExchangeResult:
    """Spend the auth code and store the connection at once (see the module docstring for failures)."""
    auth_code = opts.auth_code.strip()
    if not auth_code:
        raise UsageError("the auth code is empty")
    check_alias(svc, opts.alias, None)
    # Open the store now: a broken store must fail before the single-use code is spent.
    svc.store.check_writable()
    body: dict[str, Any] = {"auth_code": auth_code}
    if opts.customer_id:
        body["customer_id"] = opts.customer_id
    data = svc.client().request("POST", "/link/exchange", json_body=body, retry=False)
    return save_exchanged(svc, data, alias=opts.alias, what="the exchange succeeded")


def save_exchanged(svc: Services, data: Any, *, alias: str | None, what: str) -> ExchangeResult:
    """Store the connection an exchange-shaped reply describes (/link/exchange, generate-sandbox). Any failure
    after a token is in hand raises UnsavedTokenError carrying it: it may exist nowhere else."""
    token = _token_of(data)
    connection_id = _connection_id_of(data)
    try:
        if connection_id is None:
            raise MalformedResponseError("the reply has no connection_id", status_code=200)
        fields = {"profile": svc.profile, "connection_id": connection_id, "access_token": token, **metadata(data)}
        try:
            conn = svc.store.save_connection(alias=alias, **fields)
        except AliasTakenError as taken:
            # Another process took the name between our check and our write: keep the connection, unnamed.
            svc.store.save_connection(alias=None, **fields)
            raise AliasTakenError(
                f"{what} and connection {connection_id} is saved, but without the name {alias!r}: "
                f"connection {taken.holder} took that name at the same moment",
                alias=taken.alias,
                holder=taken.holder,
                hint=f"use it by its id (--connection {connection_id}), or remove the other one and exchange again",
            ) from None
    except AliasTakenError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever went wrong, the token must reach the user
        reason = exc.message if isinstance(exc, TrackstarError) else f"{type(exc).__name__}: {exc}"
        raise UnsavedTokenError(
            f"{what}, but the connection could not be saved: {reason}",
            connection_id=connection_id or "",
            access_token=token,
            hint="keep the token below; once the store works again run "
            f"`trackstar connections add --connection-id {connection_id or 'CONNECTION_ID'} --access-token-stdin`"
            + ("" if connection_id else " (the connection id is in `trackstar connections list --remote`)"),
        ) from exc
    return ExchangeResult(conn)


def _token_of(data: Any) -> str:
    token = data.get("access_token") if isinstance(data, dict) else None
    if isinstance(token, (int, float)) and not isinstance(token, bool):
        token = str(token)
    if not isinstance(token, str) or not token.strip():
        raise MalformedResponseError("the API's reply has no access_token", status_code=200)
    return token.strip()


def _connection_id_of(data: Any) -> str | None:
    value = data.get("connection_id") if isinstance(data, dict) else None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = str(value).strip()
    return text or None


def emulator_auth_code(svc: Services, link_token: str, integration_name: str) -> str:
    """Ask the emulator at the base URL for the auth code the Link modal would hand back."""
    data = svc.client().request(
        "POST",
        "/_emulator/auth-code",
        json_body={"link_token": link_token, "integration_name": integration_name},
        retry=True,
    )
    code = data.get("auth_code") if isinstance(data, dict) else None
    if not isinstance(code, str) or not code:
        raise MalformedResponseError(
            "no auth_code in the reply: is TRACKSTAR_BASE_URL a trackstar emulator?", status_code=200
        )
    return code
