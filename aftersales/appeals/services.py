"""Writes of appeals and complaints. Each validates, changes the appeal and appends one
`AppealEvent` in one transaction; a refusal is `AppealRefused` (nothing written) whose str() is
a message for the user naming what and where.

Who does what (the views' access helper answers 404/403 first; the services refuse the rest):
- the enterprise admin lodges (`appeal_lodge`) and may withdraw before the decision;
- the CB admin assigns a handler (`appeal_assign`) who was not involved in the contested case
  (`handler_conflicts` says which rule refuses whom);
- the CB admin or the handler acknowledges; the handler starts the review, records
  investigation notes (internal) and the outcome with its reasons (the enterprise is mailed).
"""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.audits.models import Decision
from aftersales.certificates.models import CertificateEvent
from aftersales.certificates.notify import admin_emails
from aftersales.certification.cases import case_lock
from aftersales.certification.materials import file_accept
from aftersales.certification.models import Case
from aftersales.certification.services import StepRefused
from aftersales.core.chain import Break
from aftersales.core.concepts import CertificateStatus
from aftersales.core.refusal import Refused
from aftersales.events.chain import chain_append, chain_breaks
from aftersales.policy import policy_on

from . import deadlines
from .impartiality import handler_conflicts
from .models import OPEN, TRANSITIONS, Appeal, AppealEvent, AppealFile

log = logging.getLogger(__name__)

# certificate status changes an appeal may contest
CONTESTABLE_STATUSES = frozenset({CertificateStatus.SUSPENDED, CertificateStatus.WITHDRAWN})
# committee outcomes an appeal may contest (a send-back is not a decision on certification)
CONTESTABLE_OUTCOMES = frozenset({Decision.Outcome.APPROVE, Decision.Outcome.APPROVE_LOWER, Decision.Outcome.REFUSE})
MAX_FILES = 10


class AppealRefused(Refused):
    """A step that cannot be taken now or with this input; nothing changed. `problems` are
    messages for the user; `rules` names the impartiality rules that refused a handler."""

    joiner = " "

    def __init__(self, *problems: str, rules: tuple[str, ...] = ()):
        super().__init__(*problems)
        self.rules = rules


# ------------------------------------------------------------------------------------ policy


def lodge_days(decided_on: date | None = None) -> int:
    """Days to lodge an appeal: the CB policy in force on the day of the contested decision."""
    return policy_on(decided_on).appeal_lodge_days


def _today() -> date:
    return timezone.localdate()


def contested_on(*, decision: Decision | None = None, certificate_event: CertificateEvent | None = None) -> date:
    """The day of the contested decision (local date), from which the lodging deadline counts."""
    if decision is not None:
        return timezone.localdate(decision.decided_at)
    return certificate_event.effective_on


# -------------------------------------------------------------------------------------- helpers


def _label(status: str) -> str:
    return str(Appeal.Status(status).label)


def _lock(appeal: Appeal) -> Appeal:
    return Appeal.objects.select_for_update().get(pk=appeal.pk)


def _event(
    locked: Appeal,
    *,
    action: str,
    by,
    reason: str = "",
    data: dict | None = None,
    to_status: str = "",
    public: bool = True,
    also: tuple[str, ...] = (),
) -> AppealEvent:
    """Append the event and save the appeal's changed `also` fields (and its new status) with it."""
    return chain_append(
        locked,
        AppealEvent,
        action=action,
        by=by,
        reason=reason,
        data=data,
        to_status=to_status,
        from_status=locked.status if to_status and locked.event_count else "",  # lodging starts the chain
        public=public,
        save=also,
    )


def appeal_chain_breaks(appeal: Appeal) -> list[Break]:
    """Where the appeal's stored history no longer matches its hashes ([] if intact), including a
    head that does not point at the last event."""
    return chain_breaks(appeal, AppealEvent)


def _refuse_transition(locked: Appeal, to: str, what: str) -> None:
    if to not in TRANSITIONS[locked.status]:
        raise AppealRefused(
            _("%(reference)s is “%(status)s”; “%(action)s” is not possible now.")
            % {"reference": locked.reference, "status": _label(locked.status), "action": what}
        )


def _require_handler(locked: Appeal, by, what: str) -> None:
    """`by` is the appeal's handler and still impartial (they may have acted on the case since
    they were assigned)."""
    if locked.handler_id is None:
        raise AppealRefused(
            _("%(reference)s has no handler yet; the certification body admin assigns one before “%(action)s”.")
            % {"reference": locked.reference, "action": what}
        )
    if locked.handler_id != by.pk:
        raise AppealRefused(
            _("Only the handler of %(reference)s (%(handler)s) may “%(action)s”.")
            % {"reference": locked.reference, "handler": locked.handler, "action": what}
        )
    conflicts = handler_conflicts(locked, by)
    if conflicts:
        raise AppealRefused(
            *[
                _("%(who)s cannot handle %(reference)s: %(why)s")
                % {"who": by, "reference": locked.reference, "why": message}
                for _rule, message in conflicts
            ],
            rules=tuple(rule for rule, _message in conflicts),
        )


def _sync(appeal: Appeal, locked: Appeal) -> None:
    for field in ("status", "event_count", "handler_id", "acknowledged_at", "outcome", "decided_at", "closed_at"):
        setattr(appeal, field, getattr(locked, field))


def appeal_reference_next(year: int) -> str:
    """AP-2026-0001, AP-2026-0002, … (call inside a transaction)."""
    prefix = f"AP-{year}-"
    last = (
        Appeal.objects.filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    n = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{n:04d}"


def _notify(appeal: Appeal, subject, body) -> None:
    """Mail the enterprise's admins (in the site's language); a mail that fails is logged, the
    appeal's state stands (the enterprise sees it on its page)."""
    recipients = admin_emails(appeal.enterprise)
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject_text, body_text = " ".join(str(subject()).split())[:300], str(body())
    try:
        send_mail(subject_text, body_text, None, recipients)
    except Exception:
        log.exception("appeal %s: mail not sent", appeal.reference)


# ------------------------------------------------------------------------------------ lodging


def _contested_problems(
    problems: list[str], *, case: Case, decision: Decision | None, certificate_event: CertificateEvent | None, today
) -> None:
    """Add what is wrong with an appeal's contested decision or status change (its deadline is
    checked only when nothing else is wrong)."""
    if (decision is None) == (certificate_event is None):
        problems.append(_("An appeal names one decision: the committee's decision or a certificate status change."))
    elif decision is not None:
        if decision.case_id != case.pk:
            problems.append(_("This decision is not one of case %(reference)s.") % {"reference": case.reference})
        elif decision.outcome not in CONTESTABLE_OUTCOMES:
            problems.append(_("A send-back to the audit team is not a certification decision; it cannot be appealed."))
    else:
        cert = certificate_event.certificate
        if certificate_event.to_status not in CONTESTABLE_STATUSES:
            problems.append(_("Only a suspension or a withdrawal of a certificate can be appealed."))
        elif cert.enterprise_id != case.enterprise_id or cert.cb_id != case.cb_id:
            problems.append(
                _("Certificate %(number)s is not one of case %(reference)s.")
                % {"number": cert.number, "reference": case.reference}
            )
    if not problems:
        day = contested_on(decision=decision, certificate_event=certificate_event)
        if not deadlines.may_lodge(day, today, lodge_days(day)):
            problems.append(
                _("The decision of %(day)s could be appealed until %(last)s (%(n)s days); it is too late now.")
                % {
                    "day": day.isoformat(),
                    "last": deadlines.lodge_deadline(day, lodge_days(day)).isoformat(),
                    "n": lodge_days(day),
                }
            )


def _lodge_problems(
    *, case: Case, kind: str, grounds: str, decision: Decision | None, certificate_event: CertificateEvent | None, today
) -> list[str]:
    """Every problem with what is lodged (kind, grounds, what it contests), files aside."""
    problems: list[str] = []
    if kind not in Appeal.Kind.values:
        problems.append(_("Choose an appeal or a complaint."))
    if not grounds:
        problems.append(_("Give the grounds: what you contest and why."))
    if kind == Appeal.Kind.APPEAL:
        _contested_problems(problems, case=case, decision=decision, certificate_event=certificate_event, today=today)
    elif kind == Appeal.Kind.COMPLAINT and case.status == Case.Status.DRAFT:
        problems.append(
            _("Case %(reference)s is still a draft; there is no audit or decision to complain about.")
            % {"reference": case.reference}
        )
    return problems


def _files_accepted(problems: list[str], uploads) -> list:
    """The checked files of the uploads (at most MAX_FILES); what is wrong goes into `problems`."""
    files = []
    uploads = list(uploads)
    if len(uploads) > MAX_FILES:
        problems.append(_("Attach at most %(n)s files.") % {"n": MAX_FILES})
    else:
        for upload in uploads:
            try:
                files.append(file_accept(upload))
            except StepRefused as exc:
                problems.extend(exc.problems)
    return files


def _refuse_open_appeal(decision: Decision | None, certificate_event: CertificateEvent | None) -> None:
    if decision is not None and Appeal.objects.filter(decision=decision, status__in=OPEN).exists():
        raise AppealRefused(_("An appeal against this decision is already open."))
    if (
        certificate_event is not None
        and Appeal.objects.filter(certificate_event=certificate_event, status__in=OPEN).exists()
    ):
        raise AppealRefused(_("An appeal against this status change is already open."))


def _files_store(appeal: Appeal, files: list, *, by, stored: list[AppealFile]) -> None:
    """Save the checked files on the appeal; each saved row is appended to `stored` at once (so the
    caller can delete the files if the transaction fails)."""
    for checked in files:
        row = checked.stored(AppealFile, appeal=appeal, uploaded_by=by)
        stored.append(row)
        row.save()


def appeal_lodge(
    *,
    case: Case,
    kind: str,
    grounds: str,
    by,
    decision: Decision | None = None,
    certificate_event: CertificateEvent | None = None,
    uploads=(),
    today: date | None = None,
) -> Appeal:
    """Lodge an appeal against `decision` or `certificate_event` (a suspension or withdrawal), or
    a complaint about the case's audit or the CB's conduct. Refused with every problem named."""
    today = today or _today()
    grounds = (grounds or "").strip()
    problems = _lodge_problems(
        case=case, kind=kind, grounds=grounds, decision=decision, certificate_event=certificate_event, today=today
    )
    if kind == Appeal.Kind.COMPLAINT:
        decision = certificate_event = None  # a complaint contests no decision
    files = _files_accepted(problems, uploads)
    if problems:
        raise AppealRefused(*problems)
    policy = policy_on(today)
    due = deadlines.deadlines(today, policy.appeal_ack_days, policy.appeal_decide_days)
    stored = []
    try:
        with transaction.atomic():
            case_lock(case)  # one lodging at a time per case: the open-appeal checks below hold
            _refuse_open_appeal(decision, certificate_event)
            appeal = Appeal.objects.create(
                reference=appeal_reference_next(today.year),
                kind=kind,
                case=case,
                enterprise_id=case.enterprise_id,
                cb_id=case.cb_id,
                decision=decision,
                certificate_event=certificate_event,
                grounds=grounds,
                lodged_by=by,
                lodged_at=timezone.now(),
                acknowledge_by=due.acknowledge_by,
                decide_by=due.decide_by,
            )
            _files_store(appeal, files, by=by, stored=stored)
            _event(
                appeal,
                action="appeal.lodged",
                by=by,
                reason=grounds,
                to_status=Appeal.Status.LODGED,
                data={
                    "kind": kind,
                    "case": case.reference,
                    "decision": decision.pk if decision else None,
                    "certificate_event": certificate_event.pk if certificate_event else None,
                    "files": [{"name": r.original_name, "sha256": r.sha256} for r in stored],
                    "acknowledge_by": due.acknowledge_by.isoformat(),
                    "decide_by": due.decide_by.isoformat(),
                    "policy": policy.pin,
                },
            )
    except IntegrityError as exc:  # another appeal took the number at the same moment
        for row in stored:
            row.file.delete(save=False)
        raise AppealRefused(_("Another appeal was lodged at the same moment; please lodge again.")) from exc
    except Exception:
        for row in stored:
            row.file.delete(save=False)
        raise
    return appeal


@transaction.atomic
def appeal_withdraw(*, appeal: Appeal, reason: str, by) -> AppealEvent:
    """The enterprise withdraws its appeal before the decision."""
    locked = _lock(appeal)
    _refuse_transition(locked, Appeal.Status.WITHDRAWN, _("withdraw"))
    locked.closed_at = timezone.now()
    event = _event(
        locked,
        action="appeal.withdrawn",
        by=by,
        reason=(reason or "").strip(),
        to_status=Appeal.Status.WITHDRAWN,
        also=("closed_at",),
    )
    _sync(appeal, locked)
    return event


# --------------------------------------------------------------------------------- impartiality


@transaction.atomic
def appeal_assign(*, appeal: Appeal, handler, by) -> AppealEvent:
    """The CB admin assigns (or replaces) the handler, who must not have been involved in the case."""
    locked = _lock(appeal)
    if locked.status not in OPEN:
        raise AppealRefused(
            _("%(reference)s is “%(status)s”; “%(action)s” is not possible now.")
            % {"reference": locked.reference, "status": _label(locked.status), "action": _("assign a handler")}
        )
    if locked.handler_id == handler.pk:
        raise AppealRefused(
            _("%(who)s already handles %(reference)s.") % {"who": handler, "reference": locked.reference}
        )
    conflicts = handler_conflicts(locked, handler)
    if conflicts:
        raise AppealRefused(
            *[
                _("%(who)s cannot handle %(reference)s: %(why)s")
                % {"who": handler, "reference": locked.reference, "why": message}
                for _rule, message in conflicts
            ],
            rules=tuple(rule for rule, _message in conflicts),
        )
    previous = locked.handler
    locked.handler = handler
    event = _event(
        locked,
        action="appeal.handler_assigned",
        by=by,
        data={"handler": handler.get_username(), "previous": previous.get_username() if previous else None},
        public=False,
        also=("handler",),
    )
    _sync(appeal, locked)
    appeal.handler = handler
    return event


# ------------------------------------------------------------------------------------ handling


def appeal_acknowledge(*, appeal: Appeal, by, note: str = "") -> AppealEvent:
    """The certification body acknowledges receipt (CB admin or the handler); the enterprise is told."""
    with transaction.atomic():
        locked = _lock(appeal)
        _refuse_transition(locked, Appeal.Status.ACKNOWLEDGED, _("acknowledge"))
        locked.acknowledged_at = timezone.now()
        event = _event(
            locked,
            action="appeal.acknowledged",
            by=by,
            reason=(note or "").strip(),
            to_status=Appeal.Status.ACKNOWLEDGED,
            also=("acknowledged_at",),
        )
        _sync(appeal, locked)
    _notify(
        locked,
        lambda: _("%(reference)s received by %(cb)s") % {"reference": locked.reference, "cb": locked.cb},
        lambda: (
            _(
                "%(cb)s acknowledges your %(kind)s %(reference)s about case %(case)s. It will be decided by %(day)s "
                "by a person not involved in the case."
            )
            % {
                "cb": locked.cb,
                "kind": locked.get_kind_display(),
                "reference": locked.reference,
                "case": locked.case.reference,
                "day": locked.decide_by.isoformat(),
            }
        ),
    )
    return event


@transaction.atomic
def appeal_review_start(*, appeal: Appeal, by) -> AppealEvent:
    """The handler starts the investigation."""
    locked = _lock(appeal)
    _refuse_transition(locked, Appeal.Status.UNDER_REVIEW, _("start the review"))
    _require_handler(locked, by, _("start the review"))
    event = _event(locked, action="appeal.review_started", by=by, to_status=Appeal.Status.UNDER_REVIEW)
    _sync(appeal, locked)
    return event


@transaction.atomic
def appeal_note(*, appeal: Appeal, text: str, by) -> AppealEvent:
    """The handler records an investigation note (internal to the certification body)."""
    locked = _lock(appeal)
    text = (text or "").strip()
    if locked.status != Appeal.Status.UNDER_REVIEW:
        raise AppealRefused(
            _("%(reference)s is “%(status)s”; “%(action)s” is not possible now.")
            % {"reference": locked.reference, "status": _label(locked.status), "action": _("record a note")}
        )
    _require_handler(locked, by, _("record a note"))
    if not text:
        raise AppealRefused(_("Write the note."))
    event = _event(locked, action="appeal.note", by=by, reason=text, public=False)
    _sync(appeal, locked)
    return event


def appeal_decide(*, appeal: Appeal, outcome: str, reasons: str, by, remedy: str = "") -> AppealEvent:
    """The handler decides: upheld, partly upheld or dismissed, with reasons (and the remedy when
    upheld in whole or part). The enterprise is mailed the outcome and reasons."""
    reasons, remedy = (reasons or "").strip(), (remedy or "").strip()
    with transaction.atomic():
        locked = _lock(appeal)
        _refuse_transition(locked, Appeal.Status.DECIDED, _("decide"))
        _require_handler(locked, by, _("decide"))
        problems = []
        if outcome not in Appeal.Outcome.values:
            problems.append(_("Choose the outcome: upheld, partly upheld or dismissed."))
        if not reasons:
            problems.append(_("Give the reasons for the outcome."))
        if outcome in {Appeal.Outcome.UPHELD, Appeal.Outcome.PARTLY_UPHELD} and not remedy:
            problems.append(_("Say what follows from upholding it (the remedy)."))
        if problems:
            raise AppealRefused(*problems)
        now = timezone.now()
        locked.outcome, locked.outcome_reasons, locked.remedy = outcome, reasons, remedy
        locked.decided_by, locked.decided_at, locked.closed_at = by, now, now
        event = _event(
            locked,
            action="appeal.decided",
            by=by,
            reason=reasons,
            data={"outcome": outcome, "remedy": remedy},
            to_status=Appeal.Status.DECIDED,
            also=("outcome", "outcome_reasons", "remedy", "decided_by", "decided_at", "closed_at"),
        )
        _sync(appeal, locked)
        appeal.outcome_reasons, appeal.remedy = reasons, remedy
    _notify(
        locked,
        lambda: (
            _("%(reference)s decided: %(outcome)s")
            % {"reference": locked.reference, "outcome": locked.get_outcome_display()}
        ),
        lambda: (
            _(
                "%(cb)s has decided your %(kind)s %(reference)s about case %(case)s.\n\nOutcome: %(outcome)s\n\n"
                "Reasons:\n%(reasons)s\n\n%(remedy)s"
            )
            % {
                "cb": locked.cb,
                "kind": locked.get_kind_display(),
                "reference": locked.reference,
                "case": locked.case.reference,
                "outcome": locked.get_outcome_display(),
                "reasons": reasons,
                "remedy": (_("What follows:") + "\n" + remedy) if remedy else "",
            }
        ),
    )
    return event
