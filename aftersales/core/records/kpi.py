"""The KPI suite over records frames, vectorised with Polars; exact rates (Fraction → Decimal).

Every KPI carries its definition, cohort and denominator (kpi_defs.py), monthly values and, for
time KPIs, wall-clock and business-time statistics plus a distribution. Cancelled records are
excluded from every KPI. Rounding (ROUND_HALF_UP): hours and working days 2 decimals, rates 4
decimals (a share 0..1), scores 2 decimals, NPS 1 decimal. Median: mean of the two middle values
for an even count; P90: nearest rank (the smallest value with ≥ 90 % of values at or below it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import partial
from types import MappingProxyType

import polars as pl

from ..text import Text
from .calendar import BusinessCalendar
from .fields import Kind, StatusCategory, conform, empty_frame
from .kpi_defs import KPI_TEXTS, NO_COMMITMENT, NO_RECORDS

HOUR = 3600
_US = 1_000_000
REPEAT_WINDOW = timedelta(days=30)
# wall-clock hour buckets of the time distributions: (label, lower bound in hours)
BUCKETS = (("<2h", 0), ("2–4h", 2), ("4–8h", 4), ("8–24h", 8), ("1–2d", 24), ("2–3d", 48), ("3–7d", 72), ("≥7d", 168))
_Q = {"hours": Decimal("0.01"), "working_hours": Decimal("0.01"), "rate": Decimal("0.0001"), "score": Decimal("0.01"),
      "nps": Decimal("0.1"), "working_days": Decimal("0.01")}  # fmt: skip


@dataclass(frozen=True)
class Commitments:
    """The enterprise's published service commitments (None = no commitment published)."""

    first_response_hours: Decimal | None = None
    arrival_hours: Decimal | None = None
    completion_hours: Decimal | None = None
    complaint_closure_working_days: Decimal | None = None


@dataclass
class RecordFrames:
    complaints: pl.DataFrame = field(default_factory=lambda: empty_frame(Kind.COMPLAINT))
    work_orders: pl.DataFrame = field(default_factory=lambda: empty_frame(Kind.WORK_ORDER))
    return_visits: pl.DataFrame = field(default_factory=lambda: empty_frame(Kind.RETURN_VISIT))
    surveys: pl.DataFrame = field(default_factory=lambda: empty_frame(Kind.SURVEY))


_TEXTS = {"title", "definition", "cohort", "missing_reason"}
_DECIMALS = {"value", "median", "p90", "median_business", "p90_business", "median_working_days", "p90_working_days"}


@dataclass(frozen=True)
class Kpi:
    id: str
    title: Text
    definition: Text
    cohort: Text
    unit: str  # hours | rate | score | nps (time KPIs also give working hours / working days)
    denominator: int
    numerator: int | None = None
    value: Decimal | None = None
    missing_reason: Text | None = None
    median: Decimal | None = None  # wall-clock hours
    p90: Decimal | None = None
    median_business: Decimal | None = None  # working hours
    p90_business: Decimal | None = None
    median_working_days: Decimal | None = None  # complaint closure only
    p90_working_days: Decimal | None = None
    monthly: tuple[tuple[str, Decimal | None, int], ...] = ()
    distribution: tuple[tuple[str, int], ...] = ()
    drill: Mapping[str, object] = field(default_factory=dict)
    lower_is_better: bool = False

    def as_json(self) -> dict:
        out: dict[str, object] = {}
        for name in self.__dataclass_fields__:
            v = getattr(self, name)
            if isinstance(v, Text):
                v = v.as_dict()
            elif isinstance(v, Decimal):
                v = str(v)
            elif name == "monthly":
                v = [{"month": m, "value": None if x is None else str(x), "denominator": n} for m, x, n in v]
            elif name == "distribution":
                v = [{"bucket": b, "count": n} for b, n in v]
            elif name == "drill":
                v = dict(v)
            out[name] = v
        return out

    @classmethod
    def from_json(cls, data: dict) -> Kpi:
        """The Kpi `as_json` wrote (figures stored between requests)."""
        values: dict[str, object] = {}
        for name in cls.__dataclass_fields__:
            v = data[name]
            if name in _TEXTS and v is not None:
                v = Text(v["zh-Hans"], v["en"])
            elif name in _DECIMALS and v is not None:
                v = Decimal(v)
            elif name == "monthly":
                v = tuple(
                    (m["month"], None if m["value"] is None else Decimal(m["value"]), m["denominator"]) for m in v
                )
            elif name == "distribution":
                v = tuple((b["bucket"], b["count"]) for b in v)
            elif name == "drill":
                v = MappingProxyType(v)
            values[name] = v
        return cls(**values)


@dataclass(frozen=True)
class KpiReport:
    calendar_id: str
    calendar_sha256: str
    period: tuple[date | None, date | None]
    kpis: tuple[Kpi, ...]

    def get(self, kpi_id: str) -> Kpi:
        for k in self.kpis:
            if k.id == kpi_id:
                return k
        raise KeyError(kpi_id)

    def as_json(self) -> dict:
        return {
            "calendar_id": self.calendar_id,
            "calendar_sha256": self.calendar_sha256,
            "period": {"from": _iso(self.period[0]), "to": _iso(self.period[1])},
            "kpis": [k.as_json() for k in self.kpis],
        }

    @classmethod
    def from_json(cls, data: dict) -> KpiReport:
        period = tuple(
            None if d is None else date.fromisoformat(d) for d in (data["period"]["from"], data["period"]["to"])
        )
        kpis = tuple(Kpi.from_json(k) for k in data["kpis"])
        return cls(data["calendar_id"], data["calendar_sha256"], period, kpis)


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


# --------------------------------------------------------------------------------- the suite


def kpi_suite(
    frames: RecordFrames,
    *,
    calendar: BusinessCalendar,
    commitments: Commitments,
    date_from: date | None = None,
    date_to: date | None = None,
) -> KpiReport:
    """Compute every KPI for records received (surveys: answered) from `date_from` to `date_to` inclusive."""
    cohorts = _Cohorts(frames, calendar, date_from, date_to)
    plans = [_plan(spec, cohorts, commitments) for spec in _SPECS]
    results = iter(pl.collect_all([query for _, queries in plans for query in queries]))  # one run for all
    kpis = tuple(
        finish([next(results) for _ in queries], _base(spec, date_from, date_to))
        for (finish, queries), spec in zip(plans, _SPECS, strict=True)
    )
    return KpiReport(calendar.id, calendar.sha256, (date_from, date_to), kpis)


def drill_records(
    frames: RecordFrames,
    *,
    kpi_id: str,
    calendar: BusinessCalendar,
    commitments: Commitments,
    date_from: date | None = None,
    date_to: date | None = None,
) -> pl.DataFrame:
    """The records behind one KPI: kind, external_id, counted (rates: in the numerator; else null)."""
    spec = next(s for s in _SPECS if s.id == kpi_id)
    sub = _subset(spec, _Cohorts(frames, calendar, date_from, date_to), commitments).collect()
    counted = pl.col("counted") if "counted" in sub.columns else pl.lit(None, pl.Boolean)
    kind = pl.col("kind") if "kind" in sub.columns else pl.lit(_default_kind(spec))
    return sub.select(kind.alias("kind"), "external_id", counted.alias("counted"))


class _Cohorts:
    """The prepared cohort frames (lazy views of frames computed once): one row per non-cancelled
    record in the period."""

    def __init__(self, frames: RecordFrames, cal: BusinessCalendar, date_from: date | None, date_to: date | None):
        self.cal = cal
        frames = RecordFrames(  # exactly the canonical columns and types (a no-op for conforming frames)
            conform(frames.complaints, Kind.COMPLAINT),
            conform(frames.work_orders, Kind.WORK_ORDER),
            conform(frames.return_visits, Kind.RETURN_VISIT),
            conform(frames.surveys, Kind.SURVEY),
        )
        live_orders = _live(frames.work_orders)
        live_orders = live_orders.with_columns(_repeat_flags(live_orders))
        c = _in_period(_live(frames.complaints), "received_at", date_from, date_to)
        w = _in_period(live_orders, "received_at", date_from, date_to)
        cal.require_range(*[c[n] for n in ("received_at", "first_response_at", "closed_at")])
        cal.require_range(*[w[n] for n in ("received_at", "arrived_at", "completed_at")])
        rv = frames.return_visits.filter(pl.col("reached").is_null() | pl.col("reached"))
        visited = {
            k: rv.filter(pl.col("subject_kind") == k)["subject_id"].unique() for k in ("complaint", "work_order")
        }

        def times(start: str, end: str, prefix: str) -> list[pl.Expr]:
            # wall-clock microseconds; business seconds from the start's precomputed table position
            return [
                (pl.col(end) - pl.col(start)).dt.total_microseconds().alias(f"{prefix}_us"),
                (cal.position(pl.col(end)) - pl.col("_start_pos")).alias(f"{prefix}_biz"),
            ]

        complaints = (
            c.lazy()
            .with_columns(cal.position(pl.col("received_at")).alias("_start_pos"))
            .select(
                "external_id",
                _month("received_at"),
                "closed_at",
                "deadline_at",
                *times("received_at", "first_response_at", "resp"),
                *times("received_at", "closed_at", "close"),
                (pl.col("closed_at").is_not_null() | (pl.col("status") == StatusCategory.CLOSED)).alias("closed"),
                pl.col("external_id").is_in(visited["complaint"].implode()).alias("visited"),
            )
        )
        work_orders = (
            w.lazy()
            .with_columns(cal.position(pl.col("received_at")).alias("_start_pos"))
            .select(
                "external_id",
                _month("received_at"),
                "visits",
                "arrived_at",
                "promised_arrival_at",
                *times("received_at", "arrived_at", "arr"),
                *times("received_at", "completed_at", "comp"),
                "repeat",
                pl.col("external_id").is_in(visited["work_order"].implode()).alias("visited"),
            )
        )
        surveys = _in_period(frames.surveys.lazy(), "answered_at", date_from, date_to).select(
            "external_id",
            _month("answered_at"),
            (pl.col("score") * 5 >= pl.col("scale") * 4).alias("satisfied"),
            (pl.col("score") * 100 // pl.col("scale")).alias("norm"),  # exact: scales are 5, 10, 100
            "nps",
        )
        # materialised once, read lazily by every KPI's plan
        collected = pl.collect_all([complaints, work_orders, surveys])
        self.complaints, self.work_orders, self.surveys = (f.lazy() for f in collected)


def _month(col: str) -> pl.Expr:
    """The month as an integer yyyymm (formatted "YYYY-MM" only in the results)."""
    return (pl.col(col).dt.year().cast(pl.Int32) * 100 + pl.col(col).dt.month().cast(pl.Int32)).alias("month")


def _month_label(yyyymm: int) -> str:
    return f"{yyyymm // 100:04d}-{yyyymm % 100:02d}"


def _live(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(pl.col("status").is_null() | (pl.col("status") != StatusCategory.CANCELLED))


def _in_period(frame, col: str, date_from: date | None, date_to: date | None):
    """`frame` (eager or lazy) restricted to the period."""
    cond = pl.lit(True)
    if date_from is not None:
        cond = cond & (pl.col(col) >= pl.lit(date_from).cast(pl.Datetime("us")))
    if date_to is not None:
        cond = cond & (pl.col(col) < pl.lit(date_to + timedelta(days=1)).cast(pl.Datetime("us")))
    return frame.filter(cond) if date_from is not None or date_to is not None else frame


def _repeat_flags(orders: pl.DataFrame) -> pl.Series:
    """For each (non-cancelled) order: is another of them — same serial, or naming it in repeat_of —
    received within 30 days after its completion? Null when it is not completed."""
    limit = pl.col("completed_at") + REPEAT_WINDOW
    small = orders.select("external_id", "serial", "received_at", "completed_at").with_row_index("_i")
    # only serials seen more than once can have a follower: sort just those
    # (a hash collision only lets a few more rows in: the sort and the comparison use the serial itself)
    shared = small.filter(pl.col("serial").is_not_null() & pl.col("serial").hash().is_duplicated())
    ordered = shared.sort(pl.col("serial").hash(), "serial", "received_at", "_i")
    same = (pl.col("serial").shift(-1) == pl.col("serial")).fill_null(False)
    next_serial = pl.when(same).then(pl.col("received_at").shift(-1))
    serial_hit = ordered.select("_i", (next_serial <= limit).fill_null(False).alias("hit"))
    by_serial = pl.repeat(False, small.height, eager=True).scatter(serial_hit["_i"], serial_hit["hit"])
    links = orders.filter(pl.col("repeat_of").is_not_null()).group_by("repeat_of").agg(pl.col("received_at").min())
    next_link = pl.col("external_id").replace_strict(
        links["repeat_of"], links["received_at"], default=None, return_dtype=pl.Datetime("us")
    )
    hit = pl.lit(by_serial) | (next_link <= limit).fill_null(False)
    return small.select(pl.when(pl.col("completed_at").is_null()).then(None).otherwise(hit).alias("repeat")).to_series()


# --------------------------------------------------------------------------------- the specs


@dataclass(frozen=True)
class _Spec:
    id: str
    type: str  # time | rate | mean | nps
    where: str  # drill name of the cohort (documented in docs/records.md)
    commitment: str | None = None
    lower_is_better: bool = False


_SPECS = (
    _Spec("first_response_time", "time", "complaints_responded"),
    _Spec("arrival_time", "time", "work_orders_arrived"),
    _Spec("resolution_time", "time", "work_orders_completed"),
    _Spec("complaint_closure_time", "time", "complaints_closed"),
    _Spec("first_response_on_time", "rate", "complaints_responded", "first_response_hours"),
    _Spec("arrival_on_time", "rate", "work_orders_arrived", "arrival_hours"),
    _Spec("completion_on_time", "rate", "work_orders_completed", "completion_hours"),
    _Spec("complaint_closure_on_time", "rate", "complaints_closed", "complaint_closure_working_days"),
    _Spec("complaint_deadline_met", "rate", "complaints_closed_with_deadline"),
    _Spec("promised_arrival_kept", "rate", "work_orders_arrived_with_promise"),
    _Spec("first_time_fix_rate", "rate", "work_orders_completed_visits_known"),
    _Spec("repeat_repair_30d", "rate", "work_orders_completed", lower_is_better=True),
    _Spec("complaint_closure_rate", "rate", "complaints"),
    _Spec("return_visit_rate", "rate", "completed_or_closed"),
    _Spec("csat", "rate", "surveys"),
    _Spec("csat_mean", "mean", "surveys"),
    _Spec("nps", "nps", "surveys_with_nps"),
)


def _subset(spec: _Spec, c: _Cohorts, commitments: Commitments) -> pl.LazyFrame:
    """The cohort rows of one KPI with the columns its aggregation needs (wall/biz, counted, x)."""
    cm = getattr(commitments, spec.commitment) if spec.commitment else None
    match spec.id:
        case "first_response_time":
            return _times(c.complaints, "resp")
        case "arrival_time":
            return _times(c.work_orders, "arr")
        case "resolution_time":
            return _times(c.work_orders, "comp")
        case "complaint_closure_time":
            return _times(c.complaints, "close")
        case "first_response_on_time":
            return _within(c.complaints, "resp_us", cm, HOUR * _US)
        case "arrival_on_time":
            return _within(c.work_orders, "arr_us", cm, HOUR * _US)
        case "completion_on_time":
            return _within(c.work_orders, "comp_us", cm, HOUR * _US)
        case "complaint_closure_on_time":
            return _within(c.complaints, "close_biz", cm, c.cal.day_seconds)
        case "complaint_deadline_met":
            f = c.complaints.filter(pl.col("deadline_at").is_not_null() & pl.col("closed_at").is_not_null())
            return f.with_columns((pl.col("closed_at") <= pl.col("deadline_at")).alias("counted"))
        case "promised_arrival_kept":
            f = c.work_orders.filter(pl.col("promised_arrival_at").is_not_null() & pl.col("arrived_at").is_not_null())
            return f.with_columns((pl.col("arrived_at") <= pl.col("promised_arrival_at")).alias("counted"))
        case "first_time_fix_rate":
            f = c.work_orders.filter(pl.col("comp_us").is_not_null() & pl.col("visits").is_not_null())
            return f.with_columns((pl.col("visits") == 1).alias("counted"))
        case "repeat_repair_30d":
            return c.work_orders.filter(pl.col("comp_us").is_not_null()).with_columns(pl.col("repeat").alias("counted"))
        case "complaint_closure_rate":
            return c.complaints.with_columns(pl.col("closed").alias("counted"))
        case "return_visit_rate":
            cols = ["external_id", "month", pl.col("visited").alias("counted")]
            return pl.concat(
                [
                    c.work_orders.filter(pl.col("comp_us").is_not_null()).select(
                        pl.lit("work_order").alias("kind"), *cols
                    ),
                    c.complaints.filter(pl.col("closed")).select(pl.lit("complaint").alias("kind"), *cols),
                ]
            )
        case "csat":
            return c.surveys.with_columns(pl.col("satisfied").alias("counted"))
        case "csat_mean":
            return c.surveys.rename({"norm": "x"})
        case "nps":
            return c.surveys.filter(pl.col("nps").is_not_null()).with_columns(
                ((pl.col("nps") >= 9).cast(pl.Int64) - (pl.col("nps") <= 6).cast(pl.Int64)).alias("x")
            )
    raise KeyError(spec.id)


def _times(frame: pl.LazyFrame, prefix: str) -> pl.LazyFrame:
    wall, biz = f"{prefix}_us", f"{prefix}_biz"
    return frame.select("external_id", "month", pl.col(wall).alias("wall"), pl.col(biz).alias("biz")).filter(
        pl.col("wall").is_not_null()
    )


def _within(frame: pl.LazyFrame, col: str, limit: Decimal | None, unit: int) -> pl.LazyFrame:
    f = frame.select("external_id", "month", col).filter(pl.col(col).is_not_null())
    if limit is None:
        return f
    bound = int(Decimal(limit) * unit)  # floor: the commitment in the column's unit
    return f.with_columns((pl.col(col) <= bound).alias("counted"))


def _base(spec: _Spec, date_from, date_to) -> dict:
    title, definition, cohort = KPI_TEXTS[spec.id]
    drill = MappingProxyType(
        {"kpi": spec.id, "kind": _default_kind(spec), "where": spec.where,
         "date_from": _iso(date_from), "date_to": _iso(date_to)}
    )  # fmt: skip
    return {"id": spec.id, "title": title, "definition": definition, "cohort": cohort, "drill": drill,
            "lower_is_better": spec.lower_is_better}  # fmt: skip


_Finish = Callable[[list[pl.DataFrame], dict], "Kpi"]


def _plan(spec: _Spec, c: _Cohorts, commitments: Commitments) -> tuple[_Finish, list[pl.LazyFrame]]:
    """The lazy queries of one KPI and the function that makes the Kpi of their results."""
    sub = _subset(spec, c, commitments)
    if spec.type == "time":
        working_days = spec.id == "complaint_closure_time"
        return partial(_time_kpi, working_days=working_days, day_seconds=c.cal.day_seconds), _time_queries(sub)
    if spec.type == "rate":
        if spec.commitment and getattr(commitments, spec.commitment) is None:
            return _no_commitment, [sub.select(pl.len().alias("n"))]
        return partial(_sum_kpi, unit="rate", scale=1), _sum_queries(sub, "counted")
    if spec.type == "nps":
        return partial(_sum_kpi, unit="nps", scale=100), _sum_queries(sub, "x")
    return partial(_sum_kpi, unit="score", scale=1), _sum_queries(sub, "x")


def _default_kind(spec: _Spec) -> str:
    if spec.where.startswith("complaint"):
        return "complaint"
    if spec.where.startswith("work_order"):
        return "work_order"
    if spec.where.startswith("survey"):
        return "survey"
    return "work_order,complaint"


def _q(value: Fraction, unit: str) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(_Q[unit], rounding=ROUND_HALF_UP)


def _hours(seconds: float | int | None, unit: str = "hours", per: int = HOUR) -> Decimal | None:
    if seconds is None:
        return None
    return _q(Fraction(seconds) / per, unit)  # Fraction(float) is exact: medians are whole or half seconds


def _p90(col: str) -> pl.Expr:
    """Nearest rank: the value at 1-based rank ceil(0.9 n) in ascending order = the k-th largest."""
    n = pl.len()
    return pl.col(col).top_k(n - (9 * n + 9) // 10 + 1).min()


def _time_queries(sub: pl.LazyFrame) -> list[pl.LazyFrame]:
    """`sub.wall` in microseconds, `sub.biz` in working seconds: statistics, months, buckets."""
    bucket = sum((pl.col("wall") >= lo * HOUR * _US).cast(pl.Int64) for _, lo in BUCKETS[1:])
    return [
        sub.select(
            pl.len().alias("n"),
            pl.col("wall").median().alias("m"),
            _p90("wall").alias("p"),
            pl.col("biz").median().alias("mb"),
            _p90("biz").alias("pb"),
        ),
        sub.group_by("month").agg(pl.col("wall").median().alias("m"), pl.len().alias("n")).sort("month"),
        sub.select(bucket.alias("b")).group_by("b").len(),
    ]


def _time_kpi(results: list[pl.DataFrame], base: dict, *, working_days: bool, day_seconds: int) -> Kpi:
    stats, monthly, buckets = results
    st = stats.row(0, named=True)
    if st["n"] == 0:
        return Kpi(unit="hours", missing_reason=NO_RECORDS, denominator=0, **base)
    counts = dict(buckets.iter_rows())
    extra = {}
    if working_days:
        extra = {"median_working_days": _hours(st["mb"], "working_days", day_seconds),
                 "p90_working_days": _hours(st["pb"], "working_days", day_seconds)}  # fmt: skip
    wall_hours = HOUR * _US
    return Kpi(
        unit="hours",
        denominator=st["n"],
        value=_hours(st["m"], per=wall_hours),
        median=_hours(st["m"], per=wall_hours),
        p90=_hours(st["p"], per=wall_hours),
        median_business=_hours(st["mb"], "working_hours"),
        p90_business=_hours(st["pb"], "working_hours"),
        monthly=tuple((_month_label(m), _hours(v, per=wall_hours), n) for m, v, n in monthly.iter_rows()),
        distribution=tuple((label, counts.get(i, 0)) for i, (label, _) in enumerate(BUCKETS)),
        **extra,
        **base,
    )


def _no_commitment(results: list[pl.DataFrame], base: dict) -> Kpi:
    return Kpi(unit="rate", missing_reason=NO_COMMITMENT, denominator=results[0].item(), **base)


def _sum_queries(sub: pl.LazyFrame, col: str) -> list[pl.LazyFrame]:
    """The count and the sum of `col` (counted: how many true; x: the integer total), by month too."""
    return [
        sub.select(pl.len().alias("n"), pl.col(col).sum().alias("s")),
        sub.group_by("month").agg(pl.col(col).sum().alias("s"), pl.len().alias("n")).sort("month"),
    ]


def _sum_kpi(results: list[pl.DataFrame], base: dict, *, unit: str, scale: int) -> Kpi:
    """Rates (the share of counted rows) and means of the integer column x (NPS: x = +1 promoter,
    −1 detractor, 0 passive; ×100)."""
    totals, monthly = results
    n, total = totals.row(0)
    if n == 0:
        return Kpi(unit=unit, missing_reason=NO_RECORDS, denominator=0, **base,
                   **({"numerator": 0} if unit == "rate" else {}))  # fmt: skip
    extra = {"numerator": int(total)} if unit == "rate" else {}
    return Kpi(
        unit=unit,
        denominator=n,
        value=_q(Fraction(int(total) * scale, n), unit),
        monthly=tuple((_month_label(m), _q(Fraction(int(k) * scale, c), unit), c) for m, k, c in monthly.iter_rows()),
        **extra,
        **base,
    )
