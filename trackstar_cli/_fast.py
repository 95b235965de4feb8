"""A Typer-free path for the hot offline command `trackstar connections list`, which scripts run in loops.

Importing Typer alone takes longer here than all of `gh --version`, so the command line of this one command
is recognised by hand: its own options (-o/--format, --json) and the global ones. Anything else — another
command, --help, an option spelled differently, a value Typer would reject — returns None and the full CLI
handles it, so behaviour and error messages stay the CLI's own. The same settings, service and view code
runs either way; tests/test_fast.py compares both paths.
"""

from __future__ import annotations

from trackstar_cli._options import GLOBAL_FLAG_OPTIONS, GLOBAL_VALUE_OPTIONS
from trackstar_cli.output import Format

__all__ = ["run"]

_VALUE_OPTIONS = {*GLOBAL_VALUE_OPTIONS, "--format", "-o"}
_FLAG_OPTIONS = {*GLOBAL_FLAG_OPTIONS, "--json"}
_FORMATS = {f.value for f in Format}
_COMMAND = ["connections", "list"]


def _parse(argv: list[str]) -> dict[str, str | bool] | None:
    opts: dict[str, str | bool] = {}
    words: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name in _VALUE_OPTIONS:
            if not eq:
                i += 1
                if i >= len(argv):
                    return None
                value = argv[i]
            if name in opts:
                return None
            opts[name] = value
        elif arg in _FLAG_OPTIONS:
            opts[arg] = True
        elif arg.startswith("-"):
            return None
        else:
            words.append(arg)
        i += 1
    if "--timeout" in opts and _float(opts["--timeout"]) is None:
        return None  # Typer's own message for a bad number
    fmt = opts.get("--format", opts.get("-o"))
    if words != _COMMAND or ("--format" in opts and "-o" in opts) or (fmt is not None and fmt not in _FORMATS):
        return None
    return opts


def _float(value: str | bool) -> float | None:
    try:
        return float(str(value))
    except ValueError:
        return None


def run(argv: list[str]) -> int | None:
    """Run `connections list` without Typer and return its exit code, or None to leave argv to the CLI."""
    opts = _parse(argv)
    if opts is None:
        return None
    timeout = _float(opts["--timeout"]) if "--timeout" in opts else None
    from trackstar_cli import output
    from trackstar_cli.config import resolve_settings

    debug = bool(opts.get("--debug"))

    def connections_list() -> None:
        nonlocal debug
        settings = resolve_settings(
            profile=_text(opts.get("--profile")),
            base_url=_text(opts.get("--base-url")),
            timeout=timeout,
            verbose=bool(opts.get("--verbose") or opts.get("-v")),
            debug=debug,
            ca_bundle=_text(opts.get("--ca-bundle")),
            no_pager=bool(opts.get("--no-pager")),
        )
        debug = settings.debug
        fmt = output.resolve_format(_text(opts.get("--format", opts.get("-o"))), bool(opts.get("--json")))
        from trackstar_cli.commands.views import render_local_connections
        from trackstar_cli.service import Services

        svc = Services(settings)
        try:
            from trackstar_cli.service.profiles import check_profile

            check_profile(svc)  # as the full CLI does
            render_local_connections(svc, fmt)
        finally:
            svc.close()

    return output.guard(connections_list, debug=lambda: debug) or 0


def _text(value: str | bool | None) -> str | None:
    return value if isinstance(value, str) else None
