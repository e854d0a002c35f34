"""Messages that belong to one item of a scoring page (the self-assessment's or the audit's): an
evidence upload that was refused is shown at its item, in its opened evidence panel, where the
redirect scrolls to, not at the top of a page some thousands of pixels above."""

from __future__ import annotations

from django.contrib import messages

TAG = "at-item:"


def item_error(request, code: str, text: str) -> None:
    """An error message for item `code`: the scoring page draws it at the item."""
    messages.error(request, text, extra_tags=f"{TAG}{code}")


def item_messages_placed(request, context: dict) -> dict:
    """Put the pending messages where they belong: an item's on its row (`evidence_errors`), the
    others in `messages` (instead of the context processor's) for the top of the page."""
    page, by_item = [], {}
    for m in messages.get_messages(request):
        tag = next((t for t in m.extra_tags.split() if t.startswith(TAG)), None)
        if tag is None:
            page.append(m)
        else:
            by_item.setdefault(tag.removeprefix(TAG), []).append(m)
    for row in context["rows"]:
        if "item" in row and (found := by_item.pop(row["item"]["node"].code, None)):
            row["item"]["evidence_errors"] = [m.message for m in found]
    # a message for an item the page does not show still reaches the user
    page.extend(m for found in by_item.values() for m in found)
    context["messages"] = page
    return context
