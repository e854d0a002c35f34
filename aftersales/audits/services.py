"""Writes of the audits app, part 1: auditors, the plan and team, objections, the steps from
"contracted" to "audit", and the team's scoring (through the assessments machinery).

Each service validates, changes and records an event in one transaction; a refusal raises
`AuditRefused` (or `certification.cases.TransitionRefused`) with a message for the user and
changes nothing. Findings and rectification are in `findings.py`; report and decision in
`decisions.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from aftersales.accounts.models import Membership, Organisation, Role
from aftersales.assessments import services as assessments
from aftersales.assessments.evidence import evidence_add
from aftersales.assessments.models import Assessment
from aftersales.certification.cases import case_event_record, case_lock, case_transition
from aftersales.certification.models import Case
from aftersales.core.impartiality import Candidate, Declaration, Verdict, check_candidates
from aftersales.core.refusal import Refused
from aftersales.events.services import event_record
from aftersales.policy import policy_on
from aftersales.schemes.selectors import scheme_of

from .models import Audit, Auditor, ConflictDeclaration, Objection, TeamMember
from .selectors import lead_history

S = Case.Status
SCORING_STATUSES = frozenset({S.DOCUMENT_REVIEW, S.AUDIT})


class AuditRefused(Refused):
    """The step is not possible; str() is the message for the user (nothing was changed)."""


def _need(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise AuditRefused(_("%(what)s is required.") % {"what": what})
    return text


def _status(case: Case, allowed, step: str) -> Case:
    """The case locked; AuditRefused unless its status is one of `allowed`."""
    locked = case_lock(case)
    if locked.status not in allowed:
        raise AuditRefused(
            _("Case %(reference)s is “%(status)s”; “%(step)s” is not possible now.")
            % {"reference": locked.reference, "status": S(locked.status).label, "step": step}
        )
    return locked


# ----------------------------------------------------------------------------------- registry


@transaction.atomic
def auditor_register(
    *, cb: Organisation, user, registration: str, valid_until: date, industries: str = "", by
) -> Auditor:
    """Register (or update) a CB's auditor: the user must hold the auditor role in that CB."""
    if not Membership.objects.filter(user=user, organisation=cb, role=Role.AUDITOR).exists():
        raise AuditRefused(_("%(user)s is not an auditor of %(cb)s.") % {"user": user, "cb": cb})
    registration = _need(registration, _("Registration number"))
    if Auditor.objects.filter(cb=cb, registration=registration).exclude(user=user).exists():
        raise AuditRefused(_("Registration number %(n)s is already used.") % {"n": registration})
    auditor, created = Auditor.objects.update_or_create(
        cb=cb,
        user=user,
        defaults={"registration": registration, "valid_until": valid_until, "industries": industries.strip()},
    )
    event_record(
        action="audit.auditor_registered" if created else "audit.auditor_updated",
        subject=auditor,
        by=by,
        data={"registration": registration, "valid_until": valid_until.isoformat()},
    )
    return auditor


@transaction.atomic
def conflict_declare(
    *, auditor: Auditor, enterprise: Organisation, kind: str, start: date, end: date | None, note: str = "", by
) -> ConflictDeclaration:
    if kind not in ConflictDeclaration.Kind.values:
        raise AuditRefused(_("Unknown kind of link: %(kind)s.") % {"kind": kind})
    if not enterprise.is_enterprise:
        raise AuditRefused(_("A conflict of interest is declared with an enterprise."))
    if end is not None and end < start:
        raise AuditRefused(
            _("The link's end (%(end)s) is before its start (%(start)s).") % {"end": end, "start": start}
        )
    declaration = ConflictDeclaration.objects.create(
        auditor=auditor, enterprise=enterprise, kind=kind, start=start, end=end, note=note.strip()
    )
    event_record(
        action="audit.conflict_declared",
        subject=auditor,
        by=by,
        data={"enterprise": enterprise.pk, "kind": kind, "start": start.isoformat(), "end": end and end.isoformat()},
    )
    return declaration


# ----------------------------------------------------------------------------------- picker


def picker(case: Case, auditors, *, on: date | None = None) -> list[tuple[Auditor, Verdict]]:
    """Every auditor with the impartiality verdict for this case (allowed, or refused with reasons)."""
    auditors = list(auditors)
    audit = Audit.objects.filter(case=case).first()
    day = on or (audit.start_date if audit and audit.start_date else timezone.localdate())
    policy = policy_on(day)
    verdicts = check_candidates(
        [Candidate(a.pk, str(a.user), a.valid_until) for a in auditors],
        client=case.enterprise_id,
        declarations=[
            Declaration(d.auditor_id, d.enterprise_id, d.kind, d.start, d.end)
            for d in ConflictDeclaration.objects.filter(enterprise_id=case.enterprise_id)
        ],
        lead_history=lead_history(enterprise=case.enterprise, exclude_case=case),
        on=day,
        conflict_years=policy.conflict_years,
        max_consecutive_leads=policy.max_consecutive_leads,
    )
    return list(zip(auditors, verdicts, strict=True))


def _refuse_partial(case: Case, auditors: list[Auditor], on: date) -> None:
    for auditor, verdict in picker(case, auditors, on=on):
        if not verdict.allowed:
            reasons = "; ".join(r.get(get_language()) for r in verdict.reasons)
            raise AuditRefused(
                _("%(auditor)s cannot audit this case: %(reasons)s") % {"auditor": auditor.user, "reasons": reasons}
            )


# ------------------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class PlanInput:
    mode: str
    start_date: date | None
    end_date: date | None
    man_days: str | Decimal | None
    sites: str
    agenda: list[dict]  # {"when", "activity", "who"}
    sampling: list[dict]  # {"item", "size", "what"}


def _clean_plan(case: Case, plan: PlanInput) -> dict:
    if plan.mode not in Audit.Mode.values:
        raise AuditRefused(_("Unknown audit mode: %(mode)s.") % {"mode": plan.mode})
    if plan.start_date is None or plan.end_date is None:
        raise AuditRefused(_("The plan needs its first and last day."))
    if plan.end_date < plan.start_date:
        raise AuditRefused(_("The last day is before the first day."))
    man_days = None
    if plan.man_days not in (None, ""):
        try:
            man_days = Decimal(str(plan.man_days))
        except InvalidOperation:
            raise AuditRefused(_("Man-days: “%(v)s” is not a number.") % {"v": plan.man_days}) from None
        if man_days <= 0 or man_days * 2 != int(man_days * 2):
            raise AuditRefused(_("Man-days must be positive, in steps of 0.5."))
    agenda = []
    for n, row in enumerate(plan.agenda, start=1):
        row = {k: str(row.get(k, "") or "").strip() for k in ("when", "activity", "who")}
        if not any(row.values()):
            continue
        if not row["activity"]:
            raise AuditRefused(_("Agenda row %(n)s: the activity is missing.") % {"n": n})
        agenda.append(row)
    scheme = scheme_of(case.scheme_version)
    sampling = []
    for n, row in enumerate(plan.sampling, start=1):
        item, size, what = (str(row.get(k, "") or "").strip() for k in ("item", "size", "what"))
        if not (item or size or what):
            continue
        if not scheme.has_node(item) or not scheme.node(item).is_item:
            raise AuditRefused(_("Sampling row %(n)s: there is no item “%(item)s”.") % {"n": n, "item": item})
        if not size.isdigit() or int(size) < 1:
            raise AuditRefused(_("Sampling row %(n)s: the sample size must be a whole number ≥ 1.") % {"n": n})
        sampling.append({"item": scheme.node(item).code, "size": int(size), "what": what})
    sites = "\n".join(line.strip() for line in plan.sites.splitlines() if line.strip())
    if not sites:
        raise AuditRefused(_("The plan needs at least one site."))
    return {
        "mode": plan.mode,
        "start_date": plan.start_date,
        "end_date": plan.end_date,
        "man_days": man_days,
        "sites": sites,
        "agenda": agenda,
        "sampling": sampling,
    }


@transaction.atomic
def audit_plan_save(*, case: Case, plan: PlanInput, by) -> Audit:
    """Create or change the plan while the case is contracted (before it is sent)."""
    locked = _status(case, {S.CONTRACTED}, _("plan the audit"))
    fields = _clean_plan(locked, plan)
    audit, _created = Audit.objects.update_or_create(
        case=locked, defaults=fields, create_defaults={**fields, "created_by": by}
    )
    case_event_record(
        case=case,
        action="audit.plan_saved",
        by=by,
        data={k: (str(v) if v is not None else None) for k, v in fields.items() if k not in {"agenda", "sampling"}},
        public=False,
    )
    return audit


def plan_defaults(case: Case) -> dict:
    """What the plan form starts with: sites from the application, man-days from the review (if
    the certification app has them)."""
    sites, man_days = "", None
    application = getattr(case, "application", None)  # missing related rows raise AttributeError subclasses
    if application is not None and hasattr(application, "sites"):
        sites = "\n".join(f"{s.name}（{s.address}）" for s in application.sites.all())
    review = getattr(case, "review", None)
    if review is not None:
        man_days = getattr(review, "man_days", None)
    return {"sites": sites, "man_days": man_days}


@transaction.atomic
def team_set(*, case: Case, leader: Auditor, members: list[Auditor], by) -> list[TeamMember]:
    """Choose the team leader and members (contracted only); refused, naming the auditor and the
    reasons, when the impartiality rules bar anyone."""
    locked = _status(case, {S.CONTRACTED}, _("choose the audit team"))
    audit = Audit.objects.filter(case=locked).first()
    if audit is None or audit.start_date is None:
        raise AuditRefused(_("Save the plan (with its dates) before choosing the team."))
    everyone = [leader, *[m for m in members if m.pk != leader.pk]]
    if len({a.pk for a in everyone}) != len(everyone):
        raise AuditRefused(_("An auditor is named twice."))
    for a in everyone:
        if a.cb_id != locked.cb_id:
            raise AuditRefused(_("%(auditor)s is not an auditor of this certification body.") % {"auditor": a.user})
    _refuse_partial(locked, everyone, audit.start_date)
    audit.team.all().delete()
    team = [
        TeamMember.objects.create(
            audit=audit,
            auditor=a,
            role=TeamMember.Role.LEADER if a.pk == leader.pk else TeamMember.Role.MEMBER,
            added_by=by,
        )
        for a in everyone
    ]
    case_event_record(
        case=case,
        action="audit.team_chosen",
        by=by,
        data={
            "leader": leader.registration,
            "members": [m.registration for m in everyone[1:]],
            "policy": policy_on(audit.start_date).pin,  # the impartiality rules the team was checked by
        },
        public=False,
    )
    return team


def _team_data(audit: Audit) -> dict:
    team = list(audit.team.filter(active=True).select_related("auditor__user"))
    return {
        "team": [{"name": str(m.auditor.user), "registration": m.auditor.registration, "role": m.role} for m in team],
        "dates": [audit.start_date.isoformat(), audit.end_date.isoformat()],
        "sites": audit.site_list(),
        "mode": audit.mode,
    }


@transaction.atomic
def plan_send(*, case: Case, by) -> Audit:
    """Send the plan to the enterprise: contracted → planned."""
    locked = case_lock(case)
    audit = Audit.objects.filter(case=locked).first()
    if locked.status == S.CONTRACTED:
        if audit is None or audit.start_date is None:
            raise AuditRefused(_("The plan is not saved yet."))
        if not audit.team.filter(active=True, role=TeamMember.Role.LEADER).exists():
            raise AuditRefused(_("The plan has no team leader yet."))
    case_transition(case=case, to=S.PLANNED, action="audit.plan_sent", by=by, data=_team_data(audit) if audit else {})
    audit.sent_at = timezone.now()
    audit.save(update_fields=["sent_at", "updated_at"])
    return audit


# ------------------------------------------------------------------------------- objections


@transaction.atomic
def objection_raise(*, case: Case, member: TeamMember, reason: str, by) -> Objection:
    """The enterprise admin objects to an auditor of the sent plan (planned only)."""
    locked = _status(case, {S.PLANNED}, _("object to an auditor"))
    reason = _need(reason, _("The reason for the objection"))
    if member.audit.case_id != locked.pk or not member.active:
        raise AuditRefused(_("This auditor is not on the case's audit team."))
    if member.objections.filter(answer="").exists():
        raise AuditRefused(_("There is already an open objection to this auditor."))
    objection = Objection.objects.create(audit=member.audit, member=member, reason=reason, raised_by=by)
    case_event_record(
        case=case,
        action="audit.objection_raised",
        by=by,
        reason=reason,
        data={"auditor": member.auditor.registration, "objection": objection.pk},
    )
    return objection


@transaction.atomic
def objection_answer(
    *, objection: Objection, keep: bool, reason: str, by, replacement: Auditor | None = None
) -> Objection:
    """The certification body answers: keep the auditor (with a reason) or replace them by an
    auditor the impartiality rules allow."""
    case = objection.audit.case
    _status(case, {S.PLANNED}, _("answer an objection"))
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.answer:
        raise AuditRefused(_("This objection has already been answered."))
    reason = _need(reason, _("The reason for the answer"))
    data = {"objection": objection.pk, "auditor": objection.member.auditor.registration}
    if keep:
        objection.answer = Objection.Answer.KEPT
    else:
        if replacement is None:
            raise AuditRefused(_("Choose the auditor who replaces the one objected to."))
        if replacement.cb_id != case.cb_id:
            raise AuditRefused(
                _("%(auditor)s is not an auditor of this certification body.") % {"auditor": replacement.user}
            )
        if objection.audit.team.filter(active=True, auditor=replacement).exists():
            raise AuditRefused(_("%(auditor)s is already on the team.") % {"auditor": replacement.user})
        _refuse_partial(case, [replacement], objection.audit.start_date)
        old = objection.member
        old.active = False
        old.save(update_fields=["active"])
        objection.replacement = TeamMember.objects.create(
            audit=objection.audit, auditor=replacement, role=old.role, added_by=by
        )
        objection.answer = Objection.Answer.REPLACED
        data["replacement"] = replacement.registration
    objection.answer_reason, objection.answered_by, objection.answered_at = reason, by, timezone.now()
    objection.save()
    case_event_record(case=case, action=f"audit.objection_{objection.answer}", by=by, reason=reason, data=data)
    return objection


# ------------------------------------------------------------------------- document review, audit


@transaction.atomic
def review_start(*, case: Case, by) -> Audit:
    """planned → document_review; opens the audit's scoring (an Assessment of kind audit)."""
    locked = case_lock(case)
    audit = Audit.objects.filter(case=locked).first()
    if locked.status == S.PLANNED and audit.objections.filter(answer="").exists():
        raise AuditRefused(_("An objection to an auditor is still unanswered."))
    case_transition(case=case, to=S.DOCUMENT_REVIEW, action="audit.document_review_started", by=by)
    if audit.assessment_id is None:
        audit.assessment = assessments.assessment_start(
            enterprise=locked.enterprise,
            scheme_version=locked.scheme_version,
            by=by,
            title=_("Audit %(reference)s") % {"reference": locked.reference},
            case=locked,
        )
        audit.save(update_fields=["assessment", "updated_at"])
    return audit


@transaction.atomic
def audit_start(*, case: Case, by) -> Audit:
    """document_review → audit (on-site or remote). (reported → audit is the committee's send-back,
    not this step.)"""
    _status(case, {S.DOCUMENT_REVIEW}, _("start the audit"))
    case_transition(case=case, to=S.AUDIT, action="audit.audit_started", by=by)
    return Audit.objects.get(case=case)


# ---------------------------------------------------------------------------------- scoring


def _scoring(audit: Audit) -> Assessment:
    """The audit's assessment if the case is in a scoring status (locked by the caller's transaction)."""
    _status(audit.case, SCORING_STATUSES, _("score the audit"))
    if audit.assessment_id is None:
        raise AuditRefused(_("The audit has no scoring yet."))
    return audit.assessment


@transaction.atomic
def audit_answer_save(*, audit: Audit, item_code: str, kind: str, expected_version: int, by, **fields):
    """One item's audit result (same rules, version check and event as a self-assessment answer)."""
    assessment = _scoring(audit)
    return assessments.answer_save(
        assessment=assessment, item_code=item_code, kind=kind, expected_version=expected_version, by=by, **fields
    )


@transaction.atomic
def audit_answer_sampled(*, audit: Audit, item_code: str, sampled: int, nonconforming: int, by, data: dict):
    """An audit item scored `sampled` n/k from a records sample's verdicts (the records app calls
    it once the judge may write the audit): the scoring rules of `audit_answer_save`, and a case
    event naming who, the item, n/k and the verdict (`data`: sample, record, verdict). Not public:
    the enterprise sees audit scores with the report."""
    assessment = _scoring(audit)
    current = assessment.answers.filter(item_code=item_code).first()
    answer = assessments.answer_save(
        assessment=assessment,
        item_code=item_code,
        kind="sampled",
        sampled=sampled,
        nonconforming=nonconforming,
        reason=f"sample #{data.get('sample')}: {nonconforming}/{sampled}",
        note=current.note if current else "",
        expected_version=current.version if current else 0,
        by=by,
    )
    case_event_record(
        case=audit.case,
        action="audit.answer_sampled",
        by=by,
        data={"item": answer.item_code, **data, "sampled": sampled, "nonconforming": nonconforming},
        public=False,
    )
    return answer


@transaction.atomic
def audit_special_add(*, audit: Audit, type: str, reason: str, by, kind: str = ""):
    return assessments.special_add(assessment=_scoring(audit), type=type, reason=reason, kind=kind, by=by)


@transaction.atomic
def audit_special_remove(*, audit: Audit, finding, by) -> None:
    _scoring(audit)
    assessments.special_remove(finding=finding, by=by)


def audit_evidence_add(*, audit: Audit, item_code: str, upload, by):
    with transaction.atomic():
        assessment = _scoring(audit)
        return evidence_add(assessment=assessment, item_code=item_code, upload=upload, by=by)
