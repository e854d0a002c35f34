"""One home per concept: every stored code has its zh-Hans and en label in core.concepts."""

import pytest

from aftersales.core import concepts, regulator
from aftersales.core.concepts import (
    CERTIFICATE_TRANSITIONS,
    LIVE_STATUSES,
    CaseKind,
    CaseStatus,
    CertificateStatus,
    Concept,
    Level,
    VersionReason,
)
from aftersales.core.records.kinds import Channel, Kind, StatusCategory

ALL = (CertificateStatus, VersionReason, Level, CaseKind, CaseStatus, Kind, StatusCategory, Channel)


@pytest.mark.parametrize("concept", ALL, ids=lambda c: c.__name__)
def test_every_code_has_a_label_in_both_languages(concept: type[Concept]):
    for member in concept:
        assert member.text.zh and member.text.en, member
        assert member.text.zh != member.value, member  # a real Chinese label, not the code
        assert member == member.value and concept(member.value) is member
    assert len({m.text.zh for m in concept}) == len(concept), "two codes share a Chinese label"


def test_a_certificate_status_says_its_label_stamp_and_regulator_word():
    s = CertificateStatus.SUSPENDED
    assert (s.label("zh-Hans"), s.label("en")) == ("已暂停", "suspended")
    assert (s.stamp.zh, s.stamp.en) == ("已暂停", "SUSPENDED")
    assert s.short == "暂停"
    assert {CertificateStatus.VALID, CertificateStatus.SUSPENDED} == LIVE_STATUSES
    assert set(CERTIFICATE_TRANSITIONS) == set(CertificateStatus)
    assert all(set(to) <= set(CertificateStatus) for to in CERTIFICATE_TRANSITIONS.values())


def test_levels_rank_and_stars():
    assert [lv.rank for lv in Level] == list(range(len(Level)))
    assert [lv.stars for lv in concepts.PASSING_LEVELS] == [0, 3, 4, 5]
    assert Level.FAIL not in concepts.PASSING_LEVELS


def test_the_regulator_workbook_reads_the_same_labels():
    assert regulator.label("certificate_status", "withdrawn") == "撤销"
    assert regulator.label("level", "three_star") == "三星"
    assert regulator.label("level", "fail") == "未达标"  # was keyed "unqualified", a code never stored
    assert regulator.label("kind", "surveillance") == "监督审核"
    assert regulator.label("case_status", "audit") == "审核中"  # the pages say 审核
    assert regulator.label("change", "issue") == "初次发证"  # the pages say 首次发证
