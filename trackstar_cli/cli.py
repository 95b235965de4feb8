"""The root command: global options, --version, and the single error boundary.

Global options (--profile, --base-url, --timeout, --ca-bundle, --verbose, --debug) are accepted before or
after the command: `_RootGroup.parse_args` moves them to the front before Click parses anything.
Every TrackstarError ends here as `error: …` / `hint: …` on stderr and its documented exit code.
"""

# No `from __future__ import annotations` here: Typer would eval() every string annotation at start-up.

import errno
import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer import _click as click
from typer import exceptions as typer_exceptions
from typer.core import TyperCommand, TyperGroup

from trackstar_cli import output
from trackstar_cli._options import GLOBAL_FLAG_OPTIONS, GLOBAL_VALUE_OPTIONS, VERSION_LINE
from trackstar_cli.commands._complete import complete_profile
from trackstar_cli.commands.views import GROUP_HELP, RESOURCE_GROUPS
from trackstar_cli.config import ENV, Settings, resolve_settings
from trackstar_cli.errors import ExitCode, TrackstarError

if TYPE_CHECKING:
    from trackstar_cli.service import Services

__all__ = ["AppState", "app", "main"]

_VALUE_OPTIONS = GLOBAL_VALUE_OPTIONS
_FLAG_OPTIONS = GLOBAL_FLAG_OPTIONS


def _hoist_global_options(args: list[str]) -> list[str]:
    """Move global options that follow the command name to the front, so they work anywhere."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    seen_command = False
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        name = arg.split("=", 1)[0]
        if seen_command and name in _VALUE_OPTIONS:
            take = 1 if "=" in arg else 2
            front.extend(args[i : i + take])
            i += take
            continue
        if seen_command and arg in _FLAG_OPTIONS:
            front.append(arg)
        else:
            if not arg.startswith("-") and not (rest and rest[-1] in _VALUE_OPTIONS):
                seen_command = True
            rest.append(arg)
        i += 1
    return front + rest


_WORDS = "trackstar.command_words"
# Commands that may name a profile that does not exist yet, because they create it (a config section, a stored
# key or a stored connection) or never touch one; every other command refuses an unknown --profile.
_CREATES_PROFILE = {
    ("auth", "login"),
    ("config", "set"),
    ("connections", "add"),
    ("profiles",),
    ("demo",),
    ("emulator",),
    ("exchange",),
    ("connect",),
    ("sandbox", "generate"),
    ("webhooks", "secret"),
    ("webhooks", "listen"),
}


def _command_words(args: list[str]) -> tuple[str, ...]:
    """The command's words (e.g. ("auth", "login")) after the hoisted global options; "--help" when asked."""
    before = args[: args.index("--")] if "--" in args else args
    if "--help" in before or "-h" in before:
        return ("--help",)
    words: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.split("=", 1)[0] in _VALUE_OPTIONS and not words:
            i += 1 if "=" in arg else 2
            continue
        if arg.startswith("-"):
            if words:
                break
        else:
            words.append(arg)
            if len(words) == 2:
                break
        i += 1
    return tuple(words)


def _may_create_profile(words: tuple[str, ...]) -> bool:
    return not words or words == ("--help",) or words[:1] in _CREATES_PROFILE or words[:2] in _CREATES_PROFILE


def _debug_requested(ctx: click.Context) -> bool:
    state = ctx.obj
    if isinstance(state, AppState):
        return state.settings.debug
    return "--debug" in sys.argv or os.environ.get(ENV["debug"], "").lower() in {"1", "true", "yes", "on"}


# Sub-commands are imported and built only when used: start-up is user-visible in shell loops.
# name -> module whose build(name) returns the sub-command's Typer app.
_LAZY: dict[str, str] = {
    "demo": "trackstar_cli.commands.demo",
    "auth": "trackstar_cli.commands.auth",
    "config": "trackstar_cli.commands.config",
    "profiles": "trackstar_cli.commands.config",
    "connect": "trackstar_cli.commands.connect",
    "link-token": "trackstar_cli.commands.link",
    "exchange": "trackstar_cli.commands.link",
    "connections": "trackstar_cli.commands.connections",
    "magic-links": "trackstar_cli.commands.magic_links",
    "schedules": "trackstar_cli.commands.schedules",
    **dict.fromkeys(RESOURCE_GROUPS, "trackstar_cli.commands.resources"),
    "tags": "trackstar_cli.commands.writes",
    "kits": "trackstar_cli.commands.writes",
    "passthrough": "trackstar_cli.commands.passthrough",
    "api": "trackstar_cli.commands.api",
    "integrations": "trackstar_cli.commands.integrations",
    "sandbox": "trackstar_cli.commands.integrations",
    "emulator": "trackstar_cli.commands.emulator",
    "webhooks": "trackstar_cli.commands.webhooks",
}


_PANELS = {
    **dict.fromkeys(("demo", "auth", "connect", "link-token", "exchange", "connections", "magic-links"), "Start here"),
    **dict.fromkeys((*RESOURCE_GROUPS, "tags", "kits"), "WMS data"),
    **dict.fromkeys(
        (
            "api",
            "passthrough",
            "integrations",
            "sandbox",
            "schedules",
            "emulator",
            "webhooks",
            "config",
            "profiles",
        ),
        "More",
    ),
}


# Each command's one-line help, so that the root help lists them without importing and building every sub-app
# (tests/test_help_pages.py keeps it equal to the sub-apps' own first paragraph).
_ONE_LINE = {
    "demo": "Walk through Trackstar's Getting Started flow on the built-in emulator: no key, no network, no set-up.",
    "auth": "Store, check and remove the organisation API key (kept in the OS keyring).",
    "connect": "Connect a WMS with Trackstar Link in the browser and store the connection: no frontend needed.",
    "link-token": "Create a Link token for the Trackstar Link modal (POST /link/token).",
    "exchange": "Exchange an auth code for a permanent access token and store the connection (POST /link/exchange).",
    "connections": "Connections stored locally (one per connected WMS account), and as Trackstar sees them.",
    **GROUP_HELP,  # the resource groups: the same lines their sub-apps use
    "kits": "Kits: products made of other SKUs (POST/PUT /wms/kits). Read them with `products list`.",
    "tags": "Set Trackstar tags on any taggable resource.",
    "api": "Send a raw request to any Trackstar API endpoint and print the JSON reply.",
    "passthrough": "Send a request to the connected system's own API through Trackstar (POST /wms/passthrough).",
    "integrations": "The integrations Trackstar offers, and what each supports.",
    "sandbox": "Trackstar's sandbox: a connection with mocked data.",
    "emulator": "Run the local Trackstar emulator (offline, on 127.0.0.1) and play the Link modal against it.",
    "webhooks": "Receive, verify, store, replay and trigger Trackstar's Svix-signed webhooks.",
    "config": "The current profile's settings in the config file: base_url, timeout, ca_bundle, max_response_bytes.",
    "profiles": "The profiles on this machine (config file, keyring and stored connections).",
    "magic-links": "Magic links: a hosted page your customer opens to connect, no frontend needed.",
    "schedules": "A connection's sync schedules at Trackstar: list, pause, resume.",
}


def _listing_stub(name: str) -> click.Command:
    """What the root help shows of a command it has not loaded: its name, panel and one-line help."""
    stub = TyperCommand(name, help=_ONE_LINE.get(name, ""))
    stub.rich_help_panel = _PANELS[name]
    return stub


def _load(name: str) -> click.Command:
    import importlib

    sub_app = importlib.import_module(_LAZY[name]).build(name)
    command = typer.main.get_command(sub_app)
    command.name = name
    command.rich_help_panel = _PANELS[name]  # type: ignore[attr-defined]
    return command


class _PassThrough(BaseException):
    """Carries Click's exit/abort exceptions past the error boundary untouched."""

    def __init__(self, exc: BaseException) -> None:
        super().__init__()
        self.exc = exc


class _RootGroup(TyperGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *_LAZY]

    _listing = False  # True while the root help is being written: list commands without loading them

    def format_help(self, ctx: click.Context, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.UsageError as exc:
            if args and "No such command" in exc.message and "Did you mean" not in exc.message:
                import difflib

                close = difflib.get_close_matches(args[0], self.list_commands(ctx), n=2, cutoff=0.6)
                if close:
                    exc.message = exc.message.rstrip(".") + ". Did you mean " + " or ".join(map(repr, close)) + "?"
            raise

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is None and cmd_name in _LAZY and self._listing:
            return _listing_stub(cmd_name)
        if found is None and cmd_name in _LAZY:
            found = _load(cmd_name)
            self.commands[cmd_name] = found
        return found

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        hoisted = _hoist_global_options(list(args))
        ctx.meta[_WORDS] = _command_words(hoisted)
        return super().parse_args(ctx, hoisted)

    def invoke(self, ctx: click.Context) -> Any:
        result: list[Any] = [None]

        def run() -> None:
            try:
                result[0] = super(_RootGroup, self).invoke(ctx)
            except (click.exceptions.ClickException, typer_exceptions.Exit, typer_exceptions.Abort) as exc:
                raise _PassThrough(exc) from None  # Click's own exits are not errors of ours

        try:
            code = output.guard(run, debug=lambda: _debug_requested(ctx))
        except _PassThrough as passed:
            raise passed.exc from None
        if code is not None:
            raise typer.Exit(code)
        return result[0]

    def main(  # type: ignore[override]
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **kwargs: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **kwargs)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **kwargs)
        except SystemExit as exc:
            # Typer turns a closed pipe (`trackstar --help | head -1`) into exit 1; for us that is a success.
            broken = exc.__context__
            if isinstance(broken, OSError) and broken.errno == errno.EPIPE:
                sys.exit(output.report_exception(BrokenPipeError()))
            raise
        except click.exceptions.NoArgsIsHelpError as exc:
            if exc.format_message().strip():  # Typer's rich help prints itself and leaves the message empty
                exc.show()
            given = sys.argv[1:] if args is None else list(args)
            # `trackstar` alone asks for help: not an error; `trackstar orders` lacks its verb: usage (2)
            sys.exit(0 if not given else exc.exit_code)
        except click.exceptions.ClickException as exc:
            output.emit_error(_usage_error(exc))
            sys.exit(exc.exit_code)
        except typer_exceptions.Abort:
            sys.exit(int(ExitCode.ERROR))
        sys.exit(rv if isinstance(rv, int) else 0)


def _usage_error(exc: click.exceptions.ClickException) -> TrackstarError:
    ctx = getattr(exc, "ctx", None)
    path = ctx.command_path if ctx is not None else "trackstar"
    hint = f"see `{path} --help`"
    param = getattr(exc, "param", None)
    choices = getattr(getattr(param, "type", None), "choices", None)
    given = _given_value(exc)
    if choices and given is not None:  # an enum option: the values, and the closest one
        import difflib

        values = [getattr(c, "value", c) for c in choices]
        close = difflib.get_close_matches(given, [str(v) for v in values], n=1, cutoff=0.6)
        hint = (f"did you mean {close[0]!r}? " if close else "") + "choose from " + ", ".join(map(str, values))
    return TrackstarError(exc.format_message(), hint=hint)


def _given_value(exc: click.exceptions.ClickException) -> str | None:
    import re

    match = re.search(r"'([^']*)' is not one of", exc.format_message())
    return match.group(1) if match else None


@dataclass
class AppState:
    settings: Settings
    services: "Services"


app = typer.Typer(
    cls=_RootGroup,
    name="trackstar",
    help="Trackstar's unified WMS API from a terminal: link, exchange, connections and WMS data.\n\n"
    "Try it offline first: `trackstar demo`.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        output.render_text(VERSION_LINE)
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            help="Profile to use (default: default) \\[env: TRACKSTAR_PROFILE].",
            autocompletion=complete_profile,
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="API base URL; http:// only for loopback \\[env: TRACKSTAR_BASE_URL]."),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout",
            help="Seconds a whole request may take (connect, headers and body; per page), default 30 "
            "\\[env: TRACKSTAR_TIMEOUT].",
        ),
    ] = None,
    ca_bundle: Annotated[
        str | None, typer.Option("--ca-bundle", help="CA certificates file for TLS \\[env: TRACKSTAR_CA_BUNDLE].")
    ] = None,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", help="Log requests and responses on stderr, secrets redacted \\[env: TRACKSTAR_VERBOSE]."
        ),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show a traceback on errors \\[env: TRACKSTAR_DEBUG].")
    ] = False,
    no_pager: Annotated[
        bool,
        typer.Option("--no-pager", help="Do not page long tables through less -FRX \\[env: TRACKSTAR_PAGER, PAGER]."),
    ] = False,
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = None,
) -> None:
    settings = resolve_settings(
        profile=profile,
        base_url=base_url,
        timeout=timeout,
        verbose=verbose,
        debug=debug,
        ca_bundle=ca_bundle,
        no_pager=no_pager,
    )
    from trackstar_cli.service import Services

    log = (lambda line: output.err_console().print(line, markup=False, style="dim")) if settings.verbose else None
    services = Services(settings, log=log, pick=_picker())
    ctx.call_on_close(services.close)
    ctx.obj = AppState(settings, services)
    if not _may_create_profile(ctx.meta.get(_WORDS, ())):
        from trackstar_cli.service.profiles import check_profile

        check_profile(services)


@app.command("version", rich_help_panel="More")
def version() -> None:
    """Show the version (the same line as `trackstar --version`).

    Example:

        trackstar version
    """
    output.render_text(VERSION_LINE)


def _picker() -> Any:
    """A picker for several connections without a default, when a person is at a terminal (never in a script)."""
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        return None

    def pick(conns: list[Any]) -> Any:
        from trackstar_cli.commands._common import ask

        output.info("Several connections and no default; which one?")
        for i, conn in enumerate(conns, 1):
            output.info(f"  {i}. {conn.label}  ({conn.integration_name}, {conn.connection_id})")
        while True:
            answer = ask(f"Connection [1-{len(conns)}]")
            if answer.isdigit() and 1 <= int(answer) <= len(conns):
                chosen = conns[int(answer) - 1]
                output.info(f"Using {chosen.label}; `trackstar connections use {chosen.label}` makes it the default.")
                return chosen
            output.warn(f"type a number from 1 to {len(conns)}")

    return pick


def _help_without_markdown() -> None:
    """Typer's rich help imports rich.markdown (and markdown_it, ~40 ms) for `rich_markup_mode="markdown"`
    alone; this app uses "rich". For a help run, a stand-in module takes its place."""
    import types

    if "rich.markdown" in sys.modules:
        return

    class Markdown:
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise RuntimeError("rich.markdown is not loaded in a help run (rich_markup_mode is 'rich')")

    stand_in = types.ModuleType("rich.markdown")
    stand_in.Markdown = Markdown  # type: ignore[attr-defined]
    sys.modules["rich.markdown"] = stand_in


def main() -> None:
    if {"--help", "-h"} & set(sys.argv[1:]):
        _help_without_markdown()
    try:
        app()
    except BrokenPipeError:  # `trackstar --help | head -1`: the reader went away, which is fine
        output.report_exception(BrokenPipeError())
        sys.exit(0)
