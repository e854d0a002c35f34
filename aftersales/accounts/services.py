"""Writes for organisations and memberships."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import get_language

from aftersales.core import credit_code
from aftersales.events.services import event_record

from .models import CB_ROLES, ENTERPRISE_ROLES, Membership, Organisation, User


@transaction.atomic
def organisation_create(*, kind: str, name: str, by=None, by_label: str = "", **fields) -> Organisation:
    code = fields.pop("credit_code", None)
    if kind == Organisation.Kind.ENTERPRISE:
        code = credit_code.normalise(code or "")
        problems = credit_code.problems(code)
        if problems:
            lang = get_language()
            raise ValidationError({"credit_code": [p.message(lang) for p in problems]})
    org = Organisation(kind=kind, name=name, credit_code=code or None, **fields)
    org.full_clean()
    org.save()
    event_record(action="organisation.created", subject=org, by=by, by_label=by_label, data={"kind": kind})
    return org


@transaction.atomic
def membership_grant(*, user: User, organisation: Organisation, role: str, by=None, by_label: str = "") -> Membership:
    allowed = ENTERPRISE_ROLES if organisation.is_enterprise else CB_ROLES
    if role not in allowed:
        raise ValidationError({"role": f"role {role!r} does not exist in a {organisation.kind} organisation"})
    membership, created = Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    if created:
        event_record(
            action="membership.granted",
            subject=membership,
            by=by,
            by_label=by_label,
            data={"user": user.get_username(), "organisation": organisation.pk, "role": role},
        )
    return membership
