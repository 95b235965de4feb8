"""Pacing shared by every process on this machine: two scripts on one access token stay under its rate together.

Trackstar allows 10 GETs per second per access token, counted by the server over all callers. A pacer inside
one process cannot see another process's requests, so two back-to-back `trackstar` runs on one token each
spend their burst and the second earns a 429. `SharedPacer` keeps, per token, the send times of the last
`rate` GETs in a small file under the data directory (`pacing/<sha256 of the token, cut>`: the token itself is
never written), read and rewritten under an exclusive lock (fcntl.flock; msvcrt.locking on Windows). The
lock is held for a read and a write, never while sleeping.

Anything unexpected (a read-only or full disk, a garbled file) falls back to the in-process timeline, so
pacing can make a command slower but never make it fail. Stdlib only; imports nothing of ours.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

__all__ = ["SharedPacer"]

_FUTURE_SLACK = 60.0  # a send time further ahead than this is garbage (a clock jump), not a reservation


class SharedPacer:
    """`wait(key)` blocks until one more GET on `key` keeps it under `rate` in any `window` (+ `margin`),
    counting the GETs of every process that shares `directory`. Thread-safe."""

    def __init__(
        self,
        directory: Path,
        rate: float,
        *,
        window: float = 1.0,
        margin: float = 0.05,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._dir = directory
        self._rate = max(1, int(rate))
        self._span = window + margin
        self._sleep = sleep
        self._clock = clock
        self._lock = threading.Lock()
        self._local: dict[str, deque[float]] = {}  # the fallback timeline, and what this process sent
        self._shared = True

    def wait(self, key: str) -> None:
        with self._lock:
            now = self._clock()
            at = self._reserve_shared(key, now) if self._shared else None
            if at is None:
                at = self._reserve_local(key, now)
        if at > now:
            self._sleep(at - now)

    # -- internals -----------------------------------------------------------------------------------

    def _slot(self, sent: list[float], now: float) -> tuple[float, list[float]]:
        live = sorted(t for t in sent if now - self._span < t <= now + _FUTURE_SLACK)
        at = now if len(live) < self._rate else max(now, live[-self._rate] + self._span)
        return at, [*live, at][-self._rate :]

    def _reserve_local(self, key: str, now: float) -> float:
        sent = self._local.setdefault(key, deque(maxlen=self._rate))
        at, kept = self._slot(list(sent), now)
        sent.clear()
        sent.extend(kept)
        return at

    def _reserve_shared(self, key: str, now: float) -> float | None:
        name = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        try:
            self._dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self._dir / name, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            self._shared = False
            return None
        try:
            _lock(fd)
            try:
                raw = _read_all(fd)
                at, kept = self._slot(_parse(raw), now)
                data = "".join(f"{t:.6f}\n" for t in kept).encode("ascii")
                os.lseek(fd, 0, os.SEEK_SET)
                os.ftruncate(fd, 0)
                os.write(fd, data)
            finally:
                _unlock(fd)
        except OSError:
            self._shared = False
            return None
        finally:
            os.close(fd)
        self._local[key] = deque(kept, maxlen=self._rate)
        return at


def _read_all(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 4096):
        chunks.append(chunk)
        if sum(map(len, chunks)) > 64 * 1024:  # a few hundred bytes when it is ours
            break
    return b"".join(chunks)


def _parse(raw: bytes) -> list[float]:
    times: list[float] = []
    for line in raw.split(b"\n")[:1000]:
        try:
            value = float(line)
        except ValueError:
            continue
        if value == value and value not in (float("inf"), float("-inf")):  # not NaN, finite
            times.append(value)
    return times


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_LOCK, 1)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
