"""Who reaches the regulator report: the certification body's cb_admin only; anyone else 404."""

from __future__ import annotations

from django.http import Http404

from aftersales.accounts.models import Membership, Organisation, Role
from aftersales.accounts.selectors import cb_administered

from .models import RegulatorExport


def regulator_cb_for(user) -> Organisation:
    """The certification body the user administers (cb_admin); Http404 for anyone else."""
    if (cb := cb_administered(user)) is None:
        raise Http404
    return cb


def export_for(user, pk: int) -> RegulatorExport:
    """One export of a CB the user administers; Http404 otherwise."""
    admin_of = Membership.objects.filter(user=user, role=Role.CB_ADMIN).values("organisation_id")
    export = RegulatorExport.objects.filter(pk=pk, cb_id__in=admin_of).select_related("cb").first()
    if not user.is_authenticated or export is None:
        raise Http404
    return export
