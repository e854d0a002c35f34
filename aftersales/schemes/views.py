from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from aftersales.core.text import normalise_language
from aftersales.generated import checklist_xlsx

from .selectors import scheme_of, scheme_version_get, scheme_version_list


@require_GET
def scheme_list(request):
    return render(request, "schemes/list.html", {"versions": scheme_version_list()})


@require_GET
def scheme_detail(request, scheme_id: str, version: str):
    row = scheme_version_get(scheme_id=scheme_id, version=version)
    scheme = scheme_of(row)
    lang = normalise_language(get_language())
    rows = [
        {
            "node": node,
            "title": node.title.get(lang),
            "guidance": node.guidance.get(lang) if node.guidance else "",
            "indent": node.depth - 1,
        }
        for node in scheme.walk()
    ]
    context = {
        "row": row,
        "scheme": scheme,
        "title": scheme.title.get(lang),
        "note": scheme.note.get(lang) if scheme.note else "",
        "rows": rows,
        "levels": [(level, threshold) for level, threshold in scheme.parameters.levels],
        "lang": lang,
    }
    return render(request, "schemes/detail.html", context)


@require_GET
def scheme_checklist(request, scheme_id: str, version: str):
    row = scheme_version_get(scheme_id=scheme_id, version=version)
    scheme = scheme_of(row)
    data = checklist_xlsx(
        scheme, scheme_sha256=row.sha256, lang=normalise_language(get_language()), folder=f"checklist/{row.pk}"
    )
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{scheme.id}-{scheme.version}-checklist.xlsx"'
    return response


@require_GET
def scheme_source(request, scheme_id: str, version: str):
    row = scheme_version_get(scheme_id=scheme_id, version=version)
    response = HttpResponse(bytes(row.source), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{row.scheme_id}-{row.version}.yaml"'
    return response
