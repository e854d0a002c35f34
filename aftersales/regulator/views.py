"""The CB's regulator report page: the export log, a form to export a month, the reminder state."""

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
from .reminders import reminder_state
from .selectors import exports_of, last_month
from .services import ExportRefused, ReportInvalid, cb_code, regulator_export


class ExportForm(forms.Form):
    month = forms.CharField(label=gettext_lazy("Month"), max_length=7)

    def clean_month(self) -> date:
        text = self.cleaned_data["month"].strip()
        m = re.fullmatch(r"(\d{4})-(\d{2})", text)
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise forms.ValidationError(_("Give the month as YYYY-MM, e.g. 2026-10."))
        return date(int(m.group(1)), int(m.group(2)), 1)


SHEET_NAMES = {
    "applications": gettext_lazy("applications"),
    "plans": gettext_lazy("audit plans"),
    "results": gettext_lazy("audit results"),
    "decisions": gettext_lazy("certification decisions"),
    "certificates": gettext_lazy("certificates"),
    "status_changes": gettext_lazy("status changes"),
}


def _page(request, cb, *, form=None, problems=(), status=200):
    today = timezone.localdate()
    context = {
        "cb": cb,
        "exports": [(e, [(k, SHEET_NAMES.get(k, k), n) for k, n in e.counts.items()]) for e in exports_of(cb)],
        "form": form or ExportForm(initial={"month": f"{last_month(today):%Y-%m}"}),
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
        export = regulator_export(cb=cb, month=month, by=request.user)
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
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=f"{cb_code(export.cb)}-{export.period:%Y-%m}-{export.pk}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
