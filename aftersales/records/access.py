"""The one way views and API endpoints reach an enterprise's service records: 404 to outsiders.

- the enterprise's members see its records, KPIs and samples, draw samples and judge them;
- its admin also imports files and publishes commitments (403 for its other members);
- staff of a certification body (any CB role) see them, draw samples and judge them only while
  the enterprise has a certification case with that body; they never import or publish.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from aftersales.accounts.models import CB_ROLES, ENTERPRISE_ROLES, Membership, Organisation, Role

from .models import AuditSample, RecordImport, SampleEntry

VIEW, SAMPLE, ADMIN = "view", "sample", "admin"


@dataclass(frozen=True)
class RecordsAccess:
    enterprise: Organisation
    is_member: bool  # a member of the enterprise (else CB staff with a case)
    is_admin: bool  # the enterprise's admin

    @property
    def can_import(self) -> bool:
        return self.is_admin


def cb_enterprises(user):
    """Enterprises whose records a CB user may see: those with a case at one of the user's CBs."""
    from aftersales.certification.models import Case

    cbs = Membership.objects.filter(user=user, role__in=CB_ROLES).values("organisation_id")
    return Organisation.objects.filter(
        kind=Organisation.Kind.ENTERPRISE, pk__in=Case.objects.filter(cb_id__in=cbs).values("enterprise_id")
    )


def records_access(user, enterprise_id: int, *, need: str = VIEW) -> RecordsAccess:
    """The enterprise's records access for `user`, or Http404 / PermissionDenied."""
    if not user.is_authenticated:
        raise Http404
    enterprise = Organisation.objects.filter(pk=enterprise_id, kind=Organisation.Kind.ENTERPRISE).first()
    if enterprise is None:
        raise Http404
    roles = set(Membership.objects.filter(user=user, organisation=enterprise).values_list("role", flat=True))
    if roles & ENTERPRISE_ROLES:
        access = RecordsAccess(enterprise, True, Role.ENTERPRISE_ADMIN in roles)
        if need == ADMIN and not access.is_admin:
            raise PermissionDenied
        return access
    if need != ADMIN and cb_enterprises(user).filter(pk=enterprise.pk).exists():
        return RecordsAccess(enterprise, False, False)
    raise Http404


def records_for(request, enterprise_id: int, *, need: str = VIEW) -> RecordsAccess:
    return records_access(request.user, enterprise_id, need=need)


def import_for(request, enterprise_id: int, import_id: int) -> tuple[RecordsAccess, RecordImport]:
    """An import of the enterprise (seen by whoever sees its records)."""
    access = records_for(request, enterprise_id)
    record_import = RecordImport.objects.filter(pk=import_id, enterprise=access.enterprise).first()
    if record_import is None:
        raise Http404
    return access, record_import


def sample_for(request, enterprise_id: int, sample_id: int, *, need: str = VIEW) -> tuple[RecordsAccess, AuditSample]:
    access = records_for(request, enterprise_id, need=need)
    sample = (
        AuditSample.objects.select_related("assessment", "drawn_by")
        .filter(pk=sample_id, enterprise=access.enterprise)
        .first()
    )
    if sample is None:
        raise Http404
    return access, sample


def entry_for(request, enterprise_id: int, sample_id: int, entry_id: int) -> tuple[RecordsAccess, SampleEntry]:
    access, sample = sample_for(request, enterprise_id, sample_id, need=SAMPLE)
    entry = SampleEntry.objects.filter(pk=entry_id, sample=sample).first()
    if entry is None:
        raise Http404
    entry.sample = sample
    return access, entry
