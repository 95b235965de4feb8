"""List queries: filter validation against spec.py, matching, and opaque page tokens.

A page token carries the last id served and a hash of the request's filters (and path and connection):
Trackstar requires repeating the filters on every page, so a token presented with different filters is a
422 here rather than silently returning a mixed result set.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..spec import MAX_IN_VALUES, MAX_PAGE_SIZE, Resource
from .core import Json, validation_error
from .dataset import Collection

__all__ = ["DEFAULT_LIMIT", "MAX_IN_VALUES", "MAX_LIMIT", "Filter", "ListQuery", "paginate", "parse_query"]

DEFAULT_LIMIT = MAX_LIMIT = MAX_PAGE_SIZE
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\[([a-z_-]+)\])?$")
_LIST_OPS = ("in", "nin", "in-insensitive")
_BOOL_FIELDS = ("active",)
_RESERVED = ("limit", "page_token", "ids[in]")


@dataclass(frozen=True)
class Filter:
    name: str
    op: str
    values: tuple[Any, ...]

    def matches(self, value: Any) -> bool:
        op, values = self.op, self.values
        if op.endswith("-insensitive"):
            op = op[: -len("-insensitive")]
            value = value.lower() if isinstance(value, str) else value
        if value is None:  # a missing value is unequal to, and contains, nothing
            return op in ("neq", "nin", "not_contains")
        return _OPS[op](value, values)


_OPS: dict[str, Callable[[Any, tuple[Any, ...]], bool]] = {
    "eq": lambda v, vs: v == vs[0],
    "neq": lambda v, vs: v != vs[0],
    "gt": lambda v, vs: v > vs[0],
    "gte": lambda v, vs: v >= vs[0],
    "lt": lambda v, vs: v < vs[0],
    "lte": lambda v, vs: v <= vs[0],
    "in": lambda v, vs: v in vs,
    "nin": lambda v, vs: v not in vs,
    "contains": lambda v, vs: isinstance(v, str) and vs[0] in v,
    "not_contains": lambda v, vs: not (isinstance(v, str) and vs[0] in v),
}


@dataclass(frozen=True)
class ListQuery:
    limit: int
    after: str | None  # last id of the previous page
    ids: tuple[str, ...] | None
    filters: tuple[Filter, ...]
    fingerprint: str


def parse_query(resource: Resource, query: list[tuple[str, str]], scope: str) -> ListQuery:
    """Validate a list request's query string; `scope` (connection + path) is folded into the token hash."""
    grouped: dict[str, list[str]] = {}
    for key, value in query:
        grouped.setdefault(key, []).append(value)
    limit = _limit(grouped.get("limit", [str(DEFAULT_LIMIT)])[-1])
    ids = _split(grouped["ids[in]"], "ids[in]") if "ids[in]" in grouped else None
    # "If [ids[in]] is provided, all other query params are ignored" (spec) — other than paging.
    filters = () if ids is not None else tuple(_filters(resource, grouped))
    keyed = sorted((k, v) for k, vs in grouped.items() if k not in ("limit", "page_token") for v in vs)
    fingerprint = hashlib.sha256(json.dumps([scope, keyed]).encode()).hexdigest()[:16]
    after = _read_token(grouped["page_token"][-1], fingerprint) if grouped.get("page_token", [""])[-1] else None
    return ListQuery(limit, after, tuple(ids) if ids is not None else None, filters, fingerprint)


def _limit(raw: str) -> int:
    if not raw.strip().isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise validation_error("query", {"limit": [f"Must be an integer between 1 and {MAX_LIMIT}."]})
    return int(raw)


def _split(raw: list[str], key: str) -> list[str]:
    values = [v.strip() for chunk in raw for v in chunk.split(",") if v.strip()]
    if not values:
        raise validation_error("query", {key: ["Field may not be empty."]})
    if len(values) > MAX_IN_VALUES:
        raise validation_error("query", {key: [f"At most {MAX_IN_VALUES} values are allowed."]})
    return values


def _filters(resource: Resource, grouped: dict[str, list[str]]) -> list[Filter]:
    out, problems = [], {}
    for key, raw in grouped.items():
        if key in _RESERVED:
            continue
        match = _KEY.match(key)
        name, op = (match.group(1), match.group(2) or "eq") if match else (key, "")
        if not match or not resource.allows(name, op):
            problems[key] = ["Unknown field."]
            continue
        try:
            out.append(_filter(resource, key, name, op, raw))
        except ValueError as exc:
            problems[key] = [str(exc)]
    if problems:
        raise validation_error("query", problems)
    return out


def _filter(resource: Resource, key: str, name: str, op: str, raw: list[str]) -> Filter:
    values = _split(raw, key) if op in _LIST_OPS else [raw[-1]]
    if not values[0]:
        raise ValueError("Field may not be empty.")
    if name in resource.date_fields or name.endswith(("_date", "_time")):
        bad = [v for v in values if not _DATE.match(v)]
        if bad:
            raise ValueError("The date format must be YYYY-MM-DDTHH:MM:SSZ.")
        return Filter(name, op, tuple(values))
    if name in _BOOL_FIELDS:
        if values[0].lower() not in ("true", "false"):
            raise ValueError("Not a valid boolean.")
        return Filter(name, op, (values[0].lower() == "true",))
    allowed = resource.enums.get(name)
    if allowed and op in ("eq", "neq", "in", "nin"):  # the spec's enum; contains-ops match substrings
        bad = [v for v in values if v not in allowed]
        if bad:
            raise ValueError(f"Must be one of: {', '.join(allowed)}.")
    if op.endswith("-insensitive"):
        values = [v.lower() for v in values]
    return Filter(name, op, tuple(values))


def _token(after: str, fingerprint: str) -> str:
    raw = json.dumps({"a": after, "f": fingerprint}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _read_token(token: str, fingerprint: str) -> str:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        after, seen = str(decoded["a"]), str(decoded["f"])
    except (ValueError, KeyError, TypeError):
        raise validation_error("query", {"page_token": ["Invalid page token."]}) from None
    if seen != fingerprint:
        raise validation_error(
            "query",
            {
                "page_token": [
                    "This page token was issued for different filters; repeat the original filters on every page."
                ]
            },
        )
    return after


def paginate(coll: Collection, q: ListQuery, extra: Filter | None = None) -> Json:
    """One page in id order, peeking one item ahead so `next_token` is null exactly on the last page."""
    start = 0
    if q.after is not None:
        pos = coll.position(q.after)
        if pos is None:
            raise validation_error("query", {"page_token": ["Invalid page token."]})
        start = pos + 1
    filters = q.filters + ((extra,) if extra else ())
    if q.ids is not None:
        wanted = sorted({p for p in map(coll.position, q.ids) if p is not None and p >= start})
        candidates = iter(wanted)
    else:
        candidates = coll.scan(start)
    hits: list[int] = []
    for i in candidates:
        if all(f.matches(coll.value(i, f.name)) for f in filters):
            hits.append(i)
            if len(hits) > q.limit:
                break
    page = [coll.at(i) for i in hits[: q.limit]]
    more = len(hits) > q.limit
    return {
        "data": page,
        "next_token": _token(page[-1]["id"], q.fingerprint) if more else None,
        "total_count": len(page),
    }
