"""How a notification reaches its person: preferences, the daily digest, once only; the daily
job's rectification deadlines and the cycle's reminders in the app."""

from datetime import date, timedelta

import pytest
from django.core import mail

from aftersales.audits import findings
from aftersales.certificates.models import Reminder
from aftersales.certification.models import Case
from aftersales.notifications import daily, services
from aftersales.notifications.kinds import Kind
from aftersales.notifications.models import Mail, Notification
from tests.audits.factories import case_at
from tests.certification.helpers import make_case

pytestmark = pytest.mark.django_db


def submitted(world, capture):
    with capture(execute=True):
        return make_case(world, Case.Status.SUBMITTED)


def test_a_kind_kept_in_the_app_sends_no_mail(world, people, django_capture_on_commit_callbacks):
    services.preference_save(user=people["reviewer"], app_only=[Kind.APPLICATION_SUBMITTED], digest=False)
    submitted(world, django_capture_on_commit_callbacks)
    assert Notification.objects.filter(kind=Kind.APPLICATION_SUBMITTED).count() == 2  # cb_admin, reviewer
    assert [m.to for m in mail.outbox] == [["cb_admin@example.cn"]]


def test_a_person_without_an_address_is_told_in_the_app_only(world, people, django_capture_on_commit_callbacks):
    people["cb_admin"].email = ""
    people["cb_admin"].save(update_fields=["email"])
    submitted(world, django_capture_on_commit_callbacks)
    assert Notification.objects.filter(user=people["cb_admin"]).count() == 1
    assert [m.to for m in mail.outbox] == [["reviewer@example.cn"]]


def test_the_digest_bundles_the_days_mails_into_one_sent_once(world, people, django_capture_on_commit_callbacks):
    services.preference_save(user=people["ent_admin"], app_only=[], digest=True)
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(world, Case.Status.ACCEPTED)  # accepted: a notification to the enterprise
        from aftersales.certification import review

        review.contract_record(case=case, signed_on=date(2026, 1, 5), signed_by="张伟", by=people["reviewer"])
    assert not [m for m in mail.outbox if m.to == ["ent_admin@example.cn"]]  # waiting for the digest
    assert len([m for m in mail.outbox if m.to == ["ent_member@example.cn"]]) == 2  # no digest: one each
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.digests_send(today=date(2026, 12, 8))
    [digest] = [m for m in mail.outbox if m.to == ["ent_admin@example.cn"]]
    assert len(sent) == 1 and "2" in digest.subject
    assert case.reference in digest.body and digest.body.count(case.reference) >= 2
    with django_capture_on_commit_callbacks(execute=True):
        assert services.digests_send(today=date(2026, 12, 8)) == []  # nothing waits any more
    assert Notification.objects.filter(user=people["ent_admin"], digest_pending=True).count() == 0


def test_a_mail_is_sent_once_even_when_its_job_runs_twice(world, people, django_capture_on_commit_callbacks):
    from aftersales.notifications.tasks import mail_send

    submitted(world, django_capture_on_commit_callbacks)
    first = Mail.objects.order_by("id").first()
    assert first.sent_at is not None
    assert mail_send.call(first.pk) is False and len(mail.outbox) == 2


def test_notifications_are_worded_in_their_persons_language(world, people, django_capture_on_commit_callbacks):
    people["reviewer"].language = "en"
    people["reviewer"].save(update_fields=["language"])
    case = submitted(world, django_capture_on_commit_callbacks)
    en = Notification.objects.get(user=people["reviewer"])
    zh = Notification.objects.get(user=people["cb_admin"])
    assert en.subject == f"{case.reference}: application of 甲企业 submitted"
    assert zh.subject == f"{case.reference}：甲企业已提交申请"


def test_rectification_due_and_overdue_are_told_once_each(world, people):
    case = case_at(world, Case.Status.RECTIFICATION)  # one minor nonconformity, 60 days (policy)
    nc = case.audit.findings.get()
    due = nc.deadline
    assert daily.rectification_notices(today=due - timedelta(days=31)) == 0  # no lead reached yet
    told = daily.rectification_notices(today=due - timedelta(days=30))
    assert told == 3  # ent_admin, ent_member, the team's auditor
    assert daily.rectification_notices(today=due - timedelta(days=29)) == 0  # the same lead: once
    assert daily.rectification_notices(today=due - timedelta(days=7)) == 3
    assert daily.rectification_notices(today=due + timedelta(days=1)) == 3
    assert daily.rectification_notices(today=due + timedelta(days=2)) == 0
    keys = sorted(set(Notification.objects.filter(kind=Kind.RECTIFICATION_DUE).values_list("key", flat=True)))
    assert keys == [f"rectification:{nc.pk}:due:30", f"rectification:{nc.pk}:due:7", f"rectification:{nc.pk}:overdue"]
    assert not Notification.objects.filter(user__in=[people["other_admin"], people["auditor_other"]]).exists()


def test_an_answered_nonconformity_is_not_reminded(world, people):
    case = case_at(world, Case.Status.RECTIFICATION)
    nc = case.audit.findings.get()
    findings.finding_answer(
        finding=nc, cause="疏漏", correction="已发布", corrective_action="建立审批", by=people["ent_admin"]
    )
    findings.finding_verify(finding=nc, accept=True, reason="", by=people["auditor"])
    assert daily.rectification_notices(today=nc.deadline + timedelta(days=1)) == 0


def test_the_cycles_reminders_reach_the_organisations_admins_in_the_app(world, people):
    Reminder.objects.create(
        key="surveillance:X:1.1:30",
        kind=Reminder.Kind.SURVEILLANCE_DUE,
        organisation=world["enterprise"],
        due_on=date(2027, 1, 15),
        subject="监督审核将于 2027-01-15 到期",
        body="…",
        recipients=["ent_admin@example.cn"],
    )
    assert daily.reminder_notices(today=date(2026, 12, 16)) == 1
    assert daily.reminder_notices(today=date(2026, 12, 16)) == 0
    [note] = Notification.objects.all()
    assert note.user == people["ent_admin"] and note.kind == Kind.CYCLE and note.mail is None
    assert mail.outbox == []  # the reminder mails itself (certificates/notify.py)


def test_a_mail_the_server_refused_is_sent_by_the_next_daily_run(world, people, settings):
    from django.utils import timezone

    user = people["ent_admin"]
    stuck = Mail.objects.create(user=user, key="n:stuck", to=user.email, subject="证书已颁发", body="…")
    Mail.objects.filter(pk=stuck.pk).update(created=timezone.now() - timedelta(hours=2))
    Mail.objects.create(user=user, key="n:fresh", to=user.email, subject="刚刚排队", body="…")  # its job may still run
    assert services.mails_retry() == 1
    stuck.refresh_from_db()
    assert stuck.sent_at is not None and [m.subject for m in mail.outbox] == ["证书已颁发"]
    assert services.mails_retry() == 0


@pytest.mark.parametrize(("status", "told"), [(Case.Status.DRAFT, 0), (Case.Status.SUBMITTED, 2)])
def test_a_withdrawal_tells_the_cb_only_if_it_saw_the_application(
    world, people, django_capture_on_commit_callbacks, status, told
):
    from aftersales.certification.services import case_withdraw

    case = make_case(world, status)
    with django_capture_on_commit_callbacks(execute=True):
        case_withdraw(case=case, reason="暂不申请", by=people["ent_admin"])
    assert Notification.objects.filter(kind=Kind.CASE_WITHDRAWN).count() == told
