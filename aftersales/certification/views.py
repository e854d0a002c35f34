"""Pages of certification cases: list, open, detail, application, materials, review, contract."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aftersales.accounts.models import ENTERPRISE_ROLES
from aftersales.accounts.selectors import enterprises_of
from aftersales.confirm import confirmation_page
from aftersales.core.materials import MATERIAL_TYPES
from aftersales.core.refusal import Refused
from aftersales.core.text import normalise_language
from aftersales.refusals import redirect_on_refusal, refusal_messages
from aftersales.schemes.models import SchemeVersion
from aftersales.uploads import stored_file_response

from . import review, services
from .access import (
    CB_STAFF_ROLES,
    WRITE_ENTERPRISE,
    WRITE_ENTERPRISE_ADMIN,
    WRITE_REVIEW,
    case_access,
    case_for,
)
from .forms import (
    AcceptForm,
    AnswerForm,
    ContractForm,
    InfoRequestForm,
    OpenForm,
    ReasonForm,
    ReviewForm,
    application_data,
    exclusion_decisions,
    form_errors,
)
from .materials import material_upload
from .models import Case, Contract, Exclusion, InfoAttachment, InfoItem, Material
from .presenters import application_rows, detail_context
from .selectors import case_list, cbs

PAGE_SIZE = 50  # cases per page of the list


def _lang() -> str:
    return normalise_language(get_language())


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _case_url(pk: int, anchor: str = "") -> str:
    return reverse("case_detail", args=[pk]) + (f"#{anchor}" if anchor else "")


def _back(case: Case, anchor: str = ""):
    return redirect(_case_url(case.pk, anchor))


def _refused_back(anchor: str = ""):
    """A refused step (nothing changed): its problems as messages, back to the case page."""
    return redirect_on_refusal(lambda request, pk, **kw: _case_url(pk, anchor))


@login_required
@require_GET
def case_list_view(request):
    status = request.GET.get("status", "")
    if status and status not in Case.Status.values:
        status = ""
    page = Paginator(case_list(request.user, status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "cases": page.object_list,
        "status": status,
        "statuses": Case.Status.choices,
        "can_apply": enterprises_of(request.user).exists(),
    }
    return render(request, "certification/case_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request):
    """Choose the certification body and scheme; the case opens as a draft application."""
    enterprises = list(enterprises_of(request.user))
    if not enterprises:
        raise Http404
    problems: list[str] = []
    offer = None  # (label, URL) a refusal offers as the way on
    if request.method == "POST":
        form = OpenForm(request.POST)
        cb = scheme = None
        if form.is_valid():
            cb = cbs().filter(pk=form.cleaned_data["cb"]).first()
            scheme = SchemeVersion.objects.filter(pk=form.cleaned_data["scheme"]).first()
        if cb is None or scheme is None:
            problems = [_("Choose a certification body and a scheme.")]
        else:
            try:
                case = services.case_open(enterprise=enterprises[0], cb=cb, scheme_version=scheme, by=request.user)
            except Refused as exc:
                problems, offer = exc.problems, getattr(exc, "offer", None)
            else:
                return redirect("case_application", pk=case.pk)
    context = {
        "enterprise": enterprises[0],
        "cbs": cbs(),
        "schemes": SchemeVersion.objects.defer("source").order_by("scheme_id", "-registered_at"),
        "problems": problems,
        "offer": offer,
    }
    return render(request, "certification/case_new.html", context, status=400 if problems else 200)


@login_required
@require_GET
def case_detail(request, pk: int):
    context = detail_context(request, case_access(request, pk), _lang())
    if _is_htmx(request) and request.GET.get("part") == "events":
        return render(request, "certification/case_detail.html#events", context)
    return render(request, "certification/case_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def case_application(request, pk: int):
    """The application form (draft or when more information is requested)."""
    access = case_access(request, pk, write=WRITE_ENTERPRISE)
    case = access.obj
    problems: list[str] = []
    posted = None
    if request.method == "POST":
        data, problems = application_data(request.POST)
        if data is not None:
            try:
                services.application_save(case=case, data=data, by=request.user)
            except Refused as exc:
                problems = exc.problems
            else:
                messages.success(request, _("The application is saved."))
                return redirect("case_application", pk=case.pk)
        posted = request.POST
    context = detail_context(request, access, _lang())
    context.update(application_rows(case, _lang(), posted))
    context["problems"] = problems
    context["material_types"] = MATERIAL_TYPES
    return render(request, "certification/application.html", context, status=400 if problems else 200)


@login_required
@require_POST
@redirect_on_refusal(lambda request, pk, **kw: _materials_url(pk))
def case_material_upload(request, pk: int):
    case = case_for(request, pk, write=WRITE_ENTERPRISE)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to upload."))
    else:
        m = material_upload(
            case=case, material_type=request.POST.get("material_type", ""), upload=upload, by=request.user
        )
        messages.success(request, _("%(name)s uploaded as version %(v)s.") % {"name": m.original_name, "v": m.version})
    return redirect(_materials_url(case.pk))


def _materials_url(pk: int) -> str:
    return reverse("case_application", args=[pk]) + "#materials"


@login_required
@require_GET
def case_material_download(request, pk: int, material_id: int):
    case = case_for(request, pk)
    return stored_file_response(get_object_or_404(Material, pk=material_id, case=case))


@login_required
@require_POST
@_refused_back()
def case_submit(request, pk: int):
    case = case_for(request, pk, write=WRITE_ENTERPRISE_ADMIN)
    ask = confirmation_page(
        request,
        question=_("Submit the application %(reference)s to %(cb)s?")
        % {"reference": case.reference, "cb": case.cb.name},
        consequence=_(
            "Once submitted, the application and its eligibility result are frozen; it changes again only if the "
            "certification body asks for more information."
        ),
        button=_("Yes, submit the application"),
        back=reverse("case_detail", args=[case.pk]),
    )
    if ask is not None:
        return ask
    services.application_submit(case=case, by=request.user)
    messages.success(request, _("The application is submitted to %(cb)s.") % {"cb": case.cb.name})
    return _back(case)


@login_required
@require_POST
@_refused_back()
def case_withdraw(request, pk: int):
    case = case_for(request, pk, write=WRITE_ENTERPRISE_ADMIN)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        refusal_messages(request, form_errors(form))
    else:
        services.case_withdraw(case=case, reason=form.cleaned_data["reason"], by=request.user)
        messages.success(request, _("The application is withdrawn."))
    return _back(case)


@login_required
@require_POST
def case_info_answer(request, pk: int, item_id: int):
    access = case_access(request, pk, write=WRITE_ENTERPRISE_ADMIN)
    case = access.obj
    item = InfoItem.objects.filter(pk=item_id, case=case).first()
    if item is None:
        raise Http404
    form = AnswerForm(request.POST)
    problems: list[str] = []
    if not form.is_valid():
        problems = form_errors(form)
    else:
        try:
            files = request.FILES.getlist("files")
            item = services.info_answer(item=item, answer=form.cleaned_data["answer"], by=request.user, files=files)
        except Refused as exc:
            problems = exc.problems
    if _is_htmx(request):
        context = detail_context(request, access, _lang())
        context.update({"item": item, "item_problems": problems})
        return render(request, "certification/case_detail.html#info-item", context)
    refusal_messages(request, problems)
    return _back(case, "info")


@login_required
@require_GET
def case_info_file_download(request, pk: int, file_id: int):
    """A file sent with an answer to a request for more information (whoever may see the case)."""
    case = case_for(request, pk)
    return stored_file_response(get_object_or_404(InfoAttachment, pk=file_id, item__case=case))


@login_required
@require_POST
def case_review(request, pk: int):
    access = case_access(request, pk, write=WRITE_REVIEW)
    case = access.obj
    form = ReviewForm(request.POST)
    problems: list[str] = []
    if not form.is_valid():
        problems = form_errors(form)
    else:
        d = form.cleaned_data
        ids = Exclusion.objects.filter(application__case=case).values_list("pk", flat=True)
        try:
            review.review_save(
                case=case,
                by=request.user,
                audit_mode=d["audit_mode"],
                risk_class=d["risk_class"],
                outlets_visited=d["outlets_visited"],
                scope_confirmed=d["scope_confirmed"],
                exclusions=exclusion_decisions(request.POST, ids),
                man_days_override=d["man_days_override"],
                override_reason=d["override_reason"],
            )
        except Refused as exc:
            problems = exc.problems
    if _is_htmx(request):
        context = detail_context(request, access, _lang())
        context["review_problems"] = problems
        return render(request, "certification/case_detail.html#review", context)
    refusal_messages(request, problems)
    if not problems:
        messages.success(request, _("The review is saved."))
    return _back(case, "review")


@login_required
@require_POST
@_refused_back("review")
def case_request_info(request, pk: int):
    case = case_for(request, pk, write=WRITE_REVIEW)
    form = InfoRequestForm(request.POST)
    if not form.is_valid():
        refusal_messages(request, form_errors(form))
    else:
        review.application_request_info(
            case=case, questions=form.cleaned_data["questions"].splitlines(), by=request.user
        )
        messages.success(request, _("The applicant is asked for more information."))
    return _back(case, "review")


@login_required
@require_POST
@_refused_back("review")
def case_refuse(request, pk: int):
    case = case_for(request, pk, write=WRITE_REVIEW)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        refusal_messages(request, form_errors(form))
    else:
        review.application_refuse(case=case, reason=form.cleaned_data["reason"], by=request.user)
        messages.success(request, _("The application is refused."))
    return _back(case, "review")


@login_required
@require_POST
@_refused_back("quotation")
def case_accept(request, pk: int):
    case = case_for(request, pk, write=WRITE_REVIEW)
    form = AcceptForm(request.POST)
    if not form.is_valid():
        refusal_messages(request, form_errors(form))
    else:
        review.application_accept(case=case, travel_estimate=form.cleaned_data["travel_estimate"], by=request.user)
        messages.success(request, _("The application is accepted and the quotation issued."))
    return _back(case, "quotation")


@login_required
@require_POST
@_refused_back("contract")
def case_contract(request, pk: int):
    case = case_for(request, pk, write=WRITE_REVIEW)
    form = ContractForm(request.POST, request.FILES)
    if not form.is_valid():
        refusal_messages(request, form_errors(form))
    else:
        d = form.cleaned_data
        review.contract_record(
            case=case, signed_on=d["signed_on"], signed_by=d["signed_by"], upload=d["file"], by=request.user
        )
        messages.success(request, _("The contract is recorded as signed."))
    return _back(case, "contract")


@login_required
@require_GET
def case_contract_file(request, pk: int):
    access = case_access(request, pk)
    case = access.obj
    contract = Contract.objects.filter(case=case).exclude(file="").first()
    if contract is None or not access.holds(*ENTERPRISE_ROLES, *CB_STAFF_ROLES):
        raise Http404
    return FileResponse(contract.file.open("rb"), as_attachment=True, filename=contract.original_name)
