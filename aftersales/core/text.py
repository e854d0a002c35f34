"""Bilingual text: every user-facing string of the core carries zh-Hans and en."""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGES = ("zh-Hans", "en")
DEFAULT_LANGUAGE = "zh-Hans"


def normalise_language(lang: str | None) -> str:
    """Map 'zh', 'zh-hans', 'zh_CN', 'en-US'… to one of LANGUAGES; unknown → default."""
    if not lang:
        return DEFAULT_LANGUAGE
    low = lang.replace("_", "-").lower()
    if low.startswith("en"):
        return "en"
    return DEFAULT_LANGUAGE


@dataclass(frozen=True, slots=True)
class Text:
    zh: str
    en: str

    def get(self, lang: str | None = None) -> str:
        return self.en if normalise_language(lang) == "en" else self.zh

    def as_dict(self) -> dict[str, str]:
        return {"zh-Hans": self.zh, "en": self.en}
