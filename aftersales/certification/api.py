"""JSON API of certification cases (mounted at /api/cases/ by aftersales/api.py).

Same services, selectors and access helper as the pages: outsiders get 404, members of the
right organisation without the role 403, a refused step 409 with every problem named.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.translation import get_language
from ninja import Field, Router, Schema, Status

from aftersales.accounts.models import CB_ROLES
from aftersales.accounts.selectors import enterprises_of
from aftersales.api_errors import errors, refused
from aftersales.core.eligibility import OUTCOME_TEXT
from aftersales.core.text import normalise_language
from aftersales.params import ApiCount
from aftersales.schemes.models import SchemeVersion

from . import review, services
from .access import WRITE_ENTERPRISE, WRITE_ENTERPRISE_ADMIN, WRITE_REVIEW, case_access, case_for
from .models import Case, Exclusion, InfoItem, Quotation
from .selectors import application_missing, case_events, case_list, cbs, eligibility_of

router = Router(tags=["certification cases"])


class CaseOut(Schema):
    id: int
    reference: str
    enterprise: str
    cb: str
    scheme: str
    kind: str
    status: str
    status_text: str
    event_count: int


class OpenIn(Schema):
    cb: int
    scheme: int


class SiteIn(Schema):
    name: str = ""
    address: str = ""
    kind: str = ""
    fixed_outlet: bool = False


class ExclusionIn(Schema):
    item_code: str = ""
    reason: str = ""


class ManagerIn(Schema):
    name: str = ""
    certificate_no: str = ""


class ApplicationIn(Schema):
    products: list[str] = []
    services: str = ""
    delivery_model: str = ""
    staff_total: ApiCount | None = None
    staff_service_management: ApiCount | None = None
    registered_on: date | None = None
    system_effective_on: date | None = None
    declared_no_incident: bool = False
    declared_not_blacklisted: bool = False
    sites: list[SiteIn] = []
    exclusions: list[ExclusionIn] = []
    managers: list[ManagerIn] = []


class RuleOut(Schema):
    code: str
    title: str
    outcome: str
    outcome_text: str
    explanation: str


class EligibilityOut(Schema):
    ok: bool
    rules: list[RuleOut]
    missing: list[str]


class ReasonIn(Schema):
    reason: str


class InfoAnswerIn(Schema):
    answer: str


class QuestionsIn(Schema):
    questions: list[str]


class ReviewIn(Schema):
    audit_mode: str
    risk_class: str
    outlets_visited: ApiCount
    scope_confirmed: bool = False
    exclusions: dict[str, bool | None] = {}
    man_days_override: Decimal | None = None
    override_reason: str = ""


class ReviewOut(Schema):
    audit_mode: str
    risk_class: str
    outlets_visited: int
    scope_confirmed: bool
    man_days_calculated: Decimal | None
    man_days: Decimal | None
    override_reason: str
    calculation: dict


class AcceptIn(Schema):
    travel_estimate: Decimal = Field(..., ge=0)


class QuotationOut(Schema):
    man_days: Decimal
    day_rate: Decimal
    total: Decimal
    lines: dict


class ContractIn(Schema):
    signed_on: date
    signed_by: str


class CaseEventOut(Schema):
    seq: int
    at: str
    actor: str
    action: str
    from_status: str
    to_status: str
    reason: str
    public: bool
    data: dict


def _lang() -> str:
    return normalise_language(get_language())


def _out(case: Case) -> dict:
    return {
        "id": case.pk,
        "reference": case.reference,
        "enterprise": case.enterprise.name,
        "cb": case.cb.name,
        "scheme": f"{case.scheme_version.scheme_id} {case.scheme_version.version}",
        "kind": case.kind,
        "status": case.status,
        "status_text": str(Case.Status(case.status).label),
        "event_count": case.event_count,
    }


@router.get("/", response=list[CaseOut], url_name="case_api_list")
def list_cases(request, status: str = ""):
    """The cases you may see, newest first (filter by status)."""
    return [_out(c) for c in case_list(request.user, status=status if status in Case.Status.values else "")]


@router.post("/", response={201: CaseOut, **errors(404, 409)}, url_name="case_api_open")
def open_case(request, payload: OpenIn):
    """Open a draft application of your enterprise with a certification body."""
    enterprise = enterprises_of(request.user).first()
    cb = cbs().filter(pk=payload.cb).first()
    scheme = SchemeVersion.objects.filter(pk=payload.scheme).first()
    if enterprise is None or cb is None or scheme is None:
        return refused(404, "Not Found")
    case = services.case_open(enterprise=enterprise, cb=cb, scheme_version=scheme, by=request.user)
    return Status(201, _out(case))


@router.get("/{pk}", response=CaseOut, url_name="case_api_get")
def get_case(request, pk: int):
    return _out(case_for(request, pk))


@router.put("/{pk}/application", response={200: CaseOut, **errors(403, 409)}, url_name="case_api_application")
def save_application(request, pk: int, payload: ApplicationIn):
    """Save the draft application (every field and row replaced)."""
    case = case_for(request, pk, write=WRITE_ENTERPRISE)
    data = services.ApplicationData(
        products="\n".join(payload.products),
        services=payload.services,
        delivery_model=payload.delivery_model,
        staff_total=payload.staff_total,
        staff_service_management=payload.staff_service_management,
        registered_on=payload.registered_on,
        system_effective_on=payload.system_effective_on,
        declared_no_incident=payload.declared_no_incident,
        declared_not_blacklisted=payload.declared_not_blacklisted,
        sites=[services.SiteRow(**s.dict()) for s in payload.sites],
        exclusions=[services.ExclusionRow(**e.dict()) for e in payload.exclusions],
        managers=[services.ManagerRow(**m.dict()) for m in payload.managers],
    )
    services.application_save(case=case, data=data, by=request.user)
    return Status(200, _out(case))


@router.get("/{pk}/eligibility", response=EligibilityOut, url_name="case_api_eligibility")
def eligibility(request, pk: int):
    """Every eligibility rule with its outcome and explanation, and what the application still lacks."""
    case = case_for(request, pk)
    result, lang = eligibility_of(case), _lang()
    editable = case.status in services.EDITABLE
    return {
        "ok": result.ok,
        "rules": [
            {
                "code": r.code,
                "title": r.title.get(lang),
                "outcome": r.outcome.value,
                "outcome_text": OUTCOME_TEXT[r.outcome].get(lang),
                "explanation": r.explanation.get(lang),
            }
            for r in result.rules
        ],
        "missing": application_missing(case) if editable else [],
    }


@router.post("/{pk}/submit", response={200: CaseOut, **errors(403, 409)}, url_name="case_api_submit")
def submit(request, pk: int):
    case = case_for(request, pk, write=WRITE_ENTERPRISE_ADMIN)
    services.application_submit(case=case, by=request.user)
    return Status(200, _out(case))


@router.post("/{pk}/withdraw", response={200: CaseOut, **errors(403, 409)}, url_name="case_api_withdraw")
def withdraw(request, pk: int, payload: ReasonIn):
    case = case_for(request, pk, write=WRITE_ENTERPRISE_ADMIN)
    services.case_withdraw(case=case, reason=payload.reason, by=request.user)
    return Status(200, _out(case))


@router.post(
    "/{pk}/info/{item_id}/answer", response={200: CaseOut, **errors(403, 404, 409)}, url_name="case_api_answer"
)
def answer(request, pk: int, item_id: int, payload: InfoAnswerIn):
    """Answer one question of the open request for more information."""
    case = case_for(request, pk, write=WRITE_ENTERPRISE_ADMIN)
    item = InfoItem.objects.filter(pk=item_id, case=case).first()
    if item is None:
        return refused(404, "Not Found")
    services.info_answer(item=item, answer=payload.answer, by=request.user)
    return Status(200, _out(case))


@router.post("/{pk}/review", response={200: ReviewOut, **errors(403, 409)}, url_name="case_api_review")
def save_review(request, pk: int, payload: ReviewIn):
    """Save the review; `exclusions` maps item codes to true (confirm) / false (reject) / null."""
    case = case_for(request, pk, write=WRITE_REVIEW)
    by_code = dict(Exclusion.objects.filter(application__case=case).values_list("item_code", "pk"))
    unknown = [code for code in payload.exclusions if code not in by_code]
    if unknown:
        return refused(409, *(f"Exclusion {code} is not part of this application." for code in unknown))
    r = review.review_save(
        case=case,
        by=request.user,
        audit_mode=payload.audit_mode,
        risk_class=payload.risk_class,
        outlets_visited=payload.outlets_visited,
        scope_confirmed=payload.scope_confirmed,
        exclusions={by_code[code]: v for code, v in payload.exclusions.items()},
        man_days_override=payload.man_days_override,
        override_reason=payload.override_reason,
    )
    return Status(
        200,
        {
            "audit_mode": r.audit_mode,
            "risk_class": r.risk_class,
            "outlets_visited": r.outlets_visited,
            "scope_confirmed": r.scope_confirmed,
            "man_days_calculated": r.man_days_calculated,
            "man_days": r.man_days,
            "override_reason": r.override_reason,
            "calculation": r.calculation,
        },
    )


@router.post("/{pk}/request-info", response={200: CaseOut, **errors(403, 409)}, url_name="case_api_request_info")
def request_info(request, pk: int, payload: QuestionsIn):
    case = case_for(request, pk, write=WRITE_REVIEW)
    review.application_request_info(case=case, questions=payload.questions, by=request.user)
    case.refresh_from_db()
    return Status(200, _out(case))


@router.post("/{pk}/refuse", response={200: CaseOut, **errors(403, 409)}, url_name="case_api_refuse")
def refuse(request, pk: int, payload: ReasonIn):
    case = case_for(request, pk, write=WRITE_REVIEW)
    review.application_refuse(case=case, reason=payload.reason, by=request.user)
    return Status(200, _out(case))


@router.post("/{pk}/accept", response={200: QuotationOut, **errors(403, 409)}, url_name="case_api_accept")
def accept(request, pk: int, payload: AcceptIn):
    """Accept the reviewed application and issue the quotation."""
    case = case_for(request, pk, write=WRITE_REVIEW)
    q = review.application_accept(case=case, travel_estimate=payload.travel_estimate, by=request.user)
    return Status(200, {"man_days": q.man_days, "day_rate": q.day_rate, "total": q.total, "lines": q.lines})


@router.get("/{pk}/quotation", response={200: QuotationOut, **errors(404)}, url_name="case_api_quotation")
def quotation(request, pk: int):
    case = case_for(request, pk)
    q = Quotation.objects.filter(case=case).first()
    if q is None:
        return refused(404, "Not Found")
    return Status(200, {"man_days": q.man_days, "day_rate": q.day_rate, "total": q.total, "lines": q.lines})


@router.post("/{pk}/contract", response={200: CaseOut, **errors(403, 409)}, url_name="case_api_contract")
def contract(request, pk: int, payload: ContractIn):
    """Record the contract as signed (the signed file can be attached on the case page)."""
    case = case_for(request, pk, write=WRITE_REVIEW)
    review.contract_record(case=case, signed_on=payload.signed_on, signed_by=payload.signed_by, by=request.user)
    return Status(200, _out(case))


@router.get("/{pk}/events", response=list[CaseEventOut], url_name="case_api_events")
def events(request, pk: int):
    """The case's history: the enterprise sees the public events, the certification body all."""
    access = case_access(request, pk)
    case, internal = access.obj, access.holds(*CB_ROLES)
    return [
        {
            "seq": e.seq,
            "at": e.at.isoformat(),
            "actor": e.actor_label,
            "action": e.action,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "reason": e.reason,
            "public": e.public,
            "data": e.data,
        }
        for e in case_events(case, internal=internal)
    ]
