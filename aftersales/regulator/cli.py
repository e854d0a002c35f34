"""`aftersales regulator …`: the monthly report to the regulator; `register(app)` is called by aftersales/cli.py."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from aftersales.clikit import django_setup

regulator_app = typer.Typer(help="The report to the regulator.", no_args_is_help=True, rich_markup_mode=None)


def _month(text: str) -> date:
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        typer.echo(f"--month must be YYYY-MM, not {text!r}", err=True)
        raise typer.Exit(2)
    return date(int(m.group(1)), int(m.group(2)), 1)


def _cb(code: str | None):
    from aftersales.accounts.models import Organisation

    cbs = Organisation.objects.filter(kind=Organisation.Kind.CERTIFICATION_BODY)
    if code:
        found = cbs.filter(credit_code=code.strip().upper()).first()
        if found is None and code.strip().isdigit():
            found = cbs.filter(pk=int(code)).first()
        if found is None:
            typer.echo(f"no certification body with the credit code {code}", err=True)
            raise typer.Exit(2)
        return found
    found = list(cbs[:2])
    if len(found) != 1:
        typer.echo("several (or no) certification bodies: name one with --cb CREDIT_CODE", err=True)
        raise typer.Exit(2)
    return found[0]


def report(
    month: Annotated[
        str | None, typer.Option("--month", help="The reported month, YYYY-MM; default: what is due.")
    ] = None,
    out: Annotated[Path | None, typer.Option("-o", "--output", help="Where to write the file.")] = None,
    cb: Annotated[
        str | None, typer.Option("--cb", help="The certification body's credit code (or id); default: the only one.")
    ] = None,
    check: Annotated[bool, typer.Option("--check", help="Validate only; write and log nothing.")] = False,
    due: Annotated[bool, typer.Option("--due", help="With --month: only its records not yet reported.")] = False,
    channel: Annotated[
        str, typer.Option("--channel", help="xlsx (default), or json / xml for the WebService.")
    ] = "xlsx",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Validate the report (a month's records, or without --month every record due) and (unless
    --check) write it and log the export. Exit 2 when the report has problems (each named by sheet,
    row and column): nothing is written."""

    django_setup()
    from django.utils import translation

    from aftersales.regulator.services import ExportRefused, ReportInvalid, regulator_export, regulator_report

    the_month = _month(month) if month else None
    label = f"{the_month:%Y-%m}" if the_month else "due"
    if not check and out is None:
        typer.echo("-o FILE is required (or --check to validate only)", err=True)
        raise typer.Exit(2)
    body = _cb(cb)
    with translation.override("en"):
        try:
            if check:
                rows, problems = regulator_report(cb=body, month=the_month, due_only=due)
                if problems:
                    raise ReportInvalid(problems)
                counts = {k: len(v) for k, v in rows.items()}
                result = {"month": label, "valid": True, "counts": counts}
            else:
                export = regulator_export(
                    cb=body, month=the_month, due_only=due, channel_name=channel, by_label="command:regulator-report"
                )
                with export.file.open("rb") as src, Path(out).open("wb") as dst:  # any storage, not only a folder
                    shutil.copyfileobj(src, dst, 1 << 20)
                result = {
                    "month": label,
                    "valid": True,
                    "counts": export.counts,
                    "sha256": export.sha256,
                    "file": str(out),
                    "export": export.pk,
                }
        except ReportInvalid as e:
            if as_json:
                typer.echo(
                    json.dumps({"valid": False, "problems": [p.as_dict("en") for p in e.problems]}, ensure_ascii=False)
                )
            else:
                typer.echo(str(e), err=True)
                for p in e.problems:
                    typer.echo(p.located("en"), err=True)
            raise typer.Exit(2) from None
        except ExportRefused as e:
            typer.echo(str(e), err=True)
            raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    counts = " ".join(f"{k}={v}" for k, v in result["counts"].items())
    if check:
        typer.echo(f"valid: {result['month']} {counts}")
    else:
        typer.echo(f"wrote {out} ({result['month']}: {counts}; sha256 {result['sha256']})")


def log(
    cb: Annotated[str | None, typer.Option("--cb", help="Only this certification body (credit code or id).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """List the exports, newest first: month, when, who, rows per sheet, SHA-256."""

    django_setup()
    from django.utils import timezone

    from aftersales.regulator.models import RegulatorExport

    rows = RegulatorExport.objects.select_related("cb").order_by("-generated_at", "-id")
    if cb:
        rows = rows.filter(cb=_cb(cb))
    for e in rows:
        item = {
            "id": e.pk,
            "cb": e.cb.name,
            "month": f"{e.period:%Y-%m}" if e.period else "due",
            "scope": e.scope,
            "channel": e.channel,
            "generated_at": timezone.localtime(e.generated_at).isoformat(timespec="seconds"),
            "by": e.generated_by_label,
            "counts": e.counts,
            "sha256": e.sha256,
        }
        if as_json:
            typer.echo(json.dumps(item, ensure_ascii=False))
        else:
            counts = " ".join(f"{k}={v}" for k, v in e.counts.items())
            typer.echo(f"{item['month']}  {item['generated_at']}  {e.cb.name}  {item['by']}  {counts}  {e.sha256}")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main CLI."""
    regulator_app.command("report")(report)
    regulator_app.command("log")(log)
    app.add_typer(regulator_app, name="regulator")
