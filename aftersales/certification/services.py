"""Writes of the application side of a case: open, save the draft, upload materials, submit,
answer information requests, withdraw. Each validates, changes and records a case event in one
transaction; status changes go through `cases.case_transition`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import Organisation
from aftersales.core.refusal import Refused
from aftersales.schemes.models import SchemeVersion
from aftersales.schemes.selectors import scheme_of

from .cases import case_event_record, case_lock, case_reference_next, case_transition
from .info_files import info_files_accept, info_files_event_data, info_files_store
from .models import Application, Case, Exclusion, InfoItem, Manager, Site
from .selectors import application_missing, eligibility_frozen
from .signals import application_checked

EDITABLE = frozenset({Case.Status.DRAFT, Case.Status.INFO_REQUESTED})
CLOSED = frozenset({Case.Status.REFUSED, Case.Status.DECIDED, Case.Status.WITHDRAWN})


# the application's own fields (its sites, exclusions and managers are rows of their own)
APPLICATION_FIELDS = (
    "products",
    "services",
    "delivery_model",
    "staff_total",
    "staff_service_management",
    "registered_on",
    "system_effective_on",
    "declared_no_incident",
    "declared_not_blacklisted",
)


class StepRefused(Refused):
    """A step that cannot be taken now, or with this input. `problems` are messages for the user,
    each naming what and where; nothing was changed."""


@dataclass
class SiteRow:
    name: str = ""
    address: str = ""
    kind: str = ""
    fixed_outlet: bool = False


@dataclass
class ExclusionRow:
    item_code: str = ""
    reason: str = ""


@dataclass
class ManagerRow:
    name: str = ""
    certificate_no: str = ""


@dataclass
class ApplicationData:
    products: str = ""
    services: str = ""
    delivery_model: str = ""
    staff_total: int | None = None
    staff_service_management: int | None = None
    registered_on: date | None = None
    system_effective_on: date | None = None
    declared_no_incident: bool = False
    declared_not_blacklisted: bool = False
    sites: list[SiteRow] = field(default_factory=list)
    exclusions: list[ExclusionRow] = field(default_factory=list)
    managers: list[ManagerRow] = field(default_factory=list)


def _lock_editable(case: Case) -> Case:
    locked = case_lock(case)
    if locked.status not in EDITABLE:
        raise StepRefused(
            _("Case %(reference)s is “%(status)s”; the application can no longer be changed.")
            % {"reference": locked.reference, "status": Case.Status(locked.status).label}
        )
    return locked


@transaction.atomic
def case_open(
    *,
    enterprise: Organisation,
    cb: Organisation,
    scheme_version: SchemeVersion,
    by,
    kind: str = Case.Kind.INITIAL,
    previous: Case | None = None,
) -> Case:
    """A new case in draft with an empty application. Refused while the enterprise has an open
    case of the same kind with the same certification body, or when a receiver of
    `application_checked` refuses (an initial application from a holder of a live certificate)."""
    if not enterprise.is_enterprise:
        raise StepRefused(_("Only an enterprise can apply for certification."))
    if cb.kind != Organisation.Kind.CERTIFICATION_BODY:
        raise StepRefused(_("Choose a certification body."))
    open_case = Case.objects.filter(enterprise=enterprise, cb=cb, kind=kind).exclude(status__in=CLOSED).first()
    if open_case is not None:
        raise StepRefused(
            _("%(enterprise)s already has the open case %(reference)s with %(cb)s.")
            % {"enterprise": enterprise.name, "reference": open_case.reference, "cb": cb.name}
        )
    Organisation.objects.select_for_update().get(pk=cb.pk)  # serialise case numbers per CB
    case = Case.objects.create(
        reference=case_reference_next(timezone.localdate().year),
        enterprise=enterprise,
        cb=cb,
        scheme_version=scheme_version,
        kind=kind,
        previous=previous,
        created_by=by,
    )
    application_checked.send(sender=Case, case=case)  # a receiver's refusal undoes the case
    Application.objects.create(case=case, registered_on=enterprise.registered_on, updated_by=by)
    case_event_record(
        case=case,
        action="case.opened",
        by=by,
        data={"cb": cb.name, "scheme": f"{scheme_version.scheme_id} {scheme_version.version}", "kind": kind},
    )
    return case


def _validate(case: Case, data: ApplicationData) -> list[str]:
    problems = []
    if data.delivery_model and data.delivery_model not in Application.Delivery.values:
        problems.append(
            _("Delivery model: “%(value)s” is not one of own, entrusted, mixed.") % {"value": data.delivery_model}
        )
    both = data.staff_total is not None and data.staff_service_management is not None
    if both and data.staff_service_management > data.staff_total:
        problems.append(_("Service-management staff: cannot be more than the total staff."))
    for n, row in enumerate(data.sites, 1):
        if not row.name.strip():
            problems.append(_("Sites, row %(n)s: the name is missing.") % {"n": n})
        if not row.address.strip():
            problems.append(_("Sites, row %(n)s: the address is missing.") % {"n": n})
        if row.kind not in Site.Kind.values:
            problems.append(_("Sites, row %(n)s: choose own or entrusted.") % {"n": n})
    scheme = scheme_of(case.scheme_version)
    seen: set[str] = set()
    for n, row in enumerate(data.exclusions, 1):
        code = row.item_code.strip()
        if not scheme.has_node(code) or not scheme.node(code).is_item:
            problems.append(
                _("Exclusions, row %(n)s: there is no item “%(code)s” in this scheme.") % {"n": n, "code": code}
            )
        elif not scheme.node(code).excludable:
            problems.append(
                _("Exclusions, row %(n)s: item %(code)s cannot be excluded; the scheme requires it of everyone.")
                % {"n": n, "code": code}
            )
        elif code in seen:
            problems.append(_("Exclusions, row %(n)s: item %(code)s is listed twice.") % {"n": n, "code": code})
        if not row.reason.strip():
            problems.append(_("Exclusions, row %(n)s: give the reason the item does not apply.") % {"n": n})
        seen.add(code)
    certificates: set[str] = set()
    for n, row in enumerate(data.managers, 1):
        if not row.name.strip():
            problems.append(_("Service managers, row %(n)s: the name is missing.") % {"n": n})
        number = row.certificate_no.strip()
        if not number:
            problems.append(_("Service managers, row %(n)s: the certificate number is missing.") % {"n": n})
        elif number in certificates:
            problems.append(
                _("Service managers, row %(n)s: certificate number %(no)s is listed twice.") % {"n": n, "no": number}
            )
        certificates.add(number)
    return problems


@transaction.atomic
def application_save(*, case: Case, data: ApplicationData, by) -> Application:
    """Save the draft (every field and row replaced). Refused with every problem named by row
    and field; nothing is written then."""
    locked = _lock_editable(case)
    problems = _validate(locked, data)
    if problems:
        raise StepRefused(*problems)
    application = Application.objects.select_for_update().get(case=locked)
    for name in APPLICATION_FIELDS:
        value = getattr(data, name)
        setattr(application, name, value.strip() if isinstance(value, str) else value)
    application.updated_by = by
    application.save()
    application.sites.all().delete()
    application.exclusions.all().delete()
    application.managers.all().delete()
    Site.objects.bulk_create(
        Site(
            application=application,
            name=r.name.strip(),
            address=r.address.strip(),
            kind=r.kind,
            fixed_outlet=r.fixed_outlet,
        )
        for r in data.sites
    )
    Exclusion.objects.bulk_create(
        Exclusion(application=application, item_code=r.item_code.strip(), reason=r.reason.strip())
        for r in data.exclusions
    )
    Manager.objects.bulk_create(
        Manager(application=application, name=r.name.strip(), certificate_no=r.certificate_no.strip())
        for r in data.managers
    )
    case_event_record(
        case=locked,
        action="application.saved",
        by=by,
        data={
            "sites": len(data.sites),
            "exclusions": [r.item_code.strip() for r in data.exclusions],
            "managers": len(data.managers),
        },
    )
    return application


def _open_round(case: Case) -> list[InfoItem]:
    last = InfoItem.objects.filter(case=case).order_by("-round").values_list("round", flat=True).first()
    return list(InfoItem.objects.filter(case=case, round=last)) if last else []


@transaction.atomic
def application_submit(*, case: Case, by) -> Case:
    """Submit the draft (or resubmit after answering every question asked). Refused with each
    missing field, material or answer named; nothing changes then."""
    locked = case_lock(case)
    if locked.status not in EDITABLE:
        case_transition(case=locked, to=Case.Status.SUBMITTED, action="application.submitted", by=by)  # refuses
    missing = application_missing(locked)
    if locked.status == Case.Status.INFO_REQUESTED:
        missing += [
            _("Answer to “%(question)s”") % {"question": item.question[:60]}
            for item in _open_round(locked)
            if not item.answered_at
        ]
    if missing:
        raise StepRefused(*[_("Missing: %(what)s") % {"what": m} for m in missing])
    application_checked.send(sender=Case, case=locked)
    resubmitted = locked.status == Case.Status.INFO_REQUESTED
    application = Application.objects.select_for_update().get(case=locked)
    frozen = eligibility_frozen(locked, application, as_of=timezone.localdate())
    Application.objects.filter(case=locked).update(submitted_at=timezone.now(), eligibility=frozen)
    case_transition(
        case=locked,
        to=Case.Status.SUBMITTED,
        action="application.resubmitted" if resubmitted else "application.submitted",
        by=by,
        data={"eligibility": {k: frozen[k] for k in ("as_of", "policy", "ok")}},
    )
    case.status = locked.status
    return locked


@transaction.atomic
def info_answer(*, item: InfoItem, answer: str, by, files: Sequence = ()) -> InfoItem:
    """The applicant answers one question of the open request for more information, with a text
    and any files (each checked as every upload; one bad file refuses the whole answer)."""
    checked = info_files_accept(files)
    locked = case_lock(item.case)
    if locked.status != Case.Status.INFO_REQUESTED:
        raise StepRefused(
            _("Case %(reference)s is “%(status)s”; there is no open request for information.")
            % {"reference": locked.reference, "status": Case.Status(locked.status).label}
        )
    if item.pk not in {i.pk for i in _open_round(locked)}:
        raise StepRefused(_("This question belongs to an earlier request and is closed."))
    if not answer.strip():
        raise StepRefused(_("Answer: write an answer to the question."))
    item = InfoItem.objects.select_for_update().get(pk=item.pk)
    item.answer, item.answered_by, item.answered_at = answer.strip(), by, timezone.now()
    item.save()
    attached = info_files_store(item=item, checked=checked, by=by)
    files = {"files": info_files_event_data(attached)} if attached else {}
    try:
        data = {"question": item.question, "answer": item.answer, **files}
        case_event_record(case=locked, action="application.info_answered", by=by, data=data)
    except Exception:
        for attachment in attached:
            attachment.file.delete(save=False)
        raise
    return item


@transaction.atomic
def case_withdraw(*, case: Case, reason: str, by) -> Case:
    """The enterprise withdraws its application (draft … planned), with a reason."""
    if not reason.strip():
        raise StepRefused(_("Reason: say why the application is withdrawn."))
    case_transition(case=case, to=Case.Status.WITHDRAWN, action="case.withdrawn", by=by, reason=reason.strip())
    return case
