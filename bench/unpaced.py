"""`trackstar` with the client's pacer lifted (bench only): against an emulator run with --no-rate-limit, the
10 GET/s per token would otherwise be the bound, and the bench measures the client's own cost."""

import sys

import trackstar_cli.pacing as pacing


class _NoPacer:
    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def wait(self, key: str) -> None:
        pass

    def close(self) -> None:
        pass


pacing.SharedPacer = _NoPacer  # type: ignore[misc, assignment]
from trackstar_cli._entry import main  # noqa: E402

sys.argv[0] = "trackstar"
main()
