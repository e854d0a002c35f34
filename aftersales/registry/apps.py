from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "aftersales.registry"
    verbose_name = _("public registry")

    def ready(self) -> None:
        # models are loaded only now (Django's rule for a receiver's imports)
        from aftersales.certificates.signals import certificate_changed

        from .publish import publish_on_commit

        def republish(sender, *, number: str, **kwargs) -> None:
            publish_on_commit(number)

        certificate_changed.connect(republish, weak=False, dispatch_uid="registry.republish")
