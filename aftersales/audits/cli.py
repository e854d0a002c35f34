"""`aftersales` commands of the audits app; `register(app)` is called by aftersales/cli.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from aftersales.clikit import django_setup, keys_from_json


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
    from aftersales.ops.chains import chains_verify

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


def escalate_overdue() -> None:
    """Escalate nonconformities past their rectification deadline (an event on each case)."""

    django_setup()
    from aftersales.audits.findings import overdue_escalate
    from aftersales.certification.models import Case

    n = 0
    for case in Case.objects.filter(status=Case.Status.RECTIFICATION).order_by("reference"):
        due = overdue_escalate(case=case, by_label="command:escalate-overdue")
        for f in due:
            typer.echo(f"{case.reference} {f.item_code} {f.grade} deadline {f.deadline}")
        n += len(due)
    typer.echo(f"escalated: {n}")


def register(app: typer.Typer) -> None:
    """Add this app's commands to the main CLI."""
    app.command("verify-chain")(verify_chain)
    app.command("escalate-overdue")(escalate_overdue)
