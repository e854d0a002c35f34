"""Who reaches the regulator report: the certification body's cb_admin only; anyone else 404."""

from __future__ import annotations

from django.http import Http404

from aftersales.accounts.models import Membership, Organisation, Role

from .models import RegulatorExport


def regulator_cb_for(user) -> Organisation:
    """The certification body the user administers (cb_admin); Http404 for anyone else."""
    if not user.is_authenticated:
        raise Http404
    m = (
        Membership.objects.filter(
            user=user, role=Role.CB_ADMIN, organisation__kind=Organisation.Kind.CERTIFICATION_BODY
        )
        .select_related("organisation")
        .order_by("organisation_id")
        .first()
    )
    if m is None:
        raise Http404
    return m.organisation


def may_open_regulator(user) -> bool:
    """True when `regulator_cb_for` admits the user (links to /regulator/ are shown only then)."""
    try:
        regulator_cb_for(user)
    except Http404:
        return False
    return True


def export_for(user, pk: int) -> RegulatorExport:
    """One export of a CB the user administers; Http404 otherwise."""
    admin_of = Membership.objects.filter(user=user, role=Role.CB_ADMIN).values("organisation_id")
    export = RegulatorExport.objects.filter(pk=pk, cb_id__in=admin_of).select_related("cb").first()
    if not user.is_authenticated or export is None:
        raise Http404
    return export
