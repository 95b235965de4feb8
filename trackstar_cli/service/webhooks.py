"""Webhooks: the endpoint secret, verifying Svix-signed deliveries, the stored deliveries, replay and trigger.

Trackstar delivers webhooks through Svix: headers `svix-id`, `svix-timestamp`, `svix-signature`; signed
content `{id}.{timestamp}.{raw body}`; HMAC-SHA256 keyed with the base64 part of the `whsec_…` secret;
`v1,<base64>` entries, space-separated (several during a secret rotation), one match suffices. Signing and
verifying are `standardwebhooks`' (the Svix team's verifier); this module maps the `svix-*` headers onto
its `webhook-*` names and first tells apart *why* a delivery is invalid, which the library does not.

The receiver (`webhooks listen`) is in service/webhook_receiver.py. Nothing here prints, prompts or exits.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import json
import re
import secrets
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from trackstar_cli import credentials
from trackstar_cli.errors import (
    CredentialsError,
    ExitCode,
    TrackstarError,
    UsageError,
    WebhookVerificationError,
)
from trackstar_cli.service.query import parse_since
from trackstar_cli.store import Connection, Delivery

if TYPE_CHECKING:
    from trackstar_cli.service import Services

__all__ = [
    "EVENT_TYPES",
    "EventsQuery",
    "ReplayOptions",
    "SendResult",
    "TriggerOptions",
    "Verified",
    "VerifyOptions",
    "delivery_to_dict",
    "event_summary",
    "get_event",
    "list_events",
    "make_event",
    "new_message_id",
    "parse_event",
    "remove_secret",
    "replay",
    "resolve_secret",
    "save_secret",
    "send",
    "sign",
    "store_event_connection",
    "trigger",
    "validate_secret",
    "verify",
    "verify_delivery",
]

# Trackstar facts (move to spec.py) -----------------------------------------------------------------------
SVIX_HEADERS = ("svix-id", "svix-timestamp", "svix-signature")
SIGNATURE_TOLERANCE = 300  # seconds either way, Svix's and Standard Webhooks' window
SECRET_PREFIX = "whsec_"
SECRET_BYTES = (24, 64)  # Standard Webhooks: a key of 24 to 64 bytes
_SAMPLES_FILE = Path(__file__).with_name("webhook_samples.json")  # tools/gen_webhook_samples.py writes it
# ---------------------------------------------------------------------------------------------------------

DEFAULT_SEND_TIMEOUT = 15.0  # Svix gives a receiver 15 s
_SIG_ENTRY = re.compile(r"^v[0-9]+[a-z]?,[A-Za-z0-9+/_-]+={0,2}$")
_HOP_BY_HOP = frozenset(
    {"host", "content-length", "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade"}
)


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


# -- the secret --------------------------------------------------------------------------------------------


def validate_secret(value: str) -> str:
    """A `whsec_` + base64 secret of 24-64 bytes, stripped; UsageError naming what is wrong (never the secret)."""
    value = value.strip()
    if not value.startswith(SECRET_PREFIX):
        raise UsageError(
            "a webhook secret starts with whsec_", hint="copy it from the endpoint's page in the Trackstar dashboard"
        )
    raw = value[len(SECRET_PREFIX) :]
    try:
        key = base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise UsageError("the webhook secret is not whsec_ followed by base64") from None
    if not SECRET_BYTES[0] <= len(key) <= SECRET_BYTES[1]:
        raise UsageError(f"the webhook secret decodes to {len(key)} bytes; Svix secrets have 24 to 64")
    return value


def resolve_secret(svc: Services) -> tuple[str, str]:
    """(secret, source): TRACKSTAR_WEBHOOK_SECRET first, then the profile's keyring entry."""
    if svc.settings.webhook_secret_env:
        return validate_secret(svc.settings.webhook_secret_env), "env"
    stored = credentials.get_webhook_secret(svc.settings.profile)
    if not stored:
        raise CredentialsError(
            f"no webhook secret for profile {svc.settings.profile!r}",
            hint="run `trackstar webhooks secret set` (or set TRACKSTAR_WEBHOOK_SECRET, or pass --secret-stdin)",
        )
    return validate_secret(stored), "keyring"


def save_secret(svc: Services, value: str) -> None:
    credentials.set_webhook_secret(svc.settings.profile, validate_secret(value))


def remove_secret(svc: Services) -> bool:
    return credentials.delete_webhook_secret(svc.settings.profile)


def generate_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


# -- signing and verifying ---------------------------------------------------------------------------------


def _webhook(secret: str) -> Any:
    from standardwebhooks import Webhook

    return Webhook(validate_secret(secret))


def new_message_id() -> str:
    """A Svix-style message id: `msg_` and 27 base62 characters."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    return "msg_" + "".join(secrets.choice(alphabet) for _ in range(27))


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three Svix headers for `body` (UTF-8 JSON), signed with standardwebhooks."""
    stamp = datetime.fromtimestamp(timestamp, tz=timezone.utc)
    signature = _webhook(secret).sign(msg_id, stamp, body.decode("utf-8"))
    return {"svix-id": msg_id, "svix-timestamp": str(timestamp), "svix-signature": str(signature)}


@dataclass(frozen=True)
class VerifyOptions:
    body: bytes
    headers: Mapping[str, str]  # svix-* or webhook-*, any case
    secret: str | None = None  # None: TRACKSTAR_WEBHOOK_SECRET or the profile's
    now: float | None = None  # None: the clock; an epoch to check an old delivery
    tolerance: int = SIGNATURE_TOLERANCE


@dataclass(frozen=True)
class Verified:
    msg_id: str
    timestamp: int
    skew: int  # now - timestamp, seconds
    event: dict[str, Any] | None = field(default=None, compare=False)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lower = {k.lower(): v for k, v in headers.items()}
    return lower.get(f"svix-{name}") or lower.get(f"webhook-{name}")


def verify(
    secret: str, body: bytes, headers: Mapping[str, str], *, now: float | None = None, tolerance: int = 300
) -> Verified:
    """Check one delivery; raises WebhookVerificationError with the reason (missing_header, malformed,
    stale, bad_signature) or returns what was verified."""
    msg_id, stamp, signature = (_header(headers, n) for n in ("id", "timestamp", "signature"))
    found = {"svix-id": msg_id, "svix-timestamp": stamp, "svix-signature": signature}
    missing = [name for name, value in found.items() if not value]
    if missing or msg_id is None or stamp is None or signature is None:
        raise WebhookVerificationError("missing_header", f"missing header {', '.join(missing)}")
    if not stamp.isascii() or not stamp.isdigit() or len(stamp) > 12:
        raise WebhookVerificationError("malformed", "svix-timestamp is not whole seconds since the epoch")
    entries = signature.split()
    if not entries or not all(_SIG_ENTRY.match(e) for e in entries):
        raise WebhookVerificationError(
            "malformed", "svix-signature is not a space-separated list of v1,<base64> signatures"
        )
    timestamp = int(stamp)
    clock = time.time() if now is None else now
    skew = int(clock) - timestamp
    if abs(skew) > tolerance:
        direction = "old" if skew > 0 else "in the future"
        raise WebhookVerificationError(
            "stale",
            f"svix-timestamp is {abs(skew)} s {direction} (more than {tolerance} s); skew {skew:+d} s",
            hint="a replayed or saved delivery: pass --now EPOCH to check it as of then",
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise WebhookVerificationError("bad_signature", "no signature matches: the body is not UTF-8") from None
    wh = _webhook(secret)
    mapped = {"webhook-id": msg_id, "webhook-timestamp": stamp, "webhook-signature": " ".join(entries)}
    if now is None:
        from standardwebhooks import WebhookVerificationError as LibError

        try:
            wh.verify(text, mapped, json_parse=False)
        except (LibError, ValueError, binascii.Error):
            raise _no_match(len(entries)) from None
    else:  # standardwebhooks' verify reads the clock; for --now compare its signature ourselves
        expected = str(wh.sign(msg_id, datetime.fromtimestamp(timestamp, tz=timezone.utc), text))
        if not any(hmac.compare_digest(expected.encode(), e.encode()) for e in entries):
            raise _no_match(len(entries))
    return Verified(msg_id, timestamp, skew, parse_event(body))


def _no_match(count: int) -> WebhookVerificationError:
    return WebhookVerificationError(
        "bad_signature",
        f"no signature matches ({count} checked): wrong secret, or the body or svix-id/svix-timestamp changed",
        hint="check the secret with `trackstar webhooks secret show`; verify the raw body, not re-serialised JSON",
    )


def parse_event(body: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def verify_delivery(svc: Services, opts: VerifyOptions) -> Verified:
    secret = validate_secret(opts.secret) if opts.secret else resolve_secret(svc)[0]
    return verify(secret, opts.body, opts.headers, now=opts.now, tolerance=opts.tolerance)


def event_summary(event: dict[str, Any] | None) -> dict[str, Any]:
    """The fields a listing shows: event_type, connection_id, object id and previous_attributes."""
    if not event:
        return {"event_type": None, "connection_id": None, "object_id": None, "previous_attributes": None}
    data = event.get("data")
    object_id = data.get("id") if isinstance(data, dict) else None
    prev = event.get("previous_attributes")
    return {
        "event_type": event.get("event_type") if isinstance(event.get("event_type"), str) else None,
        "connection_id": event.get("connection_id") if isinstance(event.get("connection_id"), str) else None,
        "object_id": object_id if isinstance(object_id, (str, int)) else None,
        "previous_attributes": prev if isinstance(prev, dict) else None,
    }


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


# -- sending: replay, trigger, forward ---------------------------------------------------------------------


def check_target(url: str) -> str:
    """http(s) only; plain http only to a loopback host (events carry access tokens)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"not an http(s) URL: {url!r}")
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise UsageError(f"refusing plain http to {parts.hostname}: events carry access tokens", hint="use https://")
    return url


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class SendResult:
    target: str
    svix_id: str | None
    status: int | None
    error: str | None = None
    reply: bytes = b""
    delivery_id: int | None = None
    event_type: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def to_dict(self) -> dict[str, Any]:
        return {
            "delivery_id": self.delivery_id,
            "svix_id": self.svix_id,
            "event_type": self.event_type,
            "to": self.target,
            "status": self.status,
            "ok": self.ok,
            "error": self.error,
        }


def send(
    url: str, body: bytes, headers: Sequence[tuple[str, str]], *, timeout: float = DEFAULT_SEND_TIMEOUT
) -> SendResult:
    """POST the body with the given headers (hop-by-hop ones dropped); a failure is reported, not raised."""
    from trackstar_cli.client import post_webhook

    kept = {k: v for k, v in headers if k.lower() not in _HOP_BY_HOP}
    svix_id = _header(kept, "id")
    try:
        status, reply = post_webhook(url, body, kept, timeout=timeout)
    except TrackstarError as exc:
        return SendResult(url, svix_id, None, exc.message)
    return SendResult(url, svix_id, status, None, reply)


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
            headers = [(k, v) for k, v in headers if k.lower() not in {*SVIX_HEADERS, *_std_names()}]
            headers += list(signed.items())
        result = send(opts.to, d.body, headers, timeout=opts.timeout)
        yield SendResult(result.target, result.svix_id, result.status, result.error, result.reply, d.id, d.event_type)


def _std_names() -> tuple[str, ...]:
    return ("webhook-id", "webhook-timestamp", "webhook-signature")


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
    conn = svc.resolve_connection(opts.connection) if opts.connection else None
    event = make_event(opts.event_type, conn, opts.sets)
    secret = resolve_secret(svc)[0]
    body = json.dumps(event, separators=(",", ":")).encode()
    headers = {"content-type": "application/json", **sign(secret, new_message_id(), int(time.time()), body)}
    result = send(opts.to, body, list(headers.items()), timeout=opts.timeout)
    return SendResult(result.target, result.svix_id, result.status, result.error, result.reply, None, opts.event_type)
