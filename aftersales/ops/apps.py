from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "aftersales.ops"
    verbose_name = _("operations")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the CB policy check)
