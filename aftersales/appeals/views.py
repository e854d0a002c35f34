"""Pages of appeals and complaints: the list (enterprise: its own; CB: all of its appeals, with
open/overdue filters), the lodge form, the detail with its history and the handling forms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aftersales.accounts.models import CB_ROLES, ENTERPRISE_ROLES, Membership, Role, User
from aftersales.audits.models import Decision
from aftersales.certificates.models import CertificateEvent
from aftersales.certification.access import WRITE_ENTERPRISE_ADMIN as CASE_ENTERPRISE_ADMIN
from aftersales.certification.access import case_for
from aftersales.core.refusal import Refused
from aftersales.refusals import redirect_on_refusal
from aftersales.uploads import stored_file_response

from . import services
from .access import (
    WRITE_ACKNOWLEDGE,
    WRITE_ASSIGN,
    WRITE_ENTERPRISE_ADMIN,
    WRITE_HANDLE,
    appeal_access,
    appeal_for,
    is_enterprise_viewer,
)
from .models import Appeal, AppealFile
from .presenters import history_rows
from .selectors import FILTERS, appeal_list, contestable, flag, handler_candidates, history, lodgeable_cases

MAX_TEXT = 10_000


def _text(request, name: str) -> str:
    return request.POST.get(name, "")[:MAX_TEXT]


def _back(appeal: Appeal):
    return redirect("appeal_detail", pk=appeal.pk)


@login_required
@require_GET
def appeal_list_view(request):
    state = request.GET.get("state", "")
    if state not in FILTERS:
        state = ""
    roles = set(Membership.objects.filter(user=request.user).values_list("role", flat=True))
    context = {
        "appeals": appeal_list(request.user, state=state),
        "state": state,
        "is_cb": bool(roles & CB_ROLES),
        "can_lodge": Role.ENTERPRISE_ADMIN in roles,
    }
    return render(request, "appeals/list.html", context)


def _case_param(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _subject(case, value: str):
    """(kind, decision, certificate_event) from the form's "subject": complaint / decision-<id> / event-<id>."""
    if value == "complaint":
        return Appeal.Kind.COMPLAINT, None, None
    prefix, _sep, pk = value.partition("-")
    if prefix == "decision" and pk.isdigit():
        decision = Decision.objects.filter(pk=int(pk), case=case).first()
        if decision is not None:
            return Appeal.Kind.APPEAL, decision, None
    if prefix == "event" and pk.isdigit():
        event = (
            CertificateEvent.objects.filter(pk=int(pk), certificate__cases__case=case)
            .select_related("certificate")
            .first()
        )
        if event is not None:
            return Appeal.Kind.APPEAL, None, event
    return "", None, None


@login_required
@require_http_methods(["GET", "POST"])
def appeal_new(request):
    """Lodge an appeal or a complaint: first choose the case, then what it is about."""
    roles = set(Membership.objects.filter(user=request.user).values_list("role", flat=True))
    if Role.ENTERPRISE_ADMIN not in roles:
        raise PermissionDenied if roles & ENTERPRISE_ROLES else Http404
    raw_case = request.POST.get("case") if request.method == "POST" else request.GET.get("case")
    problems: list[str] = []
    if not raw_case:
        return render(request, "appeals/new.html", {"cases": lodgeable_cases(request.user), "case": None})
    case = case_for(request, _case_param(raw_case), write=CASE_ENTERPRISE_ADMIN)
    if request.method == "POST":
        kind, decision, event = _subject(case, request.POST.get("subject", ""))
        if not kind:
            problems = [_("Choose what you appeal or complain about.")]
        else:
            try:
                appeal = services.appeal_lodge(
                    case=case,
                    kind=kind,
                    grounds=_text(request, "grounds"),
                    decision=decision,
                    certificate_event=event,
                    uploads=request.FILES.getlist("files"),
                    by=request.user,
                )
            except Refused as exc:
                problems = exc.problems
            else:
                messages.success(
                    request,
                    _("%(reference)s is lodged. The certification body acknowledges it by %(day)s.")
                    % {"reference": appeal.reference, "day": appeal.acknowledge_by.isoformat()},
                )
                return redirect("appeal_detail", pk=appeal.pk)
    context = {
        "case": case,
        "contestable": contestable(case),
        "lodge_days": services.lodge_days(),
        "problems": problems,
        "posted": request.POST if problems else None,
    }
    return render(request, "appeals/new.html", context, status=400 if problems else 200)


@login_required
@require_GET
def appeal_detail(request, pk: int):
    access = appeal_access(request, pk)
    appeal = access.obj
    flag(appeal, timezone.localdate())
    enterprise_view = is_enterprise_viewer(access)
    may = access.can
    context = {
        "appeal": appeal,
        "enterprise_view": enterprise_view,
        "events": history_rows(history(appeal, internal=not enterprise_view)),
        "files": appeal.files.all(),
        "can_withdraw": may(WRITE_ENTERPRISE_ADMIN) and appeal.is_open,
        "can_assign": may(WRITE_ASSIGN) and appeal.is_open,
        "can_acknowledge": may(WRITE_ACKNOWLEDGE) and appeal.status == Appeal.Status.LODGED,
        "can_start": may(WRITE_HANDLE) and appeal.status == Appeal.Status.ACKNOWLEDGED,
        "can_handle": may(WRITE_HANDLE) and appeal.status == Appeal.Status.UNDER_REVIEW,
        "outcomes": Appeal.Outcome.choices,
    }
    if context["can_assign"]:
        context["candidates"] = handler_candidates(appeal)
    return render(request, "appeals/detail.html", context)


@login_required
@require_GET
def appeal_file(request, pk: int, file_id: int):
    appeal = appeal_for(request, pk)
    return stored_file_response(get_object_or_404(AppealFile, pk=file_id, appeal=appeal))


def _refused_back(request, pk: int, *args, **kwargs) -> str:
    """A refused step goes back to the appeal page (its problems as messages; nothing changed)."""
    return reverse("appeal_detail", args=[pk])


@redirect_on_refusal(_refused_back)
def _act(request, pk: int, write: str, step, success: str):
    appeal = appeal_for(request, pk, write=write)
    step(appeal)
    messages.success(request, success)
    return _back(appeal)


@login_required
@require_POST
def appeal_withdraw(request, pk: int):
    return _act(
        request,
        pk,
        WRITE_ENTERPRISE_ADMIN,
        lambda a: services.appeal_withdraw(appeal=a, reason=_text(request, "reason"), by=request.user),
        _("Withdrawn."),
    )


@login_required
@require_POST
@redirect_on_refusal(_refused_back)
def appeal_assign(request, pk: int):
    appeal = appeal_for(request, pk, write=WRITE_ASSIGN)
    raw = request.POST.get("handler", "")
    handler = User.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if handler is None:
        messages.error(request, _("Choose the handler."))
        return _back(appeal)
    services.appeal_assign(appeal=appeal, handler=handler, by=request.user)
    messages.success(request, _("%(who)s handles %(reference)s.") % {"who": handler, "reference": appeal.reference})
    return _back(appeal)


@login_required
@require_POST
def appeal_acknowledge(request, pk: int):
    return _act(
        request,
        pk,
        WRITE_ACKNOWLEDGE,
        lambda a: services.appeal_acknowledge(appeal=a, note=_text(request, "note"), by=request.user),
        _("Acknowledged; the enterprise is told."),
    )


@login_required
@require_POST
def appeal_review_start(request, pk: int):
    return _act(
        request,
        pk,
        WRITE_HANDLE,
        lambda a: services.appeal_review_start(appeal=a, by=request.user),
        _("The review has started."),
    )


@login_required
@require_POST
def appeal_note(request, pk: int):
    return _act(
        request,
        pk,
        WRITE_HANDLE,
        lambda a: services.appeal_note(appeal=a, text=_text(request, "text"), by=request.user),
        _("Note recorded."),
    )


@login_required
@require_POST
def appeal_decide(request, pk: int):
    return _act(
        request,
        pk,
        WRITE_HANDLE,
        lambda a: services.appeal_decide(
            appeal=a,
            outcome=request.POST.get("outcome", ""),
            reasons=_text(request, "reasons"),
            remedy=_text(request, "remedy"),
            by=request.user,
        ),
        _("The outcome is recorded; the enterprise is told."),
    )
