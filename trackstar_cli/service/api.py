"""`trackstar api`: one raw request to any Trackstar endpoint, with the CLI's auth, retries and errors.

`prepare` turns the command line into an `ApiRequest` (pure: bad input raises UsageError before any network
or credential work); `call` sends it and returns the decoded body; `iter_items` follows next_token →
page_token and yields every `data` item.

Decisions (the README's `trackstar api` section says the same):

- METHOD defaults to GET, or to POST with --input. Unlike `gh api`, -f/-F alone do not turn the default
  into POST: Trackstar reads are GETs filtered by query parameters (`-f 'sku[in]=A,B'`), most of its writes
  are PUTs, and a request that writes should be one the user named. For GET, -f/-F become query parameters
  with their keys unchanged; for other methods a JSON body, where `a[b]=1` nests and `a[]=1` appends. With
  --input the file is the body and -f/-F go to the query.
- The access token is sent to connection-scoped paths (`needs_access_token`), or to any path when a
  connection is named on the command line. API-key-only paths never look at the stored connections.
- POST/PUT/PATCH to a connection-scoped path get an `Idempotency-Key` (a fresh UUID) unless one is given
  with -H: Trackstar honours it on writes, so the client may retry them safely. DELETE gets none (a replayed
  DELETE /connections would meet a revoked token) and neither do API-key-only writes (`/link/exchange`
  spends a single-use code and Trackstar documents idempotency only for connection writes): those are not
  repeated once they may have reached the server.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from trackstar_cli.config import redact_url
from trackstar_cli.errors import UsageError
from trackstar_cli.models import Connection
from trackstar_cli.service.connections import resolve_connection
from trackstar_cli.service.write_body import MAX_JSON_DEPTH, check_json_depth
from trackstar_cli.spec import SANDBOX

if TYPE_CHECKING:
    from trackstar_cli.service.core import Services

__all__ = ["METHODS", "ApiRequest", "call", "iter_items", "needs_access_token", "prepare"]

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_IDEMPOTENT_WRITES = frozenset({"POST", "PUT", "PATCH"})
_SECRET_HEADERS = frozenset({"x-trackstar-api-key", "x-trackstar-access-token"})
_KEY_ONLY_TOPS = frozenset({"link", "magic-links", "integrations", "sandbox", "_emulator"})
_TOKEN_TOPS = frozenset({"wms", "cart", "carrier", "freight", "schedules"})
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_FIELD_KEY_RE = re.compile(r"^(?P<name>[^\[\]]+)(?P<subs>(?:\[[^\[\]]*\])*)$")
_NUMBER_RE = re.compile(r"^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$")
_HEADER_NAME_RE = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_FIELD_HINT = "write fields as key=value, e.g. -f 'sku[in]=A,B' or -F quantity=3"


@dataclass(frozen=True)
class ApiRequest:
    method: str
    path: str  # relative to the base URL, starting with "/"
    params: dict[str, str] = field(default_factory=dict)
    body: Any = None
    has_body: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    scoped: bool = False  # the path needs a connection's access token
    method_implied: bool = False  # METHOD was not given
    paginate: bool = False


def needs_access_token(method: str, path: str) -> bool:
    """Whether Trackstar wants `x-trackstar-access-token` on this call (from the spec's header parameters).

    API key only: /link/*, /magic-links*, /integrations*, /{type}/integrations*, /{type}/{x}/meta/{name},
    /sandbox/*, GET /connections, GET /connections/{id}. Key and token: the rest of /wms, /cart, /carrier,
    /freight and /schedules, PATCH and DELETE /connections, /connections/sync, /connections/on-demand-syncs.
    Anything else is taken as API-key-only."""
    segs = [s for s in path.split("?", 1)[0].split("/") if s]
    if not segs or segs[0] in _KEY_ONLY_TOPS:
        return False
    if len(segs) >= 2 and segs[1] == "integrations":
        return False
    if len(segs) == 4 and segs[2] == "meta":
        return False
    if segs[0] == "connections":
        if len(segs) == 1:
            return method != "GET"
        return not (len(segs) == 2 and method == "GET" and segs[1] not in {"sync", "on-demand-syncs"})
    return segs[0] in _TOKEN_TOPS


def prepare(
    args: Sequence[str],
    *,
    base_url: str,
    raw_fields: Sequence[str] = (),
    typed_fields: Sequence[str] = (),
    input_file: str | None = None,
    headers: Sequence[str] = (),
    paginate: bool = False,
    read_stdin: Callable[[], str] | None = None,
) -> ApiRequest:
    """Check and assemble the request the command line describes; raises UsageError on bad input."""
    reader = _Reader(read_stdin)
    given, target = _method_and_target(args)
    method = given or ("POST" if input_file is not None and not paginate else "GET")
    if paginate and method != "GET":
        raise UsageError(f"--paginate follows pages of a GET, not of a {method}", hint="drop --paginate or METHOD")
    if input_file is not None and method == "GET":
        raise UsageError("--input sends a request body, and a GET has none", hint="name the METHOD, e.g. POST or PUT")
    path, params = _split_target(target, base_url)
    headers_ = parse_headers(headers)
    body, has_body = (_read_json(input_file, reader), True) if input_file is not None else (None, False)
    fields = [(_split_field(f, False), False) for f in raw_fields] + [
        (_split_field(f, True), True) for f in typed_fields
    ]
    if method == "GET" or input_file is not None:
        for (key, value), typed in fields:
            _add_param(params, key, _typed_query_value(key, value, reader) if typed else value)
    elif fields:
        body, has_body = {}, True
        for (key, value), typed in fields:
            _insert(body, key, _typed_value(key, value, reader) if typed else value)
    scoped = needs_access_token(method, path)
    if scoped and method in _IDEMPOTENT_WRITES and "/passthrough" not in path:
        if not any(k.lower() == "idempotency-key" for k in headers_):
            headers_["Idempotency-Key"] = str(uuid.uuid4())
    return ApiRequest(method, path, params, body, has_body, headers_, scoped, given is None, paginate)


# The verticals whose connection-scoped writes change a customer's live system (anything but the sandbox).
_LIVE_TOPS = frozenset({"wms", "cart", "freight", "carrier"})


def live_target(svc: Services, req: ApiRequest, connection: str | None, connection_given: bool) -> Connection | None:
    """The connection a non-GET request would change in a live WMS (not the sandbox), else None: such a
    request must be confirmed like the write commands."""
    top = next((s for s in req.path.split("?", 1)[0].split("/") if s), "")
    if req.method in ("GET", "HEAD") or top not in _LIVE_TOPS or not (req.scoped or connection_given):
        return None
    conn = resolve_connection(svc, connection)
    return None if conn.integration_name == SANDBOX else conn


def describe(svc: Services, req: ApiRequest, *, connection: str | None = None, connection_given: bool = False) -> Any:
    """The exact request `call` would make, secrets redacted; sends nothing (--dry-run)."""
    token = _access_token(svc, req, connection, connection_given)
    return svc.client().describe(
        req.method,
        req.path,
        params=req.params or None,
        json_body=req.body if req.has_body else None,
        access_token=token,
        headers=req.headers or None,
    )


def call(svc: Services, req: ApiRequest, *, connection: str | None = None, connection_given: bool = False) -> Any:
    """Send the request; returns the decoded JSON body (None when the reply is empty)."""
    client = svc.client()
    token = _access_token(svc, req, connection, connection_given)
    return client.request(
        req.method,
        req.path,
        params=req.params or None,
        json_body=req.body if req.has_body else None,
        access_token=token,
        headers=req.headers or None,
    )


def iter_items(
    svc: Services, req: ApiRequest, *, connection: str | None = None, connection_given: bool = False
) -> Iterator[dict[str, Any]]:
    """Every `data` item of every page, following next_token → page_token with all parameters repeated."""
    token = _access_token(svc, req, connection, connection_given)
    for page in svc.client().iter_pages(req.path, req.params, access_token=token, headers=req.headers or None):
        yield from page


def parse_headers(raw_headers: Sequence[str]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for raw in raw_headers:
        name, sep, value = raw.partition(":")
        name = name.strip()
        if not sep or not _HEADER_NAME_RE.match(name):
            raise UsageError(f"invalid header {raw!r}", hint="write headers as -H 'Name: value'")
        if name.lower() in _SECRET_HEADERS:
            raise UsageError(
                f"{name} is set by trackstar itself and is not taken on the command line (it would show in `ps`)",
                hint="the API key comes from `trackstar auth login` or TRACKSTAR_API_KEY; "
                "the access token from --connection (`trackstar connections add` stores one)",
            )
        headers[name] = value.strip()
    return headers


# -- helpers -------------------------------------------------------------------------------------------


class _Reader:
    """Reads files and (once) standard input for --input and -F key=@file."""

    def __init__(self, read_stdin: Callable[[], str] | None) -> None:
        self._read_stdin = read_stdin
        self._stdin_used = False

    def read(self, name: str, what: str) -> str:
        if not name:
            raise UsageError(f"no file name after @ in {what}", hint="write @FILE, or @- for standard input")
        if name == "-":
            if self._stdin_used:
                raise UsageError("standard input can be read only once", hint="put one of the values in a file")
            if self._read_stdin is None:
                raise UsageError(f"standard input is not available for {what}", hint="use a file instead")
            self._stdin_used = True
            return self._read_stdin()
        try:
            return Path(name).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot read {name} for {what}: {exc.strerror or exc}", hint="check the path") from None
        except UnicodeDecodeError:
            raise UsageError(f"{name} is not UTF-8 text ({what})", hint="save it as UTF-8") from None


def _method_and_target(args: Sequence[str]) -> tuple[str | None, str]:
    if not args or len(args) > 2:
        raise UsageError(
            "expected [METHOD] PATH" + (f", got {len(args)} arguments" if args else ""),
            hint="e.g. `trackstar api /wms/inventory` or `trackstar api POST /link/token`",
        )
    if len(args) == 1:
        if args[0].upper() in METHODS:
            raise UsageError(f"missing the PATH after {args[0]}", hint=f"e.g. `trackstar api {args[0]} /connections`")
        return None, args[0]
    method = args[0].upper()
    if method not in METHODS:
        raise UsageError(f"unknown METHOD {args[0]!r}", hint="use one of " + ", ".join(METHODS))
    return method, args[1]


def _split_target(target: str, base_url: str) -> tuple[str, dict[str, str]]:
    """PATH (`/wms/inventory`, `wms/inventory?limit=5` or a URL under the base URL) → (path, query params)."""
    text = target.strip()
    if _SCHEME_RE.match(text):
        text = _relative_to_base(text, base_url)
    parts = urlsplit("/" + text.lstrip("/"))
    if parts.path in ("", "/"):
        raise UsageError(f"no endpoint in PATH {target!r}", hint="e.g. /wms/inventory")
    params: dict[str, str] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        _add_param(params, key, value)
    return parts.path, params


def _relative_to_base(url: str, base_url: str) -> str:
    refused = UsageError(
        f"refusing to send the API key to {redact_url(url)}: it is not under the base URL {redact_url(base_url)}",
        hint="pass a path such as /wms/inventory, or point --base-url / TRACKSTAR_BASE_URL at that server",
    )
    u, b = urlsplit(url), urlsplit(base_url)
    try:
        u_origin = (u.scheme.lower(), (u.hostname or "").lower(), u.port or _DEFAULT_PORTS.get(u.scheme.lower()))
        b_origin = (b.scheme.lower(), (b.hostname or "").lower(), b.port or _DEFAULT_PORTS.get(b.scheme.lower()))
    except ValueError:  # a port that is not a number
        raise refused from None
    prefix = b.path.rstrip("/")
    if u_origin != b_origin or u.username or u.password or not (u.path == prefix or u.path.startswith(prefix + "/")):
        raise refused
    rest = u.path[len(prefix) :]
    return rest + (f"?{u.query}" if u.query else "")


def _split_field(raw: str, typed: bool) -> tuple[str, str]:
    key, sep, value = raw.partition("=")
    if not sep or not key.strip():
        raise UsageError(f"invalid field {raw!r} for {'-F' if typed else '-f'}", hint=_FIELD_HINT)
    return key.strip(), value


def _add_param(params: dict[str, str], key: str, value: str) -> None:
    if key in params:
        raise UsageError(f"query parameter {key} given twice", hint="use [in] with a comma-separated list instead")
    params[key] = value


def _typed_query_value(key: str, value: str, reader: _Reader) -> str:
    """-F for a query parameter: the text as given, or the text of @FILE."""
    return reader.read(value[1:], f"-F {key}") if value.startswith("@") else value


def _typed_value(key: str, value: str, reader: _Reader) -> Any:
    """-F for a body: true, false, null and JSON numbers become JSON values; @FILE (or @-) is that file's text."""
    if value.startswith("@"):
        return reader.read(value[1:], f"-F {key}")
    if value in ("true", "false", "null"):
        return {"true": True, "false": False, "null": None}[value]
    if _NUMBER_RE.match(value):
        return json.loads(value)
    return value


def _insert(body: dict[str, Any], key: str, value: Any) -> None:
    """Put `value` at `key` in the body: `a[b][c]` nests objects, `a[]` appends to an array, and `a[][k]`
    fills the array's last object until `k` repeats (as `gh api`)."""
    match = _FIELD_KEY_RE.match(key)
    if not match:
        raise UsageError(f"invalid field name {key!r}", hint="use key, key[sub] or key[] (e.g. -F 'tags[]=red')")
    parts = [match["name"], *re.findall(r"\[([^\[\]]*)\]", match["subs"])]
    node: Any = body
    for i, part in enumerate(parts[:-1]):
        as_list = parts[i + 1] == ""
        if isinstance(node, list):
            reuse = not as_list and node and isinstance(node[-1], dict) and parts[i + 1] not in node[-1]
            if not reuse:
                node.append([] if as_list else {})
            node = node[-1]
            continue
        child = node.setdefault(part, [] if as_list else {})
        if not isinstance(child, list if as_list else dict):
            raise UsageError(
                f"field {key!r} conflicts with another -f/-F that sets {part!r} differently",
                hint="a key is either a value, an object (key[sub]=…) or an array (key[]=…); or use --input FILE",
            )
        node = child
    last = parts[-1]
    if isinstance(node, list):
        node.append(value)
    elif last in node:
        raise UsageError(f"field {key!r} given twice", hint="use key[]=value to build an array")
    else:
        node[last] = value


def _read_json(name: str, reader: _Reader) -> Any:
    what = "--input" if name != "-" else "--input - (standard input)"
    text = reader.read(name, "--input")
    if not text.strip():
        raise UsageError(f"{what} is empty", hint="pass a JSON document, e.g. --input order.json")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{what} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            hint="check it with `jq . FILE`",
        ) from None
    except RecursionError:
        raise UsageError(f"{what} nests arrays/objects deeper than {MAX_JSON_DEPTH} levels") from None
    check_json_depth(value, what)
    return value


def _access_token(svc: Services, req: ApiRequest, connection: str | None, connection_given: bool) -> str | None:
    if not (req.scoped or connection_given):
        return None
    return resolve_connection(svc, connection).access_token
