"""Pacing shared across processes: two `trackstar` runs on one token stay under its 10 GET/s together.

Unit tests drive SharedPacer with a fake clock (no timed assertions); the end-to-end tests run the real CLI
twice back to back against the emulator, whose rate limiter answers 429 to the 11th GET in a second."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import connect
from trackstar_cli.pacing import SharedPacer


class _Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _pacer(directory: Path, clock: _Clock) -> SharedPacer:
    return SharedPacer(directory, 10, sleep=clock.sleep, clock=clock)


def test_a_second_pacer_on_the_same_directory_waits_for_the_first_ones_burst(tmp_path):
    clock = _Clock()
    first, second = _pacer(tmp_path, clock), _pacer(tmp_path, clock)
    for _ in range(10):
        first.wait("tok_a")
    assert clock.slept == []
    second.wait("tok_a")  # another process: it sees the ten GETs of the first
    assert clock.slept == [pytest.approx(1.05)]
    second.wait("tok_b")  # another token is not held back
    assert clock.slept == [pytest.approx(1.05)]


def test_the_token_is_not_written_to_disk(tmp_path):
    clock = _Clock()
    _pacer(tmp_path, clock).wait("tok_SECRET_123")
    [state] = list(tmp_path.iterdir())
    assert "tok_SECRET_123" not in state.name and b"tok_SECRET" not in state.read_bytes()
    assert state.stat().st_mode & 0o077 == 0


def test_a_garbled_state_file_is_ignored(tmp_path):
    clock = _Clock()
    pacer = _pacer(tmp_path, clock)
    pacer.wait("tok_a")
    [state] = list(tmp_path.iterdir())
    state.write_bytes(b"nan\ninf\n\xff\xfe garbage\n1e308\n" * 10)
    for _ in range(9):
        pacer.wait("tok_a")
    assert clock.slept == []


def test_an_unusable_directory_falls_back_to_pacing_in_process(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    clock = _Clock()
    pacer = _pacer(blocker / "pacing", clock)  # mkdir under a file fails, as on a read-only disk
    for _ in range(11):
        pacer.wait("tok_a")
    assert clock.slept == [pytest.approx(1.05)]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trackstar_cli", *args], capture_output=True, text=True, timeout=120, env=os.environ
    )


def test_two_back_to_back_processes_on_one_token_get_no_429(cli, emu):
    """Each run spends a full burst (10 GETs); alone, the second would start inside the first's second.
    (That the second pacer waits for the first's burst is proven with a fake clock above.)"""
    connect(cli, emu, "sandbox", "sbx")
    first = _run("inventory", "list", "--page-size", "5", "--limit", "50", "--json", "--verbose")
    second = _run("inventory", "list", "--page-size", "5", "--limit", "50", "--json", "--verbose")
    for r in (first, second):
        assert r.returncode == 0, r.stderr
        assert r.stderr.count("> GET ") == 10 and "< 429" not in r.stderr
    assert len(second.stdout) > 2


def test_beyond_the_open_file_cap_tokens_are_still_shared(tmp_path, monkeypatch):
    import trackstar_cli.pacing as pacing

    monkeypatch.setattr(pacing, "_MAX_OPEN", 2)
    clock = _Clock()
    first, second = _pacer(tmp_path, clock), _pacer(tmp_path, clock)
    for token in ("tok_a", "tok_b", "tok_c"):
        for _ in range(10):
            first.wait(token)
    assert clock.slept == [] and len(first._files) == 2
    second.wait("tok_c")  # tok_c's file was reopened per GET and still holds the first pacer's burst
    assert clock.slept == [pytest.approx(1.05)]
    first.close()
    second.close()
