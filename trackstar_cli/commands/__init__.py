"""One Typer sub-app per noun; each command parses, calls one service method and renders the result."""
