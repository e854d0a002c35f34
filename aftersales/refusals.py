"""How a page answers a refused step (`aftersales.core.refusal.Refused`; the API's answer is in
`api_errors`). Nothing was changed, so the page either

- shows the problems on the form it re-renders (catch `Refused` and pass `exc.problems` to the
  template, with status 400 or 409), or
- puts each problem in an error message and sends the user back: `refusal_messages` in a view
  that redirects anyway, or the `redirect_on_refusal(back)` decorator on a view whose only answer
  to a refusal is that redirect.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.html import format_html

from aftersales.core.refusal import Refused


def refusal_messages(request, refusal: Refused | list) -> None:
    """Each problem of the refusal (or each of a list of problems) as an error message; a refusal's
    `offer` (label, URL: the way on, e.g. a certificate's recertification) as a link after them."""
    for problem in refusal.problems if isinstance(refusal, Refused) else refusal:
        messages.error(request, problem)
    offer = getattr(refusal, "offer", None)
    if offer:
        messages.info(request, format_html('<a class="refusal-offer" href="{}">{}</a>', offer[1], offer[0]))


def safe_next(request) -> str:
    """The posted `next` when it is a path on this site ("" otherwise)."""
    nxt = request.POST.get("next", "")
    return nxt if nxt.startswith("/") and not nxt.startswith("//") else ""


def redirect_on_refusal(back: Callable[..., str]):
    """Decorate a view: a `Refused` it raises becomes error messages and a redirect to
    `back(request, *args, **kwargs)` (a URL, called with the view's own arguments)."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except Refused as exc:
                refusal_messages(request, exc)
                return redirect(back(request, *args, **kwargs))

        return wrapper

    return decorate
