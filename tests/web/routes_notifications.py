"""Rows of the persona × URL matrix for notifications (see test_persona_matrix): a person sees only
their own; the demo's outbox answers 404 unless DEBUG is on."""

from django.urls import reverse

from aftersales.notifications.models import Notification

from .personas import LOGGED_IN, expect


def routes(world) -> dict:
    mine = Notification.objects.create(
        user=world["people"]["ent_admin"], kind="plan", key="matrix", subject="审核计划已发送", body="…"
    )
    return {
        "notification_list": ("get", reverse("notification_list"), {}, {}, expect(LOGGED_IN, 200)),
        "notification_detail": (
            "get",
            reverse("notification_detail", args=[mine.pk]),
            {},
            {},
            expect({"ent_admin"}, 200),
        ),
        "notifications_read_all": ("post", reverse("notifications_read_all"), {}, {}, expect(LOGGED_IN, 302)),
        "notification_preferences": ("get", reverse("notification_preferences"), {}, {}, expect(LOGGED_IN, 200)),
        "outbox": ("get", reverse("outbox"), {}, {}, expect(set(), 200, anonymous=404)),
    }
