import json

import pytest
from typer.testing import CliRunner

from aftersales.cli import app
from aftersales.records.models import Complaint, WorkOrder

from .conftest import sample_file

pytestmark = pytest.mark.django_db(transaction=True)
runner = CliRunner()


@pytest.fixture
def files(tmp_path):
    out = {}
    for kind in ("complaint", "work_order"):
        name, data = sample_file(kind)
        (tmp_path / name).write_bytes(data)
        out[kind] = tmp_path / name
    return out


def _import(world, path, kind, mapping, *extra):
    code = world["enterprise"].credit_code
    return runner.invoke(
        app, ["records", "import", str(path), "--enterprise", code, "--kind", kind, "--mapping", mapping, *extra]
    )


def test_it_imports_with_a_shipped_mapping_by_name_and_then_changes_nothing(world, files):
    first = _import(world, files["work_order"], "work_order", "crm-work-orders-gbk", "--json", "--lang", "en")
    assert first.exit_code == 0, first.output
    body = json.loads(first.output)
    assert body["inserted"] == WorkOrder.objects.count() > 0
    again = json.loads(_import(world, files["work_order"], "work_order", "crm-work-orders-gbk", "--json").output)
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, body["inserted"])


def test_it_exits_2_listing_every_problem_by_row_and_column(world, files, tmp_path):
    text = files["complaint"].read_bytes().decode("utf-8-sig").replace("收费争议", "").replace("处理中", "搁置", 1)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(text.encode("utf-8-sig"))
    result = _import(world, bad, "complaint", "complaints-event-log-utf8bom", "--lang", "en")
    assert result.exit_code == 2
    assert "column 投诉类型" in result.output and "row 3, column 处理状态" in result.output
    assert Complaint.objects.count() == 0


def test_it_writes_nothing_on_a_dry_run(world, files):
    result = _import(
        world, files["complaint"], "complaint", "complaints-event-log-utf8bom", "--dry-run", "--lang", "en"
    )
    assert result.exit_code == 0 and "Dry run" in result.output
    assert Complaint.objects.count() == 0


def test_it_refuses_an_unknown_enterprise(world, files):
    result = runner.invoke(
        app,
        [
            "records",
            "import",
            str(files["complaint"]),
            "--enterprise",
            "X",
            "--kind",
            "complaint",
            "--mapping",
            "complaints-event-log-utf8bom",
        ],
    )
    assert result.exit_code == 2


def test_it_prints_the_kpis_as_json(world, files):
    _import(world, files["work_order"], "work_order", "crm-work-orders-gbk")
    result = runner.invoke(app, ["kpi", "--enterprise", world["enterprise"].credit_code, "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    arrival = next(k for k in body["kpis"] if k["id"] == "arrival_time")
    assert arrival["denominator"] > 0 and arrival["median_business"] is not None
    table = runner.invoke(app, ["kpi", "--enterprise", world["enterprise"].credit_code, "--lang", "en"])
    assert table.exit_code == 0 and "On-site arrival time" in table.output


def test_it_draws_the_same_sample_for_the_same_seed(world, files):
    _import(world, files["work_order"], "work_order", "crm-work-orders-gbk")
    args = [
        "records",
        "sample",
        "--enterprise",
        world["enterprise"].credit_code,
        "--kind",
        "work_order",
        "--n",
        "5",
        "--seed",
        "abc",
        "--json",
    ]
    one, two = (json.loads(runner.invoke(app, args).output) for _ in range(2))
    assert one["keys"] == two["keys"] and len(one["keys"]) == 5 and one["frame_hash"] == two["frame_hash"]
