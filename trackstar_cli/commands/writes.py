"""Write commands (orders create …, inventory adjust, tags set): added to the resource groups."""

import typer

__all__ = ["add_commands", "build"]


def add_commands(group: str, app: typer.Typer) -> None:
    """Add the write commands of `group` (e.g. orders create) to its Typer app."""


def build(name: str) -> typer.Typer:
    app = typer.Typer(help="Set Trackstar tags on any taggable resource.", no_args_is_help=True, add_completion=False)
    return app
