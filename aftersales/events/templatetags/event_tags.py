"""{{ label|actor_name }}: who acted, as a page says it (core.concepts.actor_text): a system actor's
label ("command:load_demo" → 演示数据), a person as they are."""

from django import template
from django.utils.translation import get_language

from aftersales.core.concepts import actor_text

register = template.Library()


@register.filter
def actor_name(value) -> str:
    return actor_text(str(value)).get(get_language())
