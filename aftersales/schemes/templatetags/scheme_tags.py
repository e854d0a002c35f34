from fractions import Fraction

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from aftersales.core.display import format_points
from aftersales.core.scheme import Level
from aftersales.core.text import normalise_language

register = template.Library()


@register.filter
def points(value: Fraction) -> str:
    return format_points(value)


@register.filter
def percent(share: Fraction) -> str:
    return format_points(Fraction(share) * 100)


@register.filter
def level_name(level: Level) -> str:
    return Level(level).text.get(normalise_language(get_language()))


@register.filter
def scheme_label(version) -> str:
    """How a person picks a scheme version: its title and version ("…参考评分表 · 版本 ref-2026.1")."""
    return _("%(title)s · version %(version)s") % {
        "title": version.title(normalise_language(get_language())),
        "version": version.version,
    }
