"""`aftersales` commands of the audits app; `register(app)` is called by aftersales/cli.py."""

from __future__ import annotations

import typer

from aftersales.clikit import django_setup


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
    app.command("escalate-overdue")(escalate_overdue)
