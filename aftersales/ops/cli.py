"""Commands of this area; `register(app)` is called by aftersales/cli.py.

aftersales backup -o FILE.tar     database (every table, one snapshot) + media files + manifest
aftersales restore FILE.tar       into an empty instance (checks every hash first)
aftersales verify-chain           every hash chain against its links and signed checkpoints
aftersales cycle run              the daily job (ops/daily.py)

Exit status: 0 done, 2 bad input (damaged archive, non-empty database, …), 1 failure.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from aftersales.certificates.cycle.cli import cycle_app, day_option
from aftersales.clikit import django_setup, keys_from_json


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


def verify_chain(
    case: Annotated[
        str | None, typer.Option("--case", help="Case number (e.g. AS-2026-0001): only that case's chain.")
    ] = None,
    chain: Annotated[
        str | None,
        typer.Option("--chain", help="Only this chain: case:AS-…, certificate:ASC…, appeal:AP-… (default: all)."),
    ] = None,
    keys: Annotated[
        Path | None,
        typer.Option("--keys", help="A saved /.well-known/aftersales-cert-keys.json: also trust these (retired) keys."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Check every hash chain (cases, certificates, appeals) against its links and its signed
    checkpoints; exit 1 naming the chain and event where it breaks."""

    django_setup()
    from .chains import chains_verify

    only = f"case:{case}" if case is not None else chain
    extra = None
    if keys is not None:
        try:
            extra = {kid: k["x"] for kid, k in keys_from_json(keys.read_text(encoding="utf-8")).items()}
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            typer.echo(f"--keys: {keys}: {exc}", err=True)
            raise typer.Exit(2) from None
    report = chains_verify(keys=extra, only=only)
    if only is not None and not report.checked and not report.breaks:
        typer.echo(f"no chain {only}", err=True)
        raise typer.Exit(2)
    if as_json:
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False))
    elif report.breaks:
        for b in report.breaks:
            typer.echo(f"BROKEN {b['chain']} event {b['seq']}: {b['reason']}")
    else:
        typer.echo(f"intact: {report.checked} chain(s) checked, {len(report.unanchored)} head(s) not yet checkpointed")
    if report.breaks:
        raise typer.Exit(1)


def cycle_run_command(
    today: Annotated[str | None, typer.Option("--today", help="Run as if today were YYYY-MM-DD.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """The daily job (idempotent): expire, remind, mark missed surveillances, propose suspensions,
    and sign the hash-chain heads the checkpoint log lacks."""
    day = day_option(today)

    django_setup()
    from .daily import daily_run

    report, chains = daily_run(today=day, by_label="command:cycle run")
    if as_json:
        typer.echo(json.dumps({**report.as_json(), "chains": chains.as_json()}, ensure_ascii=False))
        return
    for b in chains.breaks:
        typer.echo(f"BROKEN       {b['chain']} event {b['seq']}: {b['reason']} (run aftersales verify-chain)")
    typer.echo(f"cycle run for {report.today.isoformat()}")
    for number in report.expired:
        typer.echo(f"expired      {number}")
    for item in report.missed:
        typer.echo(f"missed       {item} (suspension proposed to the CB)")
    for item in report.cancelled:
        typer.echo(f"cancelled    {item}")
    for key in report.reminders:
        typer.echo(f"reminder     {key}")
    for key in report.regulator:
        typer.echo(f"regulator    {key}")
    if report.retried:
        typer.echo(f"resent       {report.retried} reminder(s)")
    typer.echo(
        f"expired: {len(report.expired)}, missed: {len(report.missed)}, cancelled: {len(report.cancelled)}, "
        f"reminders: {len(report.reminders)}, chain heads signed: {len(chains.unanchored)}"
    )


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main CLI."""
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
    app.command("verify-chain")(verify_chain)
    cycle_app.command("run")(cycle_run_command)
