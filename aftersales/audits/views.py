"""Pages of the audits app, part 1: plan and team, objections, the steps, the decision, the
auditor registry and the overdue list. Scoring, findings, rectification and the report are in
`views_scoring.py`. Every view resolves the case through `access.audit_case_for` (404/403)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aftersales.accounts.models import Membership, Organisation, Role
from aftersales.core.refusal import Refused
from aftersales.core.text import normalise_language
from aftersales.refusals import redirect_on_refusal, refusal_messages, safe_next

from . import auditors, decisions, findings, plan, services, steps
from .access import audit_access_for, audit_case_for, audit_child_for, is_enterprise_viewer
from .forms import (
    AuditorForm,
    ConflictForm,
    DecisionForm,
    ObjectionAnswerForm,
    ObjectionForm,
    PlanForm,
    form_errors,
    rows_from,
)
from .models import Auditor, ConflictDeclaration, Objection, TeamMember
from .presenters import level_choices
from .selectors import auditors_of, overdue_findings, team_of


def _lang() -> str:
    return normalise_language(get_language())


def case_url(case) -> str:
    return case_url_pk(case.pk)


def case_url_pk(pk: int) -> str:
    """The case page (the certification app's) if it exists, else the audit plan page."""
    try:
        return reverse("case_detail", args=[pk])
    except NoReverseMatch:
        return reverse("audit_plan", args=[pk])


def _refused_back(request, *args, **kwargs) -> str:
    """Where a refused step sends the user: the page it came from (`next`), else the case."""
    pk = kwargs.get("pk")
    return safe_next(request) or (case_url_pk(pk) if pk else "/")


# a refused step becomes a message on the page it came from (nothing was changed)
refusals = redirect_on_refusal(_refused_back)


def _back(request, case):
    return redirect(safe_next(request) or case_url(case))


# --------------------------------------------------------------------------------- plan, team


@login_required
@require_http_methods(["GET", "POST"])
@refusals
def audit_plan(request, pk: int):
    access, audit = audit_access_for(request, pk, need_audit=False)
    case = access.obj
    is_staff = access.holds(Role.CB_ADMIN, Role.REVIEWER)
    if audit is None and not is_staff:
        raise Http404
    if is_enterprise_viewer(access) and audit.sent_at is None:  # the enterprise sees the plan once sent
        raise Http404
    form, posted_rows, status = None, None, 200
    if request.method == "POST":
        case, audit = audit_case_for(request, pk, write="review", need_audit=False)
        form = PlanForm(request.POST)
        posted_rows = (
            rows_from(request.POST, "agenda", ("when", "activity", "who")),
            rows_from(request.POST, "sampling", ("item", "size", "what")),
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan.audit_plan_save(
                    case=case,
                    plan=plan.PlanInput(
                        mode=data["mode"],
                        start_date=data["start_date"],
                        end_date=data["end_date"],
                        man_days=data["man_days"],
                        sites=data["sites"],
                        agenda=posted_rows[0],
                        sampling=posted_rows[1],
                    ),
                    by=request.user,
                )
            except Refused as exc:
                refusal_messages(request, exc)  # the form keeps what was typed; nothing was saved
                status = 400
            else:
                messages.success(request, _("The plan is saved."))
                return redirect("audit_plan", pk=case.pk)
        else:
            messages.error(request, form_errors(form))
            status = 400
    if form is None:
        initial = plan.plan_defaults(case)
        if audit is not None:
            initial = {f: getattr(audit, f) for f in ("mode", "start_date", "end_date", "man_days", "sites")}
        form = PlanForm(initial=initial)
    editable = case.status == case.Status.CONTRACTED and is_staff
    agenda, sampling = posted_rows or (audit.agenda if audit else [], audit.sampling if audit else [])
    agenda = list(agenda) + [{}] * (2 if editable else 0)
    sampling = list(sampling) + [{}] * (2 if editable else 0)
    verdicts = auditors.picker(case, auditors_of(case.cb)) if editable and audit else []
    context = {
        "case": case,
        "audit": audit,
        "form": form,
        "editable": editable,
        "agenda": agenda,
        "sampling": sampling,
        "team": team_of(audit),
        "picker": [
            {"auditor": a, "allowed": v.allowed, "reasons": [r.get(_lang()) for r in v.reasons]} for a, v in verdicts
        ],
    }
    return render(request, "audits/plan.html", context, status=status)


@login_required
@require_POST
@refusals
def audit_team_set(request, pk: int):
    case, _audit = audit_case_for(request, pk, write="review", need_audit=False)
    by_pk = {a.pk: a for a in auditors_of(case.cb)}
    try:
        leader = by_pk[int(request.POST.get("leader", 0))]
        members = [by_pk[int(x)] for x in request.POST.getlist("members") if x]
    except (KeyError, ValueError):
        raise services.AuditRefused(_("Choose the team leader and members from the registered auditors.")) from None
    plan.team_set(case=case, leader=leader, members=members, by=request.user)
    messages.success(request, _("The audit team is chosen."))
    return redirect("audit_plan", pk=case.pk)


@login_required
@require_POST
@refusals
def audit_plan_send(request, pk: int):
    case, _audit = audit_case_for(request, pk, write="review")
    plan.plan_send(case=case, by=request.user)
    messages.success(request, _("The plan is sent to the enterprise."))
    return _back(request, case)


@login_required
@require_POST
@refusals
def audit_objection_raise(request, pk: int):
    case, audit = audit_case_for(request, pk, write="enterprise_admin")
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        raise services.AuditRefused(_("An objection names the auditor and gives a reason."))
    member = TeamMember.objects.filter(pk=form.cleaned_data["member"], audit=audit).first()
    if member is None:
        raise Http404
    plan.objection_raise(case=case, member=member, reason=form.cleaned_data["reason"], by=request.user)
    messages.success(request, _("Your objection is recorded; the certification body will answer it."))
    return _back(request, case)


@login_required
@require_POST
@refusals
def audit_objection_answer(request, pk: int, objection_id: int):
    case, _audit, objection = audit_child_for(request, pk, Objection, objection_id, write="review")
    form = ObjectionAnswerForm(request.POST)
    if not form.is_valid():
        raise services.AuditRefused(form_errors(form))
    replacement = None
    if form.cleaned_data["answer"] == "replace":
        replacement = Auditor.objects.filter(pk=form.cleaned_data["replacement"] or 0, cb=case.cb).first()
    plan.objection_answer(
        objection=objection,
        keep=form.cleaned_data["answer"] == "keep",
        reason=form.cleaned_data["reason"],
        replacement=replacement,
        by=request.user,
    )
    messages.success(request, _("The objection is answered."))
    return _back(request, case)


@login_required
@require_POST
@refusals
def audit_review_start(request, pk: int):
    case, _audit = audit_case_for(request, pk, write="audit")
    steps.review_start(case=case, by=request.user)
    return redirect("audit_scoring", pk=case.pk)


@login_required
@require_POST
@refusals
def audit_start(request, pk: int):
    case, _audit = audit_case_for(request, pk, write="audit")
    steps.audit_start(case=case, by=request.user)
    return redirect("audit_scoring", pk=case.pk)


@login_required
@require_POST
@refusals
def audit_rectification_start(request, pk: int):
    case, _audit = audit_case_for(request, pk, write="audit")
    findings.rectification_start(case=case, by=request.user)
    messages.success(request, _("Rectification has started; the enterprise sees the nonconformities and deadlines."))
    return redirect("audit_rectification", pk=case.pk)


# ---------------------------------------------------------------------------------- decision


@login_required
@require_http_methods(["GET", "POST"])
@refusals
def audit_decision(request, pk: int):
    access, audit = audit_access_for(request, pk)
    case = access.obj
    if request.method == "POST":
        case, audit = audit_case_for(request, pk, write="decide")
        form = DecisionForm(request.POST)
        if not form.is_valid():
            raise services.AuditRefused(form_errors(form))
        decisions.decision_record(case=case, by=request.user, **form.cleaned_data)
        messages.success(request, _("The decision is recorded."))
        return _back(request, case)
    report = audit.reports.order_by("-number").first()
    if report is None:
        raise Http404
    context = {
        "case": case,
        "audit": audit,
        "report": report,
        "decisions": list(case.decisions.select_related("decided_by")),
        "can_decide": case.status == case.Status.REPORTED and access.holds(Role.COMMITTEE),
        "refusal": decisions.decision_refusal(request.user, case, audit),
        "outcomes": decisions.Decision.Outcome.choices,
        "levels": level_choices(_lang()),
        "team": team_of(audit),
    }
    return render(request, "audits/decision.html", context)


# -------------------------------------------------------------------------- registry, overdue


def _cb_for(request, *, admin: bool = False) -> Organisation:
    """The user's certification body for its staff who see every case (cb_admin, reviewer; with
    admin=True only cb_admin): 404 to non-members, 403 to its other members."""
    if not request.user.is_authenticated:
        raise Http404
    rows = Membership.objects.filter(user=request.user, organisation__kind=Organisation.Kind.CERTIFICATION_BODY)
    roles = set(rows.values_list("role", flat=True))
    if not roles:
        raise Http404
    if not roles & {Role.CB_ADMIN, Role.REVIEWER}:
        raise PermissionDenied
    if admin and Role.CB_ADMIN not in roles:
        raise PermissionDenied
    return rows.select_related("organisation").first().organisation


@login_required
@require_GET
def auditor_list(request):
    cb = _cb_for(request)
    auditors = list(auditors_of(cb).prefetch_related("conflicts__enterprise"))
    registered = {a.user_id for a in auditors}
    candidates = [
        m.user
        for m in Membership.objects.filter(organisation=cb, role=Role.AUDITOR).select_related("user")
        if m.user_id not in registered
    ]
    context = {
        "cb": cb,
        "auditors": auditors,
        "candidates": candidates,
        "enterprises": Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE).order_by("name"),
        "kinds": ConflictDeclaration.Kind.choices,
        "can_edit": Role.CB_ADMIN
        in set(Membership.objects.filter(user=request.user, organisation=cb).values_list("role", flat=True)),
    }
    return render(request, "audits/auditors.html", context)


@login_required
@require_POST
@redirect_on_refusal(lambda request: reverse("auditor_list"))
def auditor_register(request):
    cb = _cb_for(request, admin=True)
    form = AuditorForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("auditor_list")
    user = Membership.objects.filter(organisation=cb, role=Role.AUDITOR, user_id=form.cleaned_data["user"]).first()
    if user is None:
        raise services.AuditRefused(_("Choose a user with the auditor role."))
    auditors.auditor_register(
        cb=cb,
        user=user.user,
        registration=form.cleaned_data["registration"],
        valid_until=form.cleaned_data["valid_until"],
        industries=form.cleaned_data["industries"],
        by=request.user,
    )
    messages.success(request, _("The auditor is registered."))
    return redirect("auditor_list")


@login_required
@require_POST
@redirect_on_refusal(lambda request: reverse("auditor_list"))
def conflict_declare(request):
    cb = _cb_for(request, admin=True)
    form = ConflictForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("auditor_list")
    data = form.cleaned_data
    auditor = Auditor.objects.filter(pk=data["auditor"], cb=cb).first()
    enterprise = Organisation.objects.filter(pk=data["enterprise"], kind=Organisation.Kind.ENTERPRISE).first()
    if auditor is None or enterprise is None:
        raise services.AuditRefused(_("Choose the auditor and the enterprise."))
    auditors.conflict_declare(
        auditor=auditor,
        enterprise=enterprise,
        kind=data["kind"],
        start=data["start"],
        end=data["end"],
        note=data["note"],
        by=request.user,
    )
    messages.success(request, _("The declaration is recorded."))
    return redirect("auditor_list")


@login_required
@require_GET
def audit_overdue(request):
    cb = _cb_for(request)
    rows = overdue_findings(cb=cb, today=timezone.localdate())
    return render(request, "audits/overdue.html", {"cb": cb, "rows": rows, "today": timezone.localdate()})


@login_required
@require_POST
def audit_overdue_escalate(request):
    cb = _cb_for(request)
    n = 0
    for case in services.Case.objects.filter(cb=cb, status=services.Case.Status.RECTIFICATION):
        n += len(findings.overdue_escalate(case=case, by=request.user))
    messages.success(request, _("%(n)s overdue nonconformities escalated.") % {"n": n})
    return redirect("audit_overdue")
