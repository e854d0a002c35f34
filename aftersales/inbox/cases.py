"""What waits on certification cases and their audits, for each side of the case: the enterprise
(application, contract, plan, nonconformities), the CB's reviewer and admin (review, contract,
plan, objections, certificate), the audit team (document review, audit, verification, report) and
the review committee (decision). Each source is one or two queries whatever the number of items."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from aftersales.accounts.models import Membership, Role
from aftersales.audits.models import AuditReport, Decision, DecisionVote, Nonconformity, Objection, TeamMember
from aftersales.certificates.models import CertificateVersion
from aftersales.certification.models import Case, CaseEvent

from .items import Item, Who, case_subject, day, status_since

S = Case.Status
N = Nonconformity


def _case_url(case: Case, anchor: str = "") -> str:
    return reverse("case_detail", args=[case.pk]) + (f"#{anchor}" if anchor else "")


def _cases(**filters):
    return (
        Case.objects.filter(**filters)
        .select_related("enterprise", "audit")
        .annotate(since=Coalesce(status_since(), "created_at"))
        .order_by("pk")
    )


# ---------------------------------------------------------------------------------- the enterprise


def enterprise_items(who: Who, today: date) -> list[Item]:
    """Drafts to complete and submit, information requested, the contract to sign, the plan to
    check (admin); nonconformities to answer by their deadline (any member)."""
    admin_of = who.orgs(Role.ENTERPRISE_ADMIN)
    if not who.enterprises:
        return []
    items = []
    for case in _cases(
        enterprise_id__in=who.enterprises, status__in=[S.DRAFT, S.INFO_REQUESTED, S.ACCEPTED, S.PLANNED]
    ):
        admin = case.enterprise_id in admin_of
        since = day(case.since)
        audit = getattr(case, "audit", None)
        if case.status == S.DRAFT:
            kind, what = (
                ("application.submit", _("Complete and submit the application"))
                if admin
                else ("application.complete", _("Complete the application"))
            )
            items.append(Item(kind, what, case_subject(case), _case_url(case, "application"), since, None, today))
        elif not admin:
            continue
        elif case.status == S.INFO_REQUESTED:
            what = _("Answer the request for more information")
            items.append(
                Item("application.answer", what, case_subject(case), _case_url(case, "info"), since, None, today)
            )
        elif case.status == S.ACCEPTED:
            what = _("Sign the contract for the quotation")
            items.append(
                Item("contract.sign", what, case_subject(case), _case_url(case, "quotation"), since, None, today)
            )
        elif audit is not None and audit.sent_at is not None:
            what = _("Check the audit plan and the team (object to an auditor if needed)")
            url = reverse("audit_plan", args=[case.pk])
            items.append(Item("plan.check", what, case_subject(case), url, day(audit.sent_at), audit.start_date, today))
    return items + _findings_to_answer(who, today)


def _findings_to_answer(who: Who, today: date) -> list[Item]:
    started = (
        CaseEvent.objects.filter(case=OuterRef("audit__case_id"), to_status=S.RECTIFICATION)
        .order_by("-seq")
        .values("at")[:1]
    )
    findings = (
        N.objects.filter(
            audit__case__enterprise_id__in=who.enterprises,
            audit__case__status=S.RECTIFICATION,
            state__in=[N.State.OPEN, N.State.REJECTED],
        )
        .exclude(grade=N.Grade.OBSERVATION)
        .select_related("audit__case__enterprise")
        .annotate(started=Subquery(started))
        .order_by("pk")
    )
    items = []
    for f in findings:
        case = f.audit.case
        if f.state == N.State.REJECTED:
            kind, what, since = (
                "finding.answer_again",
                _("Answer again: the rectification of %(item)s was rejected"),
                f.verified_at,
            )
        else:
            kind, what, since = "finding.answer", _("Answer the nonconformity on %(item)s"), f.started
        url = reverse("audit_rectification", args=[case.pk])
        items.append(Item(kind, what % {"item": f.item_code}, case_subject(case), url, day(since), f.deadline, today))
    return items


# --------------------------------------------------------------------------- the CB's reviewer and admin


def _review_cbs(who: Who) -> frozenset[int]:
    """The CBs whose applications this user reviews: where they are a reviewer, and where they are
    the admin of a CB without a reviewer (someone must)."""
    admin_of = who.orgs(Role.CB_ADMIN)
    staffed = set()
    if admin_of:
        staffed = set(
            Membership.objects.filter(organisation_id__in=admin_of, role=Role.REVIEWER).values_list(
                "organisation_id", flat=True
            )
        )
    return who.orgs(Role.REVIEWER) | (admin_of - staffed)


def review_items(who: Who, today: date) -> list[Item]:
    """Applications submitted (review them) and quotations accepted (record the signed contract)."""
    cbs = _review_cbs(who)
    if not cbs:
        return []
    items = []
    for case in _cases(cb_id__in=cbs, status__in=[S.SUBMITTED, S.ACCEPTED]).exclude(enterprise_id__in=who.enterprises):
        if case.status == S.SUBMITTED:
            kind, what, anchor = "application.review", _("Review the application"), "review"
        else:
            kind, what, anchor = "contract.record", _("Record the signed contract"), "contract"
        items.append(Item(kind, what, case_subject(case), _case_url(case, anchor), day(case.since), None, today))
    return items


def planning_items(who: Who, today: date) -> list[Item]:
    """The CB admin: audits to plan (team, dates, send the plan) and objections to an auditor to answer."""
    cbs = who.orgs(Role.CB_ADMIN)
    if not cbs:
        return []
    items = []
    for case in _cases(cb_id__in=cbs, status=S.CONTRACTED).exclude(enterprise_id__in=who.enterprises):
        what = _("Plan the audit, appoint the team and send the plan")
        url = reverse("audit_plan", args=[case.pk])
        items.append(Item("audit.plan", what, case_subject(case), url, day(case.since), None, today))
    objections = (
        Objection.objects.filter(audit__case__cb_id__in=cbs, audit__case__status=S.PLANNED, answer="")
        .exclude(audit__case__enterprise_id__in=who.enterprises)
        .select_related("audit__case__enterprise", "member__auditor__user")
        .order_by("pk")
    )
    for o in objections:
        case = o.audit.case
        what = _("Answer the objection to auditor %(name)s") % {"name": o.member.auditor.user}
        url = reverse("audit_plan", args=[case.pk])
        items.append(Item("objection.answer", what, case_subject(case), url, day(o.raised_at), None, today))
    return items


def certificate_items(who: Who, today: date) -> list[Item]:
    """The CB admin: approving decisions (initial or recertification) without their certificate yet."""
    cbs = who.orgs(Role.CB_ADMIN)
    if not cbs:
        return []
    latest = Decision.objects.filter(case=OuterRef("pk")).order_by("-decided_at", "-id")
    cases = (
        Case.objects.filter(cb_id__in=cbs, status=S.DECIDED, kind__in=[Case.Kind.INITIAL, Case.Kind.RECERTIFICATION])
        .exclude(enterprise_id__in=who.enterprises)
        .annotate(outcome=Subquery(latest.values("outcome")[:1]), decided_at=Subquery(latest.values("decided_at")[:1]))
        .filter(outcome__in=[Decision.Outcome.APPROVE, Decision.Outcome.APPROVE_LOWER])
        .exclude(Exists(CertificateVersion.objects.filter(case=OuterRef("pk"))))
        .select_related("enterprise")
        .order_by("pk")
    )
    what = _("Issue the certificate")
    return [
        Item("certificate.issue", what, case_subject(c), _case_url(c, "certificate"), day(c.decided_at), None, today)
        for c in cases
    ]


# ------------------------------------------------------------------------------- the audit team


def team_items(who: Who, today: date) -> list[Item]:
    """The audit team (auditors, or a CB admin on the team): start the document review and the
    audit (leader), score, verify answers, issue the report (leader). Only audits they are on."""
    user = who.user
    open_objection = Objection.objects.filter(audit=OuterRef("audit_id"), answer="")
    waiting = (
        N.objects.filter(audit=OuterRef("audit_id"), state__in=[N.State.OPEN, N.State.ANSWERED])
        .exclude(grade=N.Grade.OBSERVATION)
        .filter(Q(deadline__isnull=True) | Q(deadline__gte=today))
    )
    unaccepted = (
        N.objects.filter(audit=OuterRef("audit_id")).exclude(grade=N.Grade.OBSERVATION).exclude(state=N.State.ACCEPTED)
    )
    since = CaseEvent.objects.filter(case=OuterRef("audit__case_id"), to_status=OuterRef("audit__case__status"))
    seats = (
        TeamMember.objects.filter(
            auditor__user=user,
            active=True,
            audit__case__status__in=[S.PLANNED, S.DOCUMENT_REVIEW, S.AUDIT, S.RECTIFICATION],
        )
        .exclude(audit__case__enterprise_id__in=who.enterprises)
        .select_related("audit__case__enterprise")
        .annotate(
            objected=Exists(open_objection),
            waiting=Exists(waiting),
            unaccepted=Exists(unaccepted),
            since=Subquery(since.order_by("-seq").values("at")[:1]),
        )
        .order_by("pk")
    )
    items = [item for seat in seats if (item := _seat_item(seat, today))]
    return items + _answers_to_verify(who, today)


def _seat_item(seat: TeamMember, today: date) -> Item | None:
    audit, leader = seat.audit, seat.role == TeamMember.Role.LEADER
    case = audit.case
    subject, since = case_subject(case), day(seat.since)
    scoring = reverse("audit_scoring", args=[case.pk])
    panel = _case_url(case, "audit")
    if case.status == S.PLANNED:
        if not leader or audit.sent_at is None or seat.objected:
            return None
        return Item(
            "audit.review_start", _("Start the document review"), subject, panel, since, audit.start_date, today
        )
    if case.status == S.DOCUMENT_REVIEW:
        if leader:
            what = _("Review the documents and start the audit")
            return Item("audit.start", what, subject, panel, since, audit.start_date, today)
        return Item("audit.documents", _("Review the documents"), subject, scoring, since, audit.start_date, today)
    if case.status == S.AUDIT:
        if not leader:
            return Item("audit.score", _("Score the audit"), subject, scoring, since, audit.end_date, today)
        if seat.unaccepted:
            what = _("Score the audit and start rectification of the nonconformities")
        else:
            what = _("Score the audit and issue the report")
        return Item("audit.report", what, subject, scoring, since, audit.end_date, today)
    if leader and not seat.waiting:  # rectification: every nonconformity verified or overdue
        return Item("audit.final_report", _("Issue the final report"), subject, panel, since, None, today)
    return None


def _answers_to_verify(who: Who, today: date) -> list[Item]:
    mine = TeamMember.objects.filter(audit=OuterRef("audit_id"), auditor__user=who.user, active=True)
    findings = (
        N.objects.filter(Exists(mine), audit__case__status=S.RECTIFICATION, state=N.State.ANSWERED)
        .exclude(audit__case__enterprise_id__in=who.enterprises)
        .select_related("audit__case__enterprise")
        .order_by("pk")
    )
    items = []
    for f in findings:
        case = f.audit.case
        what = _("Verify the answer to the nonconformity on %(item)s") % {"item": f.item_code}
        url = reverse("audit_rectification", args=[case.pk])
        items.append(Item("finding.verify", what, case_subject(case), url, day(f.answered_at), None, today))
    return items


# ------------------------------------------------------------------------------ the review committee


def committee_items(who: Who, today: date) -> list[Item]:
    """Reported cases of the member's CB whose latest report they have not voted on yet, never one
    whose audit team they were ever on."""
    cbs = who.orgs(Role.COMMITTEE)
    if not cbs:
        return []
    audited = TeamMember.objects.filter(audit__case=OuterRef("pk"), auditor__user=who.user)
    latest = AuditReport.objects.filter(audit__case=OuterRef("pk")).order_by("-number").values("pk")[:1]
    voted = DecisionVote.objects.filter(report_id=OuterRef("latest_report"), member=who.user)
    cases = (
        _cases(cb_id__in=cbs, status=S.REPORTED)
        .exclude(enterprise_id__in=who.enterprises)
        .exclude(Exists(audited))
        .annotate(latest_report=Subquery(latest))
        .exclude(Exists(voted))
    )
    what = _("Vote on the certification decision")
    return [
        Item("case.decide", what, case_subject(c), reverse("audit_decision", args=[c.pk]), day(c.since), None, today)
        for c in cases
    ]
