"""The loader refuses bad scheme files with the path of the offending node."""

import copy

import pytest
import yaml

from aftersales.core.problems import ProblemsError
from aftersales.core.scheme import load_scheme, load_scheme_bytes

from .factories import item, node, scheme_dict


def base() -> dict:
    return scheme_dict(
        [
            node("1", 60, [item("1.1", 30), item("1.2", 30)]),
            node("2", 40, [item("2.1", 25, excludable=True), item("2.2", 15, sampled=True)]),
        ]
    )


def load(d: dict):
    return load_scheme_bytes(yaml.safe_dump(d, allow_unicode=True).encode())


def problems_of(d: dict) -> list[tuple[str, str]]:
    with pytest.raises(ProblemsError) as exc:
        load(d)
    return [(p.code, p.where) for p in exc.value.problems]


def test_it_loads_a_valid_scheme_into_a_frozen_model():
    s = load(base())
    assert [i.code for i in s.items] == ["1.1", "1.2", "2.1", "2.2"]
    assert s.node("test:2.1").excludable
    with pytest.raises(AttributeError):
        s.id = "other"  # frozen


def test_it_refuses_duplicate_ids_with_their_path():
    d = base()
    d["nodes"][1]["children"][1]["code"] = "1.1"
    d["nodes"][1]["children"][1]["points"] = 15
    assert ("scheme_duplicate_id", "nodes[1].children[1] (test:1.1)") in problems_of(d)


def test_it_refuses_children_that_do_not_add_up():
    d = base()
    d["nodes"][0]["children"][1]["points"] = 29
    assert ("scheme_children_mismatch", "nodes[0] (test:1)") in problems_of(d)


def test_it_refuses_a_total_other_than_the_declared_total():
    d = base()
    d["total"] = 99
    assert ("scheme_total_mismatch", "total") in problems_of(d)


def test_it_refuses_unknown_parameters():
    d = base()
    d["parameters"]["rounding_mode"] = "up"
    assert ("scheme_unknown_key", "parameters") in problems_of(d)


def test_it_refuses_unknown_keys_on_nodes():
    d = base()
    d["nodes"][0]["children"][0]["weight"] = 2
    assert ("scheme_unknown_key", "nodes[0].children[0] (test:1.1)") in problems_of(d)


def test_it_refuses_a_missing_parameter():
    d = base()
    del d["parameters"]["section_floor"]
    assert ("scheme_missing_key", "parameters") in problems_of(d)


def test_it_refuses_flags_on_interior_nodes():
    d = base()
    d["nodes"][0]["excludable"] = True
    assert ("scheme_flag_on_interior", "nodes[0] (test:1)") in problems_of(d)


def test_it_refuses_a_title_without_english():
    d = base()
    d["nodes"][0]["title"] = {"zh-Hans": "只有中文"}
    assert ("scheme_bad_text", "nodes[0] (test:1).title") in problems_of(d)


def test_it_refuses_levels_out_of_order():
    d = base()
    d["parameters"]["levels"] = {"qualified": 80, "three_star": 70}
    assert ("scheme_levels_order", "parameters.levels") in problems_of(d)


def test_it_refuses_non_positive_points():
    d = base()
    d["nodes"][0]["children"][0]["points"] = 0
    assert ("scheme_bad_points", "nodes[0].children[0] (test:1.1).points") in problems_of(d)


def test_it_reports_every_problem_at_once():
    d = base()
    d["total"] = 99
    d["parameters"]["extra"] = 1
    d["nodes"][1]["children"][0]["title"] = "no languages"
    codes = {code for code, _ in problems_of(d)}
    assert {"scheme_total_mismatch", "scheme_unknown_key", "scheme_bad_text"} <= codes


def test_it_requires_a_note_on_a_reference_scheme():
    d = base()
    d["status"] = "reference"
    assert ("scheme_reference_needs_note", "note") in problems_of(d)


def test_it_reads_decimal_points_exactly():
    d = copy.deepcopy(base())
    d["nodes"][0]["children"] = [item("1.1", "29.5"), item("1.2", 30.5)]
    s = load(d)
    from fractions import Fraction

    assert s.node("1.1").points == Fraction(59, 2) and s.node("1.2").points == Fraction(61, 2)


def test_it_names_the_file_when_it_cannot_be_read(tmp_path):
    with pytest.raises(ProblemsError) as exc:
        load_scheme(tmp_path / "missing.yaml")
    assert exc.value.problems[0].code == "scheme_unreadable"


def test_it_refuses_a_file_that_is_not_yaml():
    with pytest.raises(ProblemsError) as exc:
        load_scheme_bytes(b"nodes: [unclosed")
    assert exc.value.problems[0].code == "scheme_not_yaml"


def test_it_gives_a_different_hash_for_different_bytes():
    a = load(base())
    b = load_scheme_bytes(yaml.safe_dump(base(), allow_unicode=True).encode() + b"\n# comment\n")
    assert a.sha256 != b.sha256 and a.nodes == b.nodes


@pytest.mark.parametrize("text", ["1e999999999", "-1e-999999999", "9" * 41, "nan", "inf", "1/0", "abc"])
def test_it_refuses_numbers_that_are_not_plain_points(text):
    from aftersales.core.scheme import parse_points

    assert parse_points(text) is None


@pytest.mark.parametrize(("text", "value"), [("2.5", "5/2"), ("1e2", "100"), ("1/3", "1/3"), (" 7 ", "7")])
def test_it_reads_plain_numbers_exactly(text, value):
    from fractions import Fraction

    from aftersales.core.scheme import parse_points

    assert parse_points(text) == Fraction(value)
