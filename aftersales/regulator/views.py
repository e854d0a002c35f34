"""The CB's regulator report pages: the export log, a form to export a month, the reminder state;
the "to report" queue (plans first) and its export."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from .access import export_for, regulator_cb_for
from .models import RegulatorExport, ReportedRecord
from .reminders import reminder_state
from .selectors import export_records, exports_of, last_month, queue
from .services import ExportRefused, ReportInvalid, cb_code, regulator_export, report_template

CHANNELS = [
    (RegulatorExport.Channel.XLSX, gettext_lazy("Excel workbook (.xlsx)")),
    (RegulatorExport.Channel.JSON, gettext_lazy("WebService messages (JSON)")),
    (RegulatorExport.Channel.XML, gettext_lazy("WebService messages (XML)")),
]
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "xml": "application/xml",
}


class ExportForm(forms.Form):
    month = forms.CharField(label=gettext_lazy("Month"), max_length=7)
    due_only = forms.BooleanField(label=gettext_lazy("Only the records not yet reported"), required=False)
    channel = forms.ChoiceField(label=gettext_lazy("Format"), choices=CHANNELS, required=False)

    def clean_month(self) -> date:
        text = self.cleaned_data["month"].strip()
        m = re.fullmatch(r"(\d{4})-(\d{2})", text)
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise forms.ValidationError(_("Give the month as YYYY-MM, e.g. 2026-10."))
        return date(int(m.group(1)), int(m.group(2)), 1)


class QueueExportForm(forms.Form):
    channel = forms.ChoiceField(label=gettext_lazy("Format"), choices=CHANNELS)


KIND_NAMES = dict(ReportedRecord.Kind.choices)


def _page(request, cb, *, form=None, problems=(), status=200):
    today = timezone.localdate()
    context = {
        "cb": cb,
        "exports": list(exports_of(cb)[:100]),
        "form": form or ExportForm(initial={"month": f"{last_month(today):%Y-%m}", "channel": "xlsx"}),
        "channels": CHANNELS,
        "state": reminder_state(cb, today),
        "problems": [p.located(request.LANGUAGE_CODE) for p in problems],
        "today": today,
    }
    return render(request, "regulator/home.html", context, status=status)


@login_required
@require_GET
def regulator_home(request):
    return _page(request, regulator_cb_for(request.user))


@login_required
@require_POST
def regulator_export_view(request):
    cb = regulator_cb_for(request.user)
    form = ExportForm(request.POST)
    if not form.is_valid():
        return _page(request, cb, form=form, status=400)
    month = form.cleaned_data["month"]
    try:
        export = regulator_export(
            cb=cb,
            month=month,
            due_only=form.cleaned_data["due_only"],
            channel_name=form.cleaned_data["channel"] or RegulatorExport.Channel.XLSX,
            by=request.user,
        )
    except ReportInvalid as e:
        messages.error(request, str(e))
        return _page(request, cb, form=form, problems=e.problems, status=400)
    except ExportRefused as e:
        messages.error(request, str(e))
        return _page(request, cb, form=form, status=400)
    messages.success(
        request,
        _("The report for %(month)s was exported (SHA-256 %(sha)s).")
        % {"month": f"{month:%Y-%m}", "sha": export.sha256},
    )
    return redirect("regulator_home")


@login_required
@require_GET
def regulator_download(request, pk: int):
    export = export_for(request.user, pk)
    period = f"{export.period:%Y-%m}" if export.period else "due"
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=f"{cb_code(export.cb)}-{period}-{export.pk}.{export.channel}",
        content_type=CONTENT_TYPES[export.channel],
    )


@login_required
@require_GET
def regulator_export_detail(request, pk: int):
    export = export_for(request.user, pk)
    rows = export_records(export)
    sheets = {s.key: (n, s.name) for n, s in enumerate(report_template().sheets)}
    for row in rows:
        row["sheet"] = sheets.get(row["record"].sheet, (0, row["record"].sheet))[1]
        row["kind"] = KIND_NAMES[row["record"].kind]
    rows.sort(key=lambda r: (sheets.get(r["record"].sheet, (0, ""))[0], r["record"].row or 0))
    return render(request, "regulator/export_detail.html", {"export": export, "rows": rows})


def _queue_page(request, cb, *, form=None, problems=(), status=200):
    today = timezone.localdate()
    entries = queue(cb, report_template(), today)
    for e in entries:
        e["what"] = ", ".join(str(KIND_NAMES[k]) for k in e["kinds"])
    context = {
        "cb": cb,
        "entries": entries,
        "plans_due": sum(1 for e in entries if e["plan"]),
        "overdue": sum(1 for e in entries if e["overdue"]),
        "form": form or QueueExportForm(initial={"channel": "xlsx"}),
        "channels": CHANNELS,
        "problems": [p.located(request.LANGUAGE_CODE) for p in problems],
        "today": today,
    }
    return render(request, "regulator/queue.html", context, status=status)


@login_required
@require_GET
def regulator_queue(request):
    return _queue_page(request, regulator_cb_for(request.user))


@login_required
@require_POST
def regulator_queue_export(request):
    cb = regulator_cb_for(request.user)
    form = QueueExportForm(request.POST)
    if not form.is_valid():
        return _queue_page(request, cb, form=form, status=400)
    try:
        export = regulator_export(cb=cb, month=None, channel_name=form.cleaned_data["channel"], by=request.user)
    except ReportInvalid as e:
        messages.error(request, str(e))
        return _queue_page(request, cb, form=form, problems=e.problems, status=400)
    except ExportRefused as e:
        messages.error(request, str(e))
        return _queue_page(request, cb, form=form, status=400)
    messages.success(
        request,
        _("The records due were exported: %(n)s rows (SHA-256 %(sha)s).")
        % {"n": sum(export.counts.values()), "sha": export.sha256},
    )
    return redirect("regulator_queue")
