"""Certificate numbers: the pattern, the check character, and the errors it catches."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.core.certnumber import (
    ALPHABET,
    PatternError,
    check_char,
    number_make,
    number_normalise,
    number_valid,
)

bodies = st.text(alphabet=ALPHABET, min_size=4, max_size=20)


def test_it_fills_the_default_pattern_and_appends_a_check_character():
    number = number_make("{cb}{yy}SC{seq:05d}", cb="asc", year=2026, seq=1)
    assert number[:-1] == "ASC26SC00001"
    assert number_valid(number)


def test_it_ignores_hyphens_in_the_check_and_accepts_typed_variants():
    number = number_make("{cb}-{year}-{seq:06d}", cb="CQC", year=2027, seq=42)
    assert number.startswith("CQC-2027-000042")
    assert number_valid(number.lower()) and number_valid(" " + number + " ")
    assert number_normalise(" cqc-2027 ") == "CQC-2027"


@pytest.mark.parametrize(
    ("pattern", "why"),
    [("{cb}{yy}", "{seq}"), ("{cb}{month}{seq}", "month"), ("{cb}/{seq}", "0-9, A-Z")],
)
def test_it_refuses_a_pattern_that_cannot_make_numbers(pattern, why):
    with pytest.raises(PatternError, match=why.replace("{", r"\{").replace("}", r"\}")):
        number_make(pattern, cb="ASC", year=2026, seq=1)


@given(bodies, st.data())
def test_it_catches_every_single_wrong_character(body, data):
    number = body + check_char(body)
    i = data.draw(st.integers(0, len(number) - 1))
    wrong = data.draw(st.sampled_from([c for c in ALPHABET if c != number[i]]))
    assert not number_valid(number[:i] + wrong + number[i + 1 :])


def test_it_catches_nearly_every_swap_of_neighbours():
    import random

    rng = random.Random(7)
    caught = total = 0
    for _ in range(5000):
        body = "".join(rng.choice(ALPHABET) for _ in range(12))
        number = body + check_char(body)
        i = rng.randrange(len(number) - 1)
        if number[i] == number[i + 1]:
            continue
        swapped = number[:i] + number[i + 1] + number[i] + number[i + 2 :]
        total += 1
        caught += not number_valid(swapped)
    assert caught / total > 0.99
