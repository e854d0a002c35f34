"""docs/records.md names every KPI, every drill `where`, every mapping key and every problem code."""

import re
from pathlib import Path

from aftersales.core.messages import MESSAGES
from aftersales.core.records import kpi, mapping

DOC = (Path(__file__).resolve().parents[3] / "docs" / "records.md").read_text(encoding="utf-8")


def test_it_documents_every_kpi_and_drill_name():
    for spec in kpi._SPECS:
        assert f"`{spec.id}`" in DOC, spec.id
        assert f"`{spec.where}`" in DOC, spec.where


def test_it_documents_every_mapping_key():
    for key in mapping._KEYS:
        assert f"| `{key}` |" in DOC, key


def test_it_documents_every_import_problem_code():
    codes = {
        c for c in MESSAGES if c.startswith("records_") and not c.startswith(("records_mapping", "records_sample"))
    }
    documented = set(re.findall(r"`(records_[a-z_]+)`", DOC))
    assert codes <= documented, codes - documented
