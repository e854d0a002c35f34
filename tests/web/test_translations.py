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
        translated = ["".join(re.findall(r'"(.*)"', s)).replace('\\"', '"').replace("\\n", "\n") for s in strings]
        context = re.search(r'^msgctxt "(.*)"', block, re.M)
        yield ident, plural, translated, "#, fuzzy" in block, context.group(1) if context else None


def test_it_translates_every_message_into_chinese():
    untranslated = [ident for ident, _, strings, fuzzy, _ in entries() if fuzzy or not all(strings)]
    assert untranslated == []


def test_it_ships_a_compiled_catalogue_matching_the_source():
    with (LOCALE / "django.mo").open("rb") as fh:
        catalogue = gettext.GNUTranslations(fh)
    stale = []
    for ident, plural, strings, _, context in entries():
        if context:
            got = catalogue.pgettext(context, ident)
        else:
            got = catalogue.ngettext(ident, ident, 1) if plural else catalogue.gettext(ident)
        if got != strings[0]:
            stale.append(ident)
    assert stale == [], "run: python -m aftersales.manage compilemessages -l zh_Hans"


PACKAGE = Path(aftersales.__file__).parent
TRANSLATE_TAG = re.compile(r"""{%\s*translate\s+(["'])(.*?)\1""")
BLOCK_TAG = re.compile(r"{%\s*blocktranslate(?P<args>[^%]*)%}(?P<body>.*?){%\s*endblocktranslate\s*%}", re.S)
PY_CALL = re.compile(r"""\b(?:_|gettext|gettext_lazy)\(\s*(["'])((?:(?!\1).)*)\1\s*[,)]""")


def used_msgids() -> set[str]:
    """Literal msgids in templates and Python (plural blocks are left to makemessages)."""
    found = set()
    for path in PACKAGE.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        found.update(m.group(2) for m in TRANSLATE_TAG.finditer(text))
        for m in BLOCK_TAG.finditer(text):
            body = m.group("body")
            if "{% plural %}" in body:
                continue
            body = body.replace("%", "%%")
            body = re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", body)
            if "trimmed" in m.group("args"):
                body = " ".join(body.split())
            found.add(body)
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        found.update(m.group(2) for m in PY_CALL.finditer(path.read_text(encoding="utf-8")))
    return found


def test_it_has_every_message_the_code_uses_in_the_catalogue():
    known = {ident for ident, _, _, _, _ in entries()}
    missing = sorted(used_msgids() - known)
    assert missing == [], "run makemessages -l zh_Hans and translate"
