"""Writes of the regulator area: export one month's report (validated, stored, logged)."""

from __future__ import annotations

import hashlib
from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aftersales.accounts.models import Organisation
from aftersales.core.refusal import Refused
from aftersales.core.regulator import CellProblem, layout, normalise, validate
from aftersales.events.services import event_record

from .models import RegulatorExport
from .selectors import report_rows
from .workbook import workbook_bytes


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


def _sheets():
    from django.conf import settings

    return layout(getattr(settings, "REGULATOR_COLUMN_MAP", None))


def cb_code(cb: Organisation) -> str:
    return cb.credit_code or f"CB{cb.pk}"


def regulator_report(*, cb: Organisation, month: date) -> tuple[dict[str, list[dict]], list[CellProblem]]:
    """The month's rows (normalised) and their problems; writes nothing."""
    if cb.kind != Organisation.Kind.CERTIFICATION_BODY:
        raise ExportRefused(_("%(name)s is not a certification body.") % {"name": cb.name})
    month = month.replace(day=1)
    sheets = _sheets()
    rows, earlier = report_rows(cb, month)
    rows = normalise(rows, sheets)
    return rows, validate(rows, month=month, earlier=earlier, sheets=sheets)


def regulator_export(*, cb: Organisation, month: date, by=None, by_label: str = "") -> RegulatorExport:
    """Validate and write the month's workbook, store it under MEDIA_ROOT and log it. Exporting a
    month again is a new row (the log shows both). Raises ReportInvalid (nothing written)."""
    if by is None and not by_label:
        raise ValueError("an export needs an actor: a user (by=) or a label (by_label=)")
    month = month.replace(day=1)
    if month > timezone.localdate().replace(day=1):
        raise ExportRefused(_("The month %(month)s has not begun yet.") % {"month": f"{month:%Y-%m}"})
    rows, problems = regulator_report(cb=cb, month=month)
    if problems:
        raise ReportInvalid(problems)
    now = timezone.now()
    content = workbook_bytes(
        rows,
        meta={"cb": cb.name, "cb_code": cb_code(cb), "month": month, "generated_at": timezone.localtime(now)},
        sheets=_sheets(),
    )
    counts = {key: len(value) for key, value in rows.items()}
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        export = RegulatorExport(
            cb=cb,
            period=month,
            sha256=digest,
            size=len(content),
            counts=counts,
            generated_by=by,
            generated_by_label=by_label or by.get_username(),
            generated_at=now,
        )
        name = f"{cb_code(cb)}-{month:%Y-%m}-{timezone.localtime(now):%Y%m%d%H%M%S}.xlsx"
        export.file.save(name, ContentFile(content), save=False)
        export.save()
        event_record(
            action="regulator.exported",
            subject=export,
            by=by,
            by_label=by_label,
            data={"cb": cb.pk, "month": f"{month:%Y-%m}", "sha256": digest, "counts": counts},
        )
    return export
