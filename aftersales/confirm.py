"""A confirmation step before an irreversible write (submit an application, freeze a
self-assessment, issue the final report, issue a certificate), without JavaScript: a view whose
POST lacks `confirm=yes` answers a page that states what will happen and posts the same fields
again with `confirm=yes`. The view resolves access first, so outsiders still get 404/403.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

CONFIRM_FIELD = "confirm"


def confirmed(request) -> bool:
    return request.POST.get(CONFIRM_FIELD) == "yes"


def confirmation_page(request, *, question: str, consequence: str, button: str, back: str) -> HttpResponse | None:
    """None when the POST is confirmed; else the page that asks (status 200, nothing changed)."""
    if confirmed(request):
        return None
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in {"csrfmiddlewaretoken", CONFIRM_FIELD}
        for value in values
    ]
    context = {
        "question": question,
        "consequence": consequence,
        "button": button,
        "back": back,
        "action": request.path,
        "fields": fields,
    }
    return render(request, "confirm.html", context)
