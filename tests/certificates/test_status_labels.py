"""Certificate.Status is built from core.concepts: the same codes, labels in the active language."""

from django.utils import translation

from aftersales.certificates import documents, mark
from aftersales.certificates.models import TRANSITIONS, Certificate
from aftersales.certification.models import Case
from aftersales.core.concepts import CERTIFICATE_TRANSITIONS, CaseKind, CertificateStatus
from aftersales.records.models import Kind as RecordKind


def test_the_model_choices_are_the_core_concepts():
    assert [s.value for s in Certificate.Status] == [s.value for s in CertificateStatus]
    assert Certificate.Status.SUSPENDED == CertificateStatus.SUSPENDED == "suspended"
    assert TRANSITIONS is CERTIFICATE_TRANSITIONS
    assert [k.value for k in Case.Kind] == [k.value for k in CaseKind]


def test_labels_follow_the_active_language():
    with translation.override("zh-hans"):
        assert str(Certificate.Status.WITHDRAWN.label) == "已撤销"
        assert str(Case.Kind.INITIAL.label) == "初次认证"
        assert str(Case.Status.SUBMITTED.label) == "已提交，待评审"
        assert str(RecordKind.WORK_ORDER.label) == "维修工单"
    with translation.override("en"):
        assert str(Certificate.Status.WITHDRAWN.label) == "withdrawn"
        assert dict(Certificate.Status.choices)["cancelled"] == "cancelled"


def test_without_an_active_language_a_label_is_english_as_in_the_migrations():
    with translation.override(None):
        assert str(Certificate.Status.EXPIRED.label) == "expired"
        assert str(Case.Kind.SURVEILLANCE.label) == "surveillance audit"


def test_documents_and_the_mark_stamp_with_the_core_labels():
    for status in CertificateStatus:
        if status is CertificateStatus.VALID:
            continue
        assert documents.STATUS[status] == status.text
        assert documents.WATERMARK[status] == status.stamp == mark.STATUS_TEXT[status]


def test_the_registry_words_a_status_as_the_certificate_pages_do():
    from django.template.loader import render_to_string

    for status in CertificateStatus:
        for language in ("zh-hans", "en"):
            with translation.override(language):
                html = render_to_string("registry/_status.html", {"status": status.value})
                page = render_to_string(
                    "certificates/_status.html", {"status": status.value, "label": Certificate.Status(status).label}
                )
                assert f">{Certificate.Status(status).label}<" in html
                assert str(Certificate.Status(status).label) in page
