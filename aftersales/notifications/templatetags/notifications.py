from django import template

from ..models import Notification

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_count(context) -> int:
    """How many of the signed-in person's notifications are unread (one count query)."""
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
