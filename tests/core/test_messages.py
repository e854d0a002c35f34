"""Every problem message exists in both languages with the same placeholders."""

import string

from aftersales.core.messages import MESSAGES
from aftersales.core.scoring import FAIL_MESSAGES


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_it_has_zh_hans_and_en_for_every_problem_code():
    for code, texts in MESSAGES.items():
        assert set(texts) == {"zh-Hans", "en"}, code
        assert fields(texts["zh-Hans"]) == fields(texts["en"]), code


def test_it_has_the_same_placeholders_in_both_fail_messages():
    for code, text in FAIL_MESSAGES.items():
        assert fields(text.zh) <= fields(text.en) | {"title_zh"}, code
