from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aftersales.accounts.selectors import enterprises_of
from aftersales.core.problems import ProblemsError, problem_from_json
from aftersales.core.records.fields import Kind
from aftersales.core.records.mapping import mapping_title
from aftersales.core.text import normalise_language
from aftersales.params import page_number

from . import kpis, selectors, services
from .access import ADMIN, SAMPLE, cb_enterprises, entry_for, import_for, records_for, sample_for, sample_target
from .forms import CommitmentForm, ImportForm, PeriodForm, RecordFilterForm, SampleForm, VerdictForm
from .models import RECORD_MODELS, Commitment, SampleEntry, StatusCategory
from .models import Kind as KindChoices
from .presenters import kpi_cards

PAGE_SIZE = 50

# the columns of each record list (the rest is on the export)
LIST_COLUMNS = {
    Kind.COMPLAINT: ("external_id", "received_at", "category", "channel", "status", "first_response_at", "closed_at"),
    Kind.WORK_ORDER: (
        "external_id",
        "received_at",
        "product",
        "model",
        "status",
        "arrived_at",
        "completed_at",
        "visits",
    ),
    Kind.RETURN_VISIT: ("external_id", "visited_at", "subject_kind", "subject_id", "channel", "reached", "satisfied"),
    Kind.SURVEY: ("external_id", "answered_at", "scale", "score", "nps", "subject_id"),
}


def _cell(row, name: str) -> str:
    value = getattr(row, name)
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    display = getattr(row, f"get_{name}_display", None)
    return str(display()) if display else str(value)


def _lang() -> str:
    return normalise_language(get_language())


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _kind(kind: str) -> Kind:
    try:
        return Kind(kind)
    except ValueError:
        raise Http404 from None


def problem_texts(record_import, lang: str) -> list[dict]:
    """Every stored problem as {row, column, message} in the user's language."""
    out = []
    for p in record_import.problems:
        if p.get("code"):
            problem = problem_from_json(p)
            out.append(
                {"row": problem.row, "column": problem.column or problem.where, "message": problem.message(lang)}
            )
        else:
            out.append({"row": None, "column": None, "message": _(p["message"]) % {"error": p.get("error", "")}})
    return out


@login_required
@require_GET
def records_home(request):
    """The enterprises whose records the user may see (own first, then those with a case at the
    user's certification body)."""
    own = list(enterprises_of(request.user))
    others = list(cb_enterprises(request.user).exclude(pk__in=[e.pk for e in own]))
    if len(own) == 1 and not others:
        return redirect("records_enterprise", enterprise_id=own[0].pk)
    return render(request, "records/home.html", {"own": own, "others": others})


@login_required
@require_GET
def records_enterprise(request, enterprise_id: int):
    access = records_for(request, enterprise_id)
    enterprise = access.enterprise
    cov = selectors.record_coverage(enterprise)
    context = {
        "access": access,
        "enterprise": enterprise,
        "coverage": cov,
        "summaries": selectors.kind_summaries(enterprise, cov),
        "imports": selectors.imports_of(enterprise)[:10],
        "samples": selectors.samples_of(enterprise)[:10],
        "commitment": selectors.commitment_in_force(enterprise),
    }
    return render(request, "records/enterprise.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def records_import(request, enterprise_id: int):
    access = records_for(request, enterprise_id, need=ADMIN)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        mapping_name, mapping_bytes = form.mapping_bytes()
        ri = services.record_import_enqueue(
            enterprise=access.enterprise,
            kind=form.cleaned_data["kind"],
            data=upload.read(),
            filename=upload.name,
            mapping_text=mapping_bytes,
            mapping_name=mapping_name,
            by=request.user,
            dry_run=form.cleaned_data["dry_run"],
        )
        return redirect("records_import_detail", enterprise_id=enterprise_id, import_id=ri.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "records/import.html", {"access": access, "enterprise": access.enterprise, "form": form}, status=status
    )


@login_required
@require_GET
def records_import_detail(request, enterprise_id: int, import_id: int):
    access, ri = import_for(request, enterprise_id, import_id)
    context = {
        "access": access,
        "enterprise": access.enterprise,
        "ri": ri,
        "mapping_title": mapping_title(ri.mapping_name),
        "problems": problem_texts(ri, _lang()) if ri.status == "failed" else [],
    }
    if _is_htmx(request):
        return render(request, "records/import_detail.html#progress", context)
    return render(request, "records/import_detail.html", context)


@login_required
@require_GET
def records_list(request, enterprise_id: int, kind: str):
    access = records_for(request, enterprise_id)
    kind = _kind(kind)
    form = RecordFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    date_from, date_to = filters.get("date_from"), filters.get("date_to")
    kpi_id, drill = filters.get("kpi") or "", None
    keys = None
    if kpi_id:
        try:
            drill = selectors.kpi_drill_keys(access.enterprise, kpi_id=kpi_id, date_from=date_from, date_to=date_to)
        except (StopIteration, ProblemsError):
            raise Http404 from None
        drill = drill.filter(drill["kind"] == str(kind))
        keys = sorted(drill["external_id"].to_list())
    if keys is not None:
        # the drill-down: page over the keys, fetch only the page's records
        paginator = Paginator(keys, PAGE_SIZE)
        page = paginator.get_page(page_number(request.GET.get("page")))
        counted = dict(zip(drill["external_id"].to_list(), drill["counted"].to_list(), strict=True))
        rows = list(selectors.record_list(access.enterprise, kind, keys=list(page.object_list)))
        for row in rows:
            row.counted = counted.get(row.external_id)
    else:
        qs = selectors.record_list(
            access.enterprise,
            kind,
            date_from=date_from,
            date_to=date_to,
            status=filters.get("status", ""),
            search=filters.get("q", ""),
        )
        paginator = Paginator(qs, PAGE_SIZE)
        page = paginator.get_page(page_number(request.GET.get("page")))
        rows = list(page.object_list)
    columns = LIST_COLUMNS[kind]
    model = RECORD_MODELS[kind]
    headers = [model._meta.get_field(name).verbose_name for name in columns]
    table = [(row, [_cell(row, name) for name in columns]) for row in rows]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "access": access,
        "enterprise": access.enterprise,
        "kind": kind,
        "kind_label": KindChoices(kind).label,
        "form": form,
        "page": page,
        "headers": headers,
        "table": table,
        "kpi_id": kpi_id,
        "statuses": StatusCategory.choices,
        "query": query.urlencode(),
        "kinds": list(RECORD_MODELS),
    }
    return render(request, "records/list.html", context)


@login_required
@require_GET
def records_kpis(request, enterprise_id: int):
    """The KPI figures of a period; for a large record set computed in the background while the page
    says so and polls (records/kpis.py)."""
    access = records_for(request, enterprise_id)
    form = PeriodForm(request.GET or None)
    period = form.cleaned_data if form.is_valid() else {}
    date_from, date_to = period.get("date_from"), period.get("date_to")
    period_query = "&".join(f"{k}={v}" for k, v in (("date_from", date_from), ("date_to", date_to)) if v is not None)
    lang = _lang()

    def draw(report) -> str:  # the cards with their charts: drawn once per figure set and language
        context = {"enterprise": access.enterprise, "cards": kpi_cards(report, lang), "period_query": period_query}
        return render_to_string(kpis.CARDS_TEMPLATE, context)  # no request: one drawing for every viewer

    problems, figures = [], None
    try:
        figures = kpis.kpi_figures_for_page(
            access.enterprise, date_from=date_from, date_to=date_to, lang=lang, draw=draw
        )
    except ProblemsError as exc:
        problems = [p.message(lang) for p in exc.problems]
    context = {
        "access": access,
        "enterprise": access.enterprise,
        "form": form,
        "figures": figures,
        "problems": problems,
        "commitment": figures.commitment if figures else selectors.commitment_in_force(access.enterprise, date_to),
    }
    if _is_htmx(request):
        return render(request, "records/kpis.html#figures", context)
    return render(request, "records/kpis.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def records_commitments(request, enterprise_id: int):
    need = ADMIN if request.method == "POST" else "view"
    access = records_for(request, enterprise_id, need=need)
    form = CommitmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.commitment_publish(enterprise=access.enterprise, by=request.user, **form.cleaned_data)
        messages.success(request, _("The new commitments are published."))
        return redirect("records_commitments", enterprise_id=enterprise_id)
    context = {
        "access": access,
        "enterprise": access.enterprise,
        "form": form,
        "commitments": Commitment.objects.filter(enterprise=access.enterprise).select_related("created_by"),
    }
    return render(request, "records/commitments.html", context, status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def records_samples(request, enterprise_id: int):
    access = records_for(request, enterprise_id, need=SAMPLE if request.method == "POST" else "view")
    form = SampleForm(request.POST or None, initial={"seed": services.new_seed(), "n": 20, "method": "simple"})
    errors: list[str] = []
    target = sample_target(request.user, access.enterprise)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        assessment = target if data["item"] else None
        if data["item"] and assessment is None:
            errors.append(
                _("The enterprise has no draft self-assessment to feed.")
                if access.is_member
                else _("You are on no audit team of this enterprise's case in scoring: there is no audit to feed.")
            )
        else:
            try:
                sample = services.sample_draw(
                    enterprise=access.enterprise,
                    kind=data["kind"],
                    n=data["n"],
                    seed=data["seed"],
                    method=data["method"],
                    date_from=data["date_from"],
                    date_to=data["date_to"],
                    assessment=assessment,
                    item_code=data["item"],
                    by=request.user,
                )
            except ProblemsError as exc:
                errors = [p.message(_lang()) for p in exc.problems]
            except services.SampleRefused as exc:
                errors = [str(exc)]
            else:
                return redirect("records_sample_detail", enterprise_id=enterprise_id, sample_id=sample.pk)
    context = {
        "access": access,
        "enterprise": access.enterprise,
        "form": form,
        "errors": errors,
        "samples": selectors.samples_of(access.enterprise),
        "draft": target,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "records/samples.html", context, status=status)


@login_required
@require_GET
def records_sample_detail(request, enterprise_id: int, sample_id: int):
    access, sample = sample_for(request, enterprise_id, sample_id)
    entries = list(sample.entries.select_related("judged_by"))
    context = {
        "access": access,
        "enterprise": access.enterprise,
        "sample": sample,
        "entries": entries,
        "verdicts": SampleEntry.Verdict.choices,
        "judged": sum(1 for e in entries if e.verdict != "pending"),
        "nonconforming": sum(1 for e in entries if e.verdict == "nonconform"),
    }
    return render(request, "records/sample_detail.html", context)


@login_required
@require_POST
def records_verdict(request, enterprise_id: int, sample_id: int, entry_id: int):
    access, entry = entry_for(request, enterprise_id, sample_id, entry_id)
    if services.verdict_refusal(entry.sample, request.user):
        raise PermissionDenied
    form = VerdictForm(request.POST)
    error = ""
    if not form.is_valid():
        error = _("Choose a verdict.")
    else:
        try:
            entry = services.sample_verdict_save(entry=entry, by=request.user, **form.cleaned_data)
        except services.VerdictRefused as exc:
            error = str(exc)
        except ProblemsError as exc:
            error = "; ".join(p.message(_lang()) for p in exc.problems)
    if not _is_htmx(request):
        if error:
            messages.error(request, error)
        return redirect("records_sample_detail", enterprise_id=enterprise_id, sample_id=sample_id)
    sample = entry.sample
    context = {
        "access": access,
        "enterprise": access.enterprise,
        "sample": sample,
        "e": entry,
        "error": error,
        "verdicts": SampleEntry.Verdict.choices,
        "judged": sample.entries.exclude(verdict="pending").count(),
        "nonconforming": sample.entries.filter(verdict="nonconform").count(),
    }
    if error:
        entry.refresh_from_db()
    return render(request, "records/sample_detail.html#entry-saved", context)
