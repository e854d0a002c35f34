"""Audit samples are reproducible: same seed and same population → same sample, in any order."""

import hashlib
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.core.problems import ProblemsError
from aftersales.core.records.sampling import allocate, draw_sample, frame_hash

POPULATION = [(f"WO{i:05d}", f"2026-{1 + i % 6:02d}") for i in range(500)]


def test_it_draws_the_same_sample_for_the_same_seed_whatever_the_order():
    shuffled = POPULATION[:]
    random.Random(7).shuffle(shuffled)
    a = draw_sample(POPULATION, n=25, seed="2026-audit-17", method="simple")
    b = draw_sample(shuffled, n=25, seed="2026-audit-17", method="simple")
    assert a == b
    assert len(a.keys) == 25 and len(set(a.keys)) == 25
    assert a.frame_size == 500 and a.frame_hash == frame_hash([k for k, _ in shuffled])


def test_it_draws_another_sample_with_another_seed():
    a = draw_sample(POPULATION, n=25, seed="seed-1")
    b = draw_sample(POPULATION, n=25, seed="seed-2")
    assert a.keys != b.keys and a.frame_hash == b.frame_hash


def test_it_draws_another_sample_when_the_population_changes():
    a = draw_sample(POPULATION, n=25, seed="s")
    b = draw_sample(POPULATION[:-1], n=25, seed="s")
    assert a.frame_hash != b.frame_hash


def test_it_hashes_the_sorted_keys_joined_by_newlines():
    assert frame_hash(["b", "a"]) == hashlib.sha256(b"a\nb").hexdigest()


def test_it_allocates_a_stratified_sample_proportionally():
    s = draw_sample(POPULATION, n=30, seed="x", method="stratified")
    assert sum(s.allocation.values()) == 30
    assert dict(s.allocation) == {f"2026-{m:02d}": 5 for m in range(1, 7)}
    by_month = {}
    for key in s.keys:
        stratum = dict(POPULATION)[key]
        by_month[stratum] = by_month.get(stratum, 0) + 1
    assert by_month == dict(s.allocation)


def test_it_gives_each_non_empty_stratum_at_least_one_when_n_allows():
    assert allocate(3, {"a": 1, "b": 1, "c": 100}) == {"a": 1, "b": 1, "c": 1}
    assert allocate(10, {"a": 70, "b": 25, "c": 5}) == {"a": 7, "b": 2, "c": 1}
    assert allocate(2, {"a": 1, "b": 1, "c": 100}) == {"a": 0, "b": 0, "c": 2}


@settings(deadline=None)
@given(sizes=st.dictionaries(st.text("abcdef", min_size=1, max_size=3), st.integers(0, 50), min_size=1, max_size=6),
       data=st.data())  # fmt: skip
def test_it_allocates_exactly_n_within_each_stratum_size(sizes, data):
    n = data.draw(st.integers(0, sum(sizes.values())))
    alloc = allocate(n, sizes)
    assert sum(alloc.values()) == n
    assert all(0 <= alloc[s] <= sizes[s] for s in sizes)
    if n >= sum(1 for v in sizes.values() if v):
        assert all(alloc[s] >= 1 for s, v in sizes.items() if v)


@pytest.mark.parametrize(("n", "method"), [(501, "simple"), (-1, "simple"), (5, "cluster")])
def test_it_refuses_an_impossible_sample(n, method):
    with pytest.raises(ProblemsError) as err:
        draw_sample(POPULATION, n=n, seed="x", method=method)
    assert err.value.problems[0].code in {"records_sample_size", "records_sample_method"}


def test_it_refuses_a_frame_with_a_duplicate_key():
    with pytest.raises(ProblemsError) as err:
        draw_sample([("a", "x"), ("a", "y"), ("b", "x")], n=1, seed="x")
    assert err.value.problems[0].params["key"] == "a"


def test_it_can_take_the_whole_population():
    s = draw_sample(POPULATION, n=500, seed="x", method="stratified")
    assert sorted(s.keys) == sorted(k for k, _ in POPULATION)
