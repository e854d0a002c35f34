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


def test_the_regulator_template_has_a_code_for_every_stored_value_and_agrees_with_the_concepts():
    """The shipped template's code lists are the regulator's words (a CB's official template may
    change them); shipped, they cover every stored value and say what the concepts' `short` says."""
    codes = regulator.load_template().codes
    assert {s.value: s.short for s in CertificateStatus} == codes["certificate_status"]
    assert {k.value: k.text.zh for k in CaseKind} == codes["audit_kind"]
    assert {lv.value: lv.text.zh for lv in concepts.PASSING_LEVELS} == codes["level"]  # no certificate fails
    assert {r.value: r.short for r in VersionReason} == {k: v for k, v in codes["change"].items() if k != "status"}
