"""KPIs and records as the pages show them: texts in the user's language, charts, drill links."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from aftersales.core.records.kpi import Kpi, KpiReport

from .charts import distribution_chart, trend_chart


def _percent(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.01'))} %"


def value_text(value: Decimal | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "rate":
        return _percent(value)
    if unit in {"hours"}:
        return f"{value} h"
    return str(value)


def kpi_value_text(k: Kpi, lang: str = "zh-Hans") -> str:
    """One line for a table (CLI): the value, or median/P90 for time KPIs, or why there is none."""
    if k.missing_reason is not None:
        return k.missing_reason.get(lang)
    if k.unit == "hours":
        text = f"P50 {k.median} h / P90 {k.p90} h; {k.median_business} / {k.p90_business} wh"
        if k.median_working_days is not None:
            text += f"; {k.median_working_days} / {k.p90_working_days} wd"
        return text
    if k.unit == "rate" and k.value is not None:
        return f"{_percent(k.value)} ({k.numerator}/{k.denominator})"
    return value_text(k.value, k.unit)


@dataclass
class KpiCard:
    kpi: Kpi
    title: str
    definition: str
    cohort: str
    missing: str
    is_time: bool
    value: str
    trend: str
    distribution: str


def kpi_cards(report: KpiReport, lang: str) -> list[KpiCard]:
    cards = []
    for k in report.kpis:
        is_time = k.unit == "hours"
        title = k.title.get(lang)
        monthly_values = list(k.monthly)
        if k.unit == "rate":  # the chart's axis in percent
            monthly_values = [(m, None if v is None else v * 100, n) for m, v, n in monthly_values]
        shown = [value_text(v, k.unit) for _, v, _ in k.monthly]
        trend = ""
        if monthly_values:
            trend = trend_chart(
                monthly_values,
                title=_("%(kpi)s per month") % {"kpi": title},
                shown=shown,
                floor_zero=k.unit != "nps",
            )
        distribution = ""
        if is_time and k.distribution:
            distribution = distribution_chart(
                k.distribution, title=_("%(kpi)s: records per time band (wall-clock)") % {"kpi": title}
            )
        cards.append(
            KpiCard(
                kpi=k,
                title=title,
                definition=k.definition.get(lang),
                cohort=k.cohort.get(lang),
                missing=k.missing_reason.get(lang) if k.missing_reason is not None else "",
                is_time=is_time,
                value=value_text(k.value, k.unit),
                trend=trend,
                distribution=distribution,
            )
        )
    return cards
