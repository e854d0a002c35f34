from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "aftersales.certificates"
    verbose_name = _("certificates")

    def ready(self) -> None:
        # models are loaded only now (Django's rule for a receiver's imports)
        from aftersales.audits.signals import decision_recorded
        from aftersales.certification.signals import application_checked
        from aftersales.events.chain import chain_head_moved

        from .checkpoints import checkpoint_on_commit
        from .cycle.services import decision_recorded as apply_surveillance_decision
        from .holding import refuse_initial_when_held

        def sign_head(sender, *, chain: str, seq: int, head: str, **kwargs) -> None:
            checkpoint_on_commit(chain, seq, head)

        # every chain's new head (cases, certificates, appeals) is signed once its transaction commits
        chain_head_moved.connect(sign_head, weak=False, dispatch_uid="certificates.checkpoint_on_commit")
        # a surveillance decision confirms, changes or suspends the certificate, in its transaction
        decision_recorded.connect(apply_surveillance_decision, dispatch_uid="certificates.surveillance_decided")
        # an initial application from a holder of a live certificate is refused when opened and submitted
        application_checked.connect(refuse_initial_when_held, dispatch_uid="certificates.refuse_initial_when_held")
