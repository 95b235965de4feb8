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
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from trackstar_cli.errors import APIError, MalformedResponseError, UsageError
from trackstar_cli.models import Connection, Filter
from trackstar_cli.service.connections import resolve_connection
from trackstar_cli.service.query import ListQuery
from trackstar_cli.service.wms import iter_items
from trackstar_cli.service.write_body import check_body, parse_data, parse_lines, parse_tags
from trackstar_cli.spec import MAX_IN_VALUES, RESOURCES, SANDBOX, WRITES, InvalidSegmentError, WriteEndpoint

if TYPE_CHECKING:
    from trackstar_cli.service.core import Services

__all__ = [
    "ConfirmationRequiredError",
    "WriteOptions",
    "WritePlan",
    "WriteResult",
    "describe_write",
    "plan_write",
    "send_write",
]

_KEY_RE = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII: it travels in an HTTP header; ≤255 per the docs
# How `lines` (REF, QTY) become line_items: "product" (product_id, looked up by SKU), "sku" ({sku, quantity})
# or "expected" ({sku, expected_quantity}).
_LINE_SHAPES = {
    "create_order": "product",
    "update_order": "product",
    "create_inbound_shipment": "expected",
}


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


@dataclass(frozen=True)
class WritePlan:
    """A write ready to describe or send: nothing has left the machine yet (except product look-ups)."""

    op: WriteEndpoint
    connection: Connection
    path: str
    body: dict[str, Any] | None
    idempotency_key: str

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
    """Build and check the body (options override keys of --data), then pick the connection and the key.

    Local problems (bad JSON, null values, a bad line) fail before anything is sent. With lines on an
    order, SKUs are looked up in GET /wms/products to fill `product_id` (a read, also on a dry run)."""
    op = WRITES.get(opts.endpoint)
    if op is None:
        raise UsageError(f"unknown write {opts.endpoint!r}")
    try:
        path = op.url(opts.item_id)
    except InvalidSegmentError as exc:
        raise UsageError(str(exc)) from None
    key = _idempotency_key(opts.idempotency_key)
    if not op.has_body:
        return WritePlan(op, resolve_connection(svc, opts.connection), path, None, key)
    body = parse_data(opts.data, opts.data_source) if opts.data is not None else {}
    check_body(body)
    body.update({k: v for k, v in opts.fields.items() if v is not None})
    if opts.tags is not None:
        body["trackstar_tags"] = parse_tags(opts.tags)
    shape = _LINE_SHAPES.get(op.name, "sku")
    parsed = parse_lines(opts.lines, shape)
    _shape(op, body)
    check_body(body)
    conn = resolve_connection(svc, opts.connection)
    if parsed:
        body["line_items"] = _line_items(svc, conn, shape, parsed)
        check_body(body)
    return WritePlan(op, conn, path, body, key)


def _shape(op: WriteEndpoint, body: dict[str, Any]) -> None:
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
    if op.name == "ship_order" and "shipped_date" not in body:
        from datetime import datetime, timezone

        body["shipped_date"] = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _line_items(svc: Services, conn: Connection, shape: str, parsed: list[tuple[str, int]]) -> list[dict[str, Any]]:
    if shape == "expected":
        return [{"sku": ref, "expected_quantity": qty} for ref, qty in parsed]
    if shape != "product":
        return [{"sku": ref, "quantity": qty} for ref, qty in parsed]
    products = _products_by_sku(svc, conn, list(dict.fromkeys(ref for ref, _ in parsed)))
    items: list[dict[str, Any]] = []
    for ref, qty in parsed:
        product = products.get(ref)
        if product is None:  # not a SKU we know: take it for a product id and let the API judge
            items.append({"product_id": ref, "quantity": qty})
        else:
            items.append({"product_id": str(product["id"]), "sku": ref, "quantity": qty})
    return items


def _products_by_sku(svc: Services, conn: Connection, skus: list[str]) -> dict[str, dict[str, Any]]:
    """SKU → product, from GET /wms/products?sku[in]=…; a connection that cannot read products gets {}."""
    found: dict[str, dict[str, Any]] = {}
    try:
        for chunk in _chunks(skus, MAX_IN_VALUES):
            query = ListQuery(filters=(Filter("sku", ",".join(chunk), "in"),))
            for product in iter_items(svc, RESOURCES["products"], conn, query):
                sku = product.get("sku")
                if isinstance(sku, str) and sku not in found and product.get("id"):
                    found[sku] = product
    except APIError as exc:
        if exc.status_code not in (403, 501):  # products not readable here: refs go out as product ids
            raise
    return found


def _chunks(values: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


# -- describing and sending ------------------------------------------------------------------------------


def describe_write(svc: Services, plan: WritePlan) -> dict[str, Any]:
    """The exact request `send_write` would make, secrets redacted (for --dry-run). Sends nothing."""
    described = svc.client().describe(
        plan.op.method,
        plan.path,
        json_body=plan.body,
        access_token=plan.connection.access_token,
        headers=plan.headers,
    )
    return {**described, "idempotency_key": plan.idempotency_key}


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
    response = svc.client().send(
        plan.op.method,
        plan.path,
        json_body=plan.body,
        access_token=conn.access_token,
        retry=True,
        headers=plan.headers,
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
