"""`aftersales` commands of the audits app; `register(app)` is called by aftersales/cli.py."""

import typer


def register(app: typer.Typer) -> None:
    """Add this app's commands to the main CLI."""
