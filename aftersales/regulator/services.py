"""Writes of the regulator area: export a report (a month's records or those due), validated,
stored, logged, with each record's reporting state, in one transaction."""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aftersales.accounts.models import Organisation
from aftersales.core.refusal import Refused
from aftersales.core.regulator import CellProblem, Template, TemplateError, load_template, normalise, validate
from aftersales.events.services import event_record

from .channel import channel, message_for, record_json, record_xml
from .models import RegulatorExport, ReportedRecord
from .selectors import Scope, report_rows
from .workbook import workbook_bytes

MAX_ROWS = 50_000  # per export: beyond it, export month by month
ROW_KEY = {"plans": "plan_no", "certificates": "certificate_no", "results": "report_no"}


class ReportInvalid(Exception):
    """The report breaks a rule: nothing was written. `problems` names sheet, row and column."""

    def __init__(self, problems: list[CellProblem]):
        self.problems = problems
        super().__init__(
            ngettext(
                "The report has %(n)s problem; nothing was written.",
                "The report has %(n)s problems; nothing was written.",
                len(problems),
            )
            % {"n": len(problems)}
        )


class ExportRefused(Refused):
    """str() is the user's message."""

    status = 400


@functools.cache
def _template(path: str, mtime: float) -> Template:
    return load_template(path or None)


def report_template() -> Template:
    """The template in force: the setting REGULATOR_TEMPLATE (a .yaml/.json/.xlsx file) or the shipped one."""
    path = getattr(settings, "REGULATOR_TEMPLATE", None) or ""
    try:
        mtime = Path(path).stat().st_mtime if path else 0.0
        return _template(path, mtime)
    except (OSError, TemplateError) as e:
        raise ExportRefused(_("The regulator report template cannot be used: %(error)s") % {"error": e}) from e


def cb_code(cb: Organisation) -> str:
    return cb.credit_code or f"CB{cb.pk}"


def _check_cb(cb: Organisation) -> None:
    if cb.kind != Organisation.Kind.CERTIFICATION_BODY:
        raise ExportRefused(_("%(name)s is not a certification body.") % {"name": cb.name})


def _scope(cb: Organisation, month: date | None, due_only: bool) -> Scope:
    if month is None:
        return Scope.due(cb)
    month = month.replace(day=1)
    if month > timezone.localdate().replace(day=1):
        raise ExportRefused(_("The month %(month)s has not begun yet.") % {"month": f"{month:%Y-%m}"})
    return Scope.month(cb, month, due_only=due_only)


def regulator_report(
    *, cb: Organisation, month: date | None = None, due_only: bool = False
) -> tuple[dict[str, list[dict]], list[CellProblem]]:
    """The rows (normalised) and their problems; writes nothing. No month: the records due."""
    _check_cb(cb)
    template = report_template()
    rows, earlier = report_rows(_scope(cb, month, due_only), template)
    rows = normalise(rows, template)
    return rows, validate(rows, template, earlier=earlier)


def regulator_export(
    *,
    cb: Organisation,
    month: date | None = None,
    due_only: bool = False,
    channel_name: str = RegulatorExport.Channel.XLSX,
    by=None,
    by_label: str = "",
) -> RegulatorExport:
    """Validate and export: a month's records (`month`; with `due_only` those of the month not yet
    reported) or every record due (`month=None`), as the template's workbook or through the
    WebService adapter (`channel_name` json/xml). One log row per export, one ReportedRecord per
    record carried, all in one transaction. Raises ReportInvalid / ExportRefused (nothing written)."""
    if by is None and not by_label:
        raise ValueError("an export needs an actor: a user (by=) or a label (by_label=)")
    if channel_name not in RegulatorExport.Channel.values:
        raise ExportRefused(_("Unknown channel %(name)s.") % {"name": channel_name})
    rows, problems = regulator_report(cb=cb, month=month, due_only=due_only)
    if problems:
        raise ReportInvalid(problems)
    total = sum(len(v) for v in rows.values())
    if total > MAX_ROWS:
        raise ExportRefused(
            _("%(n)s rows are more than one export holds (%(max)s); export month by month.")
            % {"n": total, "max": MAX_ROWS}
        )
    if total == 0 and month is None:
        raise ExportRefused(_("Nothing is due: every record has been reported."))
    template = report_template()
    now = timezone.now()
    period = month.replace(day=1) if month else None
    if channel_name == RegulatorExport.Channel.XLSX:
        content = workbook_bytes(rows, template=template)
    else:
        content = _bundle(rows, template, cb_code(cb), channel_name)
    counts = {s.name: len(rows[s.key]) for s in template.sheets}
    digest = hashlib.sha256(content).hexdigest()
    stamp = f"{timezone.localtime(now):%Y%m%d%H%M%S}"
    name = f"{cb_code(cb)}-{f'{period:%Y-%m}' if period else 'due'}-{stamp}.{channel_name}"
    with transaction.atomic():
        export = RegulatorExport(
            cb=cb,
            period=period,
            scope=RegulatorExport.Scope.DUE if (month is None or due_only) else RegulatorExport.Scope.MONTH,
            channel=channel_name,
            template_id=template.id,
            sha256=digest,
            size=len(content),
            counts=counts,
            generated_by=by,
            generated_by_label=by_label or by.get_username(),
            generated_at=now,
        )
        export.file.save(name, ContentFile(content), save=False)
        export.save()
        ReportedRecord.objects.bulk_create(_records(export, rows, template, now), batch_size=1000)
        event_record(
            action="regulator.exported",
            subject=export,
            by=by,
            by_label=by_label,
            data={
                "cb": cb.pk,
                "month": f"{period:%Y-%m}" if period else "",
                "scope": export.scope,
                "channel": channel_name,
                "template": template.id,
                "sha256": digest,
                "counts": counts,
            },
        )
        if channel_name != RegulatorExport.Channel.XLSX:
            # inside the transaction: an adapter that fails leaves nothing recorded as reported
            adapter = channel()
            for sheet in template.sheets:
                for row in rows[sheet.key]:
                    adapter.send(
                        message_for(
                            template,
                            sheet,
                            row,
                            key=str(row[ROW_KEY[sheet.key]]),
                            cb_code=cb_code(cb),
                            fmt=channel_name,
                        )
                    )
    return export


def _records(export: RegulatorExport, rows: dict[str, list[dict]], template: Template, now) -> list[ReportedRecord]:
    out = []
    xlsx = export.channel == RegulatorExport.Channel.XLSX
    for sheet in template.sheets:
        for i, row in enumerate(rows[sheet.key]):
            for kind, pk, _recorded, due in row["_records"]:
                out.append(
                    ReportedRecord(
                        cb=export.cb,
                        export=export,
                        kind=kind,
                        object_id=pk,
                        sheet=sheet.key,
                        row=sheet.header_row + 1 + i if xlsx else None,
                        due_on=due,
                        reported_at=now,
                    )
                )
    return out


def _bundle(rows: dict[str, list[dict]], template: Template, code: str, fmt: str) -> bytes:
    """Every message of the export in one file (the log's copy): a JSON array or an XML <records>."""
    if fmt == RegulatorExport.Channel.JSON:
        items = [record_json(template, s, r, code) for s in template.sheets for r in rows[s.key]]
        return json.dumps(items, ensure_ascii=False, indent=1).encode()
    body = "".join(record_xml(template, s, r, code) for s in template.sheets for r in rows[s.key])
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<records>{body}</records>'.encode()
