"""Rows of the persona × URL matrix for the certificate cycle (see test_persona_matrix).

The CB's staff who see certificates (cb_admin, reviewer, committee) see the dashboard and the
calendar; only the cb_admin acts (others 403); auditors, enterprises and strangers get 404.
Opening a recertification is for the certificate's enterprise admin or the CB's admin.
"""

from django.urls import reverse

from aftersales.certificates.models import Surveillance
from tests.certificates.factories import issued, new_enterprise

from .personas import expect

CB_VIEW = {"cb_admin", "reviewer", "committee"}


def routes(world) -> dict:
    certificate = issued(world, enterprise=new_enterprise("周期企业"))
    first, second = Surveillance.objects.filter(certificate=certificate).order_by("n")
    second.state = Surveillance.State.MISSED  # as the cycle job leaves it
    second.save(update_fields=["state"])
    # the recertification row acts on a certificate of 甲企业 itself, so its enterprise admin may
    mine = issued(world)
    cb_acts = expect({"cb_admin"}, 302, forbidden=CB_VIEW - {"cb_admin"})
    return {
        "cycle_dashboard": ("get", reverse("cycle_dashboard"), {}, {}, expect(CB_VIEW, 200)),
        "cycle_calendar": ("get", reverse("cycle_calendar") + "?month=2027-01", {}, {}, expect(CB_VIEW, 200)),
        "cycle_surveillance_open": ("post", reverse("cycle_surveillance_open", args=[first.pk]), {}, {}, cb_acts),
        "cycle_proposal_answer": (
            "post",
            reverse("cycle_proposal_answer", args=[second.pk]),
            {"answer": "waive", "reason": "已安排补审"},
            {},
            cb_acts,
        ),
        "cycle_recertification_open": (
            "post",
            reverse("cycle_recertification_open", args=[mine.number]),
            {},
            {},
            expect({"ent_admin", "cb_admin"}, 302, forbidden={"ent_member", "reviewer", "committee"}),
        ),
    }
