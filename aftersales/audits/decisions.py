"""The review committee's decision on a reported case.

Each committee member (never on the case's audit team) declares no conflict of interest with the
case and votes once on the report; each vote is an immutable row and an event of the case's hash
chain. The decision is taken by the vote that brings the votes to the CB policy's quorum
(`committee.quorum`, the version in force on the day of the vote) with more than half of the votes
cast agreeing on one outcome and level; it is immutable and goes into the chain through
`case_transition` (reported → decided, or → audit when sent back). docs/policy.md.
"""

from __future__ import annotations

from collections import Counter

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import Membership, Role
from aftersales.accounts.services import applicant_conflict
from aftersales.assessments import services as assessments
from aftersales.certification.cases import case_event_record, case_lock, case_transition
from aftersales.certification.models import Case
from aftersales.core.scheme import Level
from aftersales.policy import policy_on

from .models import Audit, AuditReport, Decision, DecisionVote
from .services import LEVEL_RANK, AuditRefused, S, _lang, _need
from .signals import decision_recorded


def decision_refusal(user, case: Case, audit: Audit | None) -> str:
    """Why this user may not vote on the case ("" if they may)."""
    if not Membership.objects.filter(user=user, organisation_id=case.cb_id, role=Role.COMMITTEE).exists():
        return _("Only a member of the review committee decides.")
    applicant = applicant_conflict(user=user, enterprise=case.enterprise)
    if applicant:
        return applicant
    if audit is not None and audit.team.filter(auditor__user=user).exists():
        return _("You were on this case's audit team; a committee member who audited the case cannot decide it.")
    report = audit.reports.order_by("-number").first() if audit is not None else None
    if report is not None and DecisionVote.objects.filter(report=report, member=user).exists():
        return _("You have voted on this report; each member votes once.")
    return ""


def _reasons_checked(*, locked: Case, audit: Audit | None, outcome: str, reasons: str, by) -> str:
    """The decision's reasons (stripped); refused unless `by` may record `outcome` on the case now."""
    if locked.status != S.REPORTED:
        raise AuditRefused(
            _("Case %(reference)s is “%(status)s”; only a reported case is decided.")
            % {"reference": locked.reference, "status": S(locked.status).label}
        )
    refusal = decision_refusal(by, locked, audit)
    if refusal:
        raise AuditRefused(refusal)
    if outcome not in Decision.Outcome.values:
        raise AuditRefused(_("Unknown outcome: %(o)s.") % {"o": outcome})
    return _need(reasons, _("The reasons"))


def _decided_level(outcome: str, level: str, recommended: str) -> str:
    """The level the outcome certifies: the recommended one (approve), the lower one chosen
    (approve_lower), none otherwise."""
    if outcome == Decision.Outcome.APPROVE:
        if recommended == Level.FAIL:
            raise AuditRefused(_("The report recommends no level; approve at a level is not possible."))
        return recommended
    if outcome == Decision.Outcome.APPROVE_LOWER:
        if level not in LEVEL_RANK or level == Level.FAIL:
            raise AuditRefused(_("Choose the lower level to approve."))
        if LEVEL_RANK[level] >= LEVEL_RANK.get(recommended, 0):
            raise AuditRefused(
                _("%(level)s is not lower than the recommended level.") % {"level": Level(level).text.get(_lang())}
            )
        return level
    return ""


def votes_needed(votes: list[DecisionVote], quorum: int) -> tuple[str, str] | None:
    """The (outcome, level) the votes decide, or None: at least `quorum` votes cast and more than
    half of them agreeing on one outcome and level."""
    if len(votes) < quorum:
        return None
    (choice, count), *_rest = Counter((v.outcome, v.level) for v in votes).most_common(1)
    return choice if count * 2 > len(votes) else None


def _vote_cast(
    *, locked: Case, report: AuditReport, outcome: str, level: str, reasons: str, by, policy
) -> DecisionVote:
    event = case_event_record(
        case=locked,
        action="decision.vote_cast",
        by=by,
        reason=reasons,
        data={
            "report": report.number,
            "vote": {"outcome": outcome, "level": level},
            "no_conflict_declared": True,
            "policy": policy.pin,
            "quorum": policy.committee_quorum,
        },
        public=False,
    )
    return DecisionVote.objects.create(
        case=locked,
        report=report,
        member=by,
        outcome=outcome,
        level=level,
        reasons=reasons,
        no_conflict_declared=True,
        cast_at=event.at,
        event=event,
    )


def _joint_reasons(votes: list[DecisionVote]) -> str:
    """The reasons of the agreeing votes (one vote: its reasons; several: one line per member)."""
    if len(votes) == 1:
        return votes[0].reasons
    return "\n".join(f"{v.member}：{v.reasons}" for v in votes)


@transaction.atomic
def decision_record(
    *, case: Case, outcome: str, reasons: str, by, no_conflict: bool, level: str = ""
) -> Decision | None:
    """A committee member's vote on a reported case, after declaring no conflict of interest;
    the decision once the votes reach the quorum and agree (None until then). approve: the
    recommended level; approve_lower: a lower passing level; refuse; send_back: back to the audit
    team (a new round of scoring starts from the frozen one)."""
    locked = case_lock(case)
    audit = Audit.objects.select_related("assessment").filter(case=locked).first()
    reasons = _reasons_checked(locked=locked, audit=audit, outcome=outcome, reasons=reasons, by=by)
    if not no_conflict:
        raise AuditRefused(
            _("Declare that you have no conflict of interest with %(name)s and this case before voting.")
            % {"name": locked.enterprise.name}
        )
    report = audit.reports.order_by("-number").first()
    level = _decided_level(outcome, level, report.recommended_level)
    policy = policy_on(timezone.localdate())
    _vote_cast(locked=locked, report=report, outcome=outcome, level=level, reasons=reasons, by=by, policy=policy)
    votes = list(report.votes.select_related("member").order_by("cast_at", "id"))
    decided = votes_needed(votes, policy.committee_quorum)
    if decided is None:
        return None
    agreeing = [v for v in votes if (v.outcome, v.level) == decided]
    return _decision_taken(
        case=case,
        locked=locked,
        audit=audit,
        report=report,
        outcome=decided[0],
        level=decided[1],
        reasons=_joint_reasons(agreeing),
        votes={"cast": len(votes), "agreeing": len(agreeing), "quorum": policy.committee_quorum, "policy": policy.pin},
        by=by,
    )


def _decision_taken(*, case, locked, audit, report, outcome, level, reasons, votes, by) -> Decision:
    recommended = report.recommended_level
    inputs = {
        "report": report.number,
        "report_sha256": report.sha256,
        "score": report.score_exact,
        "level_reached": report.level,
        "recommended_level": recommended,
        **({"recommendation_reason": report.recommendation_reason} if report.recommendation_reason else {}),
        "votes": votes,
    }
    result = {"outcome": outcome, "level": level}
    scheme = {
        "id": locked.scheme_version.scheme_id,
        "version": locked.scheme_version.version,
        "sha256": locked.scheme_version.sha256,
    }
    event = case_transition(
        case=case,
        to=S.AUDIT if outcome == Decision.Outcome.SEND_BACK else S.DECIDED,
        action=f"decision.{outcome}",
        by=by,
        reason=reasons,
        data={"scheme": scheme, "inputs": inputs, "result": result},
    )
    decision = Decision.objects.create(
        case=locked,
        report=report,
        outcome=outcome,
        level=level,
        reasons=reasons,
        scheme_id=scheme["id"],
        scheme_version=scheme["version"],
        scheme_sha256=scheme["sha256"],
        inputs=inputs,
        result=result,
        decided_by=by,
        decided_at=event.at,
        event=event,
    )
    if outcome == Decision.Outcome.SEND_BACK:
        audit.assessment = assessments.assessment_start(
            enterprise=locked.enterprise,
            scheme_version=locked.scheme_version,
            by=by,
            title=_("Audit %(reference)s, round %(n)s") % {"reference": locked.reference, "n": report.number + 1},
            baseline=report.assessment,
            case=locked,
        )
        audit.save(update_fields=["assessment", "updated_at"])
    decision_recorded.send(sender=Decision, decision=decision, by=by)
    return decision
