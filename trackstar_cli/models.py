"""Plain data shared by the service and the CLI layers: a stored connection, an exchange's result, a filter.

No behaviour beyond shaping data, no I/O; imports nothing of ours, so every layer may use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Connection", "Delivery", "ExchangeResult", "Filter", "ListMeta", "NewDelivery", "mask"]


@dataclass(frozen=True)
class Connection:
    """A stored connection. The token is repr=False so that no debug print can leak it."""

    profile: str
    connection_id: str
    integration_name: str
    customer_id: str | None
    alias: str | None
    available_actions: tuple[str, ...]
    created_at: str
    updated_at: str
    access_token: str = field(repr=False)
    is_default: bool = False

    @property
    def label(self) -> str:
        return self.alias or self.connection_id

    def to_public_dict(self) -> dict[str, object]:
        """The JSON contract for listings: everything but the token."""
        return {
            "connection_id": self.connection_id,
            "alias": self.alias,
            "integration_name": self.integration_name,
            "customer_id": self.customer_id,
            "available_actions": list(self.available_actions),
            "profile": self.profile,
            "default": self.is_default,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True)
class ExchangeResult:
    """A connection just stored from an exchange-shaped reply (/link/exchange, generate-sandbox)."""

    connection: Connection


@dataclass(frozen=True)
class Filter:
    """One API filter, `field[op]=value` on the wire (`op` None: `field=value`)."""

    field: str
    value: str
    op: str | None = None

    @property
    def key(self) -> str:
        return f"{self.field}[{self.op}]" if self.op else self.field


@dataclass
class ListMeta:
    """What a listing learnt while it streamed: whether items were left unread (a limit stopped it while the
    page or a next_token still held more). The API's `total_count` counts one page, so no grand total exists."""

    more: bool = False


def mask(secret: str | None) -> str:
    """Show only enough of a secret to recognise it: its last four characters."""
    if not secret:
        return ""
    return "****" + secret[-4:] if len(secret) >= 12 else "****"


@dataclass(frozen=True)
class NewDelivery:
    """What `webhooks listen` received: the raw body and headers byte for byte, and what verify said."""

    svix_id: str | None
    received_at: str
    headers: list[tuple[str, str]]
    body: bytes
    verified: bool
    reason: str | None
    event_type: str | None = None
    connection_id: str | None = None
    object_id: str | None = None


@dataclass(frozen=True)
class Delivery:
    id: int
    profile: str
    svix_id: str | None
    received_at: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    verified: bool
    reason: str | None
    event_type: str | None
    connection_id: str | None
    object_id: str | None
    attempts: int
    forward_status: int | None
    forward_error: str | None
