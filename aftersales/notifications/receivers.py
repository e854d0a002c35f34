"""The `event_appended` receiver: a recorded step that hands work to someone tells them (rules.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from aftersales.appeals.models import Appeal, AppealEvent
from aftersales.audits.models import Audit
from aftersales.certificates.models import Certificate, CertificateEvent
from aftersales.certification.models import Case, CaseEvent
from aftersales.core.concepts import Level
from aftersales.core.fees import money

from . import recipients
from .rules import APPEAL_RULES, CASE_RULES, CERTIFICATE_RULES, REASONS, Rule
from .services import Message, notify


def on_event_appended(sender, *, event, **kwargs) -> None:
    if isinstance(event, CaseEvent) and event.action in CASE_RULES:
        case_event_notify(event, CASE_RULES[event.action])
    elif isinstance(event, CertificateEvent) and event.action in CERTIFICATE_RULES:
        certificate_event_notify(event, CERTIFICATE_RULES[event.action])
    elif isinstance(event, AppealEvent) and event.action in APPEAL_RULES:
        appeal_event_notify(event, APPEAL_RULES[event.action])


def _tell(event, rule: Rule, *, key: str, link: str, fill, case, enterprise, cb, handler=None) -> None:
    audiences = rule.audiences if event.public else tuple(a for a in rule.audiences if a != recipients.ENTERPRISE)
    message = Message(subject=lambda: str(rule.subject) % fill(), body=lambda: _body(rule, fill()))
    for mail, group in (
        (True, tuple(a for a in audiences if a not in rule.mailed_elsewhere)),
        (False, rule.mailed_elsewhere),
    ):
        group = tuple(a for a in group if a in audiences)
        if group:
            users = recipients.people(group, case=case, enterprise=enterprise, cb=cb, handler=handler)
            notify(users, kind=rule.kind, key=key, message=message, link=link, mail=mail, by=event.actor)


def _body(rule: Rule, values: dict) -> str:
    """The rule's body and, if it has one, the event's reason as a paragraph of its own."""
    text = str(rule.body) % values
    if rule.reason and values.get("reason"):
        text += "\n\n" + (_("Reasons: %(reason)s") % values if rule.reason == REASONS else values["reason"])
    return text


def _level(code: str) -> str:
    try:
        return Level(code).label(get_language())
    except ValueError:
        return code


def case_event_notify(event: CaseEvent, rule: Rule) -> None:
    case = Case.objects.select_related("enterprise", "cb").get(pk=event.case_id)
    if event.action == "case.withdrawn" and event.from_status == Case.Status.DRAFT:
        return  # the CB never saw it
    data = event.data or {}
    audit = Audit.objects.filter(case=case).first()
    deadlines = sorted(n["deadline"] for n in data.get("nonconformities", []))

    def fill() -> dict:
        return {
            "case": case.reference,
            "enterprise": case.enterprise.name,
            "cb": case.cb.name,
            "reason": event.reason,
            "total": money(total) if (total := data.get("quotation_total")) else "",
            "start": audit.start_date.isoformat() if audit and audit.start_date else "",
            "end": audit.end_date.isoformat() if audit and audit.end_date else "",
            "count": len(deadlines),
            "deadline": deadlines[0] if deadlines else "",
            "item": data.get("item", ""),
            "level": _level(data.get("result", {}).get("level") or ""),
        }

    on_rectification = event.action.startswith("audit.rectification_")
    link = reverse("audit_rectification" if on_rectification else "case_detail", args=[case.pk])
    _tell(
        event,
        rule,
        key=f"case:{case.reference}#{event.seq}",
        link=link,
        fill=fill,
        case=case,
        enterprise=case.enterprise,
        cb=case.cb,
    )


def certificate_event_notify(event: CertificateEvent, rule: Rule) -> None:
    certificate = Certificate.objects.select_related("enterprise", "cb").get(pk=event.certificate_id)

    def fill() -> dict:
        return {
            "number": certificate.number,
            "enterprise": certificate.enterprise.name,
            "cb": certificate.cb.name,
            "reason": event.reason,
        }

    link = reverse("certificate_detail", args=[certificate.number])
    _tell(
        event,
        rule,
        key=f"certificate:{certificate.number}#{event.seq}",
        link=link,
        fill=fill,
        case=None,
        enterprise=certificate.enterprise,
        cb=certificate.cb,
    )


def appeal_event_notify(event: AppealEvent, rule: Rule) -> None:
    appeal = Appeal.objects.select_related("enterprise", "cb", "case", "handler").get(pk=event.appeal_id)

    def fill() -> dict:
        return {
            "appeal": appeal.reference,
            "case": appeal.case.reference,
            "enterprise": appeal.enterprise.name,
            "cb": appeal.cb.name,
        }

    link = reverse("appeal_detail", args=[appeal.pk])
    _tell(
        event,
        rule,
        key=f"appeal:{appeal.reference}#{event.seq}",
        link=link,
        fill=fill,
        case=appeal.case,
        enterprise=appeal.enterprise,
        cb=appeal.cb,
        handler=appeal.handler,
    )
