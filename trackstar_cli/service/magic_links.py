"""Use cases about magic links (POST/GET/DELETE /magic-links, API key only), and waiting for the connection a
customer makes with one.

Trackstar's MagicLink object has no URL (api-notes §2.3): the shareable URL is in the dashboard. Against a
loopback base URL (the emulator) the URL of the emulator's hosted page is known and returned. The access token
of a new connection only reaches us in the `connection.created` webhook: when `trackstar webhooks listen`
recorded that delivery in this profile, the wait stores the connection from it; otherwise it ends with the
connection and the command prints how to add its token.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from trackstar_cli.errors import MalformedResponseError, NotFoundError, UsageError, WaitTimeoutError
from trackstar_cli.models import Connection
from trackstar_cli.service import polling
from trackstar_cli.service.core import Services
from trackstar_cli.service.reconcile import iter_remote_connections
from trackstar_cli.spec import INTEGRATION_TYPES, MAGIC_LINK_DEFAULT_DAYS, MAGIC_LINKS_PATH

__all__ = [
    "MAGIC_LINK_TYPES",
    "CreateOptions",
    "WaitOptions",
    "create_magic_link",
    "delete_magic_link",
    "get_magic_link",
    "list_magic_links",
    "magic_link_url",
    "stored_connection",
    "wait_for_connection",
]

# Local names for Trackstar facts kept in spec.py.
MAGIC_LINK_TYPES = INTEGRATION_TYPES
DEFAULT_LINK_DAYS = MAGIC_LINK_DEFAULT_DAYS
EMULATOR_PAGE_PATH = "/_emulator/magic-links/{id}"  # the emulator's hosted page (emulator/magic.py)
TOKEN_GRACE_POLLS = 3  # after the connection appears, how many polls to wait for its connection.created

_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class CreateOptions:
    customer_id: str | None = None
    integration_type: str = "wms"
    allow: tuple[str, ...] = ()
    block: tuple[str, ...] = ()
    days: int | None = None
    connection_id: str | None = None  # reinstall this connection

    def body(self) -> dict[str, Any]:
        if self.allow and self.block:
            raise UsageError("--allow and --block cannot be combined (Trackstar treats them as exclusive)")
        if self.integration_type not in MAGIC_LINK_TYPES:
            raise UsageError(
                f"unknown integration type {self.integration_type!r}", hint="choose from " + ", ".join(MAGIC_LINK_TYPES)
            )
        if self.days is not None and self.days < 1:
            raise UsageError(f"--days must be at least 1, not {self.days}")
        bad = [n for n in (*self.allow, *self.block) if not _NAME_RE.match(n)]
        if bad:
            raise UsageError(
                f"invalid integration name {bad[0]!r}", hint="`trackstar integrations list` shows the names"
            )
        body: dict[str, Any] = {"integration_type": self.integration_type}
        for key, value in (
            ("customer_id", self.customer_id),
            ("connection_id", self.connection_id),
            ("link_duration", self.days),
        ):
            if value is not None:
                body[key] = value
        if self.allow:
            body["integration_allow_list"] = list(self.allow)
        if self.block:
            body["integration_block_list"] = list(self.block)
        return body


def _link_of(reply: Any, what: str) -> dict[str, Any]:
    link = reply.get("magic_link") if isinstance(reply, dict) else None
    if not isinstance(link, dict) or not isinstance(link.get("id"), str) or not link["id"]:
        raise MalformedResponseError(f"the reply to {what} has no magic_link object", status_code=200, body=reply)
    return link


def create_magic_link(svc: Services, opts: CreateOptions) -> dict[str, Any]:
    """POST /magic-links → the API's MagicLink object, unchanged."""
    body = opts.body()
    # Not repeated on failure: a second POST makes a second link.
    return _link_of(svc.client().request("POST", MAGIC_LINKS_PATH, json_body=body), f"POST {MAGIC_LINKS_PATH}")


def list_magic_links(svc: Services) -> list[dict[str, Any]]:
    reply = svc.client().request("GET", MAGIC_LINKS_PATH)
    links = reply.get("magic_links") if isinstance(reply, dict) else None
    if not isinstance(links, list) or not all(isinstance(link, dict) for link in links):
        raise MalformedResponseError(
            f"unexpected reply from GET {MAGIC_LINKS_PATH}: no 'magic_links' list", status_code=200
        )
    return links


def _path(link_id: str) -> str:
    if not _ID_RE.match(link_id):
        raise UsageError(f"invalid magic link id {link_id!r}", hint="`trackstar magic-links list` shows the ids")
    return f"{MAGIC_LINKS_PATH}/{link_id}"


def get_magic_link(svc: Services, link_id: str) -> dict[str, Any]:
    path = _path(link_id)
    try:
        return _link_of(svc.client().request("GET", path), f"GET {path}")
    except NotFoundError as exc:
        exc.hint = "`trackstar magic-links list` shows the ids"
        raise


def delete_magic_link(svc: Services, link_id: str) -> dict[str, Any]:
    path = _path(link_id)
    try:
        reply = svc.client().request("DELETE", path, retry=True)  # harmless to repeat: a 404 the second time
    except NotFoundError as exc:
        exc.hint = "`trackstar magic-links list` shows the ids"
        raise
    return reply if isinstance(reply, dict) else {"id": link_id, "object": "magic_link", "deleted": True}


def magic_link_url(svc: Services, link: dict[str, Any]) -> str | None:
    """The URL to send the customer: a `url` the API may add one day, else the emulator's page, else None."""
    url = link.get("url")
    if isinstance(url, str) and url.startswith("https://"):
        return url
    base = svc.settings.base_url
    if (urlsplit(base).hostname or "") in _LOOPBACK:
        return base.rstrip("/") + EMULATOR_PAGE_PATH.format(id=link["id"])
    return None


# -- waiting for the customer ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitOptions:
    customer_id: str | None
    known: frozenset[str]  # connection ids that existed before the link was made
    timeout: float = polling.DEFAULT_TIMEOUT
    interval: float = polling.DEFAULT_INTERVAL


def known_connection_ids(svc: Services) -> frozenset[str]:
    """The organisation's connection ids now: what a wait must not mistake for the customer's new one."""
    return frozenset(str(item.get("connection_id")) for item in iter_remote_connections(svc))


def wait_for_connection(
    svc: Services, opts: WaitOptions, on_progress: Callable[[str], None] | None = None
) -> tuple[dict[str, Any], Connection | None]:
    """Poll GET /connections until a connection appears that was not there before and has the link's
    customer id; returns it (the API's object) and the stored connection if something already stored it."""
    polling.check_wait(opts.timeout, opts.interval)
    polls = 0

    def check() -> dict[str, Any] | None:
        nonlocal polls
        polls += 1
        for item in iter_remote_connections(svc):
            cid = str(item.get("connection_id"))
            if cid not in opts.known and (opts.customer_id is None or item.get("customer_id") == opts.customer_id):
                return item
        if on_progress:
            who = f"customer {opts.customer_id}" if opts.customer_id else "the customer"
            on_progress(f"waiting for {who} to connect with the magic link (check {polls})")
        return None

    started = polling.monotonic()
    item = polling.poll(
        check,
        timeout=opts.timeout,
        interval=opts.interval,
        what="a connection made with the magic link",
        hint="the link still works until it expires: `trackstar connections list --remote` shows new connections",
    )
    cid = str(item.get("connection_id"))
    # The token comes in the connection.created webhook, which may land a moment after the connection shows up.
    grace = min(TOKEN_GRACE_POLLS * opts.interval, max(0.0, opts.timeout - (polling.monotonic() - started)))
    if grace <= 0:
        return item, stored_connection(svc, cid)
    try:
        conn = polling.poll(
            lambda: stored_connection(svc, cid), timeout=grace, interval=opts.interval, what="its token"
        )
    except WaitTimeoutError:
        return item, None
    return item, conn


def stored_connection(svc: Services, connection_id: str) -> Connection | None:
    """The connection if it is stored, else stored now from a verified `connection.created` delivery that
    `trackstar webhooks listen` recorded in this profile (the token is in it), else None."""
    from trackstar_cli.service.webhook_events import store_event_connection

    conn = svc.store.get(svc.profile, connection_id)
    if conn is not None:
        return conn
    for delivery in svc.store.list_deliveries(
        svc.profile, event_types=("connection.created",), connection_id=connection_id, limit=10
    ):
        if delivery.verified:
            try:
                return store_event_connection(svc, delivery)
            except UsageError:  # verified, but without a token: keep looking
                continue
    return None
