from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "aftersales.notifications"
    verbose_name = _("notifications")

    def ready(self):
        from aftersales.events.chain import event_appended

        from .receivers import on_event_appended

        event_appended.connect(on_event_appended, dispatch_uid="notifications.on_event_appended")
