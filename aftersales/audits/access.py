"""The one way views and API endpoints reach a case's audit: `certification.access.case_for`
decides who sees the case (404 otherwise) and who may write (403); this adds what is particular
to the audit's objects.

- The audit's scoring (draft scores, notes, evidence) is seen by the CB's staff who see the case
  (cb_admin, reviewer, the audit team, committee when reported/decided); the enterprise sees it
  only once a final report is issued (404 before).
- Writes: "review" plans and answers objections (cb_admin, reviewer); "audit" scores, raises
  findings, verifies rectification, issues the report (the team); "enterprise_admin" objects to
  an auditor; "enterprise" answers nonconformities; "decide" is the committee.
"""

from __future__ import annotations

from django.http import Http404

from aftersales.accounts.models import ENTERPRISE_ROLES
from aftersales.assessments.access import self_assessment_member
from aftersales.assessments.models import Assessment
from aftersales.certification.access import WRITE_AUDIT, case_access, case_may, case_visible
from aftersales.certification.models import Case
from aftersales.core.access import Access

from .models import Audit


def audit_access_for(
    request, pk: int, *, write: str | None = None, need_audit: bool = True
) -> tuple[Access[Case], Audit | None]:
    """(access to the case, audit) for the case `pk` by `case_access`'s rules; audit is None if not
    planned yet (404 with need_audit=True)."""
    access = case_access(request, pk, write=write)
    audit = Audit.objects.select_related("assessment").filter(case=access.obj).first()
    if audit is None and need_audit:
        raise Http404
    if audit is not None:
        audit.case = access.obj
    return access, audit


def audit_case_for(request, pk: int, *, write: str | None = None, need_audit: bool = True):
    """(case, audit) by `audit_access_for` (for a view that needs only the objects)."""
    access, audit = audit_access_for(request, pk, write=write, need_audit=need_audit)
    return access.obj, audit


def assessment_writable(user, assessment: Assessment) -> bool:
    """May `user` write this assessment's answers? The one answer for both kinds, for every path
    that writes answers indirectly (records samples): a self-assessment by its enterprise's
    members, an audit by its case's audit team ("audit" write). Whether the assessment or the case
    still takes answers is for the services to refuse."""
    if assessment.kind == Assessment.Kind.SELF:
        return self_assessment_member(user, assessment)
    if not user.is_authenticated or assessment.case_id is None:
        return False
    case = assessment.case
    return case_visible(user, case) and case_may(user, case, WRITE_AUDIT)


def is_enterprise_viewer(access: Access[Case]) -> bool:
    """The viewer sees the case only as the enterprise (no CB role in it)."""
    return access.only(ENTERPRISE_ROLES)


def scores_visible(access: Access[Case], audit: Audit | None) -> bool:
    """May this viewer (already allowed to see the case) see the audit's scores?"""
    if audit is None:
        return False
    if is_enterprise_viewer(access):
        return audit.reports.exists()
    return True


def audit_scores_access(request, pk: int, *, write: str | None = None) -> tuple[Access[Case], Audit]:
    """(access to the case, audit) when the viewer may see the scores (404 otherwise, e.g. the
    enterprise before the final report)."""
    access, audit = audit_access_for(request, pk, write=write)
    if not scores_visible(access, audit) or audit.assessment_id is None:
        raise Http404
    return access, audit


def audit_scores_for(request, pk: int, *, write: str | None = None):
    """(case, audit) by `audit_scores_access`."""
    access, audit = audit_scores_access(request, pk, write=write)
    return access.obj, audit


def audit_child_for(request, pk: int, model, child_id: int, *, write: str | None = None, via: str = "audit"):
    """(case, audit, child) for a row belonging to the case's audit (`via` is the child's path to
    the Audit): the case's 404/403, and 404 for a child of another audit."""
    case, audit = audit_case_for(request, pk, write=write)
    child = model.objects.filter(pk=child_id, **{via: audit}).first()
    if child is None:
        raise Http404
    return case, audit, child
