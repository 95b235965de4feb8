"""Write use cases: build a write's body, check it locally, describe it (dry run) or send it once.

A write is planned first (`plan_write`: body from --data and options, local checks, connection, key), then
either described (`describe_write`) or sent (`send_write`). The split lets the command ask for confirmation
in between; the confirmation arrives here as a bool, never as a prompt.

- Bodies follow the documented non-null rule: no null, "" or null-like string ("null", "none", …) anywhere,
  else Trackstar answers 422. We refuse such bodies before sending, naming each field path.
- Every write carries an Idempotency-Key (a uuid4 unless the caller gives one). The client repeats a request
  that may have reached the server only because of that key: Trackstar replays the first response instead
  of applying the write twice (api-notes §6.3).
- Writes to a connection that is not the sandbox must be confirmed (they change a customer's live WMS).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from trackstar_cli.errors import MalformedResponseError, UsageError
from trackstar_cli.models import Connection
from trackstar_cli.service.connections import resolve_connection
from trackstar_cli.service.variant_check import check, field_rows
from trackstar_cli.service.variants import Variant, integration_label, variant_for
from trackstar_cli.service.write_body import check_body, parse_data, parse_lines, parse_measurements, parse_tags
from trackstar_cli.service.write_lines import LINE_SHAPES, place_lines
from trackstar_cli.spec import (
    FIELD_ALIASES,
    SANDBOX,
    WRITES,
    InvalidSegmentError,
    WriteEndpoint,
)

if TYPE_CHECKING:
    from trackstar_cli.service.core import Services

__all__ = [
    "ConfirmationRequiredError",
    "WriteOptions",
    "WritePlan",
    "WriteResult",
    "describe_write",
    "help_fields",
    "plan_write",
    "send_write",
]

_KEY_RE = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII: it travels in an HTTP header; ≤255 per the docs


class ConfirmationRequiredError(UsageError):
    """A write to a live WMS that nobody confirmed; nothing was sent."""


@dataclass(frozen=True)
class WriteOptions:
    """One write as the user asked for it. `fields` override keys of `data` (None values are left out)."""

    endpoint: str  # a spec.WRITES name
    connection: str | None = None
    item_id: str | None = None
    data: str | None = None
    data_source: str = "--data"
    fields: Mapping[str, Any] = field(default_factory=dict)
    lines: Sequence[str] = ()
    tags: Sequence[str] | None = None
    idempotency_key: str | None = None
    command: str = ""  # "orders create": how messages name the write
    options: Mapping[str, str] = field(default_factory=dict)  # body field → the option that sets it
    upload: tuple[str, bytes, str] | None = None  # (file name, content, content type) for attach_order_file
    components: Sequence[str] = ()  # kit components SKU:QTY → inventory_items
    measurements: tuple[str | None, str | None] | None = None  # (--measurements, --weight) as typed


@dataclass(frozen=True)
class WritePlan:
    """A write ready to describe or send: nothing has left the machine yet (except product look-ups)."""

    op: WriteEndpoint
    connection: Connection
    path: str
    body: dict[str, Any] | None
    idempotency_key: str
    variant_source: str = "none"  # where the body's rules came from: write-info, table or none
    upload: tuple[str, bytes, str] | None = None

    @property
    def needs_confirmation(self) -> bool:
        """Anything but the sandbox is a customer's live WMS."""
        return self.connection.integration_name != SANDBOX

    @property
    def headers(self) -> dict[str, str]:
        return {"Idempotency-Key": self.idempotency_key}

    @property
    def label(self) -> str:
        return self.connection.alias or self.connection.connection_id


@dataclass(frozen=True)
class WriteResult:
    """The API's write envelope {data, id, unused_fields}, and whether Trackstar replayed a stored reply."""

    envelope: dict[str, Any]
    replayed: bool = False
    unused_fields: list[str] = field(default_factory=list)

    @property
    def data(self) -> Any:
        return self.envelope.get("data")

    @property
    def id(self) -> str | None:
        value = self.envelope.get("id")
        return None if value is None else str(value)


def _idempotency_key(given: str | None) -> str:
    if given is None:
        import uuid

        return str(uuid.uuid4())
    if not _KEY_RE.match(given):
        raise UsageError(
            "--idempotency-key must be 1 to 255 visible ASCII characters (no spaces)",
            hint="reuse the key printed by the failed attempt, or leave the option out for a fresh one",
        )
    return given


# -- planning --------------------------------------------------------------------------------------------


def plan_write(svc: Services, opts: WriteOptions) -> WritePlan:
    """Build and check the body for the connection's integration, then pick the key.

    Local problems (bad JSON, null values, a bad line) fail before anything is sent; so do fields the
    integration's variant requires, forbids or limits (`variant_check.check`), and writes it has no variant for
    (exit 7). With lines, SKUs are looked up (GET /wms/products or /wms/inventory) where the variant wants
    product or inventory ids (a read, also on a dry run); so is the connection's write-info, once an hour."""
    op = WRITES.get(opts.endpoint)
    if op is None:
        raise UsageError(f"unknown write {opts.endpoint!r}")
    try:
        path = op.url(opts.item_id)
    except InvalidSegmentError as exc:
        raise UsageError(str(exc)) from None
    key = _idempotency_key(opts.idempotency_key)
    if op.multipart:
        return _plan_upload(svc, opts, op, path, key)
    if not op.has_body:
        conn = resolve_connection(svc, opts.connection)
        return WritePlan(op, conn, path, None, key)
    body = parse_data(opts.data, opts.data_source) if opts.data is not None else {}
    check_body(body)
    shape = LINE_SHAPES.get(op.name, "sku")
    parsed = parse_lines(opts.lines, shape)
    fields = dict(opts.fields)
    if opts.measurements is not None:
        fields["measurements"] = parse_measurements(*opts.measurements)
    if opts.components:
        fields["inventory_items"] = [
            {"sku": ref, "unit_quantity": qty} for ref, qty, _ in parse_lines(opts.components, "component")
        ]
    conn = resolve_connection(svc, opts.connection)
    variant = variant_for(svc, conn, op.name)
    for name, value in fields.items():
        if value is None:
            continue
        target = _field_name(variant, name)
        if isinstance(value, dict) and isinstance(body.get(target), dict):
            value = {**body[target], **value}
        body[target] = value
    if opts.tags is not None:
        body["trackstar_tags"] = parse_tags(opts.tags)
    _shape(op, variant, body)
    check_body(body)
    if parsed:
        place_lines(svc, conn, op, variant, body, parsed, opts.command or op.name)
        check_body(body)
    check(variant, body, opts.options, opts.command or op.name)
    return WritePlan(op, conn, path, body, key, variant.source)


def _field_name(variant: Variant, name: str) -> str:
    """The integration's name for an option's field: `reference_id` is Extensiv's `reference_num` on returns."""
    if variant.schema is None or variant.has(name):
        return name
    return next((alias for alias in FIELD_ALIASES.get(name, ()) if variant.has(alias)), name)


def _shape(op: WriteEndpoint, variant: Variant, body: dict[str, Any]) -> None:
    """Small conveniences on the merged body: `--quantity -5` adjusts down and `--quantity 5` up (unless a type
    is given); a shipment defaults to now."""
    if op.name == "adjust_inventory":
        qty = body.get("quantity")
        if isinstance(qty, int) and not isinstance(qty, bool) and qty < 0:
            if body.get("adjustment_type", "decrease") != "decrease":
                raise UsageError("a negative --quantity means a decrease; it contradicts --type increase")
            body["quantity"], body["adjustment_type"] = -qty, "decrease"
        elif isinstance(qty, int) and not isinstance(qty, bool) and qty > 0:
            body.setdefault("adjustment_type", "increase")  # 3 adds, as -3 removes
    wants_date = variant.schema is None or variant.has("shipped_date")
    if op.name == "ship_order" and "shipped_date" not in body and wants_date:
        from datetime import datetime, timezone

        body["shipped_date"] = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _plan_upload(svc: Services, opts: WriteOptions, op: WriteEndpoint, path: str, key: str) -> WritePlan:
    """attach_order_file: a multipart form with a file and/or file_url, and file_name."""
    form = {k: str(v) for k, v in opts.fields.items() if v is not None}
    if opts.upload is None and "file_url" not in form:
        raise UsageError("nothing to attach", hint="give a FILE, or --url with the address of one")
    for name, value in form.items():
        if not value.strip():
            raise UsageError(f"--{name.replace('_', '-')} must not be empty")
    if opts.upload is not None:
        form.setdefault("file_name", opts.upload[0])
    conn = resolve_connection(svc, opts.connection)
    return WritePlan(op, conn, path, form, key, "none", upload=opts.upload)


@dataclass(frozen=True)
class FieldHelp:
    integration: str
    source: str  # write-info, table or none
    rows: list[dict[str, Any]]


def help_fields(svc: Services, endpoint: str, connection: str | None, options: Mapping[str, str]) -> FieldHelp:
    """What the connection's integration takes for a write (`--help-fields`); sends no write."""
    conn = resolve_connection(svc, connection)
    variant = variant_for(svc, conn, endpoint)
    return FieldHelp(integration_label(conn.integration_name), variant.source, field_rows(variant, options))


# -- describing and sending ------------------------------------------------------------------------------


def describe_write(svc: Services, plan: WritePlan) -> dict[str, Any]:
    """The exact request `send_write` would make, secrets redacted (for --dry-run). Sends nothing."""
    described = svc.client().describe(
        plan.op.method,
        plan.path,
        json_body=None if plan.op.multipart else plan.body,
        access_token=plan.connection.access_token,
        headers=plan.headers,
    )
    if plan.op.multipart:  # the form's fields, and the file by name, size and type (not its bytes)
        form: dict[str, Any] = dict(plan.body or {})
        if plan.upload is not None:
            name, content, ctype = plan.upload
            form["file"] = {"file_name": name, "bytes": len(content), "content_type": ctype}
        described["body"] = form
        described["content_type"] = "multipart/form-data"
    return {**described, "idempotency_key": plan.idempotency_key, "rules": plan.variant_source}


def send_write(svc: Services, plan: WritePlan, *, confirmed: bool) -> WriteResult:
    """Send the write once (repeats are replays thanks to the Idempotency-Key) and return its envelope.

    `confirmed` must be True for a connection that is not the sandbox; the caller asks the user."""
    conn = plan.connection
    if plan.needs_confirmation and not confirmed:
        raise ConfirmationRequiredError(
            f"connection {plan.label} is {conn.integration_name}, a live WMS: a write to it must be confirmed, "
            "and there is no terminal to ask on"
        )
    # Repeating this write is harmless only because it carries an Idempotency-Key: Trackstar replays the
    # first response instead of applying it again. A failure here may or may not have been applied; the
    # caller can repeat it with the same key (plan.idempotency_key).
    multipart = plan.op.multipart
    response = svc.client().send(
        plan.op.method,
        plan.path,
        json_body=None if multipart else plan.body,
        access_token=conn.access_token,
        retry=True,
        headers=plan.headers,
        files={"file": plan.upload} if multipart and plan.upload else None,
        form={str(k): str(v) for k, v in (plan.body or {}).items()} if multipart else None,
    )
    envelope = _envelope(response.content, response.status_code, response.headers.get("x-request-id"))
    unused = envelope.get("unused_fields")
    return WriteResult(
        envelope,
        replayed=response.headers.get("idempotent-replayed", "").lower() == "true",
        unused_fields=[str(u) for u in unused] if isinstance(unused, list) else [],
    )


def _envelope(content: bytes, status: int, request_id: str | None) -> dict[str, Any]:
    try:
        body = json.loads(content) if content else None
    except ValueError:  # JSONDecodeError and UnicodeDecodeError both are
        body = None
    if not isinstance(body, dict) or "data" not in body:
        raise MalformedResponseError(
            "the API's reply to the write is not the documented {data, id, unused_fields} envelope",
            status_code=status,
            request_id=request_id,
            hint="the write was probably applied",
        )
    return body
