"""An initial application from an enterprise that already holds a live certificate under the
scheme is refused when the case is opened and when it is submitted (not only at the certificate's
issue), pointing to the certificate page, where recertification is opened and a change asked for."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.certification.models import Case
from aftersales.core.concepts import LIVE_STATUSES

from .models import Certificate
from .selectors import recertification_window
from .services import CertificateRefused


class CertificateHeld(CertificateRefused):
    """Refused: a live certificate under the scheme is held. `offer` is (label, URL) of the way on."""

    def __init__(self, *problems, offer: tuple[str, str]):
        super().__init__(*problems)
        self.offer = offer


def held_certificate(case: Case) -> Certificate | None:
    """The live certificate the case's enterprise holds under the case's scheme (any version)."""
    return (
        Certificate.objects.filter(
            enterprise_id=case.enterprise_id, scheme_id=case.scheme_version.scheme_id, status__in=LIVE_STATUSES
        )
        .select_related("cb")
        .order_by("-issued_on")
        .first()
    )


def refuse_initial_when_held(sender, *, case: Case, **kwargs) -> None:
    """Receiver of `certification.signals.application_checked`."""
    if case.kind != Case.Kind.INITIAL:
        return
    held = held_certificate(case)
    if held is None:
        return
    window = recertification_window(held, timezone.localdate())
    problem = _(
        "%(name)s already holds certificate %(number)s under this scheme (%(status)s, valid until %(expires)s); "
        "a new initial certification is not possible. Open its recertification from the certificate page "
        "(from %(opens)s), or ask %(cb)s there for a change of the certificate (scope, sites, name)."
    ) % {
        "name": case.enterprise.name,
        "number": held.number,
        "status": held.get_status_display(),
        "expires": held.expires_on.isoformat(),
        "opens": window.opens.isoformat(),
        "cb": held.cb.name,
    }
    label = _("Certificate %(number)s: recertification or change") % {"number": held.number}
    raise CertificateHeld(problem, offer=(label, reverse("certificate_detail", args=[held.number]) + "#cycle"))
