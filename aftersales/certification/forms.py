"""Forms of the certification pages. The application's rows (sites, exclusions, managers) come as
indexed fields `site-0-name`, `site-0-address`, … so a tablet form needs no JavaScript."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.params import BoundedDateField, CountField, IdField

from .models import Application, Case, Review
from .services import ApplicationData, ExclusionRow, ManagerRow, SiteRow

MAX_ROWS = 200


class OpenForm(forms.Form):
    cb = IdField(label=gettext_lazy("Certification body"))
    scheme = IdField(label=gettext_lazy("Scheme"))


class ApplicationForm(forms.Form):
    products = forms.CharField(
        label=gettext_lazy("Product categories in scope (one a line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
    services = forms.CharField(
        label=gettext_lazy("Services in scope"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
    )
    delivery_model = forms.ChoiceField(
        label=gettext_lazy("After-sales delivery model"),
        required=False,
        choices=[("", "—"), *Application.Delivery.choices],
    )
    staff_total = CountField(label=gettext_lazy("Staff (total headcount)"), min_value=0, required=False)
    staff_service_management = CountField(label=gettext_lazy("Service-management staff"), min_value=0, required=False)
    registered_on = BoundedDateField(label=gettext_lazy("Registration date"), required=False)
    system_effective_on = BoundedDateField(
        label=gettext_lazy("Date the after-sales system took effect"),
        required=False,
    )
    declared_no_incident = forms.BooleanField(
        label=gettext_lazy(
            "We declare: no major quality or safety accident, mass complaint or administrative "
            "penalty in the past 12 months."
        ),
        required=False,
    )
    declared_not_blacklisted = forms.BooleanField(
        label=gettext_lazy("We declare: we are not on a credit blacklist."), required=False
    )


def _rows(post, prefix: str, fields: tuple[str, ...]) -> list[dict]:
    """The indexed rows of the form, skipping rows left entirely blank."""
    rows = []
    for i in range(MAX_ROWS):
        keys = [f"{prefix}-{i}-{f}" for f in fields]
        if not any(k in post for k in keys):
            break
        row = {f: post.get(f"{prefix}-{i}-{f}", "").strip() for f in fields}
        if any(v for k, v in row.items() if k not in ("kind", "fixed")):
            rows.append(row)
    return rows


def application_data(post) -> tuple[ApplicationData | None, list[str]]:
    """The application as posted, or the field errors (named) when a value cannot be read."""
    form = ApplicationForm(post)
    if not form.is_valid():
        return None, [f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items()]
    d = form.cleaned_data
    return ApplicationData(
        products=d["products"],
        services=d["services"],
        delivery_model=d["delivery_model"],
        staff_total=d["staff_total"],
        staff_service_management=d["staff_service_management"],
        registered_on=d["registered_on"],
        system_effective_on=d["system_effective_on"],
        declared_no_incident=d["declared_no_incident"],
        declared_not_blacklisted=d["declared_not_blacklisted"],
        sites=[
            SiteRow(r["name"], r["address"], r["kind"], r["fixed"] in ("on", "1", "true"))
            for r in _rows(post, "site", ("name", "address", "kind", "fixed"))
        ],
        exclusions=[ExclusionRow(r["item"], r["reason"]) for r in _rows(post, "exclusion", ("item", "reason"))],
        managers=[ManagerRow(r["name"], r["certificate"]) for r in _rows(post, "manager", ("name", "certificate"))],
    ), []


class ReviewForm(forms.Form):
    audit_mode = forms.ChoiceField(label=gettext_lazy("Audit mode"), choices=Review.Mode.choices)
    risk_class = forms.CharField(label=gettext_lazy("Industry risk class"), max_length=16)
    outlets_visited = CountField(label=gettext_lazy("Fixed outlets visited"), min_value=0)
    scope_confirmed = forms.BooleanField(label=gettext_lazy("Scope confirmed"), required=False)
    man_days_override = forms.DecimalField(
        label=gettext_lazy("Man-days (override)"), required=False, min_value=0, max_digits=6, decimal_places=2
    )
    override_reason = forms.CharField(label=gettext_lazy("Reason for the override"), required=False, max_length=2000)


def exclusion_decisions(post, exclusion_ids) -> dict[int, bool | None]:
    """`exclusion-<id>` = confirm / reject / '' for each exclusion of the application."""
    values = {"confirm": True, "reject": False}
    return {pk: values.get(post.get(f"exclusion-{pk}", "")) for pk in exclusion_ids}


class InfoRequestForm(forms.Form):
    questions = forms.CharField(
        label=gettext_lazy("Items the applicant must answer (one a line)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=8000,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=gettext_lazy("Answer"), widget=forms.Textarea(attrs={"rows": 2}), max_length=8000)


class AcceptForm(forms.Form):
    travel_estimate = forms.DecimalField(
        label=gettext_lazy("Travel estimate (yuan)"), min_value=0, max_digits=12, decimal_places=2
    )


class ContractForm(forms.Form):
    signed_on = BoundedDateField(label=gettext_lazy("Signed on"))
    signed_by = forms.CharField(label=gettext_lazy("Signed by (for the enterprise)"), max_length=150)
    file = forms.FileField(label=gettext_lazy("Signed contract (optional)"), required=False)


def form_errors(form: forms.Form) -> list[str]:
    """Each error prefixed with the field's label (errors of the whole form with "Form")."""
    whole = _("Form")
    return [f"{form.fields[f].label if f in form.fields else whole}: {' '.join(e)}" for f, e in form.errors.items()]


STATUS_CHOICES = Case.Status.choices
