"""Writes of the CB's side before the audit: review the application (scope, exclusions, audit mode,
man-days), ask for more information, refuse, accept with a quotation, record the signed contract.
Each validates, changes and records a case event in one transaction.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core import fees, mandays

from .cases import case_event_record, case_lock, case_transition
from .materials import file_accept
from .models import Application, Case, Contract, Exclusion, InfoItem, Quotation, Review
from .services import StepRefused


def mandays_rule() -> mandays.Rule:
    """The man-day rule: the file named by setting CERT_MANDAYS_RULE, else the shipped default."""
    return mandays.load_rule(getattr(settings, "CERT_MANDAYS_RULE", None) or mandays.DEFAULT_PATH)


def fee_table() -> fees.FeeTable:
    """The fee table: the file named by setting CERT_FEE_TABLE, else the shipped default."""
    return fees.load_table(getattr(settings, "CERT_FEE_TABLE", None) or fees.DEFAULT_PATH)


def _lock_submitted(case: Case, what: str) -> Case:
    locked = case_lock(case)
    if locked.status != Case.Status.SUBMITTED:
        raise StepRefused(
            _("Case %(reference)s is “%(status)s”; “%(action)s” is not possible now.")
            % {"reference": locked.reference, "status": Case.Status(locked.status).label, "action": what}
        )
    return locked


def fixed_outlets(case: Case) -> int:
    return Application.objects.get(case=case).sites.filter(fixed_outlet=True).count()


def mandays_for(case: Case, *, risk_class: str, outlets_visited: int) -> mandays.Calculation:
    a = Application.objects.get(case=case)
    return mandays.calculate(
        mandays_rule(),
        kind=case.kind,
        staff=a.staff_total or 0,
        risk_class=risk_class,
        product_categories=len(a.product_list),
        fixed_outlets_visited=outlets_visited,
    )


@transaction.atomic
def review_save(
    *,
    case: Case,
    by,
    audit_mode: str,
    risk_class: str,
    outlets_visited: int,
    scope_confirmed: bool,
    exclusions: dict[int, bool | None],
    man_days_override: Decimal | None = None,
    override_reason: str = "",
) -> Review:
    """Save the review of a submitted application; man-days recalculated from the rule. Refused,
    with every problem named, when an input is invalid (nothing written then)."""
    locked = _lock_submitted(case, _("review"))
    problems = []
    if audit_mode not in Review.Mode.values:
        problems.append(_("Audit mode: choose on-site, remote or mixed."))
    rule = mandays_rule()
    if risk_class not in rule.risk_classes:
        classes = _(", ").join(Review(risk_class=r).get_risk_class_display() for r in rule.risk_classes)
        problems.append(_("Risk class: choose one of %(classes)s.") % {"classes": classes})
    available = fixed_outlets(locked)
    if outlets_visited < 0 or outlets_visited > available:
        problems.append(
            _("Fixed outlets visited: %(n)s is not possible; the application lists %(max)s fixed outlets.")
            % {"n": outlets_visited, "max": available}
        )
    if man_days_override is not None:
        if man_days_override <= 0 or (man_days_override * 2) % 1 != 0:
            problems.append(_("Man-days (override): a positive multiple of 0.5."))
        if not override_reason.strip():
            problems.append(_("Reason for the override: required when the man-days are overridden."))
    own = {e.pk: e for e in Exclusion.objects.filter(application__case=locked)}
    for pk in exclusions:
        if pk not in own:
            problems.append(_("Exclusion %(pk)s is not part of this application.") % {"pk": pk})
    if problems:
        raise StepRefused(*problems)
    calculation = mandays_for(locked, risk_class=risk_class, outlets_visited=outlets_visited)
    review, _created = Review.objects.select_for_update().get_or_create(case=locked, defaults={"updated_by": by})
    review.audit_mode = audit_mode
    review.risk_class = risk_class
    review.outlets_visited = outlets_visited
    review.scope_confirmed = scope_confirmed
    review.calculation = calculation.as_json()
    review.man_days_calculated = calculation.result.quantize(Decimal("0.01"))
    review.man_days_override = man_days_override
    review.override_reason = override_reason.strip() if man_days_override is not None else ""
    review.updated_by = by
    review.save()
    for pk, decision in exclusions.items():
        own[pk].confirmed = decision
        own[pk].save(update_fields=["confirmed"])
    case_event_record(
        case=locked,
        action="review.saved",
        by=by,
        public=False,
        reason=review.override_reason,
        data={
            "audit_mode": audit_mode,
            "risk_class": risk_class,
            "outlets_visited": outlets_visited,
            "scope_confirmed": scope_confirmed,
            "man_days_calculated": str(calculation.result),
            "man_days": str(review.man_days),
            "exclusions": {own[pk].item_code: d for pk, d in exclusions.items()},
        },
    )
    return review


@transaction.atomic
def application_request_info(*, case: Case, questions: list[str], by) -> list[InfoItem]:
    """Ask the applicant for more information: one item per question (→ info_requested)."""
    asked = [q.strip() for q in questions if q.strip()]
    if not asked:
        raise StepRefused(_("Questions: write at least one item the applicant must answer."))
    locked = case_lock(case)
    case_transition(
        case=locked,
        to=Case.Status.INFO_REQUESTED,
        action="application.info_requested",
        by=by,
        data={"questions": asked},
    )
    last = InfoItem.objects.filter(case=locked).aggregate(r=Max("round"))["r"] or 0
    items = [InfoItem.objects.create(case=locked, round=last + 1, question=q, asked_by=by) for q in asked]
    case.status = locked.status
    return items


@transaction.atomic
def application_refuse(*, case: Case, reason: str, by) -> Case:
    """Refuse the application, with the reasons (→ refused, final)."""
    if not reason.strip():
        raise StepRefused(_("Reasons: say why the application is refused."))
    case_transition(case=case, to=Case.Status.REFUSED, action="application.refused", by=by, reason=reason.strip())
    return case


def _money(value, what: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise StepRefused(_("%(what)s: “%(value)s” is not an amount.") % {"what": what, "value": value}) from None
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise StepRefused(_("%(what)s: an amount ≥ 0 with at most 2 decimals.") % {"what": what})
    return amount


@transaction.atomic
def application_accept(*, case: Case, travel_estimate, by) -> Quotation:
    """Accept the reviewed application and issue the quotation (→ accepted). Refused until the
    scope is confirmed, the audit mode and man-days set and every exclusion decided."""
    locked = _lock_submitted(case, _("accept"))
    travel = _money(travel_estimate, _("Travel estimate"))
    review = Review.objects.filter(case=locked).first()
    problems = []
    if review is None or not review.audit_mode or review.man_days is None:
        problems.append(_("Review: set the audit mode and the man-days first."))
    elif not review.scope_confirmed:
        problems.append(_("Review: confirm the scope first."))
    undecided = Exclusion.objects.filter(application__case=locked, confirmed__isnull=True).values_list(
        "item_code", flat=True
    )
    problems += [_("Exclusion %(code)s: confirm or reject it first.") % {"code": code} for code in undecided]
    if problems:
        raise StepRefused(*problems)
    table = fee_table()
    quote = fees.quote(table, kind=locked.kind, man_days=review.man_days, travel_estimate=travel)
    quotation = Quotation.objects.create(
        case=locked,
        man_days=review.man_days,
        day_rate=table.day_rate,
        lines=quote.as_json(),
        total=quote.total,
        created_by=by,
    )
    case_transition(
        case=locked,
        to=Case.Status.ACCEPTED,
        action="application.accepted",
        by=by,
        data={"audit_mode": review.audit_mode, "man_days": str(review.man_days), "quotation_total": str(quote.total)},
    )
    case.status = locked.status
    return quotation


@transaction.atomic
def contract_record(*, case: Case, signed_on: date, signed_by: str, by, upload=None) -> Contract:
    """Record the contract as signed (→ contracted); the signed file is optional."""
    problems = []
    if not signed_by.strip():
        problems.append(_("Signed by: name who signed for the enterprise."))
    if signed_on > timezone.localdate():
        problems.append(_("Signed on: %(day)s is in the future.") % {"day": signed_on})
    if problems:
        raise StepRefused(*problems)
    locked = case_lock(case)
    case_transition(
        case=locked,
        to=Case.Status.CONTRACTED,
        action="contract.signed",
        by=by,
        data={"signed_on": signed_on.isoformat(), "signed_by": signed_by.strip()},
    )
    contract = Contract(case=locked, signed_on=signed_on, signed_by=signed_by.strip(), recorded_by=by)
    if upload is not None:
        checked = file_accept(upload)
        contract.original_name, contract.sha256 = checked.name, checked.sha256
        contract.file.save(checked.stored_name, ContentFile(checked.data), save=False)
    try:
        contract.save()
    except Exception:
        if contract.file:
            contract.file.delete(save=False)
        raise
    case.status = locked.status
    return contract
