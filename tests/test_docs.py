"""docs/scoring.md's worked example is recomputed, so the page cannot drift from the code."""

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from aftersales.cli import app

DOC = Path(__file__).resolve().parent.parent / "docs" / "scoring.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_it_reproduces_the_worked_example(tmp_path):
    (csv_text,) = blocks("csv")
    (expected_text,) = blocks("json")
    expected = json.loads(expected_text)
    path = tmp_path / "example.csv"
    path.write_text(csv_text, encoding="utf-8")
    run = CliRunner().invoke(app, ["score", str(path), "--scheme", "sbt10401-2006-a1", "--json"])
    assert run.exit_code == 0, run.output
    got = json.loads(run.stdout)
    for key in ("score", "score_exact", "level", "passed", "earned_points", "applicable_points"):
        assert got[key] == expected[key], key
    assert len(got["fail_reasons"]) == len(expected["fail_reasons"])
    for got_reason, expected_reason in zip(got["fail_reasons"], expected["fail_reasons"], strict=True):
        assert {k: got_reason[k] for k in expected_reason} == expected_reason
    assert {k: got["next_level"][k] for k in expected["next_level"]} == expected["next_level"]
