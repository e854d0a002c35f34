"""Commands of this area; `register(app)` is called by aftersales/cli.py."""

import typer


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main CLI."""
