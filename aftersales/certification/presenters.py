"""What the case pages show, built once for the page and its partials."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import CB_ROLES, ENTERPRISE_ROLES, Role
from aftersales.core import fees
from aftersales.core.access import Access
from aftersales.core.concepts import actor_text
from aftersales.core.eligibility import OUTCOME_TEXT
from aftersales.schemes.selectors import scheme_of

from .access import CB_STAFF_ROLES
from .audit_actions import ACTION_LABELS as AUDIT_ACTION_LABELS
from .forms import _rows
from .models import TRANSITIONS, Application, Case, Contract, InfoItem, Quotation, Review, Site
from .review import fixed_outlets, mandays_rule
from .selectors import application_missing, case_events, eligibility_of, material_rows
from .services import EDITABLE

BLANK_ROWS = 3

# what each step of this app is called on the page (other apps' steps show their action code)
ACTION_LABELS = {
    "case.opened": _("application opened"),
    "certificate.issued": _("certificate issued"),
    "application.saved": _("application saved"),
    "application.material_uploaded": _("material uploaded"),
    "application.submitted": _("application submitted"),
    "application.resubmitted": _("application resubmitted"),
    "application.info_requested": _("more information requested"),
    "application.info_answered": _("question answered"),
    "application.refused": _("application refused"),
    "application.accepted": _("application accepted, quotation issued"),
    "review.saved": _("review saved"),
    "contract.signed": _("contract recorded as signed"),
    "case.withdrawn": _("application withdrawn"),
}
# steps that come in runs: consecutive ones by the same person show as one row, expandable
GROUPED = {"application.material_uploaded": _("uploaded %(n)s materials")}


def event_rows(events) -> list[dict]:
    """Each event with a readable label, who did it and what it says in brief (material, version,
    questions…); consecutive uploads by the same person form one row (`group`: the uploads)."""
    lang = get_language()
    rows: list[dict] = []
    for e in events:
        d = e.data or {}
        detail = ""
        if e.action == "application.material_uploaded":
            detail = f"{d.get('file', '')} v{d.get('version', '')}"
        elif e.action == "application.info_requested":
            detail = "；".join(d.get("questions", []))
        elif e.action == "application.accepted":
            total = d.get("quotation_total")
            detail = f"{d.get('man_days', '')} · ¥{fees.money(total) if total else ''}"
        elif e.action == "review.saved":
            mode = d.get("audit_mode", "")
            detail = f"{Review.Mode(mode).label if mode in Review.Mode.values else mode} · {d.get('man_days', '')}"
        row = {
            "e": e,
            "actor": str(e.actor) if e.actor_id else actor_text(e.actor_label).get(lang),
            "label": ACTION_LABELS.get(e.action) or AUDIT_ACTION_LABELS.get(e.action, e.action),
            "detail": detail,
            "from": Case.Status(e.from_status).label if e.from_status else "",
            "to": Case.Status(e.to_status).label if e.to_status else "",
            "group": [],
        }
        last = rows[-1] if rows else None
        if (
            e.action in GROUPED
            and last is not None
            and last["e"].action == e.action
            and (last["e"].actor_id, last["e"].actor_label) == (e.actor_id, e.actor_label)
            and last["e"].public == e.public
        ):
            last["group"] = last["group"] or [last]
            last["group"].append(row)
            last["label"] = GROUPED[e.action] % {"n": len(last["group"])}
            continue
        rows.append(row)
    return rows


def _tax_text(quotation: Quotation | None, lang: str) -> str:
    """The quotation's VAT statement (含税/不含税, stored from the fee table), or ''."""
    statement = fees.tax_statement(quotation.lines.get("tax")) if quotation else None
    return statement.get(lang) if statement else ""


def _text_lines(lines: list[dict], lang: str) -> list[dict]:
    return [{**ln, "label": ln.get("en" if lang == "en" else "zh-Hans", "")} for ln in lines]


def detail_context(request, access: Access[Case], lang: str) -> dict:
    case, roles = access.obj, access.roles
    is_enterprise = bool(roles & ENTERPRISE_ROLES)
    is_admin = Role.ENTERPRISE_ADMIN in roles
    is_staff = bool(roles & CB_STAFF_ROLES)
    application = Application.objects.filter(case=case).prefetch_related("sites", "exclusions", "managers").first()
    scheme = scheme_of(case.scheme_version)
    exclusions = [
        {
            "row": e,
            "title": scheme.node(e.item_code).title.get(lang) if scheme.has_node(e.item_code) else "",
        }
        for e in (application.exclusions.all() if application else [])
    ]
    result = eligibility_of(case)
    rules = [
        {
            "code": r.code,
            "title": r.title.get(lang),
            "outcome": r.outcome.value,
            "outcome_text": OUTCOME_TEXT[r.outcome].get(lang),
            "explanation": r.explanation.get(lang),
        }
        for r in result.rules
    ]
    review = Review.objects.filter(case=case).first()
    quotation = Quotation.objects.filter(case=case).first()
    contract = Contract.objects.filter(case=case).first()
    rounds: dict[int, list[InfoItem]] = {}
    items = InfoItem.objects.filter(case=case).select_related("asked_by", "answered_by")
    for item in items.prefetch_related("attachments"):
        rounds.setdefault(item.round, []).append(item)
    last_round = max(rounds, default=None)
    editable = case.status in EDITABLE
    status = case.status
    return {
        "case": case,
        "access": access,
        "application": application,
        "sites": list(application.sites.all()) if application else [],
        "managers": list(application.managers.all()) if application else [],
        "exclusions": exclusions,
        "rules": rules,
        "eligible": result.ok,
        "eligibility_frozen": application.eligibility if application and case.status not in EDITABLE else {},
        "missing": application_missing(case) if editable and is_enterprise else [],
        "materials": material_rows(case, lang),
        "rounds": sorted(rounds.items()),
        "open_round": last_round if status == Case.Status.INFO_REQUESTED else None,
        "review": review,
        "review_lines": _text_lines(review.calculation.get("lines", []), lang) if review else [],
        "risk_classes": [(r, Review(risk_class=r).get_risk_class_display()) for r in mandays_rule().risk_classes],
        "review_modes": Review.Mode.choices,
        "fixed_outlets": fixed_outlets(case) if application else 0,
        "quotation": quotation,
        "quotation_lines": _text_lines(quotation.lines.get("lines", []), lang) if quotation else [],
        "quotation_tax": _tax_text(quotation, lang),
        "contract": contract,
        "events": event_rows(case_events(case, internal=bool(roles & CB_ROLES))),
        "internal": bool(roles & CB_ROLES),
        "is_enterprise": is_enterprise,
        "is_cb_staff": is_staff,
        "can_edit": editable and is_enterprise,
        "can_submit": editable and is_admin,
        "can_answer": status == Case.Status.INFO_REQUESTED and is_admin,
        "can_withdraw": is_admin and Case.Status.WITHDRAWN in TRANSITIONS[status],
        "can_review": is_staff and status == Case.Status.SUBMITTED,
        "can_contract": is_staff and status == Case.Status.ACCEPTED,
        "show_review": is_staff and review is not None,
        "today": timezone.localdate(),
    }


def application_rows(case: Case, lang: str, posted=None) -> dict:
    """The rows of the application form: as posted (after an error) or as saved, plus blank rows."""
    if posted is not None:
        sites = _rows(posted, "site", ("name", "address", "kind", "fixed"))
        exclusions = _rows(posted, "exclusion", ("item", "reason"))
        managers = _rows(posted, "manager", ("name", "certificate"))
        values = posted
    else:
        a = Application.objects.get(case=case)
        sites = [
            {"name": s.name, "address": s.address, "kind": s.kind, "fixed": "on" if s.fixed_outlet else ""}
            for s in a.sites.all()
        ]
        exclusions = [{"item": e.item_code, "reason": e.reason} for e in a.exclusions.all()]
        managers = [{"name": m.name, "certificate": m.certificate_no} for m in a.managers.all()]
        values = {
            "products": a.products,
            "services": a.services,
            "delivery_model": a.delivery_model,
            "staff_total": "" if a.staff_total is None else a.staff_total,
            "staff_service_management": "" if a.staff_service_management is None else a.staff_service_management,
            "registered_on": a.registered_on.isoformat() if a.registered_on else "",
            "system_effective_on": a.system_effective_on.isoformat() if a.system_effective_on else "",
            "declared_no_incident": a.declared_no_incident,
            "declared_not_blacklisted": a.declared_not_blacklisted,
        }
    blank = [{} for _ in range(BLANK_ROWS)]
    scheme = scheme_of(case.scheme_version)
    return {
        "values": values,
        "site_rows": sites + blank,
        "exclusion_rows": exclusions + blank,
        "manager_rows": managers + blank,
        "excludable": [(n.code, n.title.get(lang)) for n in scheme.items if n.excludable],
        "excludable_codes": [n.code for n in scheme.items if n.excludable],
        "delivery_choices": Application.Delivery.choices,
        "site_kinds": Site.Kind.choices,
    }
