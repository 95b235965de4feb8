"""Per-access-token rate limits: 10 GET/s and 50 writes/s, as a sliding one-second window.

A sliding window (a log of recent request times) is stricter than a fixed window: a client cannot squeeze
two bursts around a second boundary, so a CLI that passes here paces correctly against Trackstar too.
Rejected requests are not counted.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from ..spec import GET_RATE_PER_TOKEN, WRITE_RATE_PER_TOKEN

__all__ = ["GET_LIMIT", "WINDOW", "WRITE_LIMIT", "Decision", "RateLimiter"]

GET_LIMIT = GET_RATE_PER_TOKEN
WRITE_LIMIT = WRITE_RATE_PER_TOKEN
WINDOW = 1.0


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # epoch seconds when a slot frees up
    retry_after: int  # whole seconds, at least 1 (only meaningful when refused)

    def headers(self) -> dict[str, str]:
        out = {
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(self.remaining),
            "x-ratelimit-reset": str(self.reset),
        }
        if not self.allowed:
            out["retry-after"] = str(self.retry_after)
        return out


class RateLimiter:
    def __init__(self, enabled: bool = True, clock: Callable[[], float] = time.time) -> None:
        self.enabled = enabled
        self.clock = clock
        self.limits = {"read": GET_LIMIT, "write": WRITE_LIMIT}
        self._log: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, token: str, method: str) -> Decision:
        bucket = "read" if method in ("GET", "HEAD") else "write"
        limit = self.limits[bucket]
        now = self.clock()
        with self._lock:
            log = self._log.setdefault((token, bucket), deque())
            while log and log[0] <= now - WINDOW:
                log.popleft()
            allowed = not self.enabled or len(log) < limit
            if allowed:
                log.append(now)
            oldest = log[0] if log else now
        reset = math.ceil(oldest + WINDOW)
        retry = max(1, math.ceil(oldest + WINDOW - now))
        return Decision(allowed, limit, max(0, limit - len(log)), reset, retry)
