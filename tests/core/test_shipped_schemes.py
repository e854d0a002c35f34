"""The shipped schemes hold the facts of domain.md §1–2."""

import hashlib
from fractions import Fraction
from importlib import resources

import pytest

from aftersales.core.scheme import Level, SchemeStatus, get_scheme, shipped_schemes


def test_it_ships_the_three_schemes():
    assert [s.id for s in shipped_schemes()] == ["gbt27922-2011", "sbt10401-2006-a1", "sbt10401-2006-a2"]


def test_it_keeps_the_gbt27922_category_points_and_the_known_item():
    s = get_scheme("gbt27922-2011")
    assert [(n.code, n.points) for n in s.nodes] == [("5.1", 40), ("5.2", 35), ("5.3", 25)]
    assert [len(n.children) for n in s.nodes] == [7, 6, 2]  # 15 sub-categories
    assert s.node("gbt27922-2011:5.1.2.2").points == 5
    assert s.node("5.1.2.2").sampled  # proportional by default (domain.md §2 open point)
    assert s.total == 100


def test_it_labels_the_gbt27922_allocation_as_reference():
    s = get_scheme("gbt27922-2011")
    assert s.status is SchemeStatus.REFERENCE
    assert "参考" in s.note.zh and "reference" in s.note.en.lower()


def test_it_uses_the_standard_levels_and_rules_for_gbt27922():
    p = get_scheme("gbt27922-2011").parameters
    assert p.levels == ((Level.QUALIFIED, 70), (Level.THREE_STAR, 80), (Level.FOUR_STAR, 90), (Level.FIVE_STAR, 95))
    assert p.special_deduction_fail_count == 5
    assert p.special_bonus_max == 1
    assert p.section_floor is None


@pytest.mark.parametrize(
    ("scheme_id", "points"),
    [
        ("sbt10401-2006-a1", [6, 6, 8, 10, 20, 30, 10, 10]),
        ("sbt10401-2006-a2", [12, 12, 20, 40, 16]),
    ],
)
def test_it_keeps_the_sbt10401_section_points_and_floor(scheme_id, points):
    s = get_scheme(scheme_id)
    assert [n.points for n in s.nodes] == points
    assert all(n.is_item and n.partial for n in s.nodes)  # sections are the scoring units
    assert s.parameters.section_floor == Fraction(1, 2)
    assert s.parameters.levels == ((Level.QUALIFIED, 70),)


def test_it_gives_every_node_a_permanent_id_and_both_languages():
    for s in shipped_schemes():
        for n in s.walk():
            assert n.id == f"{s.id}:{n.code}"
            assert n.title.zh and n.title.en


def test_it_hashes_the_exact_file_bytes():
    folder = resources.files("aftersales.core").joinpath("schemes")
    for s in shipped_schemes():
        data = folder.joinpath(s.source.rsplit("/", 1)[1]).read_bytes()
        assert s.sha256 == hashlib.sha256(data).hexdigest()
