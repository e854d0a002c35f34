from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "aftersales.records"
    verbose_name = _("service records")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
