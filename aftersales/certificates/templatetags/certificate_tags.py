"""{% case_certificate case as cc %}: what the "issue the certificate" part of a case page needs."""

from __future__ import annotations

from django import template

from aftersales.accounts.models import Role
from aftersales.audits.models import Decision
from aftersales.certification.access import case_access_in
from aftersales.certification.models import Case

from ..access import certificates_visible_to
from ..models import CertificateCase, CertificateVersion
from ..versions import APPROVING

register = template.Library()


@register.simple_tag(takes_context=True)
def case_certificate(context, case: Case) -> dict:
    """{"certificate": the certificate this case issued or renewed (or None), "can_view": the viewer
    may open its page here (else the public registry's), "decision": the case's latest decision,
    "approving": it approves, "can_issue": the viewer (cb_admin) may issue now}."""
    issued = (
        CertificateVersion.objects.filter(case=case, decision__isnull=False)
        .select_related("certificate")
        .order_by("-seq")
        .first()
    )
    certificate = issued.certificate if issued else None
    if certificate is None:
        link = CertificateCase.objects.select_related("certificate").filter(case=case).first()
        certificate = link.certificate if link else None
    decision = Decision.objects.filter(case=case).order_by("-decided_at", "-id").first()
    approving = decision is not None and decision.outcome in APPROVING
    access = case_access_in(context, case)
    viewer = getattr(context.get("request"), "user", None) or context.get("user")
    return {
        "certificate": certificate,
        "can_view": certificate is not None
        and viewer is not None
        and certificates_visible_to(viewer).filter(pk=certificate.pk).exists(),
        "decision": decision,
        "approving": approving,
        "can_issue": (
            certificate is None
            and approving
            and case.status == Case.Status.DECIDED
            and case.kind != Case.Kind.SURVEILLANCE
            and access.holds(Role.CB_ADMIN)
        ),
        "issued_version": issued,
    }
