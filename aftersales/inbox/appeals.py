"""What waits on appeals and complaints: the CB admin assigns a handler; the handler acknowledges,
reviews and decides, each by the deadlines fixed when the appeal was lodged (the CB policy's
`appeals` days)."""

from __future__ import annotations

from datetime import date

from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _

from aftersales.accounts.models import Role
from aftersales.appeals.models import OPEN, Appeal, AppealEvent

from .items import Item, Who, day

A = Appeal.Status


def appeal_items(who: Who, today: date) -> list[Item]:
    admin_of = who.orgs(Role.CB_ADMIN)
    mine = Q(handler=who.user)
    if admin_of:
        mine |= Q(cb_id__in=admin_of, handler__isnull=True)
    last = AppealEvent.objects.filter(appeal=OuterRef("pk")).order_by("-seq").values("at")[:1]
    appeals = (
        Appeal.objects.filter(mine, status__in=OPEN)
        .exclude(enterprise_id__in=who.enterprises)
        .select_related("enterprise")
        .annotate(last_step_at=Subquery(last))
        .order_by("pk")
    )
    items = []
    for a in appeals:
        kind = Appeal.Kind(a.kind).label
        if a.handler_id is None:
            code, what, due = "appeal.assign", _("Assign a handler to the %(kind)s"), a.acknowledge_by
        elif a.status == A.LODGED:
            code, what, due = "appeal.acknowledge", _("Acknowledge the %(kind)s"), a.acknowledge_by
        elif a.status == A.ACKNOWLEDGED:
            code, what, due = "appeal.review", _("Start the review of the %(kind)s"), a.decide_by
        else:
            code, what, due = "appeal.decide", _("Decide the %(kind)s"), a.decide_by
        subject = f"{a.reference} · {a.enterprise.name}"
        url = reverse("appeal_detail", args=[a.pk])
        items.append(Item(code, what % {"kind": kind}, subject, url, day(a.last_step_at), due, today))
    return items
