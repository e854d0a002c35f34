"""Does a certificate PDF's page say what its signed record says?

The signature covers the embedded record only, so `aftersales certificate verify` also reads the
page's text (`pdftext`) and finds the key fields where the certificate prints them — the number
(after its label, in the mark and in the registry address), the enterprise name (in the statement),
the level (statement, facts table, mark: word and number of ★) and the three dates (first issue,
this issue, expiry) — in Chinese or English. Every page after the first (the annex of sites) must
name the certificate's number in its header. Every place a field is found must agree with the record,
and each field must be found at least once; otherwise the file is not valid.

What it cannot see: a value painted as an image or as outlines, or glyphs whose drawing differs
from their text mapping (see docs/security.md). Needs no Django settings: the offline verifier
runs it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from aftersales.core.scheme import Level

from .mark import STARS
from .pdftext import PAGE_BREAK

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
FIELDS = ("number", "enterprise", "level", "first_issued_on", "issued_on", "expires_on")

_ZH_DAY = r"(\d{4}年\d{1,2}月\d{1,2}日)"
_EN_DAY = r"(\d{1,2}(?:" + "|".join(MONTHS) + r")\d{4})"
_WORDS = {text: level for level in STARS for text in (Level(level).text.zh, Level(level).text.en.lower())}
_WORD = "|".join(re.escape(w) for w in sorted(_WORDS, key=len, reverse=True))

# patterns over the text with all white space removed ("compact"), except the number's, which
# reads lines with their spaces removed (the number is followed by other letters in the statement)
_PATTERNS: dict[str, list[str]] = {
    "enterprise": [
        r"兹证明(.+?)(?:（统一社会信用代码|的商品售后服务经评价符合)",
        r"Thisistocertifythattheafter-salesserviceof(.+?)(?:\(Unifiedsocialcreditcode|hasbeenevaluated)",
    ],
    "level": [
        r"评价等级为(.+?)。",
        r"atthelevel(.+?)\.",
        r"评价等级/评价得分(.+?)·",
        r"Level/Score(.+?)·",
        rf"((?:{_WORD})·(?:{_WORD}))(?![0-9])",  # the mark: "三星 · three-star"
    ],
    "first_issued_on": [r"初次发证日期" + _ZH_DAY, r"Firstissued" + _EN_DAY],
    "issued_on": [r"本次发证日期(?:·证书版本\d+)?" + _ZH_DAY, r"(?<![a-z])Issued(?:·Version\d+)?" + _EN_DAY],
    "expires_on": [r"有效期至" + _ZH_DAY, r"Validuntil" + _EN_DAY],
}
_NUMBER_LABEL = re.compile(r"(?:证书编号(?:CertificateNo\.)?|CertificateNo\.)[:：]?\n?([0-9A-Z][0-9A-Z-]*)")
_NUMBER_URL = re.compile(r"/registry/([^/]+)/")


@dataclass(frozen=True)
class FieldCheck:
    field: str
    record: str  # the signed record's value: an ISO date, a level code, the number, the name
    page: tuple[str, ...]  # every value found on the page, in the same form

    @property
    def match(self) -> bool:
        return bool(self.page) and all(value == self.record for value in self.page)


def day_text(day: date, lang: str) -> str:
    """A date as the certificate prints it: 2026年3月1日, 1 March 2026."""
    if lang == "en":
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日"


def _day(text: str) -> str:
    """ISO form of a printed date, or the text as found if it is not a real date."""
    zh = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", text)
    en = re.fullmatch(r"(\d{1,2})(" + "|".join(MONTHS) + r")(\d{4})", text)
    try:
        if zh:
            return date(int(zh[1]), int(zh[2]), int(zh[3])).isoformat()
        if en:
            return date(int(en[3]), MONTHS.index(en[2]) + 1, int(en[1])).isoformat()
    except ValueError:
        pass
    return text


def _level(text: str) -> str:
    """The level code a printed level states ("三星★★★", "★★★three-star", "三星·three-star"), or
    the text as found when its words and stars disagree or name no level."""
    stars = text.count("★")
    words = [w for w in text.replace("★", "").split("·") if w]
    levels = {_WORDS.get(w.lower()) for w in words}
    if len(levels) != 1 or None in levels:
        return text
    level = levels.pop()
    if stars and stars != STARS[level]:
        return text
    return level


def page_fields(text: str) -> dict[str, list[str]]:
    """{field: every value the page shows for it} from the page's text (`pdftext.page_text`)."""
    compact = re.sub(r"\s+", "", text)
    lines = "\n".join(re.sub(r"\s+", "", line) for line in text.splitlines())
    found = {name: [] for name in FIELDS}
    found["number"] = _NUMBER_LABEL.findall(lines) + _NUMBER_URL.findall(compact)
    for seq, annex in enumerate(text.split(f"\n{PAGE_BREAK}\n")[1:], start=2):
        annex_lines = "\n".join(re.sub(r"\s+", "", line) for line in annex.splitlines())
        if not _NUMBER_LABEL.search(annex_lines):  # an annex page names its certificate in its header
            found["number"].append(f"p.{seq}: —")
    for name, patterns in _PATTERNS.items():
        for pattern in patterns:
            found[name] += re.findall(pattern, compact)
    found["level"] = [_level(v) for v in found["level"]]
    for name in ("first_issued_on", "issued_on", "expires_on"):
        found[name] = [_day(v) for v in found[name]]
    return found


def page_check(payload: dict, text: str) -> list[FieldCheck]:
    """One FieldCheck per key field: what the page shows against the signed payload."""
    found = page_fields(text)
    record = {name: str(payload.get(name, "")) for name in FIELDS}
    record["enterprise"] = re.sub(r"\s+", "", record["enterprise"])
    return [FieldCheck(name, record[name], tuple(dict.fromkeys(found[name]))) for name in FIELDS]
