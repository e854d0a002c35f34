"""The certificate's cycle: surveillance audits, recertification, reminders, expiry.

- `surveillance.surveillance_plan` writes the surveillances of a cycle (certificate_issue calls it
  after an issue or a recertification).
- `surveillance_open` (cb_admin) opens a surveillance case: kind surveillance, following the
  certificate's last case, its application copied, man-days from the man-day rule (≈ 1/3) and a
  quotation, starting at "accepted" so the CB records the contract and plans the audit with the
  audits app as for any case. `baseline_for(case)` is the last audit report it starts from.
- `surveillance_decided` applies the committee's decision on a surveillance case: same level →
  confirmed; another level → a new certificate version; refused → suspension.
- `recertification_open` opens the recertification application (a draft the enterprise fills,
  prefilled from the last application); its decision goes through `certificate_issue`.
- `job.cycle_run` is the cycle's part of the daily job: expiry, reminders, missed surveillances
  (which propose a suspension the CB answers with `surveillance_proposal_answer`).
"""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import Membership, Organisation, Role
from aftersales.audits.models import Audit, Decision
from aftersales.audits.selectors import baseline_for
from aftersales.audits.services import AuditRefused
from aftersales.certification.cases import case_event_record, case_reference_next
from aftersales.certification.models import Application, Case, Exclusion, Manager, Quotation, Review, Site
from aftersales.certification.review import fee_table, mandays_for, mandays_rule
from aftersales.certification.services import (
    APPLICATION_FIELDS,
    ApplicationData,
    ExclusionRow,
    ManagerRow,
    SiteRow,
    StepRefused,
    application_save,
    case_open,
)
from aftersales.core import fees, mandays
from aftersales.core.concepts import LIVE_STATUSES

from ..access import is_cb_admin
from ..models import Certificate, CertificateCase, CertificateVersion, Surveillance
from ..services import (
    CertificateRefused,
    certificate_event_record,
    certificate_restore,
    certificate_suspend,
    certificate_transition,
)
from ..surveillance import lock_certificate
from ..versions import APPROVING, certificate_change
from .job import recertification_opens

log = logging.getLogger(__name__)

S = Certificate.Status
SV = Surveillance.State
LIVE = LIVE_STATUSES
TO_DO = (SV.PLANNED, SV.OPENED)
CASE_CLOSED = (Case.Status.REFUSED, Case.Status.DECIDED, Case.Status.WITHDRAWN)


class CycleRefused(CertificateRefused):
    """A cycle step that is not possible now; str() is a message for the user."""


# ------------------------------------------------------------------------------------ rules


def _cb_admin_needed(user, certificate: Certificate) -> None:
    if not is_cb_admin(user, certificate):
        raise CycleRefused(
            _("Only an admin of %(cb)s acts on certificate %(number)s.")
            % {"cb": certificate.cb.name, "number": certificate.number}
        )


def last_case(certificate: Certificate) -> Case | None:
    """The certificate's latest decided case (the one a new surveillance or recertification follows)."""
    link = (
        CertificateCase.objects.filter(certificate=certificate, case__status=Case.Status.DECIDED)
        .select_related("case__scheme_version")
        .order_by("-created_at", "-id")
        .first()
    )
    return link.case if link else None


# ------------------------------------------------------------------------------------- open


def _copy_application(source: Case | None, case: Case, by) -> Application:
    """The new case's application: the previous case's copied (or empty if it had none)."""
    old = Application.objects.filter(case=source).first() if source else None
    if old is None:
        return Application.objects.create(case=case, registered_on=case.enterprise.registered_on, updated_by=by)
    new = Application.objects.create(case=case, updated_by=by, **{f: getattr(old, f) for f in APPLICATION_FIELDS})
    Site.objects.bulk_create(
        Site(application=new, name=s.name, address=s.address, kind=s.kind, fixed_outlet=s.fixed_outlet)
        for s in old.sites.all()
    )
    Exclusion.objects.bulk_create(
        Exclusion(application=new, item_code=e.item_code, reason=e.reason, confirmed=e.confirmed)
        for e in old.exclusions.filter(confirmed=True)
    )
    Manager.objects.bulk_create(
        Manager(application=new, name=m.name, certificate_no=m.certificate_no) for m in old.managers.all()
    )
    return new


def _surveillance_mandays(previous: Case | None, case: Case) -> tuple[Decimal, dict, dict]:
    """(man-days, calculation, review fields) for a surveillance case: the man-day rule with the
    previous review's inputs and kind surveillance; without a review, the previous audit's
    man-days × the rule's surveillance factor, rounded up the same way."""
    review = Review.objects.filter(case=previous).first() if previous else None
    if review is not None and review.risk_class:
        calc = mandays_for(case, risk_class=review.risk_class, outlets_visited=review.outlets_visited)
        fields = {"audit_mode": review.audit_mode, "risk_class": review.risk_class}
        fields["outlets_visited"] = review.outlets_visited
        return calc.result.quantize(Decimal("0.01")), calc.as_json(), fields
    rule = mandays_rule()
    audit = Audit.objects.filter(case=previous).first() if previous else None
    initial = Fraction(str(audit.man_days)) if audit and audit.man_days else rule.minimum
    factor = rule.kind_factor["surveillance"]
    result = max(mandays.round_up(initial * factor, rule.round_up_to), rule.minimum)
    value = Decimal(result.numerator) / Decimal(result.denominator)
    calculation = {
        "rule": rule.id,
        "lines": [
            {"zh-Hans": "上次审核人日", "en": "man-days of the last audit", "amount": str(initial)},
            {"zh-Hans": f"监督审核系数 × {factor}", "en": f"surveillance audit: × {factor}", "amount": str(value)},
        ],
        "result": str(value),
    }
    mode = audit.mode if audit else Review.Mode.ON_SITE
    return value.quantize(Decimal("0.01")), calculation, {"audit_mode": mode, "risk_class": "", "outlets_visited": 0}


def _surveillance_followed(surveillance: Surveillance, certificate: Certificate) -> Case:
    """The decided case a surveillance audit follows; refused unless its audit may be opened now."""
    if certificate.status not in LIVE:
        raise CycleRefused(
            _("Certificate %(number)s is “%(status)s”; no surveillance audit is opened for it.")
            % {"number": certificate.number, "status": S(certificate.status).label}
        )
    if surveillance.case_id is not None or surveillance.state not in (SV.PLANNED, SV.MISSED):
        raise CycleRefused(
            _("Surveillance %(cycle)s.%(n)s of %(number)s is “%(state)s”; its audit cannot be opened.")
            % {
                "cycle": surveillance.cycle,
                "n": surveillance.n,
                "number": certificate.number,
                "state": SV(surveillance.state).label,
            }
        )
    open_case = (
        Case.objects.filter(certificate_link__certificate=certificate, kind=Case.Kind.SURVEILLANCE)
        .exclude(status__in=CASE_CLOSED)
        .first()
    )
    if open_case is not None:
        raise CycleRefused(
            _("Certificate %(number)s already has the open surveillance case %(reference)s.")
            % {"number": certificate.number, "reference": open_case.reference}
        )
    previous = last_case(certificate)
    if previous is None:
        raise CycleRefused(_("Certificate %(number)s has no decided case to follow.") % {"number": certificate.number})
    return previous


def _surveillance_case_create(certificate: Certificate, previous: Case, by) -> tuple[Case, Decimal, fees.Quote]:
    """The surveillance case with its application (copied), review (man-days) and quotation."""
    Organisation.objects.select_for_update().get(pk=certificate.cb_id)  # case numbers, one at a time per CB
    case = Case.objects.create(
        reference=case_reference_next(timezone.localdate().year),
        enterprise=certificate.enterprise,
        cb=certificate.cb,
        scheme_version=previous.scheme_version,
        kind=Case.Kind.SURVEILLANCE,
        previous=previous,
        created_by=by,
    )
    _copy_application(previous, case, by)
    man_days, calculation, review_fields = _surveillance_mandays(previous, case)
    Review.objects.create(
        case=case,
        scope_confirmed=True,
        calculation=calculation,
        man_days_calculated=man_days,
        updated_by=by,
        **review_fields,
    )
    table = fee_table()
    quote = fees.quote(table, kind=Case.Kind.SURVEILLANCE, man_days=man_days, travel_estimate=Decimal("0"))
    Quotation.objects.create(
        case=case, man_days=man_days, day_rate=table.day_rate, lines=quote.as_json(), total=quote.total, created_by=by
    )
    return case, man_days, quote


@transaction.atomic
def surveillance_open(*, surveillance: Surveillance, by) -> Case:
    """Open the surveillance audit (cb_admin): a surveillance case following the certificate's
    last decided case, its application copied, man-days ≈ 1/3 by the man-day rule, a quotation,
    status "accepted" (the CB records the contract, then plans the audit as for any case)."""
    surveillance = Surveillance.objects.select_for_update().get(pk=surveillance.pk)
    certificate = lock_certificate(surveillance.certificate)
    _cb_admin_needed(by, certificate)
    previous = _surveillance_followed(surveillance, certificate)
    case, man_days, quote = _surveillance_case_create(certificate, previous, by)
    baseline = baseline_for(case)
    case_event_record(
        case=case,
        action="case.opened",
        by=by,
        to_status=Case.Status.ACCEPTED,
        data={
            "kind": Case.Kind.SURVEILLANCE,
            "cb": certificate.cb.name,
            "scheme": f"{previous.scheme_version.scheme_id} {previous.scheme_version.version}",
            "certificate": certificate.number,
            "surveillance": f"{surveillance.cycle}.{surveillance.n}",
            "due_by": surveillance.due_by.isoformat(),
            "previous": previous.reference,
            "baseline_report": baseline.sha256 if baseline else None,
            "man_days": str(man_days),
            "quotation_total": str(quote.total),
        },
    )
    CertificateCase.objects.create(certificate=certificate, case=case, kind=Case.Kind.SURVEILLANCE)
    surveillance.case, surveillance.state = case, SV.OPENED
    surveillance.save(update_fields=["case", "state"])
    certificate_event_record(
        certificate=certificate,
        action="surveillance.opened",
        by=by,
        data={"cycle": surveillance.cycle, "n": surveillance.n, "case": case.reference},
        public=False,
    )
    return case


# ---------------------------------------------------------------------------------- decided


def decision_recorded(sender, *, decision: Decision, by, **kwargs) -> None:
    """audits.signals.decision_recorded: a surveillance decision changes the certificate in the
    decision's transaction (refused → the decision is not recorded either)."""
    try:
        surveillance_decided(decision=decision, by=by)
    except CertificateRefused as exc:
        raise AuditRefused(str(exc)) from None


@transaction.atomic
def surveillance_decided(*, decision: Decision, by) -> Surveillance | None:
    """Apply the committee's decision on a surveillance case (call it right after
    audits.decisions.decision_record; other kinds of case and a send-back: None, nothing done).

    approve at the certificate's level → surveillance done, "surveillance.confirmed";
    approve at another level → a new version (reason surveillance) + done;
    refuse → the certificate is suspended with the decision's reasons (surveillance done: the
    audit took place and failed). A certificate suspended for missing this surveillance is
    restored when the late audit approves it."""
    case = decision.case
    if case.kind != Case.Kind.SURVEILLANCE or decision.outcome == Decision.Outcome.SEND_BACK:
        return None
    surveillance = Surveillance.objects.select_for_update().filter(case=case).first()
    if surveillance is None:
        raise CycleRefused(
            _("Case %(reference)s is not the audit of a planned surveillance.") % {"reference": case.reference}
        )
    if surveillance.state == SV.DONE:
        return surveillance  # applied already
    certificate = lock_certificate(surveillance.certificate)
    if certificate.status not in LIVE:
        raise CycleRefused(
            _("Certificate %(number)s is “%(status)s”; the surveillance decision no longer applies to it.")
            % {"number": certificate.number, "status": S(certificate.status).label}
        )
    decided_on = timezone.localdate(decision.decided_at)
    data = {
        "cycle": surveillance.cycle,
        "n": surveillance.n,
        "case": case.reference,
        "decision": decision.outcome,
        "score": decision.report.score_exact,
        "late": decided_on > surveillance.due_by,
    }
    was = certificate.level
    if decision.outcome in APPROVING:
        if decision.level == was:
            certificate_event_record(
                certificate=certificate,
                action="surveillance.confirmed",
                by=by,
                reason=decision.reasons,
                data={**data, "level": decision.level},
            )
        else:
            certificate_change(
                certificate=certificate,
                by=by,
                reason=CertificateVersion.Reason.SURVEILLANCE,
                note=decision.reasons,
                level=decision.level,
                score_exact=decision.report.score_exact,
                case=case,
                decision=decision,
            )
            certificate_event_record(
                certificate=certificate,
                action="surveillance.done",
                by=by,
                data={**data, "level": decision.level, "was": was},
            )
        certificate.refresh_from_db()
        if certificate.status == S.SUSPENDED and _suspended_for(certificate, surveillance):
            certificate_restore(
                certificate=certificate,
                by=by,
                reason=_("The late surveillance audit %(reference)s was approved.") % {"reference": case.reference},
            )
    elif certificate.status == S.VALID:
        certificate_suspend(certificate=certificate, by=by, reason=decision.reasons)
    else:
        certificate_event_record(
            certificate=certificate, action="surveillance.failed", by=by, reason=decision.reasons, data=data
        )
    surveillance.state, surveillance.done_on = SV.DONE, decided_on
    surveillance.save(update_fields=["state", "done_on"])
    return surveillance


# valid certificate: suspend or waive; one suspended already: withdraw, keep it suspended, or waive
PROPOSAL_ANSWERS = ("suspend", "waive", "withdraw", "keep")


def _suspended_for(certificate: Certificate, surveillance: Surveillance) -> bool:
    """True when the certificate's current suspension is the one answering this surveillance's
    proposal (a suspension for another reason is not lifted by a late surveillance)."""
    last = certificate.events.filter(to_status=S.SUSPENDED).order_by("-seq").first()
    return last is not None and last.data.get("surveillance") == surveillance.pk


@transaction.atomic
def surveillance_proposal_answer(*, surveillance: Surveillance, answer: str, reason: str, by) -> Surveillance:
    """The CB's answer to the suspension a missed surveillance proposes, with a reason: suspend the
    certificate, or waive the proposal; a certificate suspended already is withdrawn (the step
    after a suspension, domain.md §5) or kept suspended ("keep"; "suspend" is taken so)."""
    surveillance = Surveillance.objects.select_for_update().get(pk=surveillance.pk)
    certificate = lock_certificate(surveillance.certificate)
    _cb_admin_needed(by, certificate)
    if surveillance.state != SV.MISSED or surveillance.proposal_answer:
        raise CycleRefused(
            _("Surveillance %(cycle)s.%(n)s of %(number)s has no open suspension proposal.")
            % {"cycle": surveillance.cycle, "n": surveillance.n, "number": certificate.number}
        )
    if answer not in PROPOSAL_ANSWERS:
        raise CycleRefused(_("Answer: choose suspend, waive, withdraw or keep suspended."))
    if answer in ("withdraw", "keep") and certificate.status != S.SUSPENDED:
        raise CycleRefused(
            _(
                "Certificate %(number)s is “%(status)s”: only a suspended certificate is withdrawn or kept "
                "suspended in answer to the proposal; choose suspend or waive."
            )
            % {"number": certificate.number, "status": S(certificate.status).label}
        )
    reason = (reason or "").strip()
    if not reason:
        raise CycleRefused(_("Reason: say why the certificate is suspended or the proposal waived."))
    where = {"cycle": surveillance.cycle, "n": surveillance.n, "surveillance": surveillance.pk}
    if answer == "suspend" and certificate.status == S.VALID:
        certificate_transition(
            certificate=certificate,
            to=S.SUSPENDED,
            action="certificate.suspended",
            reason=reason,
            by=by,
            data=where,
        )
        surveillance.proposal_answer = "suspended"
    elif answer == "withdraw":
        certificate_transition(
            certificate=certificate,
            to=S.WITHDRAWN,
            action="certificate.withdrawn",
            reason=reason,
            by=by,
            data=where,
        )
        surveillance.proposal_answer = "withdrawn"
    elif answer in ("suspend", "keep"):  # suspended already (for another reason): the answer is noted
        certificate_event_record(
            certificate=certificate,
            action="surveillance.proposal_answered",
            by=by,
            reason=reason,
            data={**where, "answer": "suspend", "already": certificate.status},
            public=False,
        )
        surveillance.proposal_answer = "suspended"
    else:
        certificate_event_record(
            certificate=certificate,
            action="surveillance.proposal_waived",
            by=by,
            reason=reason,
            data=where,
            public=False,
        )
        surveillance.proposal_answer = "waived"
    surveillance.proposal_reason = reason
    surveillance.save(update_fields=["proposal_answer", "proposal_reason"])
    return surveillance


# ---------------------------------------------------------------------------- recertification


def _application_data(case: Case):
    a = Application.objects.filter(case=case).first()
    if a is None:
        return None
    return ApplicationData(
        products=a.products,
        services=a.services,
        delivery_model=a.delivery_model,
        staff_total=a.staff_total,
        staff_service_management=a.staff_service_management,
        registered_on=a.registered_on,
        system_effective_on=a.system_effective_on,
        declared_no_incident=False,  # declared anew for each application
        declared_not_blacklisted=False,
        sites=[SiteRow(s.name, s.address, s.kind, s.fixed_outlet) for s in a.sites.all()],
        exclusions=[ExclusionRow(e.item_code, e.reason) for e in a.exclusions.all()],
        managers=[ManagerRow(m.name, m.certificate_no) for m in a.managers.all()],
    )


@transaction.atomic
def recertification_open(*, certificate: Certificate, by, today: date | None = None) -> Case:
    """Open the recertification application (the certificate's enterprise admin or the CB's
    admin), from the CB policy's recertification_open_months before expiry until expiry: a draft case of kind
    recertification following the last decided case, prefilled from the last application."""
    today = today or timezone.localdate()
    certificate = lock_certificate(certificate)
    admin = Membership.objects.filter(
        user=by, organisation_id=certificate.enterprise_id, role=Role.ENTERPRISE_ADMIN
    ).exists()
    if not (admin or is_cb_admin(by, certificate)):
        raise CycleRefused(_("Only the enterprise's admin or the certification body's admin opens a recertification."))
    if certificate.status not in LIVE:
        raise CycleRefused(
            _("Certificate %(number)s is “%(status)s”; only a live certificate is recertified.")
            % {"number": certificate.number, "status": S(certificate.status).label}
        )
    opens = recertification_opens(certificate, today)
    if not opens <= today <= certificate.expires_on:
        raise CycleRefused(
            _("Recertification of %(number)s can be opened from %(opens)s until %(expires)s.")
            % {"number": certificate.number, "opens": opens.isoformat(), "expires": certificate.expires_on.isoformat()}
        )
    previous = last_case(certificate)
    if previous is None:
        raise CycleRefused(_("Certificate %(number)s has no decided case to follow.") % {"number": certificate.number})
    try:
        case = case_open(
            enterprise=certificate.enterprise,
            cb=certificate.cb,
            scheme_version=previous.scheme_version,
            by=by,
            kind=Case.Kind.RECERTIFICATION,
            previous=previous,
        )
    except StepRefused as exc:
        raise CycleRefused(str(exc)) from None
    data = _application_data(previous)
    if data is not None:
        try:
            with transaction.atomic():
                application_save(case=case, data=data, by=by)
        except StepRefused:  # the scheme changed under an old row: the enterprise fills it in
            log.info("recertification %s: the last application could not be copied", case.reference)
    CertificateCase.objects.create(certificate=certificate, case=case, kind=Case.Kind.RECERTIFICATION)
    certificate_event_record(
        certificate=certificate,
        action="recertification.opened",
        by=by,
        data={"case": case.reference, "expires_on": certificate.expires_on.isoformat()},
        public=False,
    )
    return case
