from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.accounts.selectors import enterprises_of
from aftersales.checklist.reader import parse_checklist_bytes
from aftersales.confirm import confirmation_page
from aftersales.core.problems import ProblemsError
from aftersales.core.text import normalise_language
from aftersales.generated import checklist_xlsx
from aftersales.schemes.models import SchemeVersion
from aftersales.schemes.selectors import scheme_of
from aftersales.uploads import stored_file_response

from . import importing, services
from .access import assessment_access, assessment_child_for, assessment_for
from .answering import answer_messages, answer_post
from .evidence import EvidenceRefused, evidence_add, evidence_remove
from .forms import SpecialForm, StartForm
from .item_messages import item_error, item_messages_placed
from .models import Evidence, SpecialFinding
from .presenters import item_context, page_context
from .selectors import assessment_score, filled_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FROZEN = gettext_lazy("This assessment is finished and can no longer change.")


def _refuse_frozen(request) -> None:
    messages.error(request, FROZEN)


def _lang() -> str:
    return normalise_language(get_language())


@login_required
@require_POST
def assessment_new(request):
    enterprises = list(enterprises_of(request.user))
    form = StartForm(request.POST)
    if enterprises and not form.is_valid() and set(form.errors) == {"title"}:
        messages.error(request, _("Name: at most 200 characters."))
        return redirect("dashboard")
    if not enterprises or not form.is_valid():
        raise Http404
    enterprise = enterprises[0]
    scheme_version = SchemeVersion.objects.filter(pk=form.cleaned_data["scheme"]).first()
    if scheme_version is None:
        raise Http404
    baseline = None
    if form.cleaned_data.get("baseline"):
        baseline = assessment_for(request, form.cleaned_data["baseline"])
    assessment = services.assessment_start(
        enterprise=baseline.enterprise if baseline else enterprise,
        scheme_version=scheme_version,
        by=request.user,
        baseline=baseline,
        title=form.cleaned_data["title"],
    )
    return redirect("assessment_detail", pk=assessment.pk)


@login_required
@require_GET
def assessment_detail(request, pk: int):
    context = page_context(request, assessment_access(request, pk), _lang())
    return render(request, "assessments/detail.html", item_messages_placed(request, context))


@login_required
@require_POST
def answer_save(request, pk: int, code: str):
    assessment = assessment_for(request, pk)
    errors, conflict = answer_post(
        request,
        partial(services.answer_save, assessment=assessment, item_code=code),
        refused={services.AssessmentFrozen: str(FROZEN)},
    )
    if request.headers.get("HX-Request") != "true":
        answer_messages(request, code, errors, conflict)
        return redirect(f"{assessment.get_absolute_url()}#item-{code}")
    live = assessment_score(assessment)
    context = item_context(
        request,
        assessment,
        live,
        code,
        _lang(),
        errors=errors,
        conflict=conflict,
        posted=request.POST if (errors or conflict) else None,
    )
    return render(request, "assessments/detail.html#item-saved", context)


@login_required
@require_POST
def special_add(request, pk: int):
    assessment = assessment_for(request, pk)
    form = SpecialForm(request.POST)
    if form.is_valid():
        try:
            services.special_add(assessment=assessment, by=request.user, **form.cleaned_data)
        except ProblemsError as exc:
            for p in exc.problems:
                messages.error(request, p.message(_lang()))
        except services.AssessmentFrozen:
            _refuse_frozen(request)
    else:
        messages.error(request, _("A special finding needs a type, a kind (for deductions) and a reason."))
    return redirect(f"{assessment.get_absolute_url()}#specials")


@login_required
@require_POST
def special_remove(request, pk: int, finding_id: int):
    assessment, finding = assessment_child_for(request, pk, SpecialFinding, finding_id)
    try:
        services.special_remove(finding=finding, by=request.user)
    except services.AssessmentFrozen:
        _refuse_frozen(request)
    return redirect(f"{assessment.get_absolute_url()}#specials")


@login_required
@require_POST
def assessment_remaining_conform(request, pk: int):
    """Answer every item not answered yet "conform" (each can be changed on its own after)."""
    assessment = assessment_for(request, pk)
    try:
        codes = services.answers_remaining_conform(assessment=assessment, by=request.user)
    except services.AssessmentFrozen:
        _refuse_frozen(request)
    else:
        messages.success(request, _("%(n)s items not answered yet are now “conform”.") % {"n": len(codes)})
    return redirect(assessment.get_absolute_url())


@login_required
@require_POST
def assessment_finish(request, pk: int):
    assessment = assessment_for(request, pk, admin=True)
    ask = confirmation_page(
        request,
        question=_("Finish and freeze the self-assessment “%(title)s”?") % {"title": assessment.title},
        consequence=_("A finished self-assessment can no longer change; its score and level are kept as they are."),
        button=_("Yes, finish and freeze it"),
        back=assessment.get_absolute_url(),
    )
    if ask is not None:
        return ask
    try:
        services.assessment_finish(assessment=assessment, by=request.user)
        messages.success(request, _("The assessment is finished and frozen."))
    except ProblemsError as exc:
        messages.error(
            request,
            _("%(n)s items are not answered yet: %(items)s")
            % {"n": len(exc.problems), "items": _(", ").join(p.where for p in exc.problems[:12])},
        )
    except services.AssessmentFrozen:
        _refuse_frozen(request)
    return redirect(assessment.get_absolute_url())


MAX_UPLOAD = 5 * 1024 * 1024  # bytes; a filled checklist is a few dozen kilobytes


@login_required
@require_GET
def assessment_export(request, pk: int):
    """The checklist .xlsx with this assessment's answers filled in, to edit offline and import."""
    assessment = assessment_for(request, pk)
    live = assessment_score(assessment)
    data = checklist_xlsx(
        live.scheme,
        scheme_sha256=assessment.scheme_version.sha256,
        lang=_lang(),
        folder=f"assessment-checklist/{assessment.pk}",
        filled=filled_of(live, assessment),
    )
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="assessment-{assessment.pk}.xlsx"'
    return response


@login_required
@require_POST
def assessment_import(request, pk: int):
    """Import a filled checklist. The file replaces the whole assessment: when that would clear or
    change saved work, the page says what and asks first (the confirmation carries the checked
    file as a signed token: `importing`)."""
    access = assessment_access(request, pk)
    assessment = access.obj
    upload = request.FILES.get("file")
    token = request.POST.get("confirm", "")
    name = upload.name if upload else request.POST.get("name", "")[:200]
    problems: list[str] = []
    confirm = None
    if token:
        try:
            checklist = importing.checklist_from_token(assessment, request.user, token)
        except importing.TokenStale:
            problems = [
                _("The assessment changed since the file was checked, or the check expired: import the file again.")
            ]
        else:
            problems = _import(request, assessment, checklist, name)
    elif upload is None:
        problems = [_("Choose a .xlsx or .csv checklist file.")]
    elif upload.size > MAX_UPLOAD:
        problems = [_("The file is larger than 5 MB; a checklist is much smaller.")]
    else:
        scheme = scheme_of(assessment.scheme_version)
        try:
            checklist = parse_checklist_bytes(scheme, upload.read(), upload.name, complete=False)
        except ProblemsError as exc:
            problems = [p.located(_lang()) for p in exc.problems]
        else:
            effect = importing.import_effect(assessment, scheme, checklist)
            if effect.loses_work and not assessment.is_frozen:
                token = importing.import_token(assessment, request.user, checklist)
                confirm = {"effect": effect, "token": token, "name": name}
            else:
                problems = _import(request, assessment, checklist, name)
    if not problems and confirm is None:
        return redirect(assessment.get_absolute_url())
    context = page_context(request, access, _lang())
    context["import_problems"] = problems
    context["import_name"] = name
    context["import_confirm"] = confirm
    return render(request, "assessments/detail.html", context, status=400 if problems else 200)


def _import(request, assessment, checklist, name: str) -> list[str]:
    """Replace the assessment with the checklist; the problems ([] when done, with a message)."""
    try:
        counts = services.assessment_import(assessment=assessment, checklist=checklist, by=request.user)
    except ProblemsError as exc:
        return [p.located(_lang()) for p in exc.problems]
    except services.AssessmentFrozen:
        return [str(FROZEN)]
    messages.success(
        request,
        _(
            "Imported %(answers)s answers and %(specials)s special findings from %(name)s; "
            "%(cleared)s answers blank in the file were cleared, %(removed)s special findings removed."
        )
        % {
            "answers": counts["answers"],
            "specials": counts["deductions"] + counts["bonuses"],
            "name": name,
            "cleared": counts["cleared"],
            "removed": counts["specials_removed"],
        },
    )
    return []


@login_required
@require_POST
def evidence_upload(request, pk: int, code: str):
    assessment = assessment_for(request, pk)
    upload = request.FILES.get("file")
    if upload is None:  # a refusal is shown at the item, in its opened evidence panel
        item_error(request, code, _("Choose a file to upload."))
    else:
        try:
            evidence_add(assessment=assessment, item_code=code, upload=upload, by=request.user)
        except EvidenceRefused as exc:
            item_error(request, code, str(exc))
        except services.AssessmentFrozen:
            _refuse_frozen(request)
    return redirect(f"{assessment.get_absolute_url()}#item-{code}")


@login_required
@require_GET
def evidence_download(request, pk: int, evidence_id: int):
    _, evidence = assessment_child_for(request, pk, Evidence, evidence_id)
    return stored_file_response(evidence)


@login_required
@require_POST
def evidence_delete(request, pk: int, evidence_id: int):
    assessment, evidence = assessment_child_for(request, pk, Evidence, evidence_id)
    try:
        evidence_remove(evidence=evidence, by=request.user)
    except services.AssessmentFrozen:
        _refuse_frozen(request)
    return redirect(f"{assessment.get_absolute_url()}#item-{evidence.item_code}")
