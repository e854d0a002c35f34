"""Commands of this area; `register(app)` is called by aftersales/cli.py.

aftersales backup -o FILE.tar     database (every table, one snapshot) + media files + manifest
aftersales restore FILE.tar       into an empty instance (checks every hash first)

Exit status: 0 done, 2 bad input (damaged archive, non-empty database, …), 1 failure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from aftersales.clikit import django_setup


def backup_command(
    output: Annotated[Path, typer.Option("-o", "--output", help="The archive to write (.tar).")],
) -> None:
    """Write a consistent backup: database dump, uploaded files and a manifest with SHA-256 hashes."""

    django_setup()
    from .backup import BackupRefused, backup

    try:
        result = backup(output)
    except BackupRefused as exc:
        typer.echo(f"backup refused: {exc}", err=True)
        raise typer.Exit(2) from None
    except Exception as exc:
        typer.echo(f"backup failed: {type(exc).__name__}: {exc}", err=True)
        raise typer.Exit(1) from None
    rows = sum(result.rows.values())
    typer.echo(
        f"wrote {result.path}: {rows} rows in {len(result.rows)} tables, {result.files} files ({result.bytes} bytes)"
    )


def restore_command(
    archive: Annotated[Path, typer.Argument(help="An archive written by `aftersales backup`.")],
) -> None:
    """Restore a backup into an empty instance (refuses a damaged archive or a non-empty database)."""

    django_setup()
    from .backup import BackupRefused, chain_breaks, restore

    try:
        result = restore(archive)
    except BackupRefused as exc:
        typer.echo(f"restore refused: {exc}", err=True)
        raise typer.Exit(2) from None
    except Exception as exc:
        typer.echo(f"restore failed: {type(exc).__name__}: {exc}", err=True)
        raise typer.Exit(1) from None
    rows = sum(result.rows.values())
    typer.echo(f"restored {rows} rows in {len(result.rows)} tables and {result.files} files from {archive}")
    if result.migrated_after:
        typer.echo(f"then applied {len(result.migrated_after)} newer migrations: {', '.join(result.migrated_after)}")
    breaks = chain_breaks()
    if breaks:
        for line in breaks:
            typer.echo(f"BROKEN {line}", err=True)
        raise typer.Exit(1)
    typer.echo("hash chains intact")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main CLI."""
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
