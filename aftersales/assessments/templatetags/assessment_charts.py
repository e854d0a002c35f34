"""{% category_chart panel %} and {% score_history_chart assessment %}: the SVG charts of report.py."""

from django import template
from django.utils.translation import get_language

from aftersales.core.text import normalise_language

from ..report import category_chart as _category_chart
from ..report import score_history_chart as _score_history_chart

register = template.Library()


@register.simple_tag
def category_chart(panel):
    return _category_chart(panel)


@register.simple_tag
def score_history_chart(assessment):
    """The chart, or "" when the enterprise has no finished assessment yet (one query)."""
    return _score_history_chart(assessment, normalise_language(get_language())) or ""
