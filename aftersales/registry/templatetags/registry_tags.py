from django import template

from aftersales.certificates.mark import STARS

register = template.Library()


@register.filter
def stars(level: str) -> str:
    """ "★★★★" for a four-star level; "" for qualified."""
    return "★" * STARS.get(level, 0)
