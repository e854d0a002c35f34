"""Forms of the CB's certificate actions: a status change (reason and effective date required) and
a change recorded as a new version (only the fields that differ from the current version are sent
to the service; the sites come one a line, "name | address")."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.core.concepts import LEVEL_TEXT, PASSING_LEVELS
from aftersales.params import BoundedDateField

from .models import CertificateVersion
from .presenters import ACTION_TEXT

R = CertificateVersion.Reason
# the kinds of change the CB records from the web (issue, recertification and surveillance come
# from decisions)
CHANGE_REASONS = [(r.value, r.label) for r in (R.LEVEL, R.SCOPE, R.ADDRESS, R.NAME)]
MAX_SITES = 200


class StatusForm(forms.Form):
    action = forms.ChoiceField(label=gettext_lazy("Action"), choices=list(ACTION_TEXT.items()))
    reason = forms.CharField(
        label=gettext_lazy("Reason (shown in the public registry)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
    effective_on = BoundedDateField(label=gettext_lazy("Effective on"), initial=timezone.localdate)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason."))
        return reason


def level_choices(lang: str) -> list[tuple[str, str]]:
    return [(lv.value, LEVEL_TEXT[lv].get(lang)) for lv in PASSING_LEVELS]


class ChangeForm(forms.Form):
    level = forms.ChoiceField(label=gettext_lazy("Level"), choices=[(lv.value, lv.value) for lv in PASSING_LEVELS])
    name = forms.CharField(label=gettext_lazy("Enterprise name"), max_length=200)
    address = forms.CharField(label=gettext_lazy("Address"), max_length=300, required=False)
    scope = forms.CharField(
        label=gettext_lazy("Scope"), widget=forms.Textarea(attrs={"rows": 3}), max_length=8000, required=False
    )
    sites = forms.CharField(
        label=gettext_lazy("Sites (one a line: name | address)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=20000,
    )
    reason = forms.ChoiceField(label=gettext_lazy("Kind of change"), choices=CHANGE_REASONS)
    note = forms.CharField(
        label=gettext_lazy("Why (shown in the public registry)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
    )

    def clean_sites(self) -> list[dict]:
        return sites_parse(self.cleaned_data.get("sites", ""))

    def clean(self):
        data = super().clean()
        for field in ("name", "address", "scope", "note"):
            if field in data:
                # browsers send textarea lines with CRLF; versions store LF
                data[field] = data[field].replace("\r\n", "\n").replace("\r", "\n").strip()
                if not data[field] and field in ("name", "note"):
                    self.add_error(field, _("This field is required."))
        return data


def sites_parse(text: str) -> list[dict]:
    """ "name | address" (or a full-width ｜, or a tab) one a line → [{"name", "address"}]; blank lines skipped."""
    rows = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        for sep in ("|", "｜", "\t"):
            if sep in line:
                name, address = line.split(sep, 1)
                break
        else:
            name, address = line, ""
        rows.append({"name": name.strip(), "address": address.strip()})
    if len(rows) > MAX_SITES:
        raise forms.ValidationError(_("At most %(n)s sites.") % {"n": MAX_SITES})
    return rows


def sites_text(sites) -> str:
    return "\n".join(
        f"{s.get('name', '')} | {s.get('address', '')}".strip(" |") if isinstance(s, dict) else str(s)
        for s in sites or []
    )


def change_initial(version: CertificateVersion) -> dict:
    return {
        "level": version.level,
        "name": version.enterprise_name,
        "address": version.address,
        "scope": version.scope,
        "sites": sites_text(version.sites),
    }


def changed_fields(data: dict, version: CertificateVersion) -> dict:
    """The keyword arguments for `certificate_change`: only what differs from the current version."""
    out = {}
    if data["level"] != version.level:
        out["level"] = data["level"]
    if data["name"] != version.enterprise_name:
        out["name"] = data["name"]
    if data["address"] != version.address:
        out["address"] = data["address"]
    if data["scope"] != version.scope.strip():
        out["scope"] = data["scope"]
    if data["sites"] != [{"name": s.get("name", ""), "address": s.get("address", "")} for s in version.sites or []]:
        out["sites"] = data["sites"]
    return out


def form_errors(form: forms.Form) -> list[str]:
    whole = _("Form")
    return [f"{form.fields[f].label if f in form.fields else whole}: {' '.join(e)}" for f, e in form.errors.items()]
