"""Bounded waiting: poll a check until it answers, or raise WaitTimeoutError. Sleep and clock are one seam."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from trackstar_cli.errors import UsageError, WaitTimeoutError

__all__ = ["DEFAULT_INTERVAL", "DEFAULT_TIMEOUT", "MAX_TIMEOUT", "MIN_INTERVAL", "check_wait", "monotonic", "poll"]

DEFAULT_TIMEOUT = 600.0
DEFAULT_INTERVAL = 2.0
MAX_TIMEOUT = 7 * 86400.0
MIN_INTERVAL = 0.2  # every poll is a request: no faster than five a second

T = TypeVar("T")
_clock: Callable[[], float] = time.monotonic
_sleep: Callable[[float], None] = time.sleep


def monotonic() -> float:
    return _clock()


def check_wait(timeout: float, interval: float) -> None:
    """Usage errors for a time-out or poll interval that cannot work."""
    if not 0 < timeout <= MAX_TIMEOUT:
        raise UsageError(f"--wait-timeout must be more than 0 and at most {MAX_TIMEOUT:g} seconds, not {timeout:g}")
    if not MIN_INTERVAL <= interval <= max(MIN_INTERVAL, timeout):
        raise UsageError(f"--interval must be from {MIN_INTERVAL:g} seconds to the time-out, not {interval:g}")


def poll(check: Callable[[], T | None], *, timeout: float, interval: float, what: str, hint: str | None = None) -> T:
    """Call `check` until it returns something other than None; at most `timeout` seconds in all."""
    check_wait(timeout, interval)
    deadline = _clock() + timeout
    while True:
        result = check()
        if result is not None:
            return result
        left = deadline - _clock()
        if left <= 0:
            raise WaitTimeoutError(f"timed out after {timeout:g}s waiting for {what}", hint=hint)
        _sleep(min(interval, left))
