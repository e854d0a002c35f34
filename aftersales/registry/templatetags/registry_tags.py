from django import template
from django.utils.translation import get_language

from aftersales.core.concepts import CertificateStatus, Level

register = template.Library()


@register.filter
def stars(level: str) -> str:
    """ "★★★★" for a four-star level; "" for qualified."""
    try:
        return "★" * Level(level).stars
    except ValueError:
        return ""


@register.filter
def status_label(status: str) -> str:
    """The certificate status as the pages say it, in the active language (core.concepts)."""
    try:
        return CertificateStatus(status).text.get(get_language() or "en")
    except ValueError:
        return status
