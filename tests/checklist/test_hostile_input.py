"""A checklist is untrusted input: a cell must not be able to stall the scorer."""

from __future__ import annotations

import json
import subprocess
import sys

from .fill import export, fill

LIMIT_SECONDS = 10  # scoring a clean file takes well under a second


def score_in_subprocess(path, scheme):
    """Run the CLI in its own process, so a stalled run can be stopped (subprocess.run kills it)."""
    return subprocess.run(
        [sys.executable, "-m", "aftersales.cli", "score", str(path), "--scheme", scheme, "--json"],
        capture_output=True,
        timeout=LIMIT_SECONDS,
        check=False,
    )


def test_it_scores_a_clean_file_in_a_subprocess_quickly(tmp_path):
    sheet = fill(export(tmp_path, "sbt10401-2006-a1", ".csv"), {"A1.2": {"result": "partial", "points_awarded": "1e0"}})

    done = score_in_subprocess(sheet.path, "sbt10401-2006-a1")

    assert done.returncode == 0, done.stderr.decode()
    assert json.loads(done.stdout)["score_exact"] == "95"


def test_it_rejects_a_huge_exponent_in_points_awarded_promptly(tmp_path):
    sheet = fill(
        export(tmp_path, "sbt10401-2006-a1", ".csv"), {"A1.2": {"result": "partial", "points_awarded": "1e999999999"}}
    )

    done = score_in_subprocess(sheet.path, "sbt10401-2006-a1")

    assert done.returncode == 2
    problems = json.loads(done.stdout)["problems"]
    assert [(p["row"], p["column"]) for p in problems] == [(sheet.rows["A1.2"], "points_awarded")]
