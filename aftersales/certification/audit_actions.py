"""What each step of the audits app is called in a case's event history (action code → label);
the audits app records these codes on the case's chain, the case page shows them."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "audit.plan_saved": _("audit plan saved"),
    "audit.team_chosen": _("audit team chosen"),
    "audit.plan_sent": _("audit plan sent to the enterprise"),
    "audit.objection_raised": _("objection to an auditor"),
    "audit.objection_kept": _("objection answered: auditor kept"),
    "audit.objection_replaced": _("objection answered: auditor replaced"),
    "audit.document_review_started": _("document review started"),
    "audit.audit_started": _("audit started"),
    "audit.answer_sampled": _("audit item scored from a records sample"),
    "audit.finding_raised": _("finding recorded"),
    "audit.finding_withdrawn": _("finding withdrawn"),
    "audit.rectification_started": _("rectification started"),
    "audit.rectification_answered": _("nonconformity answered"),
    "audit.rectification_evidence_added": _("rectification evidence added"),
    "audit.rectification_accepted": _("rectification accepted"),
    "audit.rectification_rejected": _("rectification rejected"),
    "audit.rectification_overdue": _("rectification overdue, escalated"),
    "audit.report_issued": _("final audit report issued"),
    "decision.vote_cast": _("committee member voted"),
    "decision.approve": _("certification approved"),
    "decision.approve_lower": _("certification approved at a lower level"),
    "decision.refuse": _("certification refused"),
    "decision.send_back": _("sent back to the audit team"),
}
