"""`aftersales appeals overdue [--today YYYY-MM-DD] [--json]`: appeals and complaints whose
acknowledgement or decision is overdue, for the CB's daily check; `register(app)` is called by
aftersales/cli.py. Exit status 1 when any is overdue (so a cron job can alert)."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer

from aftersales.clikit import django_setup

appeals_app = typer.Typer(help="Appeals and complaints about the certification body's decisions and audits.")


@appeals_app.command("overdue")
def overdue(
    today: Annotated[str | None, typer.Option("--today", help="As if today were YYYY-MM-DD.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON array.")] = False,
) -> None:
    """List the open appeals past their acknowledgement or decision deadline."""
    try:
        day = date.fromisoformat(today) if today else None
    except ValueError:
        typer.echo(f"--today: {today!r} is not a date (YYYY-MM-DD)", err=True)
        raise typer.Exit(2) from None

    django_setup()
    from django.utils import timezone

    from aftersales.appeals.models import Appeal
    from aftersales.appeals.selectors import flag, overdue_q

    day = day or timezone.localdate()
    rows = [
        flag(a, day)
        for a in Appeal.objects.filter(overdue_q(day))
        .select_related("case", "cb", "handler")
        .order_by("decide_by", "id")
    ]
    out = [
        {
            "reference": a.reference,
            "kind": a.kind,
            "case": a.case.reference,
            "cb": a.cb.name,
            "status": a.status,
            "handler": a.handler.get_username() if a.handler else None,
            "acknowledge_by": a.acknowledge_by.isoformat(),
            "decide_by": a.decide_by.isoformat(),
            "acknowledgement_overdue": a.ack_overdue,
            "decision_overdue": a.decide_overdue,
        }
        for a in rows
    ]
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False))
    else:
        for r in out:
            late = "acknowledgement" if r["acknowledgement_overdue"] else "decision"
            typer.echo(
                f"{r['reference']}  {r['case']}  {r['status']:<12}  {late} overdue  "
                f"(acknowledge by {r['acknowledge_by']}, decide by {r['decide_by']})  {r['handler'] or '-'}"
            )
        typer.echo(f"overdue: {len(out)}")
    if out:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main CLI."""
    app.add_typer(appeals_app, name="appeals")
