from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.core.scoring import DeductionKind, ResultKind
from aftersales.params import CountField, IdField


class AnswerForm(forms.Form):
    kind = forms.ChoiceField(label=_("Result"), choices=[(k.value, k.value) for k in ResultKind])
    sampled = CountField(label=_("Sampled"), min_value=1, required=False)
    nonconforming = CountField(label=_("Nonconforming"), min_value=0, required=False)
    awarded = forms.DecimalField(label=_("Points awarded"), min_value=0, max_digits=9, decimal_places=4, required=False)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)
    note = forms.CharField(label=_("Notes"), required=False, max_length=4000)
    version = CountField(min_value=0, widget=forms.HiddenInput)


class SpecialForm(forms.Form):
    type = forms.ChoiceField(
        label=_("Type"), choices=[("deduction", _("special deduction")), ("bonus", _("special bonus"))]
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", "—")] + [(k.value, k.value) for k in DeductionKind]
    )
    reason = forms.CharField(label=_("Reason"), max_length=2000)


class StartForm(forms.Form):
    scheme = forms.CharField()
    baseline = IdField(required=False)
    title = forms.CharField(max_length=200, required=False)  # blank: the scheme's title and the day
