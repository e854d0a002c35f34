"""The unified social credit code (GB 32100-2015) and its embedded organisation code (GB 11714)."""

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc

from aftersales.core.credit_code import (
    CHARSET,
    MESSAGES,
    check_character,
    complete,
    is_valid,
    normalise,
    org_check_character,
    problems,
    validate,
)

# GB 32100's weights, w_i = 3^(i-1) mod 31
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# Codes of registered companies, as published in many places (company registers, annual reports);
# found through public data sets, not re-checked against the official register from here.
REAL_CODES = {
    "91440300192317458F": "比亚迪股份有限公司 (BYD, listed in Shenzhen, 002594; organisation code 19231745-8)",
    "91440300100012316L": "中国平安保险（集团）股份有限公司 (Ping An Insurance, listed in Shanghai and Hong Kong)",
    "91520000214434146R": "中航重机股份有限公司 (AVIC Heavy Machinery, listed in Shanghai)",
    "914403001922038216": "华为技术有限公司 (Huawei Technologies, not listed, code widely published)",
}

# Real-format codes made with `complete` and `org_check_character`, one per kind of first two characters.
MADE_CODES = [
    complete("91110105" + "MA01" + "ABCD" + org_check_character("MA01ABCD")),  # enterprise, Beijing Chaoyang
    complete("92330106" + "MA2H" + "7K3P" + org_check_character("MA2H7K3P")),  # individual business, Hangzhou
    complete("52440300" + "0000" + "0006" + org_check_character("00000006")),  # social organisation, check 'X'
    complete("11100000" + "0000" + "0000" + org_check_character("00000000")),  # state organ, org check '0'
]


def gb11714_value(char):
    return string.digits.find(char) if char.isdigit() else ord(char) - ord("A") + 10


@st.composite
def valid_codes(draw):
    head = draw(st.text(CHARSET, min_size=2, max_size=2))
    division = draw(st.text(string.digits, min_size=6, max_size=6))
    body = draw(st.text(CHARSET, min_size=8, max_size=8))
    return complete(head + division + body + org_check_character(body))


# --- the algorithms


def test_it_computes_the_worked_example_of_the_standard():
    # GB 32100-2015's own example: Σ value×weight = 1640, 1640 mod 31 = 28, check = 31 - 28 = 3.
    assert sum(CHARSET.index(c) * w for c, w in zip("91350100M000100Y4", WEIGHTS, strict=True)) == 1640
    assert check_character("91350100M000100Y4") == "3"
    assert validate("91350100M000100Y43") == []
    # The standard's failing example ends in 'Z', a letter the code never uses, so it fails even before the check.
    assert validate("91350100M000100Y4Z") == ["credit_code_charset"]
    assert validate("91350100M000100Y4Y") == ["credit_code_check"]


def test_it_uses_weights_that_are_powers_of_three_mod_31():
    assert tuple(pow(3, i, 31) for i in range(17)) == WEIGHTS
    assert len(CHARSET) == 31 and not set("IOSVZ") & set(CHARSET)


def test_it_writes_the_org_check_as_x_for_ten_and_zero_for_eleven():
    assert org_check_character("00000006") == "X"  # 6×2 = 12, 12 mod 11 = 1, 11 - 1 = 10
    assert org_check_character("00000000") == "0"  # 0 mod 11 = 0, 11 - 0 = 11
    assert org_check_character("19231745") == "8"  # BYD's organisation code 19231745-8
    assert org_check_character("M000100Y") == "4"  # the organisation code inside the standard's example


def test_it_gives_letters_their_gb11714_values_not_their_credit_code_values():
    # M is 22 in GB 11714 (0-9A-Z) but 21 in the credit code set: the two tables differ from H on.
    assert gb11714_value("M") == 22 and CHARSET.index("M") == 21
    assert org_check_character("MA2PBM9H") == "X"  # from 91340600MA2PBM9HXD, a registered code
    assert org_check_character("MA0KD1Y6") == "4"  # from 92141127MA0KD1Y64A


def test_it_rejects_bad_input_to_the_check_functions():
    with pytest.raises(ValueError, match="17 characters"):
        check_character("9144030019231745")
    with pytest.raises(ValueError, match="17 characters"):
        check_character("91440300192317I58")
    with pytest.raises(ValueError, match="8 characters"):
        org_check_character("1923174")


# --- known valid codes


@pytest.mark.parametrize("code", sorted(REAL_CODES))
def test_it_accepts_codes_of_real_companies_with_both_checks_passing(code):
    assert validate(code) == []
    assert check_character(code[:17]) == code[17]
    assert org_check_character(code[8:16]) == code[16]


@pytest.mark.parametrize(
    "code",
    [
        # More registered codes with letters in the organisation code, where the GB 11714 value table matters.
        "91310115MA1K3BTP2B",
        "91340600MA2PBM9HXD",
        "92141127MA0KD1Y64A",
        "12440600MB2C07549J",
        "91620105L015101280",
        "9115220107837757XE",
    ],
)
def test_it_accepts_registered_codes_with_letters_in_the_organisation_code(code):
    assert is_valid(code)


@pytest.mark.parametrize("code", MADE_CODES)
def test_it_accepts_codes_made_with_complete(code):
    assert len(code) == 18 and is_valid(code)


def test_it_completes_a_normalised_prefix():
    assert complete(" ９１４４０３００１９２３１７４５８") == "91440300192317458F"


@given(valid_codes())
def test_it_accepts_every_code_made_by_complete_with_a_right_org_check(code):
    assert validate(code) == []


@given(st.text(CHARSET, min_size=18, max_size=18))
def test_it_agrees_with_stdnum_on_every_code_stdnum_can_judge(code):
    # stdnum takes only digits in positions 1–8 and has no GB 11714 check; within that it must agree
    if code[:8].isdigit():
        assert ("credit_code_check" not in validate(code)) == uscc.is_valid(code)


# --- errors are detected


@given(valid_codes(), st.integers(0, 17), st.sampled_from(CHARSET))
def test_it_detects_every_single_character_substitution(code, index, char):
    changed = code[:index] + char + code[index + 1 :]
    if changed == code:
        return
    codes = validate(changed)
    assert not is_valid(changed)
    if 2 <= index <= 7 and not char.isdigit():
        assert codes == ["credit_code_division"]
    else:
        assert "credit_code_check" in codes  # GB 32100 alone catches every substitution
        if index not in range(8, 17):
            assert "credit_code_org_check" not in codes  # positions outside 9–17 leave the org code intact


@given(valid_codes(), st.integers(0, 17), st.characters(codec="utf-8"))
def test_it_detects_a_substitution_by_any_character(code, index, char):
    changed = code[:index] + char + code[index + 1 :]
    if normalise(changed) == code:
        return  # e.g. a lower-case or full-width form of the same character
    assert not is_valid(changed)


@given(valid_codes(), st.integers(0, 15))
def test_it_detects_every_swap_of_two_different_adjacent_characters_in_positions_1_to_17(code, index):
    swapped = code[:index] + code[index + 1] + code[index] + code[index + 2 :]
    if swapped != code:
        assert not is_valid(swapped)


def test_it_reports_which_check_failed():
    byd = "91440300192317458F"
    assert validate(byd[:17] + "G") == ["credit_code_check"]
    # a body and a position-18 check both made right, with only the GB 11714 check character wrong
    first17 = byd[:16] + "9"
    assert validate(complete(first17)) == ["credit_code_org_check"]
    assert validate(byd[:8] + "29231745" + byd[16:]) == ["credit_code_org_check", "credit_code_check"]


def test_it_reports_the_length():
    assert validate("") == ["credit_code_length"]
    assert validate("91440300192317458") == ["credit_code_length"]
    assert validate("91440300192317458FF") == ["credit_code_length"]
    assert problems("9144030019231745")[0].params == {"length": 16}


@pytest.mark.parametrize("char", ["I", "O", "S", "V", "Z", "-", "*", "é", "中"])
def test_it_reports_a_character_outside_the_charset_with_its_position(char):
    code = "91440300192317458F"
    changed = code[:12] + char + code[13:]
    found = problems(changed)
    assert [p.code for p in found] == ["credit_code_charset"]
    assert found[0].params == {"position": 13, "char": char.upper()}


def test_it_reports_every_bad_position_but_each_code_once_in_validate():
    found = problems("9144O3001923I7458F")
    assert [(p.code, p.params["position"]) for p in found] == [("credit_code_charset", 5), ("credit_code_charset", 13)]
    assert validate("9144O3001923I7458F") == ["credit_code_charset"]


def test_it_reports_letters_in_the_division_code():
    found = problems("9144A300192317458F")
    assert [(p.code, p.params) for p in found] == [("credit_code_division", {"position": 5, "char": "A"})]


def test_it_reports_length_and_charset_together_and_skips_the_checks():
    assert validate("9144030019231745O") == ["credit_code_length", "credit_code_charset"]


# --- normalise


def test_it_normalises_spaces_lower_case_and_full_width_characters():
    assert normalise(" 9144 0300 1923 1745 8f\t") == "91440300192317458F"
    assert normalise("９１４４０３００１９２３１７４５８Ｆ") == "91440300192317458F"
    assert normalise("９１４４０３００\u3000１９２３１７４５８ｆ") == "91440300192317458F"
    assert is_valid(" ９１４４０３００ １９２３１７４５８ｆ ")


def test_it_does_not_map_look_alike_characters():
    assert normalise("9144O3001923I7458F") == "9144O3001923I7458F"
    assert normalise("①") == "①"  # NFKC would make this '1'
    assert not is_valid("9144030019231745-8F")


@given(st.text())
def test_it_normalises_idempotently(text):
    once = normalise(text)
    assert normalise(once) == once
    assert not any(c.isspace() for c in once)


# --- messages


def test_it_has_bilingual_messages_with_the_same_placeholders():
    fields = string.Formatter()
    for code, texts in MESSAGES.items():
        assert set(texts) == {"zh-Hans", "en"}, code
        zh = {name for _, name, _, _ in fields.parse(texts["zh-Hans"]) if name}
        en = {name for _, name, _, _ in fields.parse(texts["en"]) if name}
        assert zh == en, code


def test_it_renders_each_problem_in_both_languages():
    found = problems("9144O300192317458")
    assert [p.message("en") for p in found] == [
        "the unified social credit code must have 18 characters, not 17",
        "character 'O' at position 5 is not allowed: the unified social credit code uses "
        "digits and capital letters except I, O, S, V and Z",
    ]
    assert found[0].message("zh-Hans") == "统一社会信用代码应为 18 位，现为 17 位"
    assert found[1].message().startswith("第 5 位的字符“O”不可用")


def test_it_has_a_message_for_every_code_it_reports():
    reported = set()
    for text in ["", "9144O300192317458F", "9144A300192317458F", "91440300192317458G", "91440300292317458F"]:
        reported |= set(validate(text))
    assert reported == set(MESSAGES)
