"""Which recorded step tells whom what: an event's action → the kind, the audiences and the words.

Subjects and bodies are English msgids worded at sending time in each recipient's language
(zh-Hans in locale/); placeholders are filled from the event (receivers.py). An event the
enterprise may not see (`public=False`) never reaches the enterprise's people.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .kinds import Kind
from .recipients import CB_ADMINS, CB_STAFF, COMMITTEE, ENTERPRISE, HANDLER, TEAM


@dataclass(frozen=True)
class Rule:
    kind: str
    audiences: tuple[str, ...]
    subject: str
    body: str
    # the event's reason follows the body as its own paragraph: REASONS ("Reasons: …") or PLAIN
    reason: str = ""
    # audiences the step already mails itself (appeals/services.py): told in the app only
    mailed_elsewhere: tuple[str, ...] = ()


REASONS, PLAIN = "reasons", "plain"


_DECIDED = _(
    "The review committee of %(cb)s approved the certification of %(enterprise)s at %(level)s (case %(case)s). "
    "The certificate is issued next."
)

CASE_RULES: dict[str, Rule] = {
    "application.submitted": Rule(
        Kind.APPLICATION_SUBMITTED,
        (CB_STAFF,),
        _("%(case)s: application of %(enterprise)s submitted"),
        _(
            "%(enterprise)s submitted its application (case %(case)s). Review it, then accept it, "
            "refuse it or ask for more information."
        ),
    ),
    "application.resubmitted": Rule(
        Kind.APPLICATION_SUBMITTED,
        (CB_STAFF,),
        _("%(case)s: application of %(enterprise)s submitted again"),
        _("%(enterprise)s answered the questions and submitted its application again (case %(case)s)."),
    ),
    "application.info_requested": Rule(
        Kind.INFO_REQUESTED,
        (ENTERPRISE,),
        _("%(case)s: %(cb)s asks for more information"),
        _(
            "%(cb)s asks for more information on your application (case %(case)s). Answer the "
            "questions on the case page and submit the application again."
        ),
    ),
    "application.accepted": Rule(
        Kind.APPLICATION_ACCEPTED,
        (ENTERPRISE,),
        _("%(case)s: application accepted, quotation ¥%(total)s"),
        _(
            "%(cb)s accepted your application (case %(case)s) and issued the quotation: ¥%(total)s. "
            "The contract is signed next."
        ),
    ),
    "application.refused": Rule(
        Kind.APPLICATION_REFUSED,
        (ENTERPRISE,),
        _("%(case)s: application refused"),
        _("%(cb)s refused your application (case %(case)s)."),
        reason=REASONS,
    ),
    "case.withdrawn": Rule(
        Kind.CASE_WITHDRAWN,
        (CB_STAFF,),
        _("%(case)s: application withdrawn"),
        _("%(enterprise)s withdrew its application (case %(case)s)."),
        reason=PLAIN,
    ),
    "contract.signed": Rule(
        Kind.CONTRACT,
        (ENTERPRISE, CB_STAFF),
        _("%(case)s: contract signed"),
        _("The contract of case %(case)s (%(enterprise)s) is signed. The audit is planned next."),
    ),
    "audit.plan_sent": Rule(
        Kind.PLAN,
        (ENTERPRISE, TEAM),
        _("%(case)s: audit plan sent"),
        _(
            "The audit plan of case %(case)s (%(enterprise)s) is sent: %(start)s to %(end)s. The "
            "enterprise may object to a member of the audit team."
        ),
    ),
    "audit.objection_raised": Rule(
        Kind.PLAN,
        (CB_STAFF,),
        _("%(case)s: objection to the audit team"),
        _("%(enterprise)s objects to a member of the audit team of case %(case)s."),
        reason=PLAIN,
    ),
    "audit.objection_replaced": Rule(
        Kind.PLAN,
        (ENTERPRISE, TEAM),
        _("%(case)s: objection answered, auditor replaced"),
        _("%(cb)s answered the objection to the audit team of case %(case)s: the auditor is replaced."),
        reason=PLAIN,
    ),
    "audit.objection_kept": Rule(
        Kind.PLAN,
        (ENTERPRISE, TEAM),
        _("%(case)s: objection answered, auditor kept"),
        _("%(cb)s answered the objection to the audit team of case %(case)s: the auditor stays."),
        reason=PLAIN,
    ),
    "audit.audit_started": Rule(
        Kind.AUDIT_STARTED,
        (ENTERPRISE,),
        _("%(case)s: audit started"),
        _("The audit of %(enterprise)s (case %(case)s) has started."),
    ),
    "audit.rectification_started": Rule(
        Kind.NONCONFORMITY,
        (ENTERPRISE,),
        _("%(case)s: %(count)s nonconformities to rectify, the first by %(deadline)s"),
        _(
            "The audit of case %(case)s found %(count)s nonconformities. Answer each with its cause, "
            "correction and corrective action by its deadline (the first: %(deadline)s)."
        ),
    ),
    "audit.rectification_answered": Rule(
        Kind.RECTIFICATION_ANSWER,
        (TEAM,),
        _("%(case)s: nonconformity on item %(item)s answered"),
        _("%(enterprise)s answered the nonconformity on item %(item)s of case %(case)s. Verify the answer."),
    ),
    "audit.rectification_accepted": Rule(
        Kind.RECTIFICATION_ANSWER,
        (ENTERPRISE,),
        _("%(case)s: rectification of item %(item)s accepted"),
        _("The audit team accepted your rectification of item %(item)s (case %(case)s)."),
    ),
    "audit.rectification_rejected": Rule(
        Kind.RECTIFICATION_ANSWER,
        (ENTERPRISE,),
        _("%(case)s: rectification of item %(item)s rejected"),
        _(
            "The audit team rejected your rectification of item %(item)s (case %(case)s): "
            "%(reason)s\n\nAnswer it again before its deadline."
        ),
    ),
    "audit.report_issued": Rule(
        Kind.REPORT,
        (ENTERPRISE, CB_ADMINS, COMMITTEE),
        _("%(case)s: audit report issued"),
        _("The audit report of %(enterprise)s (case %(case)s) is issued. The review committee decides next."),
    ),
    "decision.approve": Rule(
        Kind.DECISION, (ENTERPRISE, CB_STAFF, TEAM), _("%(case)s: certification approved at %(level)s"), _DECIDED
    ),
    "decision.approve_lower": Rule(
        Kind.DECISION, (ENTERPRISE, CB_STAFF, TEAM), _("%(case)s: certification approved at %(level)s"), _DECIDED
    ),
    "decision.refuse": Rule(
        Kind.DECISION,
        (ENTERPRISE, CB_STAFF, TEAM),
        _("%(case)s: certification refused"),
        _("The review committee of %(cb)s refused the certification of %(enterprise)s (case %(case)s)."),
        reason=REASONS,
    ),
    "decision.send_back": Rule(
        Kind.DECISION,
        (CB_STAFF, TEAM),
        _("%(case)s: sent back to the audit team"),
        _("The review committee sent case %(case)s back to the audit team."),
        reason=REASONS,
    ),
}


def _certificate(subject, body, reason: str = "") -> Rule:
    return Rule(Kind.CERTIFICATE, (ENTERPRISE, CB_ADMINS), subject, body, reason=reason)


CERTIFICATE_RULES: dict[str, Rule] = {
    "certificate.issued": _certificate(
        _("Certificate %(number)s issued"), _("%(cb)s issued certificate %(number)s to %(enterprise)s.")
    ),
    "certificate.recertified": _certificate(
        _("Certificate %(number)s renewed"),
        _("%(cb)s renewed certificate %(number)s of %(enterprise)s after recertification."),
    ),
    "certificate.changed": _certificate(
        _("Certificate %(number)s changed"), _("%(cb)s changed certificate %(number)s of %(enterprise)s."), PLAIN
    ),
    "certificate.suspended": _certificate(
        _("Certificate %(number)s suspended"),
        _("%(cb)s suspended certificate %(number)s of %(enterprise)s."),
        REASONS,
    ),
    "certificate.restored": _certificate(
        _("Certificate %(number)s valid again"),
        _("%(cb)s lifted the suspension of certificate %(number)s of %(enterprise)s."),
        PLAIN,
    ),
    "certificate.withdrawn": _certificate(
        _("Certificate %(number)s withdrawn"), _("%(cb)s withdrew certificate %(number)s of %(enterprise)s."), REASONS
    ),
    "certificate.cancelled": _certificate(
        _("Certificate %(number)s cancelled"), _("%(cb)s cancelled certificate %(number)s of %(enterprise)s."), PLAIN
    ),
}

APPEAL_RULES: dict[str, Rule] = {
    "appeal.lodged": Rule(
        Kind.APPEAL,
        (CB_ADMINS,),
        _("%(appeal)s lodged by %(enterprise)s"),
        _("%(enterprise)s lodged %(appeal)s about case %(case)s. Assign a handler not involved in the case."),
    ),
    "appeal.handler_assigned": Rule(
        Kind.APPEAL,
        (HANDLER,),
        _("%(appeal)s: you are its handler"),
        _("You handle %(appeal)s of %(enterprise)s about case %(case)s. Acknowledge it, review it and decide it."),
    ),
    "appeal.acknowledged": Rule(
        Kind.APPEAL,
        (ENTERPRISE,),
        _("%(appeal)s acknowledged"),
        _("%(cb)s acknowledged %(appeal)s about case %(case)s."),
        mailed_elsewhere=(ENTERPRISE,),
    ),
    "appeal.review_started": Rule(
        Kind.APPEAL,
        (ENTERPRISE,),
        _("%(appeal)s under review"),
        _("%(cb)s started reviewing %(appeal)s about case %(case)s."),
    ),
    "appeal.decided": Rule(
        Kind.APPEAL,
        (ENTERPRISE, CB_ADMINS),
        _("%(appeal)s decided"),
        _("%(cb)s decided %(appeal)s about case %(case)s."),
        mailed_elsewhere=(ENTERPRISE,),
    ),
    "appeal.withdrawn": Rule(
        Kind.APPEAL,
        (CB_ADMINS, HANDLER),
        _("%(appeal)s withdrawn"),
        _("%(enterprise)s withdrew %(appeal)s about case %(case)s."),
    ),
}
