"""Scoring rules of docs/scoring.md, one behaviour per test."""

from datetime import date
from fractions import Fraction

import pytest

from aftersales.core.problems import ProblemsError
from aftersales.core.scheme import Level, get_scheme
from aftersales.core.scoring import (
    DeductionKind,
    ItemResult,
    SpecialBonus,
    SpecialDeduction,
    StarContext,
    score,
)

from .factories import flat_scheme

C, N = ItemResult.conform(), ItemResult.nonconform()


def results(scheme, **by_code):
    return {i.id: by_code.get(i.code, C) for i in scheme.items}


def ded(n=1):
    return [SpecialDeduction(DeductionKind.LAW, f"finding {i}") for i in range(n)]


def test_it_gives_100_and_five_stars_when_everything_conforms():
    s = get_scheme("gbt27922-2011")
    r = score(s, results(s))
    assert r.score == 100 and r.display_score == "100.00" and r.level is Level.FIVE_STAR and r.gap is None


def test_it_takes_the_full_points_of_a_nonconforming_item():
    s = flat_scheme([40, 60])
    r = score(s, results(s, I1=N))
    assert r.nodes["test:I1"].earned == 0 and r.score == 60


def test_it_deducts_in_proportion_to_the_nonconforming_samples():
    s = flat_scheme([10, 90], flags={"sampled": True})
    r = score(s, results(s, I1=ItemResult.of_sample(3, 1)))
    assert r.nodes["test:I1"].earned == Fraction(20, 3)
    assert r.score == Fraction(290, 3)


def test_it_scores_the_manager_ratio_item_in_proportion():
    s = get_scheme("gbt27922-2011")
    r = score(s, results(s, **{"5.1.2.2": ItemResult.of_sample(10, 3)}))
    assert r.nodes["gbt27922-2011:5.1.2.2"].earned == Fraction(7, 2)
    assert r.score == Fraction(985, 10)


def test_it_awards_partial_points_where_allowed():
    s = flat_scheme([50, 50], flags={"partial": True})
    r = score(s, results(s, I1=ItemResult.partial("12.5")))
    assert r.score == Fraction(625, 10)


def test_it_removes_an_excluded_item_from_the_applicable_points():
    s = flat_scheme([20, 80], flags={"excludable": True})
    r = score(s, results(s, I1=ItemResult.na("does not deliver"), I2=ItemResult.nonconform()))
    assert (r.earned, r.applicable, r.score) == (0, 80, 0)
    r = score(s, results(s, I1=ItemResult.na("does not deliver")))
    assert r.applicable == 80 and r.score == 100


def test_it_applies_special_items_after_normalisation_by_default():
    s = flat_scheme([50, 50], flags={"excludable": True})
    r = score(s, results(s, I1=ItemResult.na("n/a")), ded(1), [SpecialBonus("24h service")])
    assert r.score == 100  # 100 - 1 + 1
    r = score(s, results(s, I1=ItemResult.na("n/a")), ded(2))
    assert r.score == 98


def test_it_can_apply_special_items_before_normalisation():
    s = flat_scheme([50, 50], flags={"excludable": True}, special_items_apply="before_normalisation")
    r = score(s, results(s, I1=ItemResult.na("n/a")), ded(2))
    assert r.score == Fraction(48, 50) * 100  # (50 - 2) / 50 × 100 = 96


def test_it_keeps_the_score_within_0_and_100():
    s = flat_scheme([100])
    assert score(s, results(s), bonuses=[SpecialBonus("x")]).score == 100
    assert score(s, results(s, I1=N), ded(3)).score == 0


def test_it_fails_with_five_special_deductions_whatever_the_score():
    s = flat_scheme([100])
    r = score(s, results(s), ded(5))
    assert r.score == 95 and r.level is Level.FAIL
    assert [f.code for f in r.fail_reasons] == ["too_many_special_deductions"]
    assert score(s, results(s), ded(4)).level is Level.FIVE_STAR  # 96, four findings do not fail


def test_it_fails_below_70_and_says_why():
    s = flat_scheme([31, 69])
    r = score(s, results(s, I1=N))
    assert r.level is Level.FAIL and not r.passed
    assert r.fail_reasons[0].code == "score_below_minimum"
    assert "69.00" in r.fail_reasons[0].message("en") and "70" in r.fail_reasons[0].message("zh-Hans")


@pytest.mark.parametrize(
    ("earned", "level"),
    [
        (Fraction(6999, 100), Level.FAIL),
        (70, Level.QUALIFIED),
        (Fraction(7999999, 100000), Level.QUALIFIED),
        (80, Level.THREE_STAR),
        (Fraction(8999, 100), Level.THREE_STAR),
        (90, Level.FOUR_STAR),
        (Fraction(9499, 100), Level.FOUR_STAR),
        (95, Level.FIVE_STAR),
    ],
)
def test_it_decides_the_level_on_the_exact_score_with_inclusive_thresholds(earned, level):
    s = flat_scheme([100], flags={"partial": True})
    r = score(s, {"test:I1": ItemResult.partial(earned)})
    assert r.level is level


def test_it_never_displays_a_level_the_score_did_not_reach():
    s = flat_scheme([100], flags={"partial": True})
    r = score(s, {"test:I1": ItemResult.partial(Fraction(7999999, 100000))})
    assert r.display_score == "79.99" and r.level is Level.QUALIFIED


def test_it_fails_a_section_under_the_floor_even_above_70():
    s = get_scheme("sbt10401-2006-a1")
    res = {i.id: ItemResult.partial(i.points) for i in s.items}
    res["sbt10401-2006-a1:A1.6"] = ItemResult.partial(14)  # 客户投诉 14/30 < 50 %
    r = score(s, res)
    assert r.score == 84 and r.level is Level.FAIL
    reason = r.fail_reasons[0]
    assert reason.code == "section_below_floor" and reason.params["section"] == "A1.6"
    assert reason.params["points_short"] == "1"
    assert r.gap.level is Level.QUALIFIED and r.gap.blockers == r.fail_reasons


def test_it_passes_a_section_exactly_at_the_floor():
    s = get_scheme("sbt10401-2006-a2")
    res = {i.id: ItemResult.partial(i.points) for i in s.items}
    res["sbt10401-2006-a2:A2.4"] = ItemResult.partial(20)  # exactly 50 %
    assert score(s, res).level is Level.QUALIFIED


def test_it_defers_stars_until_n_months_after_first_qualifying():
    s = flat_scheme([100], stars_after_months=12)
    res = results(s)
    early = score(s, res, stars=StarContext(as_of=date(2026, 6, 1), qualified_since=date(2025, 12, 1)))
    assert early.score_level is Level.FIVE_STAR and early.level is Level.QUALIFIED
    assert early.notes[0].code == "stars_deferred" and early.notes[0].params["until"] == "2026-12-01"
    later = score(s, res, stars=StarContext(as_of=date(2026, 12, 1), qualified_since=date(2025, 12, 1)))
    assert later.level is Level.FIVE_STAR
    outstanding = score(s, res, stars=StarContext(as_of=date(2026, 6, 1), outstanding=True))
    assert outstanding.level is Level.FIVE_STAR


def test_it_needs_dates_when_the_scheme_defers_stars():
    s = flat_scheme([100], stars_after_months=12)
    with pytest.raises(ProblemsError) as exc:
        score(s, results(s))
    assert exc.value.problems[0].code == "stars_context_missing"


def test_it_lists_the_gap_to_the_next_level_costliest_items_first():
    s = flat_scheme([10, 5, 20, 65])
    r = score(s, results(s, I1=N, I2=N, I3=N))  # 65
    gap = r.gap
    assert gap.level is Level.QUALIFIED and gap.score_needed == 5 and gap.points_needed == 5
    assert [g.item_id for g in gap.top_gaps] == ["test:I3", "test:I1", "test:I2"]
    assert gap.items_to_reach == 1


def test_it_counts_item_points_needed_on_the_applicable_total():
    s = flat_scheme([50, 25, 25], flags={"excludable": True})
    r = score(s, results(s, I1=ItemResult.na("n/a"), I2=N))  # 25/50 = 50
    assert r.gap.score_needed == 20 and r.gap.points_needed == 10


def test_it_says_when_items_alone_cannot_reach_the_next_level():
    s = flat_scheme([100], flags={"partial": True})
    r = score(s, {"test:I1": ItemResult.partial(90)}, ded(4))  # 86, three star
    assert r.level is Level.THREE_STAR and r.gap.level is Level.FOUR_STAR
    assert r.gap.items_to_reach == 1  # 100 - 4 = 96 ≥ 90
    s = flat_scheme([100], flags={"partial": True}, special_deduction={"points": 1, "fail_count": None})
    r = score(s, {"test:I1": ItemResult.partial(99)}, ded(6))  # 93; at best 94 < 95
    assert r.level is Level.FOUR_STAR and r.gap.level is Level.FIVE_STAR and r.gap.items_to_reach is None


@pytest.mark.parametrize(
    ("code", "result"),
    [
        ("sampled_not_allowed", ItemResult.of_sample(5, 1)),
        ("partial_not_allowed", ItemResult.partial(1)),
        ("na_not_excludable", ItemResult.na("reason")),
    ],
)
def test_it_refuses_results_the_item_does_not_allow(code, result):
    s = flat_scheme([100])
    with pytest.raises(ProblemsError) as exc:
        score(s, {"test:I1": result})
    assert [p.code for p in exc.value.problems] == [code]


@pytest.mark.parametrize(
    ("code", "result"),
    [
        ("sampled_counts_missing", ItemResult(kind=ItemResult.conform().kind.SAMPLED, sampled=5)),
        ("nonconforming_invalid", ItemResult.of_sample(5, 6)),
        ("sampled_size_invalid", ItemResult.of_sample(0, 0)),
    ],
)
def test_it_refuses_bad_sample_counts(code, result):
    s = flat_scheme([100], flags={"sampled": True})
    with pytest.raises(ProblemsError) as exc:
        score(s, {"test:I1": result})
    assert [p.code for p in exc.value.problems] == [code]


def test_it_refuses_missing_unknown_items_and_empty_reasons_all_at_once():
    s = flat_scheme([50, 50], flags={"excludable": True})
    with pytest.raises(ProblemsError) as exc:
        score(
            s,
            {"test:I9": C, "test:I1": ItemResult.na(" ")},
            [SpecialDeduction(DeductionKind.LAW, "")],
            [SpecialBonus("a"), SpecialBonus("b")],
        )
    codes = sorted(p.code for p in exc.value.problems)
    assert codes == ["bonus_too_many", "deduction_needs_reason", "item_missing", "item_unknown", "na_needs_reason"]


def test_it_refuses_to_score_when_everything_is_excluded():
    s = flat_scheme([50, 50], flags={"excludable": True})
    with pytest.raises(ProblemsError) as exc:
        score(s, {i.id: ItemResult.na("n/a") for i in s.items})
    assert exc.value.problems[0].code == "nothing_applicable"


def test_it_stores_the_scheme_version_and_hash_with_the_result():
    s = get_scheme("gbt27922-2011")
    r = score(s, results(s))
    assert (r.scheme_id, r.scheme_version, r.scheme_sha256) == (s.id, s.version, s.sha256)
