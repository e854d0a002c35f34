"""`aftersales schemes` lists the shipped schemes; `schemes validate` finds a broken scheme file."""

from __future__ import annotations

import re

import pytest
import yaml

from .fill import SCHEME_IDS, cli, export, fill, scheme_file, scheme_sha256


def line_of(output: str, scheme_id: str) -> str:
    lines = [line for line in output.splitlines() if re.search(rf"\b{re.escape(scheme_id)}\b", line)]
    assert len(lines) == 1, (scheme_id, output)
    return lines[0]


def test_it_lists_the_three_schemes_and_marks_gbt_as_reference():
    result = cli("schemes")

    assert result.exit_code == 0, result.stderr
    for scheme_id in SCHEME_IDS:
        assert scheme_id in result.stdout
    assert "参考分配" in line_of(result.stdout, "gbt27922-2011")
    for scheme_id in ("sbt10401-2006-a1", "sbt10401-2006-a2"):
        line = line_of(result.stdout, scheme_id)
        assert "正式" in line and "参考分配" not in line


def test_it_lists_the_schemes_in_english_with_lang_en():
    result = cli("schemes", "--lang", "en")

    assert result.exit_code == 0, result.stderr
    assert "reference allocation" in line_of(result.stdout, "gbt27922-2011")
    for scheme_id in ("sbt10401-2006-a1", "sbt10401-2006-a2"):
        line = line_of(result.stdout, scheme_id)
        assert "official" in line and "reference" not in line


@pytest.mark.parametrize("scheme_id", SCHEME_IDS)
def test_it_validates_a_shipped_scheme_file(scheme_id):
    result = cli("schemes", "validate", scheme_file(scheme_id))

    assert result.exit_code == 0, result.stderr
    assert f"方案有效：{scheme_id}" in result.stdout
    assert scheme_sha256(scheme_id) in result.stdout


def broken_gbt(tmp_path):
    """A copy of the GB/T scheme where 5.1.1.1 has 4 points, so 5.1.1's children add up to 7, not 6."""
    data = yaml.safe_load(scheme_file("gbt27922-2011").read_text(encoding="utf-8"))
    item = data["nodes"][0]["children"][0]["children"][0]
    assert (item["code"], item["points"]) == ("5.1.1.1", 3)
    item["points"] = 4
    path = tmp_path / "gbt-broken.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_it_rejects_a_scheme_whose_children_do_not_add_up_and_prints_the_node_path(tmp_path):
    result = cli("schemes", "validate", broken_gbt(tmp_path))

    assert result.exit_code == 2
    assert "nodes[0].children[0] (gbt27922-2011:5.1.1)" in result.stderr
    assert "下级指标分值之和为 7，与本级分值 6 不符" in result.stderr
    assert "方案有效" not in result.stdout


def test_it_prints_the_scheme_problem_in_english_with_lang_en(tmp_path):
    result = cli("schemes", "validate", broken_gbt(tmp_path), "--lang", "en")

    assert result.exit_code == 2
    assert "nodes[0].children[0] (gbt27922-2011:5.1.1): children add up to 7, not the node's 6 points" in result.stderr


def test_it_refuses_to_score_with_a_broken_scheme(tmp_path):
    sheet = fill(export(tmp_path, "gbt27922-2011", ".csv"))

    result = cli("score", sheet.path, "--scheme", broken_gbt(tmp_path))

    assert result.exit_code == 2
    assert "nodes[0].children[0] (gbt27922-2011:5.1.1)" in result.stderr
    assert result.stdout == ""


def test_it_lists_every_problem_of_a_broken_scheme(tmp_path):
    data = yaml.safe_load(scheme_file("sbt10401-2006-a2").read_text(encoding="utf-8"))
    data["nodes"][1]["points"] = 13  # the top-level points now add up to 101
    data["nodes"][3]["excludable"] = "yes"
    path = tmp_path / "a2-broken.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    result = cli("schemes", "validate", path, "--lang", "en")

    assert result.exit_code == 2
    assert "top-level points add up to 101, not the declared total 100" in result.stderr
    assert "nodes[3] (sbt10401-2006-a2:A2.4).excludable: invalid value 'yes'" in result.stderr


def test_it_names_the_shipped_schemes_when_the_scheme_is_unknown(tmp_path):
    sheet = fill(export(tmp_path, "sbt10401-2006-a1", ".csv"))

    result = cli("score", sheet.path, "--scheme", "sbt10401-2006-a9", "--lang", "en")

    assert result.exit_code == 2
    assert "unknown scheme; shipped schemes: " + ", ".join(SCHEME_IDS) in result.stderr
