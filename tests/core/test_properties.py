"""Properties of the scoring arithmetic, over random schemes and results (hypothesis)."""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.core.display import format_decimal
from aftersales.core.scheme import Level
from aftersales.core.scoring import DeductionKind, ItemResult, ResultKind, SpecialBonus, SpecialDeduction, score

from .factories import flat_scheme

FLAGS = {"sampled": True, "partial": True, "excludable": True}


@st.composite
def scheme_and_results(draw, allow_na=True):
    points = draw(st.lists(st.integers(min_value=1, max_value=20), min_size=2, max_size=8))
    scheme = flat_scheme(points, flags=FLAGS)
    res = {}
    for it in scheme.items:
        res[it.id] = draw(result_for(it.points, allow_na))
    if all(r.kind is ResultKind.NA for r in res.values()):
        res[scheme.items[0].id] = ItemResult.conform()
    deductions = [SpecialDeduction(DeductionKind.LAW, "x")] * draw(st.integers(0, 6))
    bonuses = [SpecialBonus("y")] * draw(st.integers(0, 1))
    return scheme, res, deductions, bonuses


def result_for(points, allow_na=True):
    options = [
        st.just(ItemResult.conform()),
        st.just(ItemResult.nonconform()),
        st.integers(1, 30).flatmap(lambda n: st.integers(0, n).map(lambda k: ItemResult.of_sample(n, k))),
        st.fractions(min_value=0, max_value=points, max_denominator=8).map(ItemResult.partial),
    ]
    if allow_na:
        options.append(st.just(ItemResult.na("does not apply")))
    return st.one_of(options)


def rank(result: ItemResult, points: Fraction) -> Fraction:
    """How good a result is: its earned points."""
    if result.kind is ResultKind.CONFORM:
        return points
    if result.kind is ResultKind.NONCONFORM:
        return Fraction(0)
    if result.kind is ResultKind.SAMPLED:
        return points * Fraction(result.sampled - result.nonconforming, result.sampled)
    return result.awarded


@settings(deadline=None)
@given(scheme_and_results())
def test_it_keeps_the_score_in_range(case):
    scheme, res, ded, bon = case
    r = score(scheme, res, ded, bon)
    assert 0 <= r.score <= 100
    assert 0 <= r.earned <= r.applicable
    for ns in r.nodes.values():
        assert 0 <= ns.earned <= ns.applicable <= ns.points


@settings(deadline=None)
@given(scheme_and_results(), st.data())
def test_it_never_changes_other_items_when_one_is_excluded(case, data):
    scheme, res, ded, bon = case
    target = data.draw(st.sampled_from([i.id for i in scheme.items]))
    before = score(scheme, res, ded, bon)
    changed = {**res, target: ItemResult.na("excluded")}
    if all(r.kind is ResultKind.NA for r in changed.values()):
        return
    after = score(scheme, changed, ded, bon)
    for it in scheme.items:
        if it.id != target:
            assert after.nodes[it.id].earned == before.nodes[it.id].earned
            assert after.nodes[it.id].applicable == before.nodes[it.id].applicable


@settings(deadline=None)
@given(scheme_and_results(), st.data())
def test_it_never_lowers_the_score_or_level_when_one_result_improves(case, data):
    scheme, res, ded, bon = case
    candidates = [i for i in scheme.items if res[i.id].kind is not ResultKind.NA]
    if not candidates:
        return
    it = data.draw(st.sampled_from(candidates))
    better = data.draw(
        result_for(it.points, allow_na=False).filter(lambda r: rank(r, it.points) >= rank(res[it.id], it.points))
    )
    before = score(scheme, res, ded, bon)
    after = score(scheme, {**res, it.id: better}, ded, bon)
    assert after.score >= before.score
    assert after.level.rank >= before.level.rank


@settings(deadline=None)
@given(st.fractions(min_value=0, max_value=100, max_denominator=10**6))
def test_it_decides_levels_at_the_inclusive_thresholds(value):
    scheme = flat_scheme([100], flags={"partial": True})
    r = score(scheme, {"test:I1": ItemResult.partial(value)})
    expected = (
        Level.FIVE_STAR
        if value >= 95
        else Level.FOUR_STAR
        if value >= 90
        else Level.THREE_STAR
        if value >= 80
        else Level.QUALIFIED
        if value >= 70
        else Level.FAIL
    )
    assert r.level is expected
    # the printed score, read back, never reaches a higher level than the exact one
    shown = Fraction(r.display_score)
    assert shown <= value and scheme.parameters.level_for(shown) is scheme.parameters.level_for(value)


@given(st.integers(0, 7), st.sampled_from(["69.99", "79.99", "89.99", "94.99"]))
def test_it_keeps_just_below_a_threshold_below_it(extra_nines, text):
    value = Fraction(text + "9" * extra_nines)
    scheme = flat_scheme([100], flags={"partial": True})
    r = score(scheme, {"test:I1": ItemResult.partial(value)})
    threshold = Fraction(text) + Fraction(1, 100)
    assert r.level is not scheme.parameters.level_for(threshold)
    assert r.display_score == text


@given(st.fractions(min_value=-1000, max_value=1000), st.integers(0, 4))
def test_it_rounds_down_for_display(value, decimals):
    shown = Fraction(format_decimal(value, decimals, "down"))
    assert shown <= value < shown + Fraction(1, 10**decimals)


@settings(deadline=None)
@given(
    st.fractions(min_value=0, max_value=100, max_denominator=10**6),
    st.sampled_from(["down", "half_up", "half_even"]),
    st.integers(0, 3),
)
def test_the_shown_score_plus_the_shown_gap_reaches_the_next_level(value, rounding, decimals):
    scheme = flat_scheme([100], flags={"partial": True}, display={"decimals": decimals, "rounding": rounding})
    r = score(scheme, {"test:I1": ItemResult.partial(value)})
    if r.gap is None:  # five-star: no level above
        return
    threshold = scheme.parameters.threshold(r.gap.level)
    shown_gap = Fraction(r.display_gap(r.gap.score_needed))
    assert Fraction(r.display_score) + shown_gap >= threshold
    assert shown_gap - r.gap.score_needed < Fraction(1, 10**decimals)  # rounded up by less than one unit


def test_it_shows_the_gap_from_68_12_to_70_as_1_88():
    scheme = flat_scheme([100], flags={"partial": True})
    r = score(scheme, {"test:I1": ItemResult.partial(Fraction("68.1234"))})
    assert (r.display_score, r.display_gap(r.gap.score_needed)) == ("68.12", "1.88")
