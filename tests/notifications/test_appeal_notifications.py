"""Each appeal step tells the people who act next; the enterprise's admins, whom the appeal's own
mails reach (appeals/services.py), are not mailed twice."""

from collections import Counter

import pytest
from django.core import mail

from aftersales.appeals import services
from aftersales.notifications.models import Notification
from tests.appeals.factories import lodged
from tests.audits.factories import case_at

pytestmark = pytest.mark.django_db


def test_every_appeal_step_tells_the_next_people_once(world, people, django_capture_on_commit_callbacks):
    case = case_at(world, "decided")  # its own notifications are not delivered here (never committed)
    p = people
    with django_capture_on_commit_callbacks(execute=True):
        appeal = lodged(world, case=case)
        services.appeal_assign(appeal=appeal, handler=p["auditor_other"], by=p["cb_admin"])
        services.appeal_acknowledge(appeal=appeal, by=p["cb_admin"], note="已收到")
        services.appeal_review_start(appeal=appeal, by=p["auditor_other"])
        services.appeal_decide(
            appeal=appeal, outcome="dismissed", reasons="审核记录显示程序合规", by=p["auditor_other"]
        )
    told = Counter(Notification.objects.values_list("user__username", flat=True))
    assert told == {"cb_admin": 2, "auditor_other": 1, "ent_admin": 3, "ent_member": 3}
    mails = Counter(m.to[0].split("@")[0] for m in mail.outbox)
    # ent_admin: the appeal's own two mails and review_started; ent_member: review_started only
    assert mails == {"cb_admin": 2, "auditor_other": 1, "ent_admin": 3, "ent_member": 1}
    assert Notification.objects.filter(user=p["auditor_other"], subject__contains="由您处理").exists()


def test_a_suspension_and_a_withdrawal_tell_the_enterprise_and_the_other_cb_admins(
    world, people, django_capture_on_commit_callbacks
):
    from aftersales.accounts.models import Role, User
    from aftersales.accounts.services import membership_grant
    from aftersales.certificates import services as certificates
    from tests.certificates.factories import issued

    second = User.objects.create_user(username="cb_admin2", password="x-pass-12345", email="cb_admin2@example.cn")
    membership_grant(user=second, organisation=world["cb"], role=Role.CB_ADMIN, by_label="t")
    certificate = issued(world)
    by = people["cb_admin"]
    with django_capture_on_commit_callbacks(execute=True):
        certificates.certificate_suspend(certificate=certificate, reason="监督审核未按期进行", by=by)
        certificates.certificate_withdraw(certificate=certificate, reason="暂停期间未整改", by=by)
    told = Counter(Notification.objects.values_list("user__username", flat=True))
    assert told == {"ent_admin": 2, "ent_member": 2, "cb_admin2": 2}
    subjects = set(Notification.objects.filter(user=people["ent_member"]).values_list("subject", flat=True))
    assert subjects == {f"证书 {certificate.number} 已暂停", f"证书 {certificate.number} 已撤销"}
    suspended = Notification.objects.get(user=people["ent_member"], subject__endswith="已暂停")
    assert suspended.body.endswith("。\n\n理由：监督审核未按期进行")
