"""`aftersales` commands of the audits app; `register(app)` is called by aftersales/cli.py."""

from __future__ import annotations

import json
from typing import Annotated

import typer


def verify_chain(
    case: Annotated[
        str | None, typer.Option("--case", help="Case number (e.g. AS-2026-0001); default: every case.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Check every case's hash-chained history; exit 1 naming the case and event where it breaks."""
    from aftersales.cli import django_setup

    django_setup()
    from aftersales.certification.cases import case_chain_breaks
    from aftersales.certification.models import Case

    cases = Case.objects.order_by("reference")
    if case is not None:
        cases = cases.filter(reference=case)
        if not cases.exists():
            typer.echo(f"no case {case}", err=True)
            raise typer.Exit(2)
    checked, broken = 0, []
    for c in cases.iterator():
        checked += 1
        for b in case_chain_breaks(c):
            broken.append({"case": c.reference, "seq": b.seq, "reason": b.reason})
    if as_json:
        typer.echo(json.dumps({"checked": checked, "intact": not broken, "breaks": broken}, ensure_ascii=False))
    elif broken:
        for b in broken:
            typer.echo(f"BROKEN {b['case']} event {b['seq']}: {b['reason']}")
    else:
        typer.echo(f"intact: {checked} case(s) checked")
    if broken:
        raise typer.Exit(1)


def escalate_overdue() -> None:
    """Escalate nonconformities past their rectification deadline (an event on each case)."""
    from aftersales.cli import django_setup

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
