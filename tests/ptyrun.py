"""Run the real CLI with a pseudo-terminal as its standard streams and read every byte it wrote there."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The console script as installed: `trackstar` in usage lines (`python -m` would show "python -m trackstar_cli").
AS_INSTALLED = [
    sys.executable,
    "-c",
    "import sys; sys.argv[0] = 'trackstar'; from trackstar_cli._entry import main; main()",
]


def run_on_pty(
    args: list[str],
    env: dict[str, str],
    *,
    stderr_on_pty: bool = True,
    size: tuple[int, int] | None = None,
    program: list[str] | None = None,
) -> tuple[int, bytes, bytes]:
    """(exit code, bytes on the terminal, bytes on stderr when it is a pipe) of `python -m trackstar_cli ARGS`
    (or `program` ARGS), on a terminal of `size` (rows, columns) if given (a new pseudo-terminal reports 0 x 0)."""
    primary, replica = pty.openpty()
    if size is not None:
        fcntl.ioctl(replica, termios.TIOCSWINSZ, struct.pack("HHHH", size[0], size[1], 0, 0))
    proc = subprocess.Popen(
        [*(program or [sys.executable, "-m", "trackstar_cli"]), *args],
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
