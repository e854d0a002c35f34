"""What the certificate pages show: readable event labels, what each version changed, and the
score history across the cycle as a server-made SVG chart (aftersales.charts)."""

from __future__ import annotations

from fractions import Fraction

from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from aftersales.audits.models import Decision
from aftersales.charts import Point, Svg, Threshold, history_chart
from aftersales.core.concepts import actor_text
from aftersales.core.scheme import Level
from aftersales.schemes.models import SchemeVersion
from aftersales.schemes.selectors import scheme_of

from .models import Certificate, CertificateEvent, CertificateVersion

# what each step of a certificate's life is called (other codes show the status change or the code)
ACTION_LABELS = {
    "certificate.issued": gettext_lazy("certificate issued"),
    "certificate.suspended": gettext_lazy("certificate suspended"),
    "certificate.restored": gettext_lazy("certificate restored"),
    "certificate.withdrawn": gettext_lazy("certificate withdrawn"),
    "certificate.cancelled": gettext_lazy("certificate cancelled"),
    "certificate.expired": gettext_lazy("certificate expired"),
    "certificate.changed": gettext_lazy("certificate changed (new version)"),
    "certificate.recertified": gettext_lazy("certificate renewed after recertification"),
    "surveillance.planned": gettext_lazy("surveillance audits planned"),
    "surveillance.opened": gettext_lazy("surveillance audit opened"),
    "surveillance.confirmed": gettext_lazy("surveillance audit passed, level confirmed"),
    "surveillance.done": gettext_lazy("surveillance audit passed, level changed"),
    "surveillance.failed": gettext_lazy("surveillance audit not passed"),
    "surveillance.missed": gettext_lazy("surveillance audit missed, suspension proposed"),
    "surveillance.cancelled": gettext_lazy("planned surveillance audits cancelled (certificate no longer valid)"),
    "surveillance.proposal_waived": gettext_lazy("proposed suspension waived"),
    "surveillance.proposal_answered": gettext_lazy("proposed suspension answered"),
    "recertification.opened": gettext_lazy("recertification opened"),
}

# the status each action of the CB's form leads to
ACTION_TARGET = {
    "suspend": Certificate.Status.SUSPENDED,
    "restore": Certificate.Status.VALID,
    "withdraw": Certificate.Status.WITHDRAWN,
    "cancel": Certificate.Status.CANCELLED,
}
ACTION_TEXT = {
    "suspend": gettext_lazy("Suspend the certificate"),
    "restore": gettext_lazy("Restore the certificate"),
    "withdraw": gettext_lazy("Withdraw the certificate"),
    "cancel": gettext_lazy("Cancel the certificate"),
}

# version fields a change may touch, in the order the page lists them
CHANGED_FIELDS = (
    ("level", gettext_lazy("level")),
    ("enterprise_name", gettext_lazy("enterprise name")),
    ("address", gettext_lazy("address")),
    ("scope", gettext_lazy("scope")),
    ("sites", gettext_lazy("sites")),
    ("expires_on", gettext_lazy("expiry")),
)


def status_text(status: str) -> str:
    return str(Certificate.Status(status).label) if status in Certificate.Status.values else status


def level_text(level: str, lang: str) -> str:
    return Level(level).text.get(lang) if level in Level._value2member_map_ else level


def action_label(e: CertificateEvent) -> str:
    label = ACTION_LABELS.get(e.action)
    if label:
        return str(label)
    if e.to_status and e.to_status != e.from_status:
        return _("status changed to %(to)s") % {"to": status_text(e.to_status)}
    return e.action


def event_rows(events: list[CertificateEvent]) -> list[dict]:
    return [
        {
            "e": e,
            "label": action_label(e),
            "from": status_text(e.from_status) if e.from_status else "",
            "to": status_text(e.to_status) if e.to_status else "",
            "actor": str(e.actor) if e.actor_id else actor_text(e.actor_label).get(get_language()),
        }
        for e in events
    ]


def _sites_text(sites) -> str:
    return "；".join(
        " ".join(p for p in (s.get("name", ""), s.get("address", "")) if p) if isinstance(s, dict) else str(s)
        for s in sites or []
    )


def _shown(v: CertificateVersion, field: str, lang: str) -> str:
    value = getattr(v, field)
    if field == "level":
        return level_text(value, lang)
    if field == "sites":
        return _sites_text(value)
    if field == "expires_on":
        return value.isoformat()
    return str(value)


def version_rows(versions: list[CertificateVersion], lang: str) -> list[dict]:
    """Each version (newest first) with what it changed from the one before (field, old, new)."""
    rows = []
    previous = None
    for v in versions:
        changes = []
        if previous is not None:
            for field, label in CHANGED_FIELDS:
                if getattr(v, field) != getattr(previous, field):
                    changes.append(
                        {"field": str(label), "old": _shown(previous, field, lang), "new": _shown(v, field, lang)}
                    )
        rows.append(
            {
                "v": v,
                "reason": v.get_reason_display(),
                "level": level_text(v.level, lang),
                "sites": _sites_text(v.sites),
                "changes": changes,
            }
        )
        previous = v
    rows.reverse()
    return rows


def _thresholds(version: CertificateVersion, lang: str) -> list[Threshold]:
    row = SchemeVersion.objects.filter(scheme_id=version.scheme_id, version=version.scheme_version).first()
    if row is None:
        return []
    return [Threshold(score, level.text.get(lang)) for level, score in scheme_of(row).parameters.levels]


def score_points(certificate: Certificate, versions: list[CertificateVersion]) -> list[Point]:
    """The score of each version and of each approving decision on a case of the certificate's life
    that made no version (a surveillance that kept the level), oldest first. One query beyond the
    versions."""
    points: list[Point] = []
    seen_decisions = set()
    for v in versions:
        if not v.score_exact:
            continue
        if v.decision_id:
            seen_decisions.add(v.decision_id)
        label = f"v{v.seq} {v.get_reason_display()}"
        points.append(Point(v.valid_from, Fraction(v.score_exact), label, v.score_display))
    decisions = (
        Decision.objects.filter(
            case__certificate_link__certificate=certificate,
            outcome__in=[Decision.Outcome.APPROVE, Decision.Outcome.APPROVE_LOWER],
        )
        .exclude(pk__in=seen_decisions)
        .select_related("case")
    )
    for d in decisions:
        score = (d.inputs or {}).get("score")
        if score:
            points.append(Point(timezone.localdate(d.decided_at), Fraction(score), d.case.reference))
    points.sort(key=lambda p: p.day)
    if points:
        last = points[-1]
        points[-1] = Point(last.day, last.score, last.label, last.text, current=True)
    return points


def score_chart(certificate: Certificate, versions: list[CertificateVersion], lang: str) -> Svg | None:
    """Score per version / decision over the cycle with the scheme's level thresholds; None without scores."""
    points = score_points(certificate, versions)
    if not points:
        return None
    return history_chart(points, title=_("Score history"), thresholds=_thresholds(versions[-1], lang))
