"""Webhooks: the endpoint secret, verifying Svix-signed deliveries, the stored deliveries, replay and trigger.

Trackstar delivers webhooks through Svix: headers `svix-id`, `svix-timestamp`, `svix-signature`; signed
content `{id}.{timestamp}.{raw body}`; HMAC-SHA256 keyed with the base64 part of the `whsec_…` secret;
`v1,<base64>` entries, space-separated (several during a secret rotation), one match suffices. Signing and
verifying are `standardwebhooks`' (the Svix team's verifier); this module maps the `svix-*` headers onto
its `webhook-*` names and first tells apart *why* a delivery is invalid, which the library does not.

Stored deliveries, replay and trigger are in service/webhook_events.py, the receiver (`webhooks listen`) in
service/webhook_receiver.py. Nothing here prints, prompts or exits.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from trackstar_cli import credentials
from trackstar_cli.config import is_loopback
from trackstar_cli.errors import (
    CredentialsError,
    TrackstarError,
    UsageError,
    WebhookVerificationError,
)
from trackstar_cli.spec import SIGNATURE_TOLERANCE, SVIX_HEADERS, WEBHOOK_SECRET_BYTES, WEBHOOK_SECRET_PREFIX

if TYPE_CHECKING:
    from trackstar_cli.service import Services

__all__ = [
    "DEFAULT_SEND_TIMEOUT",
    "SVIX_HEADERS",
    "SendResult",
    "Verified",
    "VerifyOptions",
    "check_target",
    "event_summary",
    "generate_secret",
    "new_message_id",
    "parse_event",
    "remove_secret",
    "resolve_secret",
    "save_secret",
    "send",
    "sign",
    "validate_secret",
    "verify",
    "verify_delivery",
]

SECRET_PREFIX = WEBHOOK_SECRET_PREFIX
SECRET_BYTES = WEBHOOK_SECRET_BYTES

DEFAULT_SEND_TIMEOUT = 15.0  # Svix gives a receiver 15 s
_SIG_ENTRY = re.compile(r"^v[0-9]+[a-z]?,[A-Za-z0-9+/_-]+={0,2}$")
STANDARD_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")  # the same, Standard Webhooks' names
_HOP_BY_HOP = frozenset(
    {"host", "content-length", "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade"}
)


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


# -- sending: replay, trigger, forward ---------------------------------------------------------------------


def check_target(url: str) -> str:
    """http(s) only; plain http only to a loopback host (events carry access tokens)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"not an http(s) URL: {url!r}")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise UsageError(f"refusing plain http to {parts.hostname}: events carry access tokens", hint="use https://")
    return url


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
