"""{{ value|concept_label }}: a core concept's label (core.concepts) in the active language."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def concept_label(value) -> str:
    """The label of a concept member ("" for None or anything else): {{ state.standing|concept_label }}."""
    if value is None or not hasattr(value, "label"):
        return ""
    return value.label(get_language())
