"""Rows of the persona × URL matrix for the regulator report: the CB's cb_admin only; every
other persona (reviewers, auditors and the committee of the same CB included) gets 404."""

from django.urls import reverse
from django.utils import timezone

from aftersales.regulator.selectors import last_month
from aftersales.regulator.services import regulator_export

from .personas import expect

ADMIN = {"cb_admin"}


def routes(world) -> dict:
    month = last_month(timezone.localdate())
    export = regulator_export(cb=world["cb"], month=month, by_label="test")
    return {
        "regulator_home": ("get", reverse("regulator_home"), {}, {}, expect(ADMIN, 200)),
        "regulator_export": ("post", reverse("regulator_export"), {"month": f"{month:%Y-%m}"}, {}, expect(ADMIN, 302)),
        "regulator_download": ("get", reverse("regulator_download", args=[export.pk]), {}, {}, expect(ADMIN, 200)),
        "regulator_export_detail": (
            "get",
            reverse("regulator_export_detail", args=[export.pk]),
            {},
            {},
            expect(ADMIN, 200),
        ),
        "regulator_queue": ("get", reverse("regulator_queue"), {}, {}, expect(ADMIN, 200)),
        # the world's records were all reported above: the queue's export answers "nothing is due"
        "regulator_queue_export": (
            "post",
            reverse("regulator_queue_export"),
            {"channel": "json"},
            {},
            expect(ADMIN, 400),
        ),
    }
