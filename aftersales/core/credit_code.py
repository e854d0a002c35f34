"""The unified social credit code (统一社会信用代码, GB 32100-2015): normalise and validate.

The position-18 check character comes from python-stdnum (`stdnum.cn.uscc`). Ours: the problems
per position with zh-Hans and en messages, and the GB 11714 check of the embedded organisation
code (position 17), which stdnum does not have. Structure, checks and decisions: docs/credit-code.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from stdnum.cn import uscc

from .text import normalise_language

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
LENGTH = 18

# GB 11714 (organisation code, position 17): not in python-stdnum, so ours
ORG_CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # GB 11714 values: index = value
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

DIVISION = slice(2, 8)  # positions 3–8
ORG_BODY = slice(8, 16)  # positions 9–16
ORG_CHECK = 16  # position 17 (0-based index)

_ORG_VALUE = {c: i for i, c in enumerate(ORG_CHARSET)}

# Full-width ASCII (U+FF01–U+FF5E) to half-width, and the ideographic space to a space.
# Deliberately not NFKC: that would also turn ①, ² or Ⅸ into digits and letters.
_HALF_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def _m(zh: str, en: str) -> MappingProxyType:
    return MappingProxyType({"zh-Hans": zh, "en": en})


# Problem codes of this module; same placeholders in both languages, as in core/messages.py.
MESSAGES = MappingProxyType(
    {
        "credit_code_length": _m(
            "统一社会信用代码应为 18 位，现为 {length} 位",
            "the unified social credit code must have 18 characters, not {length}",
        ),
        "credit_code_charset": _m(
            "第 {position} 位的字符“{char}”不可用：统一社会信用代码只由数字和大写字母组成，且不用 I、O、S、V、Z",
            "character '{char}' at position {position} is not allowed: the unified social credit code uses "
            "digits and capital letters except I, O, S, V and Z",
        ),
        "credit_code_division": _m(
            "第 3–8 位是登记管理机关行政区划码，只能是数字；第 {position} 位却是“{char}”",
            "positions 3–8 (the administrative division code) must be digits, but position {position} is '{char}'",
        ),
        "credit_code_check": _m(
            "统一社会信用代码的校验码（第 18 位）不符，请核对是否有录入错误",
            "the check character of the unified social credit code (position 18) does not match: "
            "please look for a typing error",
        ),
        "credit_code_org_check": _m(
            "第 9–17 位的组织机构代码未通过其校验（第 17 位，GB 11714），请核对是否有录入错误",
            "the organisation code in positions 9–17 fails its own check (position 17, GB 11714): "
            "please look for a typing error",
        ),
    }
)


@dataclass(frozen=True, slots=True)
class CreditCodeProblem:
    """One problem of a credit code: a `MESSAGES` code and its placeholder values."""

    code: str
    params: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if self.code not in MESSAGES:
            raise KeyError(f"no message for problem code {self.code!r}")
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def message(self, lang: str | None = None) -> str:
        return MESSAGES[self.code][normalise_language(lang)].format(**self.params)


def normalise(text: str) -> str:
    """The code as it is compared: full-width → half-width, no whitespace, upper case.

    '９１４４ 0300 1923 1745 8f' → '91440300192317458F'. Nothing else is removed or mapped
    (no hyphens dropped, no O→0), so a wrong character stays visible to `validate`.
    """
    return "".join(text.translate(_HALF_WIDTH).split()).upper()


def check_character(first17: str) -> str:
    """The GB 32100 check character (position 18) for the first 17 characters.

    The input is normalised first; ValueError unless that gives 17 characters of `CHARSET`.
    """
    code = normalise(first17)
    if len(code) != LENGTH - 1 or any(c not in CHARSET for c in code):
        raise ValueError(f"need 17 characters of {CHARSET!r}, got {first17!r}")
    return uscc.calc_check_digit(code)


def org_check_character(body8: str) -> str:
    """The GB 11714 check character (position 17) for the 8-character organisation code body
    (positions 9–16). Accepts GB 11714's own 0-9A-Z; ValueError otherwise."""
    body = normalise(body8)
    if len(body) != 8 or any(c not in _ORG_VALUE for c in body):
        raise ValueError(f"need 8 characters of 0-9A-Z, got {body8!r}")
    remainder = 11 - sum(_ORG_VALUE[c] * w for c, w in zip(body, ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


def complete(first17: str) -> str:
    """The 18-character code: the normalised first 17 characters + their GB 32100 check character.

    Position 17 is taken as given: for a code that `is_valid` accepts, make it
    `org_check_character(positions 9–16)` first.
    """
    return normalise(first17) + check_character(first17)


def problems(text: str) -> list[CreditCodeProblem]:
    """Every problem of the code, in position order; empty when it is valid.

    Length and character problems are all reported; the two checks are computed only when the
    code has 18 allowed characters (otherwise they would say nothing useful).
    """
    code = normalise(text)
    found: list[CreditCodeProblem] = []
    if len(code) != LENGTH:
        found.append(CreditCodeProblem("credit_code_length", {"length": len(code)}))
    for index, char in enumerate(code):
        position = index + 1
        if char not in CHARSET:
            found.append(CreditCodeProblem("credit_code_charset", {"position": position, "char": char}))
        elif DIVISION.start <= index < DIVISION.stop and not char.isdigit():
            found.append(CreditCodeProblem("credit_code_division", {"position": position, "char": char}))
    if found:
        return found
    if org_check_character(code[ORG_BODY]) != code[ORG_CHECK]:
        found.append(CreditCodeProblem("credit_code_org_check"))
    if check_character(code[: LENGTH - 1]) != code[LENGTH - 1]:
        found.append(CreditCodeProblem("credit_code_check"))
    return found


def validate(text: str) -> list[str]:
    """The distinct problem codes of `problems(text)`, in order; empty = valid.

    Use `problems` for the positions and characters behind each code.
    """
    return list(dict.fromkeys(p.code for p in problems(text)))


def is_valid(text: str) -> bool:
    """True when the code is well-formed and passes both the GB 32100 and the GB 11714 check."""
    return not problems(text)
