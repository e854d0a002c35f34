from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.core.records.mapping import mapping_title, shipped_mappings
from aftersales.params import BoundedDateField, RecordsDateField

from .models import AuditSample, Kind, SampleEntry

MAX_IMPORT_BYTES = 200 * 1024 * 1024  # a year of work orders of a large enterprise fits easily
MAX_MAPPING_BYTES = 256 * 1024


def mapping_choices() -> list[tuple[str, str]]:
    shipped = [(name, mapping_title(name)) for name in shipped_mappings()]
    return [("", _("— upload my own mapping file below —")), *shipped]


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of records"), choices=Kind.choices)
    file = forms.FileField(label=_("Export file (.csv or .xlsx)"))
    mapping = forms.ChoiceField(label=_("Shipped mapping"), required=False, choices=mapping_choices)
    mapping_file = forms.FileField(label=_("Or a mapping file (YAML)"), required=False)
    dry_run = forms.BooleanField(label=_("Dry run: check and count, write nothing"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 200 MB."))
        return upload

    def clean(self):
        data = super().clean()
        name, upload = data.get("mapping"), data.get("mapping_file")
        if bool(name) == bool(upload):
            raise forms.ValidationError(_("Choose a shipped mapping or upload a mapping file (one of the two)."))
        if upload is not None and upload.size > MAX_MAPPING_BYTES:
            raise forms.ValidationError(_("The mapping file is larger than 256 KB."))
        return data

    def mapping_bytes(self) -> tuple[str, bytes]:
        """(name, bytes) of the chosen mapping."""
        name, upload = self.cleaned_data.get("mapping"), self.cleaned_data.get("mapping_file")
        if name:
            return name, shipped_mappings()[name].read_bytes()
        return upload.name.rsplit(".", 1)[0], upload.read()


class PeriodForm(forms.Form):
    date_from = RecordsDateField(label=_("From"), required=False)
    date_to = RecordsDateField(label=_("To"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data


class RecordFilterForm(PeriodForm):
    status = forms.CharField(label=_("Status"), required=False, max_length=16)
    q = forms.CharField(label=_("External id starts with"), required=False, max_length=128)
    kpi = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


def _decimal(label):
    return forms.DecimalField(label=label, required=False, min_value=0.01, max_digits=8, decimal_places=2)


class CommitmentForm(forms.Form):
    effective_from = BoundedDateField(label=_("Effective from"))
    first_response_hours = _decimal(_("First response to complaints within (hours)"))
    arrival_hours = _decimal(_("Technician on site within (hours)"))
    completion_hours = _decimal(_("Repair completed within (hours)"))
    complaint_closure_working_days = _decimal(_("Complaints closed within (working days)"))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class SampleForm(PeriodForm):
    kind = forms.ChoiceField(label=_("Kind of records"), choices=Kind.choices)
    n = forms.IntegerField(label=_("Sample size"), min_value=1, max_value=10_000)
    seed = forms.CharField(
        label=_("Seed"), required=False, max_length=64, help_text=_("Leave empty for a new random seed (it is stored).")
    )
    method = forms.ChoiceField(label=_("Method"), choices=AuditSample.Method.choices)
    item = forms.CharField(
        label=_("Feeds assessment item"),
        required=False,
        max_length=64,
        help_text=_("Optional: the item this sample scores, in the assessment named below (yours to write)."),
    )


class VerdictForm(forms.Form):
    verdict = forms.ChoiceField(choices=SampleEntry.Verdict.choices)
    note = forms.CharField(required=False, max_length=2000)
