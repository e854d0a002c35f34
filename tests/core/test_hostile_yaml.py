"""Every YAML a user or operator hands in (records mappings, scheme files, the business calendar
file) is read by a loader that refuses anchors and aliases before building anything: a 500-byte
alias bomb must not expand into millions of nodes."""

from __future__ import annotations

import time
from datetime import date

import pytest

from aftersales.core.problems import ProblemsError
from aftersales.core.records.calendar import parse_calendar_years
from aftersales.core.records.mapping import load_mapping
from aftersales.core.safe_yaml import load_untrusted
from aftersales.core.scheme import load_scheme_bytes
from tests.hostile_files import alias_bomb


def _refused(load, text: str) -> str:
    started = time.perf_counter()
    with pytest.raises(ProblemsError) as info:
        load(text)
    assert time.perf_counter() - started < 0.5
    (problem,) = info.value.problems
    message = problem.message("en")
    assert "aliases" in message and len(message) < 400
    return problem.code


def test_it_refuses_an_alias_bomb_in_a_records_mapping():
    assert _refused(lambda t: load_mapping(t, name="bomb"), alias_bomb(5)) == "yaml_alias"


def test_it_refuses_an_alias_bomb_in_a_scheme_file():
    assert _refused(lambda t: load_scheme_bytes(t.encode()), alias_bomb(5)) == "yaml_alias"


def test_it_refuses_an_alias_bomb_in_the_business_calendar_file():
    text = "years:\n  2027:\n    holidays: &h [2027-01-01, 2027-01-02]\n    workdays: *h\n"
    assert _refused(lambda t: parse_calendar_years(t, name="cal.yaml"), text) == "yaml_alias"


def test_it_refuses_an_anchor_even_without_an_alias():
    with pytest.raises(ProblemsError) as info:
        load_untrusted("format: x\ntitle: &t hello\n", source="m.yaml")
    (problem,) = info.value.problems
    assert (problem.where, problem.params["line"], problem.params["column"]) == ("m.yaml", 2, 8)


def test_it_reads_plain_yaml_as_the_safe_loader_does():
    assert load_untrusted("a: [1, 2]\nb: {c: 2026-01-01}\n") == {"a": [1, 2], "b": {"c": date(2026, 1, 1)}}
