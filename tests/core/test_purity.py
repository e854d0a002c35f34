"""The core is pure Python: no Django, so the CLI and workers score without a web stack."""

import ast
import subprocess
import sys
from pathlib import Path

import aftersales.core

CORE = Path(aftersales.core.__file__).parent


def test_it_has_no_django_import_in_the_source():
    offenders = []
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "django"]
    assert offenders == []


def test_it_scores_without_loading_django():
    code = (
        "import sys\n"
        "from aftersales.core.scheme import get_scheme\n"
        "from aftersales.core.scoring import ItemResult, score\n"
        "from aftersales.checklist import reader, writer\n"
        "s = get_scheme('gbt27922-2011')\n"
        "score(s, {i.id: ItemResult.conform() for i in s.items})\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
