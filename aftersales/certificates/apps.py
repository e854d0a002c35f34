from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "aftersales.certificates"
    verbose_name = _("certificates")

    def ready(self) -> None:
        from aftersales.events.chain import chain_head_moved

        from .checkpoints import checkpoint_on_commit

        def sign_head(sender, *, chain: str, seq: int, head: str, **kwargs) -> None:
            checkpoint_on_commit(chain, seq, head)

        # every chain's new head (cases, certificates, appeals) is signed once its transaction commits
        chain_head_moved.connect(sign_head, weak=False, dispatch_uid="certificates.checkpoint_on_commit")
