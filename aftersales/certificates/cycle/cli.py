"""`aftersales cycle …`: what is due in the certificate cycle; `register(app)` is called by
aftersales/cli.py (`cycle run`, the daily job, is the ops layer's: ops/cli.py).

    aftersales cycle due [--cb ID|NAME] [--today …] [--json]  surveillances due / overdue, expiring
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer

from aftersales.clikit import django_setup

cycle_app = typer.Typer(help="The certificate cycle: surveillance, recertification, reminders, expiry.")


def day_option(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        typer.echo(f"--today: {text!r} is not a date (YYYY-MM-DD)", err=True)
        raise typer.Exit(2) from None


@cycle_app.command("due")
def due(
    cb: Annotated[str | None, typer.Option("--cb", help="Certification body (id or exact name); default: all.")] = None,
    today: Annotated[str | None, typer.Option("--today", help="As of YYYY-MM-DD.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """What is due: surveillances in their window, overdue or missed ones, certificates expiring
    within 90 days, recertification windows open."""
    day = day_option(today)

    django_setup()
    from django.utils import timezone

    from aftersales.accounts.models import Organisation
    from aftersales.certificates.cycle.selectors import cycle_overview

    cbs = Organisation.objects.filter(kind=Organisation.Kind.CERTIFICATION_BODY).order_by("name")
    if cb:
        cbs = cbs.filter(pk=int(cb)) if cb.isdigit() else cbs.filter(name=cb)
        if not cbs.exists():
            typer.echo(f"no certification body {cb}", err=True)
            raise typer.Exit(2)
    day = day or timezone.localdate()
    out = []
    for body in cbs:
        o = cycle_overview(body, day)
        out.append(
            {
                "cb": body.name,
                "due": [_surveillance(s) for s in o.due],
                "overdue": [_surveillance(s) for s in o.overdue],
                "expiring": [
                    {"certificate": c.number, "enterprise": c.name, "expires_on": c.expires_on.isoformat()}
                    for c in o.expiring
                ],
                "recertification": [
                    {
                        "certificate": r.certificate.number,
                        "opens": r.opens.isoformat(),
                        "expires_on": r.certificate.expires_on.isoformat(),
                        "case": r.case_reference,
                    }
                    for r in o.recertification
                ],
            }
        )
    if as_json:
        typer.echo(json.dumps({"today": day.isoformat(), "cbs": out}, ensure_ascii=False))
        return
    for body in out:
        typer.echo(f"== {body['cb']} ({day.isoformat()})")
        for s in body["due"]:
            typer.echo(f"due          {s['certificate']} {s['surveillance']} by {s['due_by']} [{s['state']}]")
        for s in body["overdue"]:
            typer.echo(f"overdue      {s['certificate']} {s['surveillance']} was due {s['due_by']} [{s['state']}]")
        for c in body["expiring"]:
            typer.echo(f"expiring     {c['certificate']} on {c['expires_on']}")
        for r in body["recertification"]:
            typer.echo(f"recertify    {r['certificate']} expires {r['expires_on']} case {r['case'] or '-'}")


def _surveillance(s) -> dict:
    return {
        "certificate": s.certificate.number,
        "enterprise": s.certificate.name,
        "surveillance": f"{s.cycle}.{s.n}",
        "window_opens": s.window_opens.isoformat(),
        "due_by": s.due_by.isoformat(),
        "state": s.state,
        "case": s.case.reference if s.case_id else None,
        "proposal_answer": s.proposal_answer,
    }


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main CLI."""
    app.add_typer(cycle_app, name="cycle")
