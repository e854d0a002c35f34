from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegulatorConfig(AppConfig):
    name = "aftersales.regulator"
    verbose_name = _("regulator reports")
