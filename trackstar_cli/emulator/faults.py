"""Fault injection: start-up rules, per-request header, and a queue fed by POST /_emulator/faults.

Start-up spec (`Emulator(faults=...)`, `trackstar emulator serve --faults ...`), comma-separated items:

    latency=DUR[@PREFIX]        delay every request by DUR ("200ms", "1.5s", "200" = ms)
    rate=P:KIND[@PREFIX]        each request gets KIND with probability P (0..1), drawn from the seed
    first=N:KIND[@PREFIX]       the first N requests get KIND
    every=N:KIND[@PREFIX]       every Nth request gets KIND
    storm429=N[@PREFIX]         shorthand for first=N:429

KIND is one of `latency:<ms>`, `429`, `500`, `502`, `503`, `malformed`, `hang`, `drop`. `@PREFIX` limits a rule
to paths starting with PREFIX (e.g. `rate=0.2:503@/wms/orders`). Example: "latency=50ms,rate=0.1:500,storm429=3".
Faults never touch /_emulator/* (health checks and fault control keep working).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["KINDS", "Fault", "FaultPlan", "parse_kind", "parse_spec"]

KINDS = ("latency", "429", "500", "502", "503", "malformed", "hang", "drop")


@dataclass(frozen=True)
class Fault:
    kind: str
    ms: int = 0  # for latency

    def __str__(self) -> str:
        return f"latency:{self.ms}" if self.kind == "latency" else self.kind


def _duration_ms(text: str) -> int:
    text = text.strip().lower()
    scale = 1000.0 if text.endswith("s") and not text.endswith("ms") else 1.0
    number = text.removesuffix("ms").removesuffix("s")
    try:
        value = float(number) * scale
    except ValueError:
        raise ValueError(f"bad duration {text!r} (use e.g. 200ms or 1.5s)") from None
    if value < 0:
        raise ValueError(f"bad duration {text!r}")
    return int(value)


def parse_kind(text: str) -> Fault:
    """`latency:<ms>` or one of the KINDS."""
    kind, _, arg = text.strip().lower().partition(":")
    if kind not in KINDS:
        raise ValueError(f"unknown fault kind {text!r}; expected one of {', '.join(KINDS)}")
    if kind == "latency":
        return Fault(kind, _duration_ms(arg or "0"))
    if arg:
        raise ValueError(f"fault kind {kind!r} takes no argument")
    return Fault(kind)


@dataclass
class Rule:
    mode: str  # always | rate | first | every
    fault: Fault
    value: float = 0.0
    prefix: str = ""
    seen: int = 0

    def fires(self, rng: random.Random) -> bool:
        self.seen += 1
        if self.mode == "rate":
            return rng.random() < self.value
        if self.mode == "first":
            return self.seen <= self.value
        if self.mode == "every":
            return self.seen % int(self.value) == 0
        return True

    def describe(self) -> dict[str, Any]:
        return {"mode": self.mode, "kind": str(self.fault), "value": self.value, "path": self.prefix}


def parse_spec(spec: str | None) -> list[Rule]:
    rules = []
    for item in (spec or "").split(","):
        if item.strip():
            rules.append(_parse_item(item.strip()))
    return rules


def _parse_item(item: str) -> Rule:
    body, _, prefix = item.partition("@")
    name, eq, arg = body.partition("=")
    if not eq:
        raise ValueError(f"bad fault rule {item!r} (expected name=value)")
    name = name.strip().lower()
    if name == "latency":
        return Rule("always", Fault("latency", _duration_ms(arg)), prefix=prefix)
    if name == "storm429":
        return Rule("first", Fault("429"), _count(arg), prefix)
    number, colon, kind = arg.partition(":")
    if name not in ("rate", "first", "every") or not colon:
        raise ValueError(f"bad fault rule {item!r}")
    if name == "rate":
        try:
            value = float(number)
        except ValueError:
            raise ValueError(f"bad probability in {item!r}") from None
        if not 0 <= value <= 1:
            raise ValueError(f"probability out of range in {item!r}")
        return Rule("rate", parse_kind(kind), value, prefix)
    return Rule(name, parse_kind(kind), _count(number), prefix)


def _count(text: str) -> float:
    if not text.strip().isdigit() or int(text) < 1:
        raise ValueError(f"bad count {text!r}")
    return float(int(text))


@dataclass
class _Queued:
    fault: Fault
    remaining: int
    prefix: str = ""


@dataclass
class FaultPlan:
    """Decides which faults hit a request: the header first, then the queue, then the start-up rules."""

    rules: list[Rule] = field(default_factory=list)
    seed: int = 1

    def __post_init__(self) -> None:
        self._rng = random.Random(f"faults:{self.seed}")
        self._queue: list[_Queued] = []
        self._lock = threading.Lock()

    @classmethod
    def from_spec(cls, spec: str | None, seed: int = 1) -> FaultPlan:
        return cls(parse_spec(spec), seed)

    def enqueue(self, fault: Fault, count: int = 1, prefix: str = "") -> None:
        with self._lock:
            self._queue.append(_Queued(fault, count, prefix))

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
            self.rules.clear()

    def describe(self) -> dict[str, Any]:
        with self._lock:
            return {
                "rules": [r.describe() for r in self.rules],
                "queue": [{"kind": str(q.fault), "count": q.remaining, "path": q.prefix} for q in self._queue],
            }

    def pick(self, path: str, header: str | None) -> list[Fault]:
        """All faults for this request: latencies add up; at most one other fault (the first that fires)."""
        with self._lock:
            found = list(self._from_queue(path)) + [
                r.fault for r in self.rules if path.startswith(r.prefix) and r.fires(self._rng)
            ]
        if header:
            found.insert(0, parse_kind(header))
        latency = sum(f.ms for f in found if f.kind == "latency")
        terminal = next((f for f in found if f.kind != "latency"), None)
        return ([Fault("latency", latency)] if latency else []) + ([terminal] if terminal else [])

    def _from_queue(self, path: str) -> Iterator[Fault]:
        for queued in self._queue:
            if queued.remaining > 0 and path.startswith(queued.prefix):
                queued.remaining -= 1
                yield queued.fault
                break
        self._queue = [q for q in self._queue if q.remaining > 0]
