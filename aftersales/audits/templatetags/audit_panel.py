"""`{% audit_panel case as p %}`: the audit part of a case page (see audits/_case_panel.html)."""

from django import template
from django.utils.translation import get_language

from aftersales.certification.access import case_access_in
from aftersales.core.text import normalise_language

from ..presenters import case_panel

register = template.Library()


@register.simple_tag(takes_context=True)
def audit_panel(context, case) -> dict:
    return case_panel(context["request"], case_access_in(context, case), normalise_language(get_language()))
