"""The zh-Hans catalogue is complete, and the compiled .mo matches the .po."""

import gettext
import re
from pathlib import Path

import aftersales

LOCALE = Path(aftersales.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def entries():
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        if not msgid:
            continue
        ident = "".join(re.findall(r'"(.*)"', msgid.group(1))).replace('\\"', '"').replace("\\n", "\n")
        if not ident:
            continue
        plural = "msgid_plural" in block
        strings = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block, re.M)
        translated = ["".join(re.findall(r'"(.*)"', s)).replace('\\"', '"') for s in strings]
        yield ident, plural, translated, "#, fuzzy" in block


def test_it_translates_every_message_into_chinese():
    untranslated = [ident for ident, _, strings, fuzzy in entries() if fuzzy or not all(strings)]
    assert untranslated == []


def test_it_ships_a_compiled_catalogue_matching_the_source():
    with (LOCALE / "django.mo").open("rb") as fh:
        catalogue = gettext.GNUTranslations(fh)
    stale = []
    for ident, plural, strings, _ in entries():
        got = catalogue.ngettext(ident, ident, 1) if plural else catalogue.gettext(ident)
        if got != strings[0]:
            stale.append(ident)
    assert stale == [], "run: python -m aftersales.manage compilemessages -l zh_Hans"
