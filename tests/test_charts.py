"""The SVG charts: well-formed, to scale, escaped, accessible. Plain pytest, no database."""

import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date
from fractions import Fraction
from itertools import pairwise

from aftersales.charts import Bar, Point, Svg, Threshold, bar_chart, history_chart

NS = {"svg": "http://www.w3.org/2000/svg"}
LEVELS = [Threshold(70, "达标"), Threshold(80, "三星"), Threshold(90, "四星"), Threshold(95, "五星")]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def widths(root: ET.Element, cls: str) -> list[Fraction]:
    return [Fraction(r.get("width")) for r in root.iterfind(f".//svg:rect[@class='{cls}']", NS)]


def categories() -> list[Bar]:
    return [
        Bar("5.1 售后服务体系", "30", "40", "40"),
        Bar("5.2 商品服务", Fraction(35, 2), "35", "35"),
        Bar("5.3 顾客服务", "10", "20", "25"),  # 5 points not applicable
    ]


def test_it_draws_a_well_formed_accessible_bar_chart():
    svg = bar_chart(categories(), title="各一级指标得分")
    root = parse(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label").startswith("各一级指标得分: 5.1 售后服务体系: 30.00 / 40")
    assert root.find("svg:title", NS).text == "各一级指标得分"
    assert len(root.findall(".//svg:g[@class='chart-bar']", NS)) == 3


def test_it_draws_the_bars_in_proportion_to_the_points():
    root = parse(bar_chart(categories(), title="t"))
    earned, applicable = widths(root, "bar-earned"), widths(root, "bar-applicable")
    excluded = widths(root, "bar-excluded")
    # one scale for every category: 40 points is the longest track
    assert earned[0] / applicable[0] == Fraction(30, 40)
    assert earned[1] / applicable[1] == Fraction(1, 2)
    assert applicable[1] / applicable[0] == Fraction(35, 40)
    assert earned[2] / earned[0] == Fraction(10, 30)
    # the non-applicable rest of a category's maximum is drawn after its applicable points
    assert len(excluded) == 1 and excluded[0] / applicable[0] == Fraction(5, 40)


def test_it_shows_the_values_as_given():
    svg = bar_chart([Bar("A", "26.66", "80/3", "30", text="26.66 / 80/3")], title="t")
    texts = [t.text for t in parse(svg).iter("{http://www.w3.org/2000/svg}text")]
    assert "26.66 / 80/3" in texts


def test_it_keeps_markup_in_labels_as_text():
    hostile = '<script>alert("x")</script> & "quotes"'
    svg = bar_chart([Bar(hostile, "1", "2", "2")], title=hostile)
    assert "<script>" not in svg
    root = parse(svg)  # still well-formed
    assert root.find("svg:title", NS).text == hostile
    assert hostile in [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert root.get("aria-label").startswith(hostile)


def test_it_is_safe_markup_for_templates():
    svg = bar_chart(categories(), title="t")
    assert isinstance(svg, Svg) and svg.__html__() == str(svg)


def test_it_places_history_points_by_date_and_score():
    points = [
        Point(date(2024, 1, 1), "60", "第一次"),
        Point(date(2024, 1, 11), "4341/49", "第二次"),  # 88.59…
        Point(date(2024, 1, 31), "100", "第三次", current=True),
    ]
    root = parse(history_chart(points, title="得分历史", thresholds=LEVELS))
    circles = root.findall(".//svg:circle", NS)
    xs = [Fraction(c.get("cx")) for c in circles]
    ys = [Fraction(c.get("cy")) for c in circles]
    # x to scale: 10 days of 30 are a third of the way (coordinates are rounded to 0.01)
    assert abs((xs[1] - xs[0]) * 3 - (xs[2] - xs[0])) <= Fraction(3, 100)
    # y: 0 at the bottom grid line, 100 at the top one
    grid = sorted(Fraction(line.get("y1")) for line in root.iterfind(".//svg:g[@class='chart-grid']/svg:line", NS))
    top, bottom = grid[0], grid[-1]
    assert ys[2] == top
    assert ys[0] == bottom - (bottom - top) * Fraction(60, 100)
    assert abs(ys[1] - (bottom - (bottom - top) * Fraction(4341, 4900))) <= Fraction(1, 200)  # rounded to 0.01
    assert [c.get("r") for c in circles] == ["4", "4", "6"]  # the current assessment stands out
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "88.59" in texts  # shown rounded down, never up


def test_it_draws_dashed_labelled_threshold_lines():
    root = parse(history_chart([Point(date(2025, 3, 1), "75")], title="t", thresholds=LEVELS))
    lines = root.findall(".//svg:line[@class='threshold']", NS)
    assert len(lines) == 4 and all(line.get("stroke-dasharray") for line in lines)
    labels = [t.text for t in root.iterfind(".//svg:g[@class='chart-thresholds']/svg:text", NS)]
    assert labels == ["达标 70", "三星 80", "四星 90", "五星 95"]
    label_ys = [Fraction(t.get("y")) for t in root.iterfind(".//svg:g[@class='chart-thresholds']/svg:text", NS)]
    assert all(lower - upper >= 11 for lower, upper in pairwise(label_ys))


def test_it_centres_a_single_point_and_escapes_its_title():
    svg = history_chart([Point(date(2025, 3, 1), "75", "<b>自评</b>")], title="t")
    root = parse(svg)
    assert "<b>" not in svg
    assert "<b>自评</b>" in root.find(".//svg:g[@class='history-point']/svg:title", NS).text
    assert root.find(".//svg:polyline", NS) is None


def test_it_needs_no_django():
    code = "import sys\nimport aftersales.charts\nassert not any(m.startswith('django') for m in sys.modules)\n"
    subprocess.run([sys.executable, "-c", code], check=True)
