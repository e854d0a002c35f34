"""Core concepts (core.concepts) in templates, in the active language: {{ value|concept_label }},
{{ level|stars }}, {{ status|status_label }}."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from aftersales.core.concepts import CertificateStatus, Level

register = template.Library()


@register.filter
def concept_label(value) -> str:
    """The label of a concept member ("" for None or anything else): {{ state.standing|concept_label }}."""
    if value is None or not hasattr(value, "label"):
        return ""
    return value.label(get_language())


@register.filter
def stars(level: str) -> str:
    """ "★★★★" for a four-star level; "" for qualified."""
    try:
        return "★" * Level(level).stars
    except ValueError:
        return ""


@register.filter
def status_label(status: str) -> str:
    """A certificate status (its code) as the pages say it, in the active language."""
    try:
        return CertificateStatus(status).text.get(get_language() or "en")
    except ValueError:
        return status
