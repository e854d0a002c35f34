"""The CB policy read through the version in force on the relevant day, and pinned (id and hash)
on the records it shaped (docs/policy.md)."""

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from aftersales.audits import findings
from aftersales.certificates.models import CertificateEvent
from aftersales.certification.models import Case, CaseEvent
from aftersales.core.policy import DEFAULT_PATH, load_policy
from aftersales.policy import policy_by_id, policy_on
from tests.audits.factories import case_at
from tests.certificates.factories import issued
from tests.policy import install_policy, policy_file

S = Case.Status
SHIPPED = load_policy(DEFAULT_PATH)
MOVED = [
    "CERT_SYSTEM_MONTHS",
    "RECORDS_REQUIRED_MONTHS",
    "AUDIT_CONFLICT_YEARS",
    "AUDIT_MAX_CONSECUTIVE_LEADS",
    "AUDIT_RECTIFICATION_DAYS",
    "CERT_NUMBER_PATTERN",
    "CERT_NUMBER_CB_CODE",
    "CERT_VALIDITY_YEARS",
    "SURVEILLANCE_INTERVAL_MONTHS",
    "SURVEILLANCE_WINDOW_MONTHS",
    "RECERTIFICATION_OPEN_MONTHS",
    "REMINDER_LEAD_DAYS",
    "REGULATOR_REPORT_DAY",
    "REGULATOR_REMINDER_DAYS",
    "APPEAL_LODGE_DAYS",
    "APPEAL_ACK_DAYS",
    "APPEAL_DECIDE_DAYS",
]


def test_policy_is_not_in_the_settings():
    assert [name for name in MOVED if hasattr(django_settings, name)] == []
    env = (Path(django_settings.BASE_DIR).parent / ".env.example").read_text(encoding="utf-8")
    assert [name for name in MOVED if name in env] == []


def test_without_a_folder_the_shipped_version_is_in_force(settings):
    settings.CB_POLICY_DIR = ""
    assert policy_on(date(2026, 12, 7)).pin == SHIPPED.pin
    assert policy_by_id("default-2026").sha256 == SHIPPED.sha256


def test_a_new_file_in_the_folder_is_read_without_a_restart(settings, tmp_path):
    settings.CB_POLICY_DIR = str(tmp_path)
    assert policy_on(date(2027, 3, 1)).id == "default-2026"
    policy_file(tmp_path, {"appeals.lodge_days": 20}, effective_from=date(2027, 1, 1), policy_id="cb-2027")
    assert policy_on(date(2027, 3, 1)).appeal_lodge_days == 20
    assert policy_on(date(2026, 12, 31)).appeal_lodge_days == 30


def test_rectification_deadlines_follow_the_version_in_force_that_day_and_pin_it(world, settings, tmp_path):
    settings.CB_POLICY_DIR = str(tmp_path)
    policy_file(tmp_path, {"rectification_days.major": 10}, effective_from=date(2026, 12, 1), policy_id="cb-dec")
    case = case_at(world, S.AUDIT, with_nc=False)
    p = world["people"]
    major = findings.finding_raise(
        audit=case.audit, item_code="5.2.4.1", grade="major", description="x", by=p["auditor"]
    )
    findings.rectification_start(case=case, by=p["auditor"], today=date(2026, 12, 10))
    major.refresh_from_db()
    case.audit.refresh_from_db()
    assert major.deadline == date(2026, 12, 20)
    pin = policy_by_id("cb-dec").pin
    assert case.audit.rectification_policy == pin
    event = CaseEvent.objects.filter(case=case, action="audit.rectification_started").get()
    assert event.data["policy"] == pin


@pytest.mark.django_db
def test_a_certificate_is_issued_under_the_version_in_force_and_pins_it(world, settings):
    install_policy(
        settings,
        {"certificate.validity_years": 2, "certificate.cb_code": "XYZ", "surveillance.interval_months": 6},
        policy_id="cb-short",
    )
    certificate = issued(world, today=date(2026, 12, 7))
    assert certificate.number.startswith("XYZ26SC00001")
    assert certificate.expires_on == date(2028, 12, 6)
    pin = policy_by_id("cb-short").pin
    issue = CertificateEvent.objects.get(certificate=certificate, action="certificate.issued")
    assert issue.data["policy"] == pin
    planned = CertificateEvent.objects.get(certificate=certificate, action="surveillance.planned")
    assert planned.data["policy"] == pin and planned.data["interval_months"] == 6
    assert planned.data["due"][:2] == ["2027-06-07", "2027-12-07"]


def test_an_unusable_policy_folder_fails_the_system_check(settings, tmp_path):
    from aftersales.ops.checks import cb_policy

    settings.CB_POLICY_DIR = str(tmp_path)
    assert cb_policy() == []
    (tmp_path / "broken.yaml").write_text("format: aftersales-policy/1\nid: x\n", encoding="utf-8")
    (error,) = cb_policy()
    assert error.id == "ops.E001" and "broken.yaml: appeals: missing" in error.msg
