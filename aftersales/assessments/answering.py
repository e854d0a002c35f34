"""Saving one item's answer from a posted form: the self-assessment page and the audit scoring page
both go through here, so validation, version conflicts and messages behave the same on both."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from aftersales.core.problems import ProblemsError
from aftersales.core.text import normalise_language

from .forms import AnswerForm
from .models import Answer
from .services import EditConflict


def answer_post(
    request, save: Callable[..., Answer], *, refused: dict[type[Exception], str]
) -> tuple[list[str], Answer | None]:
    """Validate the posted answer and call `save(kind=…, expected_version=…, …, by=request.user)`.

    Returns (errors, conflict): the problems to show, or the answer someone else saved first.
    `refused` maps the exceptions that mean "this can no longer change" to the message shown
    (an empty message shows the exception's own text)."""
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return [f"{form.fields[f].label or f}: {' '.join(e)}" for f, e in form.errors.items()], None
    data = form.cleaned_data
    try:
        save(
            kind=data["kind"],
            expected_version=data["version"],
            sampled=data["sampled"],
            nonconforming=data["nonconforming"],
            awarded=data["awarded"],
            reason=data["reason"],
            note=data["note"],
            by=request.user,
        )
    except ProblemsError as exc:
        return [p.message(normalise_language(get_language())) for p in exc.problems], None
    except EditConflict as exc:
        return [], exc.current
    except tuple(refused) as exc:
        message = next(text for kind, text in refused.items() if isinstance(exc, kind))
        return [message or str(exc)], None
    return [], None


def answer_messages(request, code: str, errors: list[str], conflict: Answer | None) -> None:
    """For a plain (non-htmx) post: the errors and the conflict as messages on the next page."""
    for error in errors:
        messages.error(request, f"{code}: {error}")
    if conflict is not None:
        messages.error(
            request, _("Someone else saved item %(code)s first; the page shows their answer.") % {"code": code}
        )
