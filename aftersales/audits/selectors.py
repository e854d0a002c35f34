"""Reads of the audits app."""

from __future__ import annotations

from django.db.models import QuerySet

from aftersales.assessments.models import Assessment

from .models import Audit, Auditor, AuditReport, ConflictDeclaration, Decision, Nonconformity, TeamMember


def audit_of(case) -> Audit | None:
    return Audit.objects.filter(case=case).select_related("assessment").first()


def team_of(audit: Audit | None) -> list[TeamMember]:
    if audit is None:
        return []
    return list(audit.team.filter(active=True).select_related("auditor__user"))


def is_on_team(user, audit: Audit | None, *, ever: bool = False) -> bool:
    """True if the user is (or with ever=True: has been) on the audit's team."""
    if audit is None or not user.is_authenticated:
        return False
    members = audit.team.filter(auditor__user=user)
    return (members if ever else members.filter(active=True)).exists()


def leader_of(audit: Audit | None) -> TeamMember | None:
    if audit is None:
        return None
    return audit.team.filter(active=True, role=TeamMember.Role.LEADER).select_related("auditor__user").first()


def auditors_of(cb) -> QuerySet[Auditor]:
    return Auditor.objects.filter(cb=cb).select_related("user").order_by("registration")


def declarations_for(*, enterprise) -> list[ConflictDeclaration]:
    return list(ConflictDeclaration.objects.filter(enterprise=enterprise))


def lead_history(*, enterprise, exclude_case=None) -> list[int]:
    """Auditor ids that led this enterprise's earlier audits (plans sent), most recent first."""
    rows = TeamMember.objects.filter(
        audit__case__enterprise=enterprise, role=TeamMember.Role.LEADER, active=True, audit__sent_at__isnull=False
    )
    if exclude_case is not None:
        rows = rows.exclude(audit__case=exclude_case)
    return list(rows.order_by("-audit__sent_at", "-audit_id").values_list("auditor_id", flat=True))


def findings_of(audit: Audit | None) -> list[Nonconformity]:
    if audit is None:
        return []
    return list(audit.findings.select_related("raised_by").prefetch_related("files"))


def last_self_assessment(case) -> Assessment | None:
    """The enterprise's last finished self-assessment against the case's scheme (same scheme id)."""
    return (
        Assessment.objects.filter(
            enterprise_id=case.enterprise_id,
            kind=Assessment.Kind.SELF,
            status=Assessment.Status.FINISHED,
            scheme_version__scheme_id=case.scheme_version.scheme_id,
        )
        .order_by("-finished_at", "-id")
        .first()
    )


def last_report(audit: Audit | None) -> AuditReport | None:
    if audit is None:
        return None
    return audit.reports.order_by("-number").first()


def decisions_of(case) -> list[Decision]:
    return list(Decision.objects.filter(case=case).select_related("decided_by"))


def overdue_findings(*, cb, today) -> QuerySet[Nonconformity]:
    """Nonconformities of the CB's cases past their deadline and not accepted (for the CB's list)."""
    return (
        Nonconformity.objects.filter(audit__case__cb=cb, deadline__lt=today)
        .exclude(grade=Nonconformity.Grade.OBSERVATION)
        .exclude(state=Nonconformity.State.ACCEPTED)
        .select_related("audit__case__enterprise")
        .order_by("deadline", "id")
    )


def baseline_for(case) -> AuditReport | None:
    """The audit a surveillance (or recertification) case starts from: the last report issued on
    its previous case (None for an initial case or when the previous case has no report)."""
    if case.previous_id is None:
        return None
    return (
        AuditReport.objects.filter(audit__case_id=case.previous_id)
        .select_related("assessment")
        .order_by("-number")
        .first()
    )
