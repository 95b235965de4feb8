"""Use cases: join settings, credentials, the store and the HTTP client. Never prints, prompts or exits.

Each public method returns data (dataclasses, dicts, iterators) or raises a TrackstarError. The API key is
resolved once, in one order: TRACKSTAR_API_KEY, then the keyring entry of the profile.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from trackstar_cli import credentials
from trackstar_cli.config import Settings
from trackstar_cli.errors import (
    CredentialsError,
    MalformedResponseError,
    NoConnectionError,
    StoreError,
    UnsavedTokenError,
    UsageError,
)
from trackstar_cli.resources import Resource
from trackstar_cli.service.query import MAX_PAGE_SIZE, ListQuery
from trackstar_cli.store import Connection, Store

if TYPE_CHECKING:
    from trackstar_cli.client import TrackstarClient

__all__ = [
    "ExchangeResult",
    "Services",
    "mask",
]

_ALIAS_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")


def mask(secret: str | None) -> str:
    """Show only enough of a secret to recognise it: its last four characters."""
    if not secret:
        return ""
    return "****" + secret[-4:] if len(secret) >= 12 else "****"


@dataclass(frozen=True)
class ExchangeResult:
    connection: Connection
    available_endpoints: tuple[str, ...] = ()


class Services:
    """One per command run: holds the settings and opens the store and the HTTP client on first use."""

    def __init__(self, settings: Settings, *, log: Callable[[str], None] | None = None) -> None:
        self.settings = settings
        self._log = log
        self._store: Store | None = None
        self._client: TrackstarClient | None = None
        self._api_key: tuple[str, str] | None = None

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        if self._store is not None:
            self._store.close()

    # -- building blocks -----------------------------------------------------------------------------

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.settings.paths.database)
        return self._store

    def api_key(self) -> tuple[str, str]:
        """(key, source): TRACKSTAR_API_KEY first, then the profile's keyring entry."""
        if self._api_key is None:
            if self.settings.api_key_env:
                self._api_key = (self.settings.api_key_env, "env")
            else:
                stored = credentials.get_api_key(self.settings.profile)
                if not stored:
                    raise CredentialsError(
                        f"no API key for profile {self.settings.profile!r}",
                        hint="run `trackstar auth login` (or set TRACKSTAR_API_KEY)",
                    )
                self._api_key = (stored, "keyring")
        return self._api_key

    def client(self, api_key: str | None = None) -> TrackstarClient:
        if self._client is None or api_key is not None:
            from trackstar_cli.client import TrackstarClient

            client = TrackstarClient(
                api_key or self.api_key()[0],
                base_url=self.settings.base_url,
                timeout=self.settings.timeout,
                ca_bundle=self.settings.ca_bundle,
                log=self._log,
            )
            if api_key is not None:
                return client
            self._client = client
        return self._client

    # -- link ----------------------------------------------------------------------------------------

    def create_link_token(self, connection_id: str | None = None) -> str:
        body = {"connection_id": connection_id} if connection_id else None
        # A second link token is harmless, so this POST may be retried.
        data = self.client().request("POST", "/link/token", json_body=body, retry=True)
        token = data.get("link_token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise MalformedResponseError("the API's reply to POST /link/token has no link_token", status_code=200)
        return token

    def exchange(self, auth_code: str, *, customer_id: str | None = None, alias: str | None = None) -> ExchangeResult:
        """Spend the auth code and store the connection at once; a failure to store raises UnsavedTokenError
        carrying the token so the caller can show it instead of losing it."""
        auth_code = auth_code.strip()
        if not auth_code:
            raise UsageError("the auth code is empty")
        self.check_alias(alias, None)
        _ = self.store  # open it now: a broken store must fail before the single-use code is spent
        client = self.client()
        body: dict[str, Any] = {"auth_code": auth_code}
        if customer_id:
            body["customer_id"] = customer_id
        data = client.request("POST", "/link/exchange", json_body=body, retry=False)
        return self.save_exchanged(data, alias=alias, what="the exchange succeeded")

    def save_exchanged(self, data: Any, *, alias: str | None, what: str) -> ExchangeResult:
        """Store the connection an exchange-shaped reply describes (/link/exchange, generate-sandbox). If that
        fails, raise UnsavedTokenError carrying the token: it may exist nowhere else."""
        fields = exchange_fields(data)
        try:
            conn = self.store.save_connection(profile=self.settings.profile, alias=alias, **fields)
        except StoreError as exc:
            raise UnsavedTokenError(
                f"{what}, but the connection could not be saved: {exc.message}",
                connection_id=fields["connection_id"],
                access_token=fields["access_token"],
                hint="keep the token below; once the store works again run "
                f"`trackstar connections add --connection-id {fields['connection_id']} --access-token-stdin`",
            ) from exc
        endpoints = data.get("available_endpoints") or ()
        return ExchangeResult(conn, tuple(map(str, endpoints)))

    def emulator_auth_code(self, link_token: str, integration_name: str) -> str:
        """Ask the emulator at the base URL for the auth code the Link modal would hand back."""
        data = self.client().request(
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

    # -- connections ---------------------------------------------------------------------------------

    def list_connections(self) -> list[Connection]:
        return self.store.list_connections(self.settings.profile)

    def get_connection(self, ref: str) -> Connection:
        conn = self.store.get(self.settings.profile, ref)
        if conn is None:
            known = ", ".join(self._labels()) or "none"
            raise NoConnectionError(
                f"no connection {ref!r} in profile {self.settings.profile!r} (known: {known})",
                hint="`trackstar connections list` shows them; `trackstar exchange CODE` adds one",
            )
        return conn

    def resolve_connection(self, ref: str | None) -> Connection:
        """--connection / TRACKSTAR_CONNECTION, else the default, else the only one, else an error."""
        if ref:
            return self.get_connection(ref)
        profile = self.settings.profile
        default = self.store.default_id(profile)
        if default:
            conn = self.store.get(profile, default)
            if conn:
                return conn
        conns = self.store.list_connections(profile)
        if len(conns) == 1:
            return conns[0]
        if not conns:
            raise NoConnectionError(
                f"no connections stored for profile {profile!r}",
                hint="run `trackstar link-token`, connect a WMS, then `trackstar exchange CODE`",
            )
        raise UsageError(
            f"several connections and no default: {', '.join(self._labels())}",
            hint="pass --connection ID|ALIAS, set TRACKSTAR_CONNECTION, or run `trackstar connections use ID|ALIAS`",
        )

    def use_connection(self, ref: str) -> Connection:
        conn = self.get_connection(ref)
        self.store.set_default(self.settings.profile, conn.connection_id)
        return self.get_connection(conn.connection_id)

    def remove_connection(self, ref: str, *, revoke: bool = False) -> Connection:
        """Forget a connection locally; with revoke, delete it at Trackstar first (then it is gone for good)."""
        conn = self.get_connection(ref)
        if revoke:
            self.client().request("DELETE", "/connections", access_token=conn.access_token, retry=True)
        self.store.remove(self.settings.profile, conn.connection_id)
        return conn

    def add_connection(
        self, access_token: str, *, connection_id: str, alias: str | None = None, verify: bool = True
    ) -> Connection:
        """Register a token copied from the dashboard; metadata comes from GET /connections/{id}."""
        access_token = access_token.strip()
        if not access_token or any(c.isspace() for c in access_token):
            raise UsageError("the access token is empty or contains white space")
        self.check_alias(alias, connection_id)
        meta: dict[str, Any] = {"integration_name": "unknown", "customer_id": None, "available_actions": []}
        if verify:
            data = self.client().request("GET", f"/connections/{connection_id}")
            meta.update(_connection_fields(data))
        return self.store.save_connection(
            profile=self.settings.profile,
            connection_id=connection_id,
            access_token=access_token,
            alias=alias,
            **meta,
        )

    # -- WMS data ------------------------------------------------------------------------------------

    def iter_items(
        self, resource: Resource, conn: Connection, query: ListQuery, parent_id: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Stream a resource's items page by page; stops after `query.limit` items."""
        params = query.params()
        if query.limit == 0:
            return
        if query.limit is not None and query.page_size is None:
            params["limit"] = str(min(query.limit, MAX_PAGE_SIZE))  # don't fetch 1000 items to print 5
        path = resource.list_path(parent_id)
        count = 0
        for page in self.client().iter_pages(path, params, access_token=conn.access_token):
            for item in page:
                yield item
                count += 1
                if query.limit is not None and count >= query.limit:
                    return

    def get_item(
        self, resource: Resource, conn: Connection, item_id: str, parent_id: str | None = None, *, sub: str = ""
    ) -> Any:
        """GET one item (or one of its sub-resources, e.g. sub="packs") and return its `data`."""
        if not item_id.strip() or "/" in item_id:
            raise UsageError(f"invalid id {item_id!r}")
        path = resource.item_path(item_id, parent_id) + (f"/{sub}" if sub else "")
        data = self.client().request("GET", path, access_token=conn.access_token)
        if not isinstance(data, dict) or "data" not in data:
            raise MalformedResponseError(f"unexpected reply from GET {path}", status_code=200)
        return data["data"]

    # -- helpers -------------------------------------------------------------------------------------

    def _labels(self) -> list[str]:
        return [c.alias or c.connection_id for c in self.store.list_connections(self.settings.profile)]

    def check_alias(self, alias: str | None, connection_id: str | None) -> None:
        if alias is None:
            return
        if not _ALIAS_RE.match(alias):
            raise UsageError(f"invalid name {alias!r}: start with a letter; letters, digits, '.', '_', '-'")
        taken = self.store.get(self.settings.profile, alias)
        if taken and taken.connection_id != connection_id and taken.alias == alias:
            raise UsageError(
                f"the name {alias!r} is already used by connection {taken.connection_id}",
                hint="choose another --name, or remove that connection first",
            )


def exchange_fields(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict) or not data.get("access_token") or not data.get("connection_id"):
        raise MalformedResponseError(
            "the API's reply to POST /link/exchange has no access_token/connection_id", status_code=200
        )
    return {
        "connection_id": str(data["connection_id"]),
        "access_token": str(data["access_token"]),
        "integration_name": str(data.get("integration_name") or "unknown"),
        "customer_id": data.get("customer_id"),
        "available_actions": [str(a) for a in data.get("available_actions") or []],
    }


def _connection_fields(data: Any) -> dict[str, Any]:
    """GET /connections/{id}: the spec says a list envelope, a guide shows one object; accept both."""
    item = data.get("data") if isinstance(data, dict) else None
    if isinstance(item, list):
        item = item[0] if item else None
    if not isinstance(item, dict):
        raise MalformedResponseError("unexpected reply from GET /connections/{id}", status_code=200)
    return {
        "integration_name": str(item.get("integration_name") or "unknown"),
        "customer_id": item.get("customer_id"),
        "available_actions": [str(a) for a in item.get("available_actions") or []],
    }
