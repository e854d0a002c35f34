"""docs/security.md says who may see what; the persona × URL matrix (tests/web) enforces it.

The table between the markers in the doc is the matrix itself, one row per URL pattern: this test
builds it from tests/web/test_persona_matrix.routes() and fails when the doc differs (a new URL, a
changed answer). Rewrite the table after changing the matrix:

    UPDATE_SECURITY_DOC=1 pytest tests/security/test_docs.py
"""

import os
import re
from pathlib import Path

import pytest

from tests.web.personas import PERSONAS
from tests.web.test_persona_matrix import routes, url_names

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
BEGIN, END = "<!-- matrix:begin -->", "<!-- matrix:end -->"


def matrix_table(world) -> str:
    rows = routes(world)
    lines = [
        "| URL name | method | " + " | ".join(PERSONAS) + " |",
        "|---|---|" + "---|" * len(PERSONAS),
    ]
    for name in sorted(rows):
        method, _url, _data, _headers, statuses = rows[name]
        lines.append(f"| `{name}` | {method.upper()} | " + " | ".join(str(statuses[p]) for p in PERSONAS) + " |")
    return "\n".join(lines)


def doc_table(text: str) -> str:
    match = re.search(re.escape(BEGIN) + r"\n(.*?)" + re.escape(END), text, flags=re.S)
    assert match, f"docs/security.md has no {BEGIN} … {END} block"
    return match.group(1).strip()


@pytest.mark.django_db
def test_the_docs_table_is_the_persona_matrix(world):
    text = DOC.read_text(encoding="utf-8")
    want = matrix_table(world)
    if os.environ.get("UPDATE_SECURITY_DOC") == "1":
        block = f"{BEGIN}\n{want}\n{END}"
        text = re.sub(re.escape(BEGIN) + r"\n.*?" + re.escape(END), lambda _m: block, text, flags=re.S)
        DOC.write_text(text, encoding="utf-8")
    assert doc_table(text) == want, "the matrix changed: UPDATE_SECURITY_DOC=1 pytest tests/security/test_docs.py"


@pytest.mark.django_db
def test_the_docs_table_names_every_url_pattern_and_persona():
    table = doc_table(DOC.read_text(encoding="utf-8"))
    named = set(re.findall(r"^\| `([^`]+)` \|", table, flags=re.M))
    assert named == url_names()  # the matrix itself fails on a URL without a row (test_persona_matrix)
    header = table.splitlines()[0]
    assert all(f" {persona} |" in header for persona in PERSONAS)


def test_the_doc_describes_every_persona_and_control():
    text = DOC.read_text(encoding="utf-8").split(BEGIN)[0]
    for persona in PERSONAS:
        assert f"`{persona}`" in text, persona
    for control in ("TOTP_REQUIRED_FOR_CB", "SECURE_CSP", "LOGIN_FAILURE_LIMIT", "REGISTRY_RATE_LIMIT", "MEDIA_ROOT"):
        assert control in text, control
