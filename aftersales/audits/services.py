"""What the audits app's writes share: the refusal, the required-text check and the case lock.

Each service validates, changes and records an event in one transaction; a refusal raises
`AuditRefused` (or `certification.cases.TransitionRefused`) with a message for the user and
changes nothing. The writes live by concept: `auditors.py` (the registry, conflicts, who may be
picked), `plan.py` (plan, team, objections), `steps.py` (document review and audit),
`scoring.py` (the team's scoring), `findings.py` (nonconformities and rectification),
`reporting.py` (the final report) and `decisions.py` (the committee's decision).
"""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from aftersales.certification.cases import case_lock
from aftersales.certification.models import Case
from aftersales.core.refusal import Refused
from aftersales.core.scheme import Level

S = Case.Status
SCORING_STATUSES = frozenset({S.DOCUMENT_REVIEW, S.AUDIT})
LEVEL_RANK = {level.value: level.rank for level in Level}


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


def _lang() -> str:
    return get_language() or "zh-hans"
