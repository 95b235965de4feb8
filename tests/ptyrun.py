"""Run the real CLI with a pseudo-terminal as its standard streams and read every byte it wrote there."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_on_pty(args: list[str], env: dict[str, str], *, stderr_on_pty: bool = True) -> tuple[int, bytes, bytes]:
    """(exit code, bytes on the terminal, bytes on stderr when it is a pipe) of `python -m trackstar_cli ARGS`."""
    primary, replica = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "trackstar_cli", *args],
        stdin=replica,
        stdout=replica,
        stderr=replica if stderr_on_pty else subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )
    os.close(replica)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([primary], [], [], 60)
        if not ready:
            proc.kill()
            break
        try:
            data = os.read(primary, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(primary)
    err = proc.stderr.read() if proc.stderr else b""
    return proc.wait(timeout=60), b"".join(chunks), err
