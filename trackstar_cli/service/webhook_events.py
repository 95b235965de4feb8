"""Stored webhook deliveries (`webhooks events`), `webhooks replay` and `webhooks trigger`'s sample events.

Sample events come from webhook_samples.json, a fact table derived from Trackstar's OpenAPI spec and the
emulator's generator by tools/gen_webhook_samples.py: for each of the 39 event types the envelope's
integration_type, the kind of previous_attributes, the status enum and a full sample object. Nothing here
prints, prompts or exits.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trackstar_cli.errors import ExitCode, TrackstarError, UsageError
from trackstar_cli.models import Connection, Delivery
from trackstar_cli.service.connections import resolve_connection
from trackstar_cli.service.query import parse_since
from trackstar_cli.service.webhooks import (
    DEFAULT_SEND_TIMEOUT,
    STANDARD_HEADERS,
    SVIX_HEADERS,
    SendResult,
    check_target,
    new_message_id,
    parse_event,
    resolve_secret,
    send,
    sign,
)

if TYPE_CHECKING:
    from trackstar_cli.service import Services

__all__ = [
    "EVENT_TYPES",
    "DeliveryNotFoundError",
    "EventsQuery",
    "ReplayOptions",
    "TriggerOptions",
    "delivery_to_dict",
    "event_types",
    "get_event",
    "list_events",
    "make_event",
    "replay",
    "store_event_connection",
    "trigger",
]

# Trackstar's sample event objects, derived from the spec and the emulator by tools/gen_webhook_samples.py.
_SAMPLES_FILE = Path(__file__).with_name("webhook_samples.json")


class DeliveryNotFoundError(TrackstarError):
    exit_code = ExitCode.NOT_FOUND


@lru_cache(maxsize=1)
def _samples() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_SAMPLES_FILE.read_text())
    return data


def event_types() -> dict[str, dict[str, Any]]:
    """The spec's 39 event types: {type: {object, integration_type, previous, description}}."""
    events: dict[str, dict[str, Any]] = _samples()["events"]
    return events


EVENT_TYPES: tuple[str, ...] = tuple(event_types())


# -- stored deliveries -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventsQuery:
    types: tuple[str, ...] = ()  # globs: order.*, inventory.updated
    connection: str | None = None  # id or alias
    since: str | None = None  # date or age (7d)
    failed: bool = False
    limit: int | None = None


def delivery_to_dict(d: Delivery, *, full: bool = False) -> dict[str, Any]:
    """The JSON contract of `webhooks events list` (and, with the headers and body, of `events show`)."""
    out: dict[str, Any] = {
        "id": d.id,
        "svix_id": d.svix_id,
        "received_at": d.received_at,
        "event_type": d.event_type,
        "connection_id": d.connection_id,
        "object_id": d.object_id,
        "verified": d.verified,
        "reason": d.reason,
        "attempts": d.attempts,
        "forward_status": d.forward_status,
        "forward_error": d.forward_error,
    }
    if full:
        out["headers"] = [list(h) for h in d.headers]
        event = parse_event(d.body)
        out["body"] = event if event is not None else d.body.decode("utf-8", "replace")
    return out


def _connection_id(svc: Services, ref: str) -> str:
    conn = svc.store.get(svc.settings.profile, ref)
    return conn.connection_id if conn else ref


def list_events(svc: Services, query: EventsQuery) -> list[Delivery]:
    since = parse_since(query.since) if query.since else None
    return svc.store.list_deliveries(
        svc.settings.profile,
        event_types=query.types,
        connection_id=_connection_id(svc, query.connection) if query.connection else None,
        since=since,
        failed=query.failed,
        limit=query.limit,
    )


def get_event(svc: Services, ref: str) -> Delivery:
    found = svc.store.get_delivery(svc.settings.profile, ref.strip())
    if found is None:
        raise DeliveryNotFoundError(
            f"no stored webhook delivery {ref!r}", hint="list them with `trackstar webhooks events list`"
        )
    return found


def store_event_connection(svc: Services, delivery: Delivery) -> Connection:
    """Save the connection a valid `connection.created` delivery carries (magic-link onboarding)."""
    event = parse_event(delivery.body) or {}
    raw = event.get("data")
    data: dict[str, Any] = raw if isinstance(raw, dict) else {}
    token, cid = data.get("access_token"), event.get("connection_id")
    if not delivery.verified or event.get("event_type") != "connection.created" or not token or not cid:
        raise UsageError(f"delivery {delivery.id} is not a verified connection.created event with an access token")
    return svc.store.save_connection(
        profile=svc.settings.profile,
        connection_id=str(cid),
        integration_name=str(event.get("integration_name") or "unknown"),
        access_token=str(token),
    )


@dataclass(frozen=True)
class ReplayOptions:
    refs: tuple[str, ...]
    to: str
    resign: bool = False
    timeout: float = DEFAULT_SEND_TIMEOUT


def replay(svc: Services, opts: ReplayOptions) -> Iterator[SendResult]:
    """Resend stored deliveries, byte for byte; with `resign` a fresh svix-timestamp and signature (same id)."""
    check_target(opts.to)
    deliveries = [get_event(svc, ref) for ref in opts.refs]  # every id is checked before anything is sent
    secret = resolve_secret(svc)[0] if opts.resign else ""
    for d in deliveries:
        headers = list(d.headers)
        if opts.resign:
            msg_id = d.svix_id or new_message_id()
            signed = sign(secret, msg_id, int(time.time()), d.body)
            headers = [(k, v) for k, v in headers if k.lower() not in {*SVIX_HEADERS, *STANDARD_HEADERS}]
            headers += list(signed.items())
        result = send(opts.to, d.body, headers, timeout=opts.timeout)
        yield SendResult(result.target, result.svix_id, result.status, result.error, result.reply, d.id, d.event_type)


@dataclass(frozen=True)
class TriggerOptions:
    event_type: str
    to: str
    connection: str | None = None
    sets: tuple[str, ...] = ()  # path=value, value as JSON when it parses
    timeout: float = DEFAULT_SEND_TIMEOUT


def _set_path(target: Any, path: str, value: Any) -> None:
    parts = path.split(".")
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(target, list):
            if not part.isdigit() or int(part) >= len(target):
                raise UsageError(f"--set {path}: {part!r} is not an index of a list of {len(target)}")
            if last:
                target[int(part)] = value
                return
            target = target[int(part)]
        elif isinstance(target, dict):
            if last:
                target[part] = value
                return
            target = target.setdefault(part, {})
        else:
            raise UsageError(f"--set {path}: {'.'.join(parts[:i])} is not an object or a list")


def _previous(facts: dict[str, Any], data: dict[str, Any]) -> dict[str, Any] | None:
    kind = facts["previous"]
    if kind is None:
        return None
    if kind in ("shipments", "receipts"):
        items = data.get(kind)
        return {kind: items[:-1] if isinstance(items, list) else []}
    others = [s for s in facts.get("statuses", []) if s != data.get("status")]
    if isinstance(data.get("status"), str) and others:
        changed: dict[str, Any] = {"status": others[0]}
    else:
        changed = {"updated_date": "2025-09-01T00:00:00Z"}
    if facts.get("previous_full"):  # the spec asks for the whole prior object here
        return {**json.loads(json.dumps(data)), **changed}
    return changed


def make_event(event_type: str, connection: Connection | None = None, sets: Sequence[str] = ()) -> dict[str, Any]:
    """A spec-valid sample event of any type: the envelope, a full sample object, previous_attributes."""
    facts = event_types().get(event_type)
    if facts is None:
        raise UsageError(f"unknown event type {event_type!r}", hint="list them with `trackstar webhooks types`")
    data = json.loads(json.dumps(_samples()["objects"][facts["object"]]))  # a deep copy
    event: dict[str, Any] = {
        "connection_id": connection.connection_id if connection else "conn_sample",
        "integration_name": connection.integration_name if connection else "sandbox",
        "integration_type": facts["integration_type"] or "wms",
        "event_type": event_type,
        "data": data,
    }
    if connection and event_type == "connection.created":
        data["access_token"] = "sample_token_not_a_real_one"
    later: list[tuple[str, Any]] = []
    for item in sets:
        path, sep, raw = item.partition("=")
        if not sep or not path.strip():
            raise UsageError(f"--set wants path=value, not {item!r}", hint="e.g. --set data.status=shipped")
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        if path.strip().startswith("previous_attributes"):
            later.append((path.strip(), value))
        else:
            _set_path(event, path.strip(), value)
    if not isinstance(event["data"], dict):
        raise UsageError("--set cannot replace data with something that is not an object")
    prev = _previous(facts, event["data"])  # from the final data, so `status X → Y` always differs
    if prev is not None:
        event["previous_attributes"] = prev
    for path, value in later:
        _set_path(event, path, value)
    return event


def trigger(svc: Services, opts: TriggerOptions) -> SendResult:
    check_target(opts.to)
    conn = resolve_connection(svc, opts.connection) if opts.connection else None
    event = make_event(opts.event_type, conn, opts.sets)
    secret = resolve_secret(svc)[0]
    body = json.dumps(event, separators=(",", ":")).encode()
    headers = {"content-type": "application/json", **sign(secret, new_message_id(), int(time.time()), body)}
    result = send(opts.to, body, list(headers.items()), timeout=opts.timeout)
    return SendResult(result.target, result.svix_id, result.status, result.error, result.reply, None, opts.event_type)
