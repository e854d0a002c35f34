"""The audit plan and team: the plan (contracted), its defaults, the team checked by the
impartiality rules, sending the plan (contracted → planned), and the enterprise's objections to
an auditor with the certification body's answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.certification.cases import case_event_record, case_lock, case_transition
from aftersales.certification.models import Case
from aftersales.policy import policy_on
from aftersales.schemes.selectors import scheme_of

from .auditors import _refuse_partial
from .models import Audit, Auditor, Objection, TeamMember
from .services import AuditRefused, S, _need, _status


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
