"""Problems: one bad thing in one place, rendered in the user's language.

Loaders, the scoring input check and the checklist reader all report every problem at once as
`Problem`s; callers decide how to show them (CLI table, web form errors, JSON).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType

from .display import format_points
from .messages import MESSAGES
from .text import Text, normalise_language

MAX_PROBLEMS = 100  # problems kept per file or request; the rest are counted (`problems_more`)
MAX_PARAM_CHARS = 200  # a value quoted in a message is cut to this many characters


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    where: str = ""  # node path in a scheme file, or an item id
    row: int | None = None  # 1-based row in a checklist file (the header is row 1)
    column: str | None = None  # canonical column name, or the source file's header for record imports
    params: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if self.code not in MESSAGES:
            raise KeyError(f"no message for problem code {self.code!r}")
        object.__setattr__(self, "params", MappingProxyType({k: _param(v) for k, v in self.params.items()}))

    def message(self, lang: str | None = None) -> str:
        template = MESSAGES[self.code][normalise_language(lang)]
        return template.format(**{k: _fmt(v, lang) for k, v in self.params.items()})

    def located(self, lang: str | None = None) -> str:
        """The message prefixed with where it happened."""
        en = normalise_language(lang) == "en"
        parts = []
        if self.row is not None:
            parts.append(f"row {self.row}" if en else f"第 {self.row} 行")
        if self.column:
            parts.append(f"column {self.column}" if en else f"列 {self.column}")
        if self.where and self.row is None:
            parts.append(self.where)
        prefix = ", ".join(parts) if en else "，".join(parts)
        return f"{prefix}: {self.message(lang)}" if prefix else self.message(lang)

    def as_dict(self, lang: str | None = None) -> dict[str, object]:
        return {
            "code": self.code,
            "where": self.where or None,
            "row": self.row,
            "column": self.column,
            "message": self.message(lang),
        }


def _param(value: object) -> object:
    """Text cut to MAX_PARAM_CHARS (a cell of a hostile file may be huge, and a problem is stored
    and shown); a label (`Text`, a concept's) shown in the message's language; other values as they
    are, cut when a message shows them."""
    return clip(value) if isinstance(value, str) else value


def _fmt(value: object, lang: str | None = None) -> str:
    if isinstance(value, Text):
        return value.get(lang)
    return clip(format_points(value) if isinstance(value, Fraction) else str(value))


def clip(text: str, limit: int = MAX_PARAM_CHARS) -> str:
    """`text` cut to `limit` characters (an ellipsis marks the cut): a quoted cell or value never
    makes a message long."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def capped(problems: list[Problem], *, total: int | None = None, limit: int = MAX_PROBLEMS) -> list[Problem]:
    """The first `limit` problems, and one `problems_more` counting the rest (`total` problems in
    all when the caller counted more than it kept)."""
    problems = list(problems)
    more = 0
    if problems and problems[-1].code == "problems_more":  # capped already: keep its count
        more = int(problems.pop().params["count"])
    total = (len(problems) if total is None else total) + more
    shown = problems[:limit]
    if total > len(shown):
        shown.append(Problem("problems_more", params={"count": total - len(shown)}))
    return shown


def problem_json(p: Problem) -> dict:
    """A problem as stored: enough to show it again in either language."""
    return {
        "code": p.code,
        "row": p.row,
        "column": p.column,
        "where": p.where or None,
        "params": {k: v.as_dict() if isinstance(v, Text) else clip(str(v)) for k, v in p.params.items()},
    }


def problem_from_json(d: dict) -> Problem:
    """A stored problem (`problem_json`) as a `Problem` again."""
    params = {k: Text(v["zh-Hans"], v["en"]) if isinstance(v, dict) else v for k, v in d["params"].items()}
    return Problem(d["code"], where=d.get("where") or "", row=d.get("row"), column=d.get("column"), params=params)


class ProblemsError(ValueError):
    """Raised with every problem found; nothing was done."""

    def __init__(self, problems: list[Problem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(p.located("en") for p in problems))
