"""Options and helpers shared by the commands."""

# No `from __future__ import annotations` here: Typer would eval() every string annotation at start-up.

import sys
from typing import Annotated

import typer

from trackstar_cli import output
from trackstar_cli.commands._complete import complete_connection
from trackstar_cli.config import ENV
from trackstar_cli.errors import UsageError
from trackstar_cli.output import Format
from trackstar_cli.service import Services

__all__ = [
    "ConnectionOpt",
    "Format",
    "FormatOpt",
    "JsonOpt",
    "OptionalRefArg",
    "fmt_of",
    "read_secret",
    "ask",
    "confirm",
    "services",
    "stdin_is_tty",
]


FormatOpt = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-o",
        help="Output format: table, json, ndjson or csv. Default: table on a terminal, json when piped.",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Same as --format json.")]
ConnectionOpt = Annotated[
    str | None,
    typer.Option(
        "--connection",
        "-c",
        envvar=ENV["connection"],
        show_envvar=True,
        help="Connection id or alias. Default: the one set with `connections use`, else the only one.",
        autocompletion=complete_connection,
    ),
]


OptionalRefArg = Annotated[
    str | None,
    typer.Argument(
        help="Connection id or alias. Default: the one set with `connections use`, else the only one.",
        metavar="[ID|ALIAS]",
        autocompletion=complete_connection,
        envvar=ENV["connection"],
        show_envvar=True,
        show_default=False,
    ),
]


def services(ctx: typer.Context) -> Services:
    state = ctx.find_root().obj
    return state.services  # type: ignore[no-any-return]


def fmt_of(fmt: Format | None, json_: bool) -> Format:
    return output.resolve_format(fmt, json_)


def stdin_is_tty() -> bool:
    return sys.stdin.isatty()


def read_secret(*, use_stdin: bool, prompt: str, flag: str) -> str:
    """A secret from standard input (--stdin) or a hidden prompt; never from argv."""
    if use_stdin:
        value = sys.stdin.readline().strip()
        if not value:
            raise UsageError(f"nothing was read from standard input for {flag}")
        return value
    if not stdin_is_tty():
        raise UsageError(
            "standard input is not a terminal, so there is nothing to prompt on",
            hint=f"pipe the secret in and pass {flag}",
        )
    return ask(prompt, hide_input=True)


def ask(prompt: str, *, hide_input: bool = False, default: str | None = None) -> str:
    """A question on stderr (the prompt is not data). Ctrl-C or Ctrl-D ends the command: `interrupted`, 130."""
    try:
        if default is None:
            return str(typer.prompt(prompt, hide_input=hide_input, err=True)).strip()
        return str(typer.prompt(prompt, hide_input=hide_input, err=True, default=default)).strip()
    except (typer.Abort, EOFError):
        output.info("")
        raise KeyboardInterrupt from None


def confirm(question: str, *, default: bool = False) -> bool:
    """Yes or no on stderr. Ctrl-C or Ctrl-D ends the command: `interrupted`, 130."""
    try:
        return bool(typer.confirm(question, default=default, err=True))
    except (typer.Abort, EOFError):
        output.info("")
        raise KeyboardInterrupt from None
