"""Pacing shared by every process on this machine: two scripts on one access token stay under its rate together.

Trackstar allows 10 GETs per second per access token, counted by the server over all callers. A pacer inside
one process cannot see another process's requests, so two back-to-back `trackstar` runs on one token each
spend their burst and the second earns a 429. `SharedPacer` keeps, per token, the send times of the last
`rate` GETs in a small file under the data directory (`pacing/<sha256 of the token, cut>`: the token itself is
never written), read and rewritten in place under an exclusive lock (fcntl.flock; msvcrt.locking on
Windows). The lock is held for one read and one write of a few hundred bytes, never while sleeping.

Anything unexpected (a read-only or full disk, a garbled file) falls back to the in-process timeline, so
pacing can make a command slower but never make it fail. Stdlib only; imports nothing of ours.
"""

from __future__ import annotations

import hashlib
import math
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

__all__ = ["SharedPacer"]

_FUTURE_SLACK = 60.0  # a send time further ahead than this is garbage (a clock jump), not a reservation


_MAX_OPEN = 128  # state files kept open at once (a fan-out over more tokens reopens the others per GET)
_RECORD = 18  # one send time per line, fixed width ("%017.6f\n"): the file is rewritten in place, never truncated


class SharedPacer:
    """`wait(key)` blocks until one more GET on `key` keeps it under `rate` in any `window` (+ `margin`),
    counting the GETs of every process that shares `directory`. Thread-safe; threads on different keys do not
    wait for each other (a fan-out reads every token at once)."""

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
        self._lock = threading.Lock()  # guards the two dicts below
        self._keys: dict[str, threading.Lock] = {}
        self._files: dict[str, int] = {}  # key -> open state file, kept for the process's life
        self._local: dict[str, list[float]] = {}  # the fallback timeline
        self._shared = True

    def wait(self, key: str) -> None:
        with self._lock:
            key_lock = self._keys.setdefault(key, threading.Lock())
        with key_lock:  # flock does not exclude threads of one process from each other: this does
            now = self._clock()
            at = self._reserve_shared(key, now) if self._shared else None
            if at is None:
                at, self._local[key] = self._slot(self._local.get(key, []), now)
        if at > now:
            self._sleep(at - now)

    def close(self) -> None:
        with self._lock:
            for fd in self._files.values():
                try:
                    os.close(fd)
                except OSError:
                    pass
            self._files.clear()

    # -- internals -----------------------------------------------------------------------------------

    def _slot(self, sent: list[float], now: float) -> tuple[float, list[float]]:
        live = sorted(t for t in sent if now - self._span < t <= now + _FUTURE_SLACK)
        at = now if len(live) < self._rate else max(now, live[-self._rate] + self._span)
        return at, [*live, at][-self._rate :]

    def _file(self, key: str) -> tuple[int, bool]:
        """(file descriptor, kept open): the first _MAX_OPEN tokens keep theirs; beyond, it is reopened per GET."""
        fd = self._files.get(key)
        if fd is not None:
            return fd, True
        name = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        self._dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self._dir / name, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
        with self._lock:
            if len(self._files) < _MAX_OPEN:
                self._files[key] = fd
                return fd, True
        return fd, False

    def _reserve_shared(self, key: str, now: float) -> float | None:
        try:
            fd, kept_open = self._file(key)
        except OSError:
            self._shared = False
            return None
        try:
            _lock(fd)
            try:
                at, kept = self._slot(_parse(_read_head(fd, self._rate * _RECORD)), now)
                padded = [*kept, *[0.0] * (self._rate - len(kept))]
                _write_head(fd, "".join(_record(t) for t in padded).encode("ascii"))
            finally:
                _unlock(fd)
        except (OSError, ValueError):
            self._shared = False
            return None
        finally:
            if not kept_open:
                os.close(fd)
        self._local[key] = kept
        return at


def _record(t: float) -> str:
    text = f"{t:017.6f}\n"
    return text if len(text) == _RECORD else f"{0.0:017.6f}\n"  # a time from beyond year 2286 is dropped


# Few system calls per GET: in a 50-way fan-out each one is a chance to wait for the GIL.
if hasattr(os, "pread"):

    def _read_head(fd: int, size: int) -> bytes:
        return os.pread(fd, size, 0)

    def _write_head(fd: int, data: bytes) -> None:
        os.pwrite(fd, data, 0)

else:  # pragma: no cover - Windows

    def _read_head(fd: int, size: int) -> bytes:
        os.lseek(fd, 0, os.SEEK_SET)
        return os.read(fd, size)

    def _write_head(fd: int, data: bytes) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, data)


def _parse(raw: bytes) -> list[float]:
    times: list[float] = []
    for line in raw.split(b"\n"):
        try:
            value = float(line)
        except ValueError:
            continue
        if math.isfinite(value) and value > 0:
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
