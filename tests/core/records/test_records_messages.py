"""Every records problem code used in the core has a zh-Hans and an en message."""

import re
from pathlib import Path

import aftersales.core.records
from aftersales.core.messages import MESSAGES

SOURCE = Path(aftersales.core.records.__file__).parent


def test_it_has_a_bilingual_message_for_every_code_the_records_core_uses():
    used = set()
    for path in SOURCE.glob("*.py"):
        used |= set(re.findall(r'"(records_[a-z_]+)"', path.read_text(encoding="utf-8")))
    assert used, "no codes found"
    assert sorted(used - set(MESSAGES)) == []
    assert all(MESSAGES[c]["zh-Hans"] and MESSAGES[c]["en"] for c in used)
    assert all(code.startswith("records_") for code in used)
