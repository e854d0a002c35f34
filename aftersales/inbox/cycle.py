"""What the certificate cycle asks of the CB admin: surveillance audits to open (due, or overdue),
proposed suspensions to answer after a missed surveillance, recertifications to open. Read from
the cycle dashboard's own lists (certificates.cycle.selectors), so both always agree."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from aftersales.accounts.models import Role
from aftersales.certificates.cycle.selectors import cycle_lists
from aftersales.certificates.models import Surveillance
from aftersales.core import cycle as rules
from aftersales.policy import policy_on

from .items import Item, Who

SV = Surveillance.State


def _subject(certificate) -> str:
    return f"{certificate.number} · {certificate.name}"


def cycle_items(who: Who, today: date) -> list[Item]:
    cbs = who.orgs(Role.CB_ADMIN)
    if not cbs:
        return []
    url = reverse("cycle_dashboard")
    months = policy_on(today).recertification_open_months
    items = []
    for cb in sorted(cbs):  # a user administers one CB, rarely more: queries grow with CBs, not items
        lists = cycle_lists(cb, today)
        for s in lists["due"].filter(state=SV.PLANNED).exclude(certificate__enterprise_id__in=who.enterprises):
            what = _("Open surveillance audit %(n)s") % {"n": s.n}
            items.append(Item("surveillance.open", what, _subject(s.certificate), url, s.window_opens, s.due_by, today))
        overdue = lists["overdue"].exclude(certificate__enterprise_id__in=who.enterprises)
        for s in overdue.filter(state__in=[SV.PLANNED, SV.MISSED]):
            if s.state == SV.PLANNED:
                what = _("Open surveillance audit %(n)s") % {"n": s.n}
                items.append(
                    Item("surveillance.open", what, _subject(s.certificate), url, s.window_opens, s.due_by, today)
                )
            elif not s.proposal_answer:  # the proposal waits for the CB's answer (cycle_proposal_answer)
                if s.certificate.is_valid:
                    what = _("Surveillance audit %(n)s was missed: suspend the certificate or waive")
                else:
                    what = _("Surveillance audit %(n)s was missed: withdraw the certificate or keep it suspended")
                what %= {"n": s.n}
                since = s.missed_on or s.due_by
                items.append(Item("surveillance.missed", what, _subject(s.certificate), url, since, s.due_by, today))
        recertifications = lists["recertification"].filter(recert_case_id=None)
        for c in recertifications.exclude(enterprise_id__in=who.enterprises):
            what = _("Open the recertification")
            since = rules.recertification_opens(c.expires_on, months)
            items.append(Item("recertification.open", what, _subject(c), url, since, c.expires_on, today))
    return items
