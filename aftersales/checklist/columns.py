"""The checklist file's columns and words, shared by the writer and the reader."""

from __future__ import annotations

from types import MappingProxyType

from aftersales.core.scoring import DEDUCTION_TEXT, RESULT_TEXT, DeductionKind, ResultKind
from aftersales.core.text import Text

COLUMNS = ("item", "title", "points", "result", "points_awarded", "sampled", "nonconforming", "reason")
REQUIRED_COLUMNS = ("item", "result")

COLUMN_TEXT = MappingProxyType(
    {
        "item": Text("条款", "item"),
        "title": Text("名称", "title"),
        "points": Text("分值", "points"),
        "result": Text("结果", "result"),
        "points_awarded": Text("得分", "points_awarded"),
        "sampled": Text("抽样数", "sampled"),
        "nonconforming": Text("不符合数", "nonconforming"),
        "reason": Text("理由/备注", "reason"),
    }
)

SPECIAL_DEDUCTION = "special_deduction"
SPECIAL_BONUS = "special_bonus"
SPECIAL_ROWS = MappingProxyType(
    {
        SPECIAL_DEDUCTION: Text("特别扣分项", SPECIAL_DEDUCTION),
        SPECIAL_BONUS: Text("特别加分项", SPECIAL_BONUS),
    }
)


def header_label(column: str) -> str:
    """The header cell: zh-Hans first, the en key beside it ('条款 item')."""
    text = COLUMN_TEXT[column]
    return f"{text.zh} {text.en}"


def _words(table) -> dict[str, object]:
    words: dict[str, object] = {}
    for value, text in table.items():
        for word in (value.value, text.zh, text.en):
            words[word.casefold()] = value
    return words


RESULT_WORDS = MappingProxyType({**_words(RESULT_TEXT), "n/a": ResultKind.NA})
DEDUCTION_WORDS = MappingProxyType(
    {
        **_words(DEDUCTION_TEXT),
        "法律法规": DeductionKind.LAW,
        "企业制度": DeductionKind.OWN_RULES,
        "行业要求": DeductionKind.INDUSTRY,
        "体系运行": DeductionKind.DISRUPTION,
    }
)
SPECIAL_WORDS = MappingProxyType(
    {word.casefold(): key for key, text in SPECIAL_ROWS.items() for word in (key, text.zh)}
)

# What the result column offers in a dropdown (Excel limits a list to 255 characters).
RESULT_CHOICES = tuple(t.zh for t in RESULT_TEXT.values()) + tuple(k.value for k in ResultKind)
DEDUCTION_CHOICES = ("法律法规", "企业制度", "行业要求", "体系运行", *tuple(k.value for k in DeductionKind))


def match_header(cell: object) -> str | None:
    """The canonical column for a header cell: 'item', '条款', '条款 item' and '条款 (item)' all match."""
    if cell is None:
        return None
    text = str(cell).strip().casefold()
    if not text:
        return None
    for column, label in COLUMN_TEXT.items():
        zh, en = label.zh.casefold(), label.en.casefold()
        if text in {en, zh, f"{zh} {en}", f"{zh} ({en})", f"{zh}({en})", f"{en} {zh}"}:
            return column
    return None
