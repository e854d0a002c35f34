"""Who may not handle an appeal, and why: nobody who acted on the contested case (ISO/IEC 17065 7.13:
an appeal is decided by persons not involved in the activity appealed against)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from aftersales.accounts.models import CB_ROLES, Membership
from aftersales.audits.models import Decision, TeamMember
from aftersales.certificates.models import CertificateEvent
from aftersales.certification.models import CaseEvent

from .models import Appeal

# the case events that mean the actor reviewed the application
REVIEW_ACTIONS = frozenset(
    {"review.saved", "application.info_requested", "application.refused", "application.accepted"}
)


def handler_conflicts(appeal: Appeal, user) -> list[tuple[str, str]]:
    """Why `user` may not handle `appeal`: (rule, message) pairs, [] when impartial.

    Rules: "not_cb_staff" not a member of the appeal's certification body; "audit_team" was on
    the case's audit team (even if replaced later); "decided" decided the case in the committee;
    "reviewed" reviewed the application; "certificate" changed the contested certificate's status.
    When none of those applies: "applicant" a member of the enterprise that lodged it; "acted" the
    actor of any event of the case or of the certificate issued from it (contract, plan, team,
    issue, …): nobody who acted on the case handles its appeal.
    """
    case = appeal.case
    who = str(user)
    out = []
    if not Membership.objects.filter(user=user, organisation_id=appeal.cb_id, role__in=CB_ROLES).exists():
        out.append(
            (
                "not_cb_staff",
                _("%(who)s is not a member of the certification body %(cb)s.") % {"who": who, "cb": appeal.cb},
            )
        )
    if TeamMember.objects.filter(audit__case=case, auditor__user=user).exists():
        out.append(
            (
                "audit_team",
                _("%(who)s was on the audit team of case %(reference)s.") % {"who": who, "reference": case.reference},
            )
        )
    if Decision.objects.filter(case=case, decided_by=user).exists():
        out.append(
            (
                "decided",
                _("%(who)s took the committee's decision on case %(reference)s.")
                % {"who": who, "reference": case.reference},
            )
        )
    if CaseEvent.objects.filter(case=case, actor=user, action__in=REVIEW_ACTIONS).exists():
        out.append(
            (
                "reviewed",
                _("%(who)s reviewed the application of case %(reference)s.")
                % {"who": who, "reference": case.reference},
            )
        )
    event = appeal.certificate_event
    if event is not None and event.actor_id == user.pk:
        out.append(
            (
                "certificate",
                _("%(who)s changed the status of certificate %(number)s that is appealed.")
                % {"who": who, "number": event.certificate.number},
            )
        )
    if out:
        return out
    if Membership.objects.filter(user=user, organisation_id=appeal.enterprise_id).exists():
        return [
            (
                "applicant",
                _("%(who)s is a member of %(enterprise)s, which lodged it.")
                % {"who": who, "enterprise": appeal.enterprise},
            )
        ]
    acted = (
        CaseEvent.objects.filter(case=case, actor=user).exists()
        or CertificateEvent.objects.filter(certificate__cases__case=case, actor=user).exists()
    )
    if acted:
        return [
            (
                "acted",
                _("%(who)s acted on case %(reference)s (its history or its certificate's names them).")
                % {"who": who, "reference": case.reference},
            )
        ]
    return out
