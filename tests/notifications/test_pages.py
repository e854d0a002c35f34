"""The notifications pages: the list with its unread count, reading, preferences, the demo's outbox."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.notifications.models import Mail, Notification, Preference

pytestmark = pytest.mark.django_db


def note(user, n: int, **kw) -> Notification:
    return Notification.objects.create(
        user=user,
        kind="plan",
        key=f"k{n}",
        subject=f"AS-2026-000{n}：审核计划已发送",
        body="正文",
        link="/cases/",
        **kw,
    )


def test_the_list_shows_ones_own_notifications_and_the_unread_count(client, people):
    for n in range(3):
        note(people["ent_admin"], n)
    note(people["other_admin"], 9)
    client.force_login(people["ent_admin"])
    page = client.get(reverse("notification_list")).content.decode()
    assert page.count("审核计划已发送") == 3 and "AS-2026-0009" not in page
    assert "data-unread-count>3</span>" in page


def test_opening_a_notification_reads_it(client, people):
    mine = note(people["ent_admin"], 1)
    note(people["ent_admin"], 2)
    client.force_login(people["ent_admin"])
    page = client.get(reverse("notification_detail", args=[mine.pk])).content.decode()
    mine.refresh_from_db()
    assert mine.read_at is not None and "data-unread-count>1</span>" in page
    unread = client.get(reverse("notification_list") + "?show=unread").content.decode()
    assert "AS-2026-0002" in unread and "AS-2026-0001" not in unread


def test_another_persons_notification_is_404(client, people):
    theirs = note(people["ent_member"], 1)
    client.force_login(people["ent_admin"])
    assert client.get(reverse("notification_detail", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_reads_only_ones_own(client, people):
    note(people["ent_admin"], 1)
    theirs = note(people["ent_member"], 2)
    client.force_login(people["ent_admin"])
    client.post(reverse("notifications_read_all"))
    assert not Notification.objects.filter(user=people["ent_admin"], read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_list_page_makes_as_many_queries_for_50_as_for_2(client, people):
    user = people["ent_admin"]
    for n in range(2):
        note(user, n)
    client.force_login(user)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("notification_list")).status_code == 200
    for n in range(2, 50):
        note(user, n)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("notification_list")).status_code == 200
    assert len(many) == len(few)


def test_preferences_are_saved_per_kind_and_digest(client, people):
    client.force_login(people["reviewer"])
    response = client.post(
        reverse("notification_preferences"), {"kind-application_submitted": "app", "kind-plan": "mail", "digest": "1"}
    )
    assert response.status_code == 302
    pref = Preference.objects.get(user=people["reviewer"])
    assert pref.app_only == ["application_submitted"] and pref.digest is True
    page = client.get(reverse("notification_preferences")).content.decode()
    assert re.search(r'name="kind-application_submitted" value="app"[^>]*checked', page)
    assert re.search(r'name="kind-plan" value="mail"[^>]*checked', page)


def test_the_outbox_lists_mails_only_in_the_demo(client, people, settings):
    Mail.objects.create(user=people["ent_admin"], key="m1", to="ent_admin@example.cn", subject="证书已颁发", body="…")
    assert client.get(reverse("outbox")).status_code == 404
    settings.DEBUG = True
    page = client.get(reverse("outbox")).content.decode()
    assert "证书已颁发" in page and "ent_admin@example.cn" in page
