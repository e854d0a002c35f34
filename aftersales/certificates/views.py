"""Certificate pages: the list (enterprise: its own; CB staff: the CB's, with filters), the detail
page (status and history, versions, surveillance, downloads, score history), the CB admin's status
actions and change as a new version, the downloads (PDF zh/en, star mark SVG/PNG) and the issue
button on a decided case. Writes go through `certificates.services` and `certificates.versions`;
access through `access`."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.accounts.models import ENTERPRISE_ROLES, Membership, Role
from aftersales.accounts.selectors import cb_administered
from aftersales.assessments.report import ReportUnavailable
from aftersales.audits.models import Decision
from aftersales.certification.access import case_access
from aftersales.confirm import confirmation_page
from aftersales.core.access import Access
from aftersales.core.refusal import Refused
from aftersales.core.text import normalise_language
from aftersales.refusals import redirect_on_refusal

from . import services, versions
from .access import CB_VIEW_ROLES, WRITE_CHANGE, certificate_access
from .forms import ChangeForm, StatusForm, change_initial, changed_fields, form_errors, level_choices
from .models import TRANSITIONS, Certificate, CertificateVersion
from .presenters import ACTION_TARGET, ACTION_TEXT, event_rows, level_text, score_chart, version_rows
from .selectors import (
    LEVELS,
    certificate_events,
    certificate_list,
    certificate_surveillances,
    certificate_versions,
    recertification_window,
    surveillance_state_of,
    surveillance_states,
)

log = logging.getLogger(__name__)
PAGE_SIZE = 50
S = Certificate.Status
STATUS_ACTIONS = {
    "suspend": "certificate_suspend",
    "restore": "certificate_restore",
    "withdraw": "certificate_withdraw",
    "cancel": "certificate_cancel",
}


def _lang() -> str:
    return normalise_language(get_language())


def _detail(certificate: Certificate) -> str:
    return reverse("certificate_detail", args=[certificate.number])


def _list_row(c: Certificate, lang: str, state) -> dict:
    return {"c": c, "level": level_text(c.level, lang), "surveillance": state}


@login_required
@require_GET
def certificate_list_view(request):
    status = request.GET.get("status", "")
    level = request.GET.get("level", "")
    q = request.GET.get("q", "").strip()[:100]
    rows = certificate_list(request.user, status=status, level=level, q=q)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    lang = _lang()
    today = timezone.localdate()
    is_cb = Membership.objects.filter(user=request.user, role__in=CB_VIEW_ROLES).exists()
    objects = list(page.object_list)
    states = surveillance_states(objects, today)
    context = {
        "page": page,
        "rows": [_list_row(c, lang, states[c.pk]) for c in objects],
        "status": status if status in Certificate.Status.values else "",
        "level": level if level in LEVELS else "",
        "q": q,
        "statuses": Certificate.Status.choices,
        "levels": level_choices(lang),
        "is_cb": is_cb,
        "regulator_link": is_cb and cb_administered(request.user) is not None,
        "filtered": bool(status or level or q),
    }
    return render(request, "certificates/list.html", context)


def detail_context(request, access: Access[Certificate], *, status_form=None, change_form=None, problems=()) -> dict:
    lang = _lang()
    certificate = access.obj
    internal = access.holds(*CB_VIEW_ROLES)  # CB staff see the internal events too
    admin = access.can(WRITE_CHANGE)
    versions = certificate_versions(certificate)
    current = versions[-1] if versions else None
    surveillances = certificate_surveillances(certificate)
    today = timezone.localdate()
    valid = certificate.status == S.VALID
    allowed = [
        (action, ACTION_TEXT[action])
        for action, to in ACTION_TARGET.items()
        if to in TRANSITIONS[certificate.status] and (action != "restore" or certificate.status == S.SUSPENDED)
    ]
    if admin and status_form is None:
        status_form = StatusForm(initial={"effective_on": today})
    if admin and change_form is None and current is not None:
        change_form = ChangeForm(initial=change_initial(current))
    return {
        "certificate": certificate,
        "current": current,
        "level": level_text(certificate.level, lang),
        "versions": version_rows(versions, lang),
        "events": event_rows(certificate_events(certificate, internal=internal)),
        "internal": internal,
        "surveillances": surveillances,
        "surveillance": surveillance_state_of(certificate, today, surveillances),
        "window": recertification_window(certificate, today),
        # who may open the recertification (certificates.cycle.recertification_open) from this page
        "can_recertify": certificate.is_live and (admin or access.holds(Role.ENTERPRISE_ADMIN)),
        "chart": score_chart(certificate, versions, lang) if versions else None,
        "is_cb_admin": admin,
        "is_cb": internal,
        "downloads": internal or valid,
        "actions": allowed,
        "status_form": status_form,
        "change_form": change_form,
        "levels": level_choices(lang),
        "problems": list(problems),
        "today": today,
    }


@login_required
@require_GET
def certificate_detail(request, number: str):
    access = certificate_access(request.user, number)
    return render(request, "certificates/detail.html", detail_context(request, access))


def _admin_access(request, number: str) -> Access[Certificate]:
    return certificate_access(request.user, number, write=True)


@login_required
@require_POST
def certificate_status(request, number: str):
    """Suspend, restore, withdraw or cancel, with a reason and an effective date (cb_admin only)."""
    access = _admin_access(request, number)
    certificate = access.obj
    form = StatusForm(request.POST)
    if not form.is_valid():
        context = detail_context(request, access, status_form=form, problems=form_errors(form))
        return render(request, "certificates/detail.html", context, status=400)
    d = form.cleaned_data
    service = getattr(services, STATUS_ACTIONS[d["action"]])
    try:
        service(certificate=certificate, reason=d["reason"], by=request.user, effective_on=d["effective_on"])
    except Refused as exc:
        certificate.refresh_from_db()
        context = detail_context(request, access, status_form=form, problems=exc.problems)
        return render(request, "certificates/detail.html", context, status=409)
    certificate.refresh_from_db()
    messages.success(
        request,
        _("Certificate %(number)s is now %(status)s.")
        % {"number": certificate.number, "status": certificate.get_status_display()},
    )
    return redirect(_detail(certificate) + "#status")


@login_required
@require_POST
def certificate_change(request, number: str):
    """Record a change of level, name, address, scope or sites as a new version (cb_admin only)."""
    access = _admin_access(request, number)
    certificate = access.obj
    current = CertificateVersion.objects.filter(certificate=certificate).order_by("-seq").first()
    if current is None:
        raise Http404
    form = ChangeForm(request.POST)
    problems: list[str] = []
    if not form.is_valid():
        problems = form_errors(form)
    else:
        changes = changed_fields(form.cleaned_data, current)
        if not changes:
            problems = [_("Nothing differs from the current version; change a field first.")]
        else:
            try:
                version = versions.certificate_change(
                    certificate=certificate,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                    **changes,
                )
            except Refused as exc:
                problems = exc.problems
            else:
                messages.success(
                    request,
                    _("Version %(n)s of certificate %(number)s is issued.")
                    % {"n": version.seq, "number": certificate.number},
                )
                return redirect(_detail(certificate) + "#versions")
    certificate.refresh_from_db()
    context = detail_context(request, access, change_form=form, problems=problems)
    return render(request, "certificates/detail.html", context, status=400 if not form.is_valid() else 409)


# ------------------------------------------------------------------------------------ downloads


def _downloadable(request, number: str) -> Certificate:
    """Holders may download only while the certificate is valid; the CB's staff always."""
    access = certificate_access(request.user, number)
    if access.obj.status != Certificate.Status.VALID and not access.holds(*CB_VIEW_ROLES):
        raise PermissionDenied
    return access.obj


def _unavailable(request, certificate: Certificate, exc: Exception) -> HttpResponse:
    log.error("certificate document unavailable: %s", exc)
    return render(request, "certificates/unavailable.html", {"certificate": certificate}, status=503)


@login_required
@require_GET
def certificate_pdf(request, number: str):
    """The certificate as a PDF, Chinese by default, English with ?lang=en; ?version=N for an older version."""
    certificate = _downloadable(request, number)
    lang = "en" if request.GET.get("lang") == "en" else "zh-hans"
    versions = CertificateVersion.objects.filter(certificate=certificate)
    seq = request.GET.get("version", "")
    version = versions.filter(seq=int(seq)).first() if seq.isdigit() else versions.order_by("-seq").first()
    if version is None:
        raise Http404
    try:
        from . import documents

        pdf = documents.certificate_pdf_stored(version, lang)
    except (ImportError, AttributeError, OSError, ReportUnavailable) as exc:
        return _unavailable(request, certificate, exc)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"certificate-{certificate.number}-v{version.seq}-{'en' if lang == 'en' else 'zh'}.pdf"
    )
    return response


@login_required
@require_GET
def certificate_mark(request, number: str, fmt: str):
    """The star mark with the certificate number, as SVG or PNG."""
    if fmt not in ("svg", "png"):
        raise Http404
    certificate = _downloadable(request, number)
    try:
        from . import mark

        if fmt == "svg":
            body, content_type = str(mark.mark_svg(certificate)).encode(), "image/svg+xml"
        else:
            body, content_type = mark.mark_png(certificate), "image/png"
    except (ImportError, AttributeError, OSError) as exc:
        return _unavailable(request, certificate, exc)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, f"mark-{certificate.number}.{fmt}")
    return response


# ---------------------------------------------------------------------------- issue from a case


def case_decision(case) -> Decision | None:
    """The case's latest decision (the one a certificate is issued from when it approves)."""
    return Decision.objects.filter(case=case).order_by("-decided_at", "-id").first()


@login_required
@require_POST
@redirect_on_refusal(lambda request, pk: reverse("case_detail", args=[pk]) + "#certificate")
def case_certificate_issue(request, pk: int):
    """Issue the certificate of a decided case with an approving decision (the CB's admin)."""
    access = case_access(request, pk)
    case = access.obj
    if not access.holds(Role.CB_ADMIN) or access.holds(*ENTERPRISE_ROLES):
        raise PermissionDenied  # the CB's admin, and not a member of the applicant
    decision = case_decision(case)
    if decision is None:
        messages.error(request, _("Case %(ref)s has no decision yet.") % {"ref": case.reference})
        return redirect(reverse("case_detail", args=[case.pk]) + "#certificate")
    ask = confirmation_page(
        request,
        question=_("Issue the certificate of %(reference)s?") % {"reference": case.reference},
        consequence=_("The certificate gets its number and is published in the public registry at once."),
        button=_("Yes, issue the certificate"),
        back=reverse("case_detail", args=[case.pk]) + "#certificate",
    )
    if ask is not None:
        return ask
    certificate = versions.certificate_issue(decision=decision, by=request.user)
    messages.success(request, _("Certificate %(number)s is issued.") % {"number": certificate.number})
    return redirect(_detail(certificate))
