"""The certification body's cycle dashboard: surveillances due and overdue (with the suspension a
missed one proposes, and the CB's answer), certificates expiring, recertification windows open,
and a month calendar. CB staff who see certificates (cb_admin, reviewer, committee) view it; the
cb_admin acts. Everyone else: 404. Writes go through `cycle.services`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.accounts.models import Membership, Organisation, Role
from aftersales.certification.access import CB_STAFF_ROLES
from aftersales.core import cycle as rules
from aftersales.core.concepts import ProposalState
from aftersales.refusals import redirect_on_refusal

from ..access import CB_VIEW_ROLES, certificate_for, is_cb_admin
from ..models import Surveillance
from . import services as cycle
from .selectors import EXPIRING_DAYS, FIRST_ROWS, LISTS, calendar_entries, cycle_list_page, cycle_overview


def cb_for(request) -> tuple[Organisation, bool]:
    """The certification body whose cycle the user sees (`?cb=<id>` when staff of several) and
    whether the user is its cb_admin; Http404 for anyone not on its staff."""
    user = request.user
    if not user.is_authenticated:
        raise Http404
    rows = Membership.objects.filter(user=user, role__in=CB_VIEW_ROLES).select_related("organisation")
    wanted = request.GET.get("cb", "")
    if wanted.isdigit():
        rows = rows.filter(organisation_id=int(wanted))
    roles: dict[int, set[str]] = {}
    orgs: dict[int, Organisation] = {}
    for m in rows.order_by("organisation__name", "organisation_id"):
        roles.setdefault(m.organisation_id, set()).add(m.role)
        orgs[m.organisation_id] = m.organisation
    if not orgs:
        raise Http404
    pk = next(iter(orgs))
    return orgs[pk], Role.CB_ADMIN in roles[pk]


def surveillance_for(request, pk: int, *, write: bool = False) -> Surveillance:
    """The surveillance if the user is staff of its certificate's CB (else Http404); with
    `write`, only for that CB's cb_admin (other staff: PermissionDenied)."""
    user = request.user
    if not user.is_authenticated:
        raise Http404
    s = Surveillance.objects.select_related("certificate__cb", "certificate__enterprise").filter(pk=pk).first()
    if s is None:
        raise Http404
    if not Membership.objects.filter(user=user, organisation_id=s.certificate.cb_id, role__in=CB_VIEW_ROLES).exists():
        raise Http404
    if write and not is_cb_admin(user, s.certificate):
        raise PermissionDenied
    return s


def _back(request, default: str) -> str:
    target = request.POST.get("next", "")
    return target if target.startswith("/cycle/") else default


@login_required
@require_GET
def cycle_dashboard(request):
    """The first rows of each list; `?list=<name>&page=<n>`: the pages of one list."""
    cb, admin = cb_for(request)
    today = timezone.localdate()
    only = request.GET.get("list", "")
    if only in LISTS:
        overview, page = cycle_list_page(cb, today, only, request.GET.get("page"))
    else:
        only, page = "", None
        overview = cycle_overview(cb, today, limit=FIRST_ROWS)
    return render(
        request,
        "certificates/cycle.html",
        {
            "cb": cb,
            "is_admin": admin,
            "o": overview,
            "only": only,
            "page": page,
            "expiring_days": EXPIRING_DAYS,
            "month": today.strftime("%Y-%m"),
        },
    )


@login_required
@require_GET
def cycle_calendar(request):
    cb, admin = cb_for(request)
    today = timezone.localdate()
    first = rules.month_parse(request.GET.get("month"), default=today)
    entries = calendar_entries(cb, first)
    weeks = [[{"day": d, "entries": entries.get(d, []) if d else []} for d in week] for week in rules.month_grid(first)]
    # an audit links to its case for the staff who see every case (committee members see few)
    case_links = Membership.objects.filter(user=request.user, organisation=cb, role__in=CB_STAFF_ROLES).exists()
    return render(
        request,
        "certificates/cycle_calendar.html",
        {
            "cb": cb,
            "is_admin": admin,
            "first": first,
            "weeks": weeks,
            "today": today,
            "prev": rules.add_months(first, -1).strftime("%Y-%m"),
            "next": rules.add_months(first, 1).strftime("%Y-%m"),
            "count": sum(len(v) for v in entries.values()),
            "case_links": case_links,
        },
    )


@login_required
@require_POST
@redirect_on_refusal(lambda request, pk: _back(request, reverse("cycle_dashboard")))
def cycle_surveillance_open(request, pk: int):
    s = surveillance_for(request, pk, write=True)
    case = cycle.surveillance_open(surveillance=s, by=request.user)
    messages.success(
        request,
        _("Surveillance audit case %(reference)s opened for %(number)s; record the contract, then plan the audit.")
        % {"reference": case.reference, "number": s.certificate.number},
    )
    return redirect("case_detail", case.pk)


@login_required
@require_POST
@redirect_on_refusal(lambda request, pk: _back(request, reverse("cycle_dashboard")))
def cycle_proposal_answer(request, pk: int):
    s = surveillance_for(request, pk, write=True)
    answer, reason = request.POST.get("answer", ""), request.POST.get("reason", "")
    answered = cycle.surveillance_proposal_answer(surveillance=s, answer=answer, reason=reason, by=request.user)
    done = ProposalState(answered.proposal_answer).label(get_language())
    messages.success(request, _("Certificate %(number)s: %(done)s.") % {"number": s.certificate.number, "done": done})
    return redirect(_back(request, reverse("cycle_dashboard")))


@login_required
@require_POST
@redirect_on_refusal(lambda request, number: _back(request, reverse("certificate_detail", args=[number])))
def cycle_recertification_open(request, number: str):
    """Open the recertification application: the enterprise's admin or the CB's admin."""
    certificate = certificate_for(request.user, number)
    ent_admin = Membership.objects.filter(
        user=request.user, organisation_id=certificate.enterprise_id, role=Role.ENTERPRISE_ADMIN
    ).exists()
    if not (ent_admin or is_cb_admin(request.user, certificate)):
        raise PermissionDenied
    case = cycle.recertification_open(certificate=certificate, by=request.user)
    messages.success(
        request,
        _("Recertification application %(reference)s opened for %(number)s.")
        % {"reference": case.reference, "number": certificate.number},
    )
    if not ent_admin:  # a draft is the enterprise's own until it submits it (404 to the CB)
        return redirect("certificate_detail", certificate.number)
    return redirect("case_detail", case.pk)
