"""Appeals and complaints: lodging (grounds, files, deadline), impartial handlers, the state
machine and its refusals, the history, the mails."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from aftersales.appeals import deadlines, services
from aftersales.appeals.models import Appeal, AppealEvent, AppealFile
from aftersales.appeals.selectors import appeal_list, contestable, handler_candidates
from aftersales.appeals.services import AppealRefused
from aftersales.certification.cases import case_event_record
from tests.audits.factories import case_at
from tests.policy import install_policy

from .factories import appeal_in, lodged

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _snapshot(appeal):
    appeal.refresh_from_db()
    return appeal.status, appeal.event_count, AppealEvent.objects.filter(appeal=appeal).count()


# ----------------------------------------------------------------------------------- lodging


def test_it_lodges_a_complaint_with_deadlines_and_a_history_row(world):
    appeal = lodged(world)
    today = timezone.localdate()
    assert appeal.status == "lodged" and appeal.reference.startswith(f"AP-{today.year}-")
    assert appeal.acknowledge_by == today + timedelta(days=7)
    assert appeal.decide_by == today + timedelta(days=60)
    (event,) = appeal.events.all()
    assert (event.action, event.actor, event.to_status, event.reason) == (
        "appeal.lodged",
        world["people"]["ent_admin"],
        "lodged",
        "审核员态度粗暴",
    )


def test_it_takes_the_deadlines_from_the_settings(world, settings):
    install_policy(settings, {"appeals.ack_days": 3, "appeals.decide_days": 20})
    appeal = lodged(world)
    today = timezone.localdate()
    assert (appeal.acknowledge_by, appeal.decide_by) == (today + timedelta(days=3), today + timedelta(days=20))


def test_it_lodges_an_appeal_against_the_committee_decision_with_files(world):
    case = case_at(world, "decided")
    files = [SimpleUploadedFile("申诉书.pdf", b"%PDF-1.4 a"), SimpleUploadedFile("说明.txt", "说明".encode())]
    appeal = lodged(world, case=case, kind="appeal", uploads=files)
    assert appeal.decision == case.decisions.get()
    assert [f.original_name for f in appeal.files.all()] == ["申诉书.pdf", "说明.txt"]
    assert appeal.events.get().data["files"][0]["name"] == "申诉书.pdf"


def test_it_refuses_a_file_that_is_not_what_it_says_and_writes_nothing(world):
    case = case_at(world, "decided")
    with pytest.raises(AppealRefused) as exc:
        lodged(world, case=case, uploads=[SimpleUploadedFile("fake.pdf", b"MZ not a pdf")])
    assert "fake.pdf is not a real .pdf file." in str(exc.value)
    assert not Appeal.objects.exists() and not AppealFile.objects.exists()


def test_it_requires_grounds(world):
    with pytest.raises(AppealRefused, match="Give the grounds"):
        lodged(world, grounds="  ")
    assert not Appeal.objects.exists()


def test_it_requires_an_appeal_to_name_a_decision(world):
    case = case_at(world, "decided")
    with pytest.raises(AppealRefused, match="An appeal names one decision"):
        services.appeal_lodge(case=case, kind="appeal", grounds="x", by=world["people"]["ent_admin"])


def test_it_refuses_a_decision_of_another_case(world):
    case, other = case_at(world, "decided"), case_at(world, "decided")
    with pytest.raises(AppealRefused, match=f"not one of case {case.reference}"):
        lodged(world, case=case, kind="appeal", decision=other.decisions.get())


def test_it_refuses_an_appeal_lodged_after_the_deadline(world, settings):
    install_policy(settings, {"appeals.lodge_days": 10})
    case = case_at(world, "decided")
    decided_on = timezone.localdate(case.decisions.get().decided_at)
    lodged(world, case=case, kind="appeal", today=decided_on + timedelta(days=10))  # the last day is in time
    services.appeal_withdraw(appeal=Appeal.objects.get(), reason="", by=world["people"]["ent_admin"])
    with pytest.raises(AppealRefused) as exc:
        lodged(world, case=case, kind="appeal", today=decided_on + timedelta(days=11))
    assert f"could be appealed until {(decided_on + timedelta(days=10)).isoformat()} (10 days)" in str(exc.value)


def test_it_refuses_a_second_open_appeal_against_one_decision(world):
    case = case_at(world, "decided")
    first = lodged(world, case=case, kind="appeal")
    with pytest.raises(AppealRefused, match="already open"):
        lodged(world, case=case, kind="appeal")
    services.appeal_withdraw(appeal=first, reason="", by=world["people"]["ent_admin"])
    assert lodged(world, case=case, kind="appeal").status == "lodged"


def test_it_refuses_a_complaint_about_a_draft(world):
    from tests.certification.helpers import make_case

    draft = make_case(world, "draft", direct=True)
    with pytest.raises(AppealRefused, match="still a draft"):
        lodged(world, case=draft)


def test_it_appeals_a_certificate_suspension_and_lists_it_as_contestable(world):
    from tests.certificates.factories import certificate_in

    certificate = certificate_in(world, "suspended")
    event = certificate.events.get(to_status="suspended")
    case = certificate.cases.first().case
    keys = {c.key: c for c in contestable(case)}
    assert keys[f"event-{event.pk}"].in_time and not keys[f"event-{event.pk}"].open_appeal
    appeal = lodged(world, case=case, kind="appeal", certificate_event=event)
    assert appeal.certificate_event == event
    assert contestable(case)[-1].open_appeal
    issue = certificate.events.order_by("seq").first()
    with pytest.raises(AppealRefused, match="Only a suspension or a withdrawal"):
        lodged(world, case=case, kind="appeal", certificate_event=issue)
    # cb_admin suspended it: not impartial
    with pytest.raises(AppealRefused) as exc:
        services.appeal_assign(appeal=appeal, handler=world["people"]["cb_admin"], by=world["people"]["cb_admin"])
    assert exc.value.rules == ("certificate",)
    assert f"changed the status of certificate {certificate.number}" in str(exc.value)


# ------------------------------------------------------------------------------- impartiality


@pytest.mark.parametrize(
    ("person", "rule", "words"),
    [
        ("auditor", "audit_team", "auditor was on the audit team of case"),
        ("committee", "decided", "committee took the committee's decision on case"),
        ("other_admin", "not_cb_staff", "other_admin is not a member of the certification body"),
        ("ent_admin", "not_cb_staff", "ent_admin is not a member of the certification body"),
    ],
)
def test_it_refuses_a_handler_involved_in_the_case_and_says_which_rule(world, person, rule, words):
    appeal = lodged(world)
    with pytest.raises(AppealRefused) as exc:
        services.appeal_assign(appeal=appeal, handler=world["people"][person], by=world["people"]["cb_admin"])
    assert exc.value.rules == (rule,)
    assert words in str(exc.value) and appeal.reference in str(exc.value)
    assert _snapshot(appeal) == ("lodged", 1, 1)


def test_it_refuses_the_reviewer_of_the_application(world):
    case = case_at(world, "decided")
    case_event_record(case=case, action="review.saved", by=world["people"]["reviewer"])
    appeal = lodged(world, case=case)
    with pytest.raises(AppealRefused) as exc:
        services.appeal_assign(appeal=appeal, handler=world["people"]["reviewer"], by=world["people"]["cb_admin"])
    assert exc.value.rules == ("reviewed",)
    assert f"reviewer reviewed the application of case {case.reference}" in str(exc.value)


def test_it_refuses_an_auditor_replaced_on_the_team_too(world):
    case = case_at(world, "decided")
    case.audit.team.update(active=False)
    appeal = lodged(world, case=case)
    with pytest.raises(AppealRefused) as exc:
        services.appeal_assign(appeal=appeal, handler=world["people"]["auditor"], by=world["people"]["cb_admin"])
    assert exc.value.rules == ("audit_team",)


def test_it_assigns_an_uninvolved_handler_and_lists_who_may_handle(world):
    appeal = lodged(world)
    p = world["people"]
    event = services.appeal_assign(appeal=appeal, handler=p["auditor_other"], by=p["cb_admin"])
    assert appeal.handler == p["auditor_other"] and not event.public
    assert event.data == {"handler": "auditor_other", "previous": None}
    may = {u.username: [rule for rule, _m in why] for u, why in handler_candidates(appeal)}
    assert may == {
        "auditor": ["audit_team"],
        "auditor_other": [],
        "cb_admin": [],
        "committee": ["decided"],
        "reviewer": ["acted"],  # she saved the audit plan and chose the team
    }
    # replaced by another impartial person
    services.appeal_assign(appeal=appeal, handler=p["cb_admin"], by=p["cb_admin"])
    assert appeal.events.last().data == {"handler": "cb_admin", "previous": "auditor_other"}


# ---------------------------------------------------------------------------------- transitions


def test_it_goes_through_every_state_with_a_history_row_each(world):
    p = world["people"]
    p["ent_admin"].email = "admin@jia.example.cn"
    p["ent_admin"].save()
    appeal = lodged(world)
    services.appeal_assign(appeal=appeal, handler=p["auditor_other"], by=p["cb_admin"])
    services.appeal_acknowledge(appeal=appeal, by=p["cb_admin"], note="已收到")
    services.appeal_review_start(appeal=appeal, by=p["auditor_other"])
    services.appeal_note(appeal=appeal, text="调阅了审核记录", by=p["auditor_other"])
    services.appeal_decide(
        appeal=appeal, outcome="partly_upheld", reasons="部分属实", remedy="更换审核组长重新审核", by=p["auditor_other"]
    )
    appeal.refresh_from_db()
    assert (appeal.status, appeal.outcome, appeal.decided_by) == ("decided", "partly_upheld", p["auditor_other"])
    rows = list(appeal.events.values_list("seq", "action", "actor__username", "from_status", "to_status", "public"))
    assert rows == [
        (1, "appeal.lodged", "ent_admin", "", "lodged", True),
        (2, "appeal.handler_assigned", "cb_admin", "", "", False),
        (3, "appeal.acknowledged", "cb_admin", "lodged", "acknowledged", True),
        (4, "appeal.review_started", "auditor_other", "acknowledged", "under_review", True),
        (5, "appeal.note", "auditor_other", "", "", False),
        (6, "appeal.decided", "auditor_other", "under_review", "decided", True),
    ]
    assert appeal.events.last().data == {"outcome": "partly_upheld", "remedy": "更换审核组长重新审核"}
    assert [m.to for m in mail.outbox] == [["admin@jia.example.cn"], ["admin@jia.example.cn"]]
    assert appeal.reference in mail.outbox[1].subject and "部分属实" in mail.outbox[1].body
    assert "更换审核组长重新审核" in mail.outbox[1].body


def test_its_history_rows_are_append_only(world):
    event = lodged(world).events.get()
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


def test_it_withdraws_before_the_decision(world):
    appeal = appeal_in(world, "under_review")
    services.appeal_withdraw(appeal=appeal, reason="已协商解决", by=world["people"]["ent_admin"])
    appeal.refresh_from_db()
    assert appeal.status == "withdrawn" and appeal.closed_at is not None
    assert appeal.events.last().reason == "已协商解决"


def _act(world, action):
    p = world["people"]
    h = p["auditor_other"]
    return {
        "acknowledge": lambda a: services.appeal_acknowledge(appeal=a, by=p["cb_admin"]),
        "start": lambda a: services.appeal_review_start(appeal=a, by=h),
        "note": lambda a: services.appeal_note(appeal=a, text="n", by=h),
        "decide": lambda a: services.appeal_decide(appeal=a, outcome="dismissed", reasons="r", by=h),
        "withdraw": lambda a: services.appeal_withdraw(appeal=a, reason="r", by=p["ent_admin"]),
        "assign": lambda a: services.appeal_assign(appeal=a, handler=p["cb_admin"], by=p["cb_admin"]),
    }[action]


ILLEGAL = [
    ("lodged", "start"),
    ("lodged", "note"),
    ("lodged", "decide"),
    ("acknowledged", "acknowledge"),
    ("acknowledged", "note"),
    ("acknowledged", "decide"),
    ("under_review", "acknowledge"),
    ("under_review", "start"),
    ("decided", "acknowledge"),
    ("decided", "start"),
    ("decided", "note"),
    ("decided", "decide"),
    ("decided", "withdraw"),
    ("decided", "assign"),
    ("withdrawn", "acknowledge"),
    ("withdrawn", "start"),
    ("withdrawn", "note"),
    ("withdrawn", "decide"),
    ("withdrawn", "withdraw"),
    ("withdrawn", "assign"),
]


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_it_refuses_an_illegal_transition_and_changes_nothing(world, state, action):
    appeal = appeal_in(world, state)
    before = _snapshot(appeal)
    with pytest.raises(AppealRefused) as exc:
        _act(world, action)(appeal)
    label = Appeal.Status(state).label
    assert f"{appeal.reference} is “{label}”" in str(exc.value) and "is not possible now" in str(exc.value)
    assert _snapshot(appeal) == before


def test_it_lets_only_the_handler_act(world):
    appeal = appeal_in(world, "acknowledged")
    with pytest.raises(AppealRefused, match=r"Only the handler of AP-\d{4}-\d{4} \(auditor_other\)"):
        services.appeal_review_start(appeal=appeal, by=world["people"]["cb_admin"])
    services.appeal_review_start(appeal=appeal, by=world["people"]["auditor_other"])
    with pytest.raises(AppealRefused, match="Only the handler"):
        services.appeal_decide(appeal=appeal, outcome="dismissed", reasons="r", by=world["people"]["cb_admin"])


def test_it_needs_a_handler_before_the_review(world):
    appeal = appeal_in(world, "acknowledged", handler="")
    with pytest.raises(AppealRefused, match="has no handler yet"):
        services.appeal_review_start(appeal=appeal, by=world["people"]["cb_admin"])


@pytest.mark.parametrize(
    ("outcome", "reasons", "remedy", "words"),
    [
        ("maybe", "r", "", "Choose the outcome"),
        ("dismissed", " ", "", "Give the reasons"),
        ("upheld", "r", "", "the remedy"),
        ("partly_upheld", "r", "", "the remedy"),
    ],
)
def test_it_refuses_an_incomplete_outcome(world, outcome, reasons, remedy, words):
    appeal = appeal_in(world, "under_review")
    before = _snapshot(appeal)
    with pytest.raises(AppealRefused, match=words):
        services.appeal_decide(
            appeal=appeal, outcome=outcome, reasons=reasons, remedy=remedy, by=world["people"]["auditor_other"]
        )
    assert _snapshot(appeal) == before


def test_it_refuses_an_empty_note(world):
    appeal = appeal_in(world, "under_review")
    with pytest.raises(AppealRefused, match="Write the note"):
        services.appeal_note(appeal=appeal, text=" ", by=world["people"]["auditor_other"])


# ------------------------------------------------------------------------------------ deadlines


def test_the_deadlines_count_calendar_days_and_a_deadline_is_met_on_its_day():
    assert deadlines.lodge_deadline(date(2026, 3, 1), 30) == date(2026, 3, 31)
    assert deadlines.may_lodge(date(2026, 3, 1), date(2026, 3, 31), 30)
    assert not deadlines.may_lodge(date(2026, 3, 1), date(2026, 4, 1), 30)
    d = deadlines.deadlines(date(2026, 12, 28), 7, 60)
    assert (d.acknowledge_by, d.decide_by) == (date(2027, 1, 4), date(2027, 2, 26))
    assert deadlines.overdue(
        status="lodged", acknowledge_by=d.acknowledge_by, decide_by=d.decide_by, today=date(2027, 1, 4)
    ) == (False, False)
    assert deadlines.overdue(
        status="lodged", acknowledge_by=d.acknowledge_by, decide_by=d.decide_by, today=date(2027, 1, 5)
    ) == (True, False)
    assert deadlines.overdue(
        status="acknowledged", acknowledge_by=d.acknowledge_by, decide_by=d.decide_by, today=date(2027, 2, 27)
    ) == (False, True)
    assert deadlines.overdue(
        status="decided", acknowledge_by=d.acknowledge_by, decide_by=d.decide_by, today=date(2030, 1, 1)
    ) == (False, False)
    with pytest.raises(ValueError, match="ack_days"):
        deadlines.deadlines(date(2026, 1, 1), 10, 5)


def test_it_flags_and_filters_overdue_appeals(world):
    case = case_at(world, "decided")
    waiting = lodged(world, case=case)
    acknowledged = appeal_in(world, "acknowledged", case=case)
    done = appeal_in(world, "decided", case=case)
    cb_admin = world["people"]["cb_admin"]
    today = timezone.localdate()
    assert appeal_list(cb_admin, state="overdue", today=today) == []
    later = today + timedelta(days=8)
    rows = appeal_list(cb_admin, state="overdue", today=later)
    assert [(a.pk, a.ack_overdue, a.decide_overdue) for a in rows] == [(waiting.pk, True, False)]
    much_later = today + timedelta(days=61)
    rows = appeal_list(cb_admin, state="overdue", today=much_later)
    assert {a.pk for a in rows} == {waiting.pk, acknowledged.pk}
    assert {a.pk for a in appeal_list(cb_admin, state="open")} == {waiting.pk, acknowledged.pk}
    assert done.pk in {a.pk for a in appeal_list(cb_admin)}
