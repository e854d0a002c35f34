"""Seeded synthetic records for benchmarks: frames and CSV bytes (deterministic for a seed).

Random draws come from `random.Random(seed)` (stable across Python versions); columns are built
with Polars expressions, never a per-row Python loop beyond drawing the random numbers.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

import polars as pl

from .fields import FIELDS, Kind, conform
from .mapping import Mapping

START = datetime(2026, 1, 1)
SPAN_SECONDS = 300 * 86400  # received within 300 days from the start (the benchmarks: the first 300 days of 2026)
FOLLOW_UP = timedelta(days=21)  # the latest a record's later times fall after it is received (a complaint's
# response and closure, up to 17 days, and its return visit 2 days after)
PRODUCTS = ("空调", "冰箱", "洗衣机", "热水器", "油烟机", "电视")
CATEGORIES = ("产品质量", "维修服务", "安装服务", "配送物流", "服务态度", "收费争议")


def _ints(rng: random.Random, n: int, lo: int, hi: int) -> pl.Series:
    return pl.Series([rng.randrange(lo, hi) for _ in range(n)], dtype=pl.Int64)


def _pick(rng: random.Random, n: int, values, weights=None) -> pl.Series:
    return pl.Series(rng.choices(values, weights=weights, k=n))


def _at(offset: pl.Expr, start: datetime) -> pl.Expr:
    """start + offset seconds, to the minute (as CRM exports write times)."""
    return pl.lit(start).cast(pl.Datetime("us")) + pl.duration(minutes=offset // 60)


def start_for(today: date, *, last_day: date) -> datetime:
    """The start of a window of records an enterprise would have on `today`: SPAN_SECONDS that end
    with the month before this one (the months an eligibility check asks for), moved earlier if
    needed so that every record and its follow-up stays on or before `last_day` (the business
    calendar's last day: no times past its holiday table)."""
    end = min(datetime.combine(today.replace(day=1), time()), datetime.combine(last_day, time()) - FOLLOW_UP)
    return end - timedelta(seconds=SPAN_SECONDS)


def work_orders(n: int, *, seed: int = 1, start: datetime = START) -> pl.DataFrame:
    rng = random.Random(f"work_orders-{seed}")
    df = pl.DataFrame(
        {
            "i": pl.Series(range(n), dtype=pl.Int64),
            "recv": _ints(rng, n, 0, SPAN_SECONDS),
            "arr": _ints(rng, n, 600, 3 * 86400),
            "fix": _ints(rng, n, 600, 4 * 86400),
            "status": _pick(rng, n, ["resolved", "closed", "open", "paused", "cancelled"], [50, 35, 8, 3, 4]),
            "product": _pick(rng, n, PRODUCTS),
            "visits": _pick(rng, n, [1, 2, 3], [80, 15, 5]),
            "serial": _ints(rng, n, 0, n * 3 // 4 + 1),
            "rep": _ints(rng, n, 0, 50),
        }
    )
    open_ = pl.col("status").is_in(["open", "paused", "cancelled"])
    out = df.select(
        pl.format("WO{}", pl.col("i").cast(pl.Utf8).str.zfill(8)).alias("external_id"),
        _at(pl.col("recv"), start).alias("received_at"),
        pl.col("product"),
        pl.col("status"),
        pl.format("M-{}", pl.col("serial") % 40).alias("model"),
        pl.format("SN{}", pl.col("serial")).alias("serial"),
        (_at(pl.col("recv") + pl.col("arr") // 2, start)).alias("promised_arrival_at"),
        pl.when(pl.col("status") == "cancelled")
        .then(None)
        .otherwise(_at(pl.col("recv") + pl.col("arr"), start))
        .alias("arrived_at"),
        pl.when(open_)
        .then(None)
        .otherwise(_at(pl.col("recv") + pl.col("arr") + pl.col("fix"), start))
        .alias("completed_at"),
        pl.when(open_).then(None).otherwise(pl.col("visits")).alias("visits"),
        pl.when((pl.col("rep") == 0) & (pl.col("i") > 0))
        .then(pl.format("WO{}", ((pl.col("i") * 7919) % pl.col("i").clip(1, None)).cast(pl.Utf8).str.zfill(8)))
        .alias("repeat_of"),
    )
    return conform(out, Kind.WORK_ORDER)


def complaints(n: int, *, seed: int = 1, start: datetime = START) -> pl.DataFrame:
    rng = random.Random(f"complaints-{seed}")
    df = pl.DataFrame(
        {
            "i": pl.Series(range(n), dtype=pl.Int64),
            "recv": _ints(rng, n, 0, SPAN_SECONDS),
            "resp": _ints(rng, n, 60, 2 * 86400),
            "close": _ints(rng, n, 3600, 15 * 86400),
            "status": _pick(rng, n, ["closed", "resolved", "open", "paused", "cancelled"], [70, 10, 12, 3, 5]),
            "category": _pick(rng, n, CATEGORIES),
            "channel": _pick(rng, n, ["phone", "online", "store", "regulator", "letter"], [50, 30, 10, 8, 2]),
            "deadline": _pick(rng, n, [True, False], [10, 90]),
        }
    )
    closed = pl.col("status").is_in(["closed", "resolved"])
    out = df.select(
        pl.format("CP{}", pl.col("i").cast(pl.Utf8).str.zfill(8)).alias("external_id"),
        _at(pl.col("recv"), start).alias("received_at"),
        "category",
        "status",
        "channel",
        _at(pl.col("recv") + pl.col("resp"), start).alias("first_response_at"),
        pl.when(closed).then(_at(pl.col("recv") + pl.col("resp") + pl.col("close"), start)).alias("closed_at"),
        pl.when(pl.col("deadline")).then(_at(pl.col("recv") + 10 * 86400, start)).alias("deadline_at"),
    )
    return conform(out, Kind.COMPLAINT)


def return_visits(orders: pl.DataFrame, complaints_: pl.DataFrame, *, share: int = 70, seed: int = 1) -> pl.DataFrame:
    """Return visits for about `share` % of completed orders and closed complaints."""
    subjects = pl.concat(
        [
            orders.filter(pl.col("completed_at").is_not_null()).select(
                pl.lit("work_order").alias("subject_kind"),
                pl.col("external_id").alias("subject_id"),
                pl.col("completed_at").alias("t"),
            ),
            complaints_.filter(pl.col("closed_at").is_not_null()).select(
                pl.lit("complaint").alias("subject_kind"),
                pl.col("external_id").alias("subject_id"),
                pl.col("closed_at").alias("t"),
            ),
        ]
    )
    rng = random.Random(f"return_visits-{seed}")
    keep = _ints(rng, subjects.height, 0, 100) < share
    s = subjects.filter(keep)
    out = s.with_row_index("i").select(
        pl.format("RV{}", pl.col("i").cast(pl.Utf8).str.zfill(8)).alias("external_id"),
        "subject_kind",
        "subject_id",
        (pl.col("t") + pl.duration(days=2)).alias("visited_at"),
        pl.lit("phone").alias("channel"),
        pl.lit(True).alias("reached"),
    )
    return conform(out, Kind.RETURN_VISIT)


def surveys(n: int, *, seed: int = 1, start: datetime = START) -> pl.DataFrame:
    rng = random.Random(f"surveys-{seed}")
    df = pl.DataFrame(
        {
            "i": pl.Series(range(n), dtype=pl.Int64),
            "t": _ints(rng, n, 0, SPAN_SECONDS),
            "scale": _pick(rng, n, [5, 10, 100]),
            "u": _ints(rng, n, 20, 101),
            "nps": _ints(rng, n, 0, 11),
        }
    )
    out = df.select(
        pl.format("SV{}", pl.col("i").cast(pl.Utf8).str.zfill(8)).alias("external_id"),
        _at(pl.col("t"), start).alias("answered_at"),
        "scale",
        ((pl.col("u") * pl.col("scale") + 99) // 100).clip(1, None).alias("score"),
        "nps",
    )
    return conform(out, Kind.SURVEY)


def to_csv(frame: pl.DataFrame, mapping: Mapping) -> bytes:
    """`frame` written as `mapping`'s source file: its headers, first date format, value words, encoding."""
    kind = mapping.kind
    cols = []
    for f in FIELDS[kind]:
        if f.name not in mapping.columns:
            continue
        col = pl.col(f.name)
        if f.type == "datetime":
            col = col.dt.strftime(mapping.formats_for(f.name)[0])
        elif f.name in mapping.values:
            inverse: dict[str, str] = {}
            for source, target in mapping.values[f.name].items():
                inverse.setdefault(str(target).lower() if isinstance(target, bool) else target, source)
            col = col.cast(pl.Utf8).str.to_lowercase() if f.type == "bool" else col.cast(pl.Utf8)
            col = col.replace(list(inverse), list(inverse.values()))
        cols.append(col.cast(pl.Utf8).alias(mapping.columns[f.name]))
    text = frame.select(cols).write_csv()
    prefix = "导出数据\n" * mapping.skip_rows
    return (prefix + text).encode(mapping.encoding)
