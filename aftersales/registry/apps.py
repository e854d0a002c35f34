from functools import partial

from django.apps import AppConfig
from django.db import transaction
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "aftersales.registry"
    verbose_name = _("public registry")

    def ready(self) -> None:
        from aftersales.certificates.signals import certificate_changed  # models are loaded only now

        from . import publish

        def republish(sender, *, number: str, **kwargs) -> None:
            """Once the change commits; a failure is logged and the change stands (a reader renders)."""
            transaction.on_commit(partial(publish.publish, [number]), robust=True)

        certificate_changed.connect(republish, weak=False, dispatch_uid="registry.republish")
