from itertools import zip_longest

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.params import BoundedDateField, IdField

from .models import Audit, ConflictDeclaration, Decision, Nonconformity


class PlanForm(forms.Form):
    mode = forms.ChoiceField(label=_("Audit mode"), choices=Audit.Mode.choices)
    start_date = BoundedDateField(label=_("First day"))
    end_date = BoundedDateField(label=_("Last day"))
    man_days = forms.CharField(label=_("Man-days"), required=False, max_length=8)
    sites = forms.CharField(label=_("Sites (one a line)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


def rows_from(data, prefix: str, keys: tuple[str, ...]) -> list[dict]:
    """Table rows posted as repeated fields `<prefix>_<key>` (one value per row)."""
    columns = [data.getlist(f"{prefix}_{k}") for k in keys]
    return [dict(zip(keys, values, strict=True)) for values in zip_longest(*columns, fillvalue="")]


class ObjectionForm(forms.Form):
    member = IdField()
    reason = forms.CharField(label=_("Reason"), max_length=2000)


class ObjectionAnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=[("keep", _("keep")), ("replace", _("replace"))])
    replacement = IdField(required=False)
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False)


class FindingForm(forms.Form):
    grade = forms.ChoiceField(label=_("Grade"), choices=Nonconformity.Grade.choices)
    description = forms.CharField(label=_("Description"), max_length=4000)


class FindingAnswerForm(forms.Form):
    cause = forms.CharField(label=_("Cause"), max_length=4000, required=False)
    correction = forms.CharField(label=_("Correction"), max_length=4000, required=False)
    corrective_action = forms.CharField(label=_("Corrective action"), max_length=4000, required=False)


class VerifyForm(forms.Form):
    accept = forms.ChoiceField(choices=[("yes", _("accept")), ("no", _("reject"))])
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False)


class ReportForm(forms.Form):
    conclusion = forms.CharField(label=_("Conclusion"), max_length=8000, required=False)
    recommended_level = forms.CharField(label=_("Recommended level"), max_length=16, required=False)
    recommendation_reason = forms.CharField(
        label=_("Reason for the recommended level"), max_length=4000, required=False
    )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Decision.Outcome.choices)
    level = forms.CharField(label=_("Level"), max_length=16, required=False)
    reasons = forms.CharField(label=_("Reasons"), max_length=8000, required=False)
    no_conflict = forms.BooleanField(label=_("No conflict of interest"), required=False)


class AuditorForm(forms.Form):
    user = IdField()
    registration = forms.CharField(label=_("Registration number"), max_length=64)
    valid_until = BoundedDateField(label=_("Valid until"))
    industries = forms.CharField(label=_("Industries"), max_length=300, required=False)


class ConflictForm(forms.Form):
    auditor = IdField()
    enterprise = IdField()
    kind = forms.ChoiceField(label=_("Kind"), choices=ConflictDeclaration.Kind.choices)
    start = BoundedDateField(label=_("From"))
    end = BoundedDateField(label=_("To"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


def form_errors(form) -> str:
    return "; ".join(
        f"{form.fields[f].label or f if f in form.fields else f}: {' '.join(e)}" for f, e in form.errors.items()
    )
