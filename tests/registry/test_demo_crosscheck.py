"""The public registry never contradicts the CB's own records (issue 23 §3): on the demo, for every
certificate, what the registry page, its JSON and the verification page say is checked against the
cycle's own lists (due, overdue and missed on /cycle/), the certificate's status, level and score.

The demo is loaded once for the module (one xdist worker takes the group) and rolled back after it."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from aftersales.certificates.cycle.selectors import cycle_lists
from aftersales.certificates.models import Certificate, CertificateVersion, Surveillance
from aftersales.core.concepts import CertificateStatus, Level

pytestmark = [pytest.mark.django_db(transaction=False), pytest.mark.xdist_group("demo")]
SV = Surveillance.State


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """`load_demo` once, as `make demo` runs it (the daily job included)."""
    folder = tmp_path_factory.mktemp("demo")
    private = override_settings(  # what the autouse fixtures of tests/conftest.py set for a test
        MEDIA_ROOT=folder / "media",
        RECORDS_CACHE_DIR=folder / "records-cache",
        CERT_SIGNING_KEY_FILE=folder / "keys" / "certificate-signing.pem",
        PUBLIC_BASE_URL="http://testserver",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    with django_db_blocker.unblock(), private, transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def cycle_says(c: Certificate, lists: dict) -> tuple[str | None, str | None]:
    """(state, date) the CB's cycle page gives the certificate: overdue (past due or missed) with the
    earliest date it was due, else due with its date, else done / None. Read from the page's lists
    and the certificate's rows, not from the registry's rule."""
    if c.status not in (CertificateStatus.VALID, CertificateStatus.SUSPENDED):
        return None, None
    late = sorted(s.due_by for s in lists["overdue"] if s.certificate_id == c.pk)
    if late:
        return "overdue", late[0].isoformat()
    ahead = c.surveillances.filter(state__in=(SV.PLANNED, SV.OPENED)).order_by("due_by").first()
    if ahead is not None:
        return "due", ahead.due_by.isoformat()
    return ("done" if c.surveillances.filter(state=SV.DONE).exists() else None), None


def test_the_registry_says_what_the_cycle_says_for_every_demo_certificate(demo, client):
    today = timezone.localdate()
    certificates = list(Certificate.objects.select_related("cb").order_by("number"))
    assert len(certificates) >= 6
    lists = {cb: {k: list(v) for k, v in cycle_lists(cb, today).items()} for cb in {c.cb for c in certificates}}
    checked_overdue = 0
    for c in certificates:
        state, due = cycle_says(c, lists[c.cb])
        version = CertificateVersion.objects.get(certificate=c, seq=c.version_count)
        data = json.loads(client.get(f"/api/registry/{c.number}").content)
        page = client.get(f"/registry/{c.number}/?lang=zh-hans").content.decode()
        verify = client.get(reverse("registry_verify", args=[c.number]), HTTP_ACCEPT_LANGUAGE="zh-hans")
        verify = verify.content.decode()
        where = (c.number, c.name)
        assert (data["status"], data["level"], data["score"]) == (c.status, c.level, version.score_display), where
        assert (data["surveillance"]["state"], data["surveillance"]["next_due"]) == (state, due), where
        status, level = CertificateStatus(c.status).text.zh, Level(c.level).text.zh
        for html in (page, verify):
            assert f'data-status="{c.status}"' in html and status in html and level in html, where
            assert version.score_display in html, where
            assert f'data-state="{state or ""}"' in html, where
            if state == "overdue":
                assert f"应于 {due} 前完成，至今未完成" in html, where
        if state == "overdue":
            checked_overdue += 1
            assert "监督审核逾期" in page, where
            # no later planned surveillance passes for the next one
            later = c.surveillances.filter(state=SV.PLANNED, due_by__gt=due).values_list("due_by", flat=True)
            assert all(d.isoformat() not in page for d in later), where
        elif state == "due":
            assert due in page, where
    # 北京京华 (due 2026-12-01, missed) and 深圳鹏达 (suspended, missed) at least
    names = {c.name for c in certificates if cycle_says(c, lists[c.cb])[0] == "overdue"}
    assert {"北京京华家电有限公司", "深圳鹏达电器有限公司"} <= names and checked_overdue == len(names)
