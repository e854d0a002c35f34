"""The one way views and API endpoints reach an enterprise's service records: 404 to outsiders.

- the enterprise's members see its records, KPIs and samples, draw samples and judge them;
- its admin also imports files and publishes commitments (403 for its other members);
- staff of a certification body see them, draw samples and judge them only while they work a
  live case of the enterprise (`certification.access.working_cases`: submitted and not yet
  refused, withdrawn or decided; cb_admin and reviewer, the case's audit team, the committee once
  the case is reported); they never import or publish;
- a verdict on a sample that feeds an assessment also needs the right to write that assessment
  (`audits.access.assessment_writable`): the enterprise's members for its self-assessment, the
  audit team for the audit (403 for the others who see the sample).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from aftersales.accounts.models import ENTERPRISE_ROLES, Membership, Organisation, Role
from aftersales.assessments.models import Assessment
from aftersales.audits.access import assessment_writable
from aftersales.audits.services import SCORING_STATUSES
from aftersales.certification.access import working_cases
from aftersales.core.access import Access

from .models import AuditSample, RecordImport, SampleEntry

VIEW, SAMPLE, ADMIN = "view", "sample", "admin"


@dataclass(frozen=True)
class RecordsAccess(Access[Organisation]):
    """`Access` to an enterprise's records: `writes` are the `need` levels the viewer holds (VIEW,
    SAMPLE, ADMIN); the names below are what the pages and templates ask."""

    @property
    def enterprise(self) -> Organisation:
        return self.obj

    @property
    def is_member(self) -> bool:
        """A member of the enterprise (else CB staff with a live case)."""
        return self.holds(*ENTERPRISE_ROLES)

    @property
    def is_admin(self) -> bool:
        """The enterprise's admin: imports files and publishes commitments."""
        return self.can(ADMIN)

    can_import = is_admin


def cb_enterprises(user):
    """Enterprises whose records a CB user may see: those with a live case the user works on."""
    return Organisation.objects.filter(
        kind=Organisation.Kind.ENTERPRISE, pk__in=working_cases(user).values("enterprise_id")
    )


def sample_target(user, enterprise: Organisation) -> Assessment | None:
    """The draft assessment a sample drawn by `user` feeds, if any: the enterprise's own draft
    self-assessment for its members; for CB staff, the audit of a case of the enterprise in
    scoring that they may write (its audit team). Never another kind, never someone else's."""
    drafts = Assessment.objects.filter(enterprise=enterprise, status=Assessment.Status.DRAFT)
    if Membership.objects.filter(user=user, organisation=enterprise, role__in=ENTERPRISE_ROLES).exists():
        return drafts.filter(kind=Assessment.Kind.SELF).first()
    scoring = working_cases(user).filter(enterprise=enterprise, status__in=SCORING_STATUSES)
    audits = drafts.filter(kind=Assessment.Kind.AUDIT, case__in=scoring).select_related("case")
    return next((a for a in audits if assessment_writable(user, a)), None)


def records_access(user, enterprise_id: int, *, need: str = VIEW) -> RecordsAccess:
    """The enterprise's records access for `user`, or Http404 / PermissionDenied."""
    if not user.is_authenticated:
        raise Http404
    enterprise = Organisation.objects.filter(pk=enterprise_id, kind=Organisation.Kind.ENTERPRISE).first()
    if enterprise is None:
        raise Http404
    roles = frozenset(Membership.objects.filter(user=user, organisation=enterprise).values_list("role", flat=True))
    if roles & ENTERPRISE_ROLES:
        writes = {VIEW, SAMPLE} | ({ADMIN} if Role.ENTERPRISE_ADMIN in roles else set())
        access = RecordsAccess(enterprise, roles, frozenset(writes))
        if not access.can(need):
            raise PermissionDenied
        return access
    if need != ADMIN and cb_enterprises(user).filter(pk=enterprise.pk).exists():
        return RecordsAccess(enterprise, frozenset(), frozenset({VIEW, SAMPLE}))
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
