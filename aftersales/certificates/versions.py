"""Writes that make a certificate's versions: the issue from an approving decision (initial
certification and recertification) and changes of what it states.

Each version is immutable and signed; a change is a new version. Like every certificate write it
locks the certificate (or the case it comes from) and appends one hash-chained event through
`services.certificate_event_record`, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from aftersales.accounts.services import applicant_conflict
from aftersales.audits.models import Decision
from aftersales.certification.cases import case_event_record, case_lock
from aftersales.certification.models import Case
from aftersales.core.certnumber import number_make
from aftersales.core.concepts import LIVE_STATUSES
from aftersales.core.cycle import expiry_date
from aftersales.core.display import format_decimal
from aftersales.core.scheme import Level
from aftersales.policy import Policy, policy_on
from aftersales.schemes.models import SchemeVersion
from aftersales.schemes.selectors import scheme_of

from .models import Certificate, CertificateCase, CertificateVersion
from .payload import version_payload
from .services import CertificateRefused, _lock, _today, certificate_event_record, name_search_keys
from .signing import sign
from .surveillance import surveillance_plan

S = Certificate.Status
R = CertificateVersion.Reason
APPROVING = frozenset({Decision.Outcome.APPROVE, Decision.Outcome.APPROVE_LOWER})
PASSING = frozenset({Level.QUALIFIED, Level.THREE_STAR, Level.FOUR_STAR, Level.FIVE_STAR})


# ---------------------------------------------------------------------------------- versions


@dataclass(frozen=True)
class Stated:
    """What a version states (all of it, so a change copies the rest)."""

    enterprise_name: str
    credit_code: str
    address: str
    scope: str
    sites: list
    scheme_id: str
    scheme_version: str
    scheme_sha256: str
    level: str
    score_exact: str
    score_display: str
    cb_name: str
    first_issued_on: date
    issued_on: date
    expires_on: date


def _version_create(
    *, certificate: Certificate, stated: Stated, reason: str, note: str, valid_from: date, by, case=None, decision=None
) -> CertificateVersion:
    seq = certificate.version_count + 1
    payload = version_payload(
        number=certificate.number,
        seq=seq,
        enterprise_name=stated.enterprise_name,
        credit_code=stated.credit_code,
        address=stated.address,
        scope=stated.scope,
        sites=stated.sites,
        scheme_id=stated.scheme_id,
        scheme_version=stated.scheme_version,
        scheme_sha256=stated.scheme_sha256,
        level=stated.level,
        score=stated.score_display,
        cb_name=stated.cb_name,
        first_issued_on=stated.first_issued_on,
        issued_on=stated.issued_on,
        expires_on=stated.expires_on,
        valid_from=valid_from,
        level_reason=_level_reason(certificate, stated, decision=decision, note=note),
    )
    signature, key_id = sign(payload)
    version = CertificateVersion.objects.create(
        certificate=certificate,
        seq=seq,
        reason=reason,
        note=note,
        case=case,
        decision=decision,
        valid_from=valid_from,
        payload=payload,
        signature=signature,
        key_id=key_id,
        created_by=by,
        **{f: getattr(stated, f) for f in Stated.__dataclass_fields__},
    )
    pinyin, initials = name_search_keys(stated.enterprise_name)
    certificate.version_count = seq
    certificate.name, certificate.name_pinyin, certificate.name_initials = stated.enterprise_name, pinyin, initials
    certificate.credit_code = stated.credit_code
    certificate.level = stated.level
    certificate.issued_on, certificate.expires_on = stated.issued_on, stated.expires_on
    certificate.save(
        update_fields=[
            "version_count",
            "name",
            "name_pinyin",
            "name_initials",
            "credit_code",
            "level",
            "issued_on",
            "expires_on",
            "updated_at",
        ]
    )
    return version


def _level_reached(stated: Stated) -> str:
    """The level the stated score reaches under the stated scheme version."""
    version = SchemeVersion.objects.filter(scheme_id=stated.scheme_id, version=stated.scheme_version).first()
    if version is None:
        return stated.level
    return scheme_of(version).parameters.level_for(Fraction(stated.score_exact)).value


def _level_reason(certificate: Certificate, stated: Stated, *, decision: Decision | None, note: str) -> str:
    """Why the stated level is not the one the score reached ("" when it is): the team leader's
    reason for the recommendation, the committee's reasons for a lower level, else (a change by
    the CB) the reason kept from the last version or the change's note."""
    if decision is not None:
        report = decision.report
        if stated.level == report.level:
            return ""
        if stated.level == report.recommended_level and report.recommendation_reason:
            return report.recommendation_reason
        return decision.reasons
    if stated.level == _level_reached(stated):
        return ""
    previous = certificate.versions.order_by("-seq").first()
    if previous is not None and previous.level == stated.level and previous.payload.get("level_reason"):
        return previous.payload["level_reason"]
    return note


def _stated_of(version: CertificateVersion) -> Stated:
    return Stated(**{f: getattr(version, f) for f in Stated.__dataclass_fields__})


def _scope_of(case: Case) -> tuple[str, list[dict]]:
    application = getattr(case, "application", None)
    if application is None:
        return "", []
    lines = application.product_list
    if application.services.strip():
        lines.append(application.services.strip())
    sites = [{"name": s.name, "address": s.address} for s in application.sites.all()]
    return "\n".join(lines), sites


def _score_display(case: Case, score_exact: str) -> str:
    scheme = scheme_of(case.scheme_version)
    rules = scheme.parameters
    return format_decimal(Fraction(score_exact), rules.display_decimals, rules.display_rounding)


def _decision_checked(decision: Decision) -> None:
    if decision.outcome not in APPROVING:
        raise CertificateRefused(
            _("The decision on %(reference)s does not approve certification; no certificate is issued.")
            % {"reference": decision.case.reference}
        )
    latest = Decision.objects.filter(case_id=decision.case_id).order_by("-decided_at", "-id").first()
    if latest is None or latest.pk != decision.pk:
        raise CertificateRefused(_("A later decision on this case replaces this one."))
    if CertificateVersion.objects.filter(decision=decision).exists():
        raise CertificateRefused(
            _("A certificate was already issued from the decision on %(reference)s.")
            % {"reference": decision.case.reference}
        )


def certificate_of_case(case: Case) -> Certificate | None:
    """The certificate a case belongs to: its own link, else the nearest previous case's."""
    seen = set()
    while case is not None and case.pk not in seen:
        seen.add(case.pk)
        link = CertificateCase.objects.select_related("certificate").filter(case=case).first()
        if link is not None:
            return link.certificate
        case = case.previous
    return None


def _number_next(cb, year: int, policy: Policy) -> str:
    """The next free number of the CB's year (the CB row is locked by the caller), in the policy's pattern."""
    seq = Certificate.objects.filter(cb=cb, first_issued_on__year=year).count() + 1
    while True:
        number = number_make(policy.number_pattern, cb=policy.cb_code, year=year, seq=seq)
        if not Certificate.objects.filter(number=number).exists():
            return number
        seq += 1


def _issue_case(decision: Decision, by) -> Case:
    """The decided case of `decision`, locked; refused unless a certificate may be issued from it by `by`."""
    case = case_lock(decision.case)
    if case.status != Case.Status.DECIDED:
        raise CertificateRefused(
            _("Case %(reference)s is “%(status)s”; a certificate is issued only after the decision.")
            % {"reference": case.reference, "status": Case.Status(case.status).label}
        )
    _decision_checked(decision)
    conflict = applicant_conflict(user=by, enterprise=case.enterprise) if by is not None else ""
    if conflict:
        raise CertificateRefused(conflict)
    return case


def _stated_base(case: Case, decision: Decision, report) -> dict:
    """What every version issued from `decision` states, apart from scope, sites and dates."""
    enterprise = case.enterprise
    return {
        "enterprise_name": enterprise.name,
        "credit_code": enterprise.credit_code or "",
        "address": enterprise.address,
        "scheme_id": decision.scheme_id,
        "scheme_version": decision.scheme_version,
        "scheme_sha256": decision.scheme_sha256,
        "level": decision.level,
        "score_exact": report.score_exact,
        "score_display": _score_display(case, report.score_exact),
        "cb_name": case.cb.name,
    }


def _issue_initial(
    *, case: Case, decision: Decision, stated: dict, policy: Policy, today: date, by
) -> tuple[Certificate, CertificateVersion]:
    """Initial certification: a new certificate with its number and version 1."""
    enterprise = case.enterprise
    if Certificate.objects.filter(
        enterprise=enterprise, scheme_id=decision.scheme_id, status__in=LIVE_STATUSES
    ).exists():
        raise CertificateRefused(
            _("%(name)s already holds a live certificate under this scheme; change it or recertify instead.")
            % {"name": enterprise.name}
        )
    type(case.cb).objects.select_for_update().get(pk=case.cb_id)  # one number at a time per CB
    expires_on = expiry_date(today, policy.validity_years)
    try:
        with transaction.atomic():
            certificate = Certificate.objects.create(
                number=_number_next(case.cb, today.year, policy),
                enterprise=enterprise,
                cb=case.cb,
                scheme_id=decision.scheme_id,
                status=S.VALID,
                status_since=today,
                first_issued_on=today,
                name=enterprise.name,
                credit_code=enterprise.credit_code or "",
                level=decision.level,
                issued_on=today,
                expires_on=expires_on,
            )
    except IntegrityError:
        raise CertificateRefused(_("Another certificate was issued at the same moment; try again.")) from None
    version = _version_create(
        certificate=certificate,
        stated=Stated(**stated, first_issued_on=today, issued_on=today, expires_on=expires_on),
        reason=R.ISSUE,
        note="",
        valid_from=today,
        by=by,
        case=case,
        decision=decision,
    )
    CertificateCase.objects.create(certificate=certificate, case=case, kind=case.kind)
    certificate_event_record(
        certificate=certificate,
        action="certificate.issued",
        by=by,
        data={"version": version.seq, "level": decision.level, "case": case.reference, "policy": policy.pin},
        effective_on=today,
    )
    return certificate, version


def _issue_recertification(
    *, case: Case, decision: Decision, stated: dict, policy: Policy, today: date, by
) -> tuple[Certificate, CertificateVersion, date]:
    """Recertification: a new version of the case's live certificate; with the new cycle's first day."""
    certificate = certificate_of_case(case)
    if certificate is None:
        raise CertificateRefused(
            _("Case %(reference)s is a recertification but no certificate is linked to it.")
            % {"reference": case.reference}
        )
    certificate = _lock(certificate)
    if not certificate.is_live:
        raise CertificateRefused(
            _("Certificate %(number)s is “%(status)s”; only a live certificate is recertified.")
            % {"number": certificate.number, "status": S(certificate.status).label}
        )
    cycle_start = max(certificate.expires_on + timedelta(days=1), today)
    expires_on = expiry_date(cycle_start, policy.validity_years)
    version = _version_create(
        certificate=certificate,
        stated=Stated(**stated, first_issued_on=certificate.first_issued_on, issued_on=today, expires_on=expires_on),
        reason=R.RECERTIFICATION,
        note="",
        valid_from=today,
        by=by,
        case=case,
        decision=decision,
    )
    CertificateCase.objects.get_or_create(certificate=certificate, case=case, defaults={"kind": case.kind})
    certificate_event_record(
        certificate=certificate,
        action="certificate.recertified",
        by=by,
        data={
            "version": version.seq,
            "level": decision.level,
            "case": case.reference,
            "expires_on": expires_on,
            "policy": policy.pin,
        },
        effective_on=today,
    )
    return certificate, version, cycle_start


@transaction.atomic
def certificate_issue(*, decision: Decision, by, today: date | None = None) -> Certificate:
    """The certificate of an approving decision.

    - initial certification: a new certificate (number, version 1, valid for the policy's
      `certificate.validity_years` from the day of issue) and its first cycle of surveillances;
    - recertification: a new version of the same certificate, valid that many years from the
      old expiry (or from today if that has passed), and the next cycle of surveillances.
    The CB policy in force on the day of issue decides; its pin goes into the event.
    - surveillance: refused here (the cycle decides what a surveillance decision changes).
    """
    today = today or _today()
    case = _issue_case(decision, by)
    report = decision.report
    scope, sites = _scope_of(case)
    if case.kind != Case.Kind.SURVEILLANCE and not scope:
        raise CertificateRefused(
            _("The application of case %(reference)s states no products or services in scope.")
            % {"reference": case.reference}
        )
    stated = {**_stated_base(case, decision, report), "scope": scope, "sites": sites}
    policy = policy_on(today)
    if case.kind == Case.Kind.INITIAL:
        certificate, version = _issue_initial(
            case=case, decision=decision, stated=stated, policy=policy, today=today, by=by
        )
        cycle, cycle_start = 1, today
    elif case.kind == Case.Kind.RECERTIFICATION:
        certificate, version, cycle_start = _issue_recertification(
            case=case, decision=decision, stated=stated, policy=policy, today=today, by=by
        )
        cycle = certificate.versions.filter(reason__in=[R.ISSUE, R.RECERTIFICATION]).count()
    else:
        raise CertificateRefused(
            _("Case %(reference)s is a surveillance audit: its decision confirms or changes the certificate.")
            % {"reference": case.reference}
        )
    case_event_record(
        case=case,
        action="certificate.issued",
        by=by,
        data={"certificate": certificate.number, "version": version.seq},
    )
    surveillance_plan(certificate=certificate, cycle=cycle, decided_on=cycle_start)
    certificate.refresh_from_db()
    return certificate


@transaction.atomic
def certificate_change(
    *,
    certificate: Certificate,
    by,
    reason: str,
    note: str,
    level: str | None = None,
    scope: str | None = None,
    address: str | None = None,
    name: str | None = None,
    sites: list | None = None,
    case: Case | None = None,
    decision: Decision | None = None,
    issued_on: date | None = None,
    expires_on: date | None = None,
    score_exact: str | None = None,
) -> CertificateVersion:
    """A new version stating the changes (the rest copied from the current version). `reason` is a
    CertificateVersion.Reason; `note` says why, in words. Refused unless the certificate is live,
    something changes, and a level is a passing one."""
    locked = _lock(certificate)
    if not locked.is_live:
        raise CertificateRefused(
            _("Certificate %(number)s is “%(status)s”; it can no longer change.")
            % {"number": locked.number, "status": S(locked.status).label}
        )
    if reason not in R.values or reason in {R.ISSUE, R.RECERTIFICATION}:
        raise CertificateRefused(_("Unknown kind of change: %(reason)s.") % {"reason": reason})
    note = (note or "").strip()
    if not note:
        raise CertificateRefused(_("Say why the certificate changes."))
    if level is not None and level not in PASSING:
        raise CertificateRefused(_("Unknown level: %(level)s.") % {"level": level})
    current = locked.versions.order_by("-seq").first()
    stated = _stated_of(current)
    changes = {
        "level": level,
        "scope": None if scope is None else scope.strip(),
        "address": None if address is None else address.strip(),
        "enterprise_name": None if name is None else name.strip(),
        "sites": sites,
        "score_exact": score_exact,
        "issued_on": issued_on,
        "expires_on": expires_on,
    }
    if score_exact is not None and case is not None:
        changes["score_display"] = _score_display(case, score_exact)
    changed = {k: (getattr(stated, k), v) for k, v in changes.items() if v is not None and getattr(stated, k) != v}
    if not changed:
        raise CertificateRefused(_("Nothing would change: the certificate already states this."))
    for key in ("scope", "address", "enterprise_name"):
        if key in changed and not changed[key][1]:
            raise CertificateRefused(_("The new %(field)s is empty.") % {"field": key.replace("_", " ")})
    new = Stated(**{**stated.__dict__, **{k: v for k, (_old, v) in changed.items()}})
    if new.expires_on <= new.issued_on:
        raise CertificateRefused(_("The expiry must come after the issue date."))
    version = _version_create(
        certificate=locked,
        stated=new,
        reason=reason,
        note=note,
        valid_from=_today(),
        by=by,
        case=case,
        decision=decision,
    )
    certificate_event_record(
        certificate=locked,
        action="certificate.changed",
        by=by,
        reason=note,
        data={"version": version.seq, "kind": reason, "changed": {k: [o, n] for k, (o, n) in changed.items()}},
    )
    certificate.refresh_from_db()
    return version
