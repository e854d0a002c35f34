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
from .text import normalise_language


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
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def message(self, lang: str | None = None) -> str:
        template = MESSAGES[self.code][normalise_language(lang)]
        return template.format(**{k: _fmt(v) for k, v in self.params.items()})

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


def _fmt(value: object) -> str:
    return format_points(value) if isinstance(value, Fraction) else str(value)


class ProblemsError(ValueError):
    """Raised with every problem found; nothing was done."""

    def __init__(self, problems: list[Problem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(p.located("en") for p in problems))
